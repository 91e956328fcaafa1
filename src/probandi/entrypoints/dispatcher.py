"""The webhook dispatcher: one asyncio loop in a thread of every job worker process.

Each turn it relays the outbox, records finished tries and claims due deliveries per
endpoint, up to the endpoint's claim window, in one transaction. Claims are sent on aiohttp
(ADR 0013) as the endpoint's slots free, so one slow endpoint never holds back another, and
a turn records and claims many at once (ADR 0012)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from datetime import UTC, datetime

from probandi.adapters.webhooks.http import AiohttpSender
from probandi.adapters.webhooks.signing import signed_request
from probandi.domain.webhooks import Attempt, WebhookPolicy
from probandi.services.context import Services
from probandi.services.deliveries import Claim, due_endpoints, exchange, relay_outbox
from probandi.services.ports import WebhookSender

log = logging.getLogger("probandi.webhooks")
STOP_GRACE_SECONDS = 15.0
IDLE_MAX_SECONDS = 0.8  # the longest an idle dispatcher waits before looking again
GATHER_SECONDS = 0.005  # how long a turn waits for more tries in flight to end


class Dispatcher:
    def __init__(
        self,
        svc: Services,
        *,
        owner: str,
        poll_seconds: float = 0.1,
        policy: WebhookPolicy | None = None,
        sender: WebhookSender | None = None,
    ) -> None:
        self.svc, self.owner, self.poll_seconds = svc, owner, poll_seconds
        self.policy = policy or svc.policy.webhooks
        self._sender = sender
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._held: dict[str, int] = defaultdict(int)  # claimed, outcome not yet recorded
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._done: list[tuple[Claim, Attempt]] = []
        self._wake: asyncio.Event | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="probandi-webhooks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_GRACE_SECONDS + 5) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception:
            log.exception("webhook dispatcher %s stopped", self.owner)

    async def _main(self) -> None:
        sender = self._sender or AiohttpSender(self.policy)
        self._wake = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()
        try:
            idle = self.poll_seconds
            while not self._stop.is_set():
                busy = False
                try:
                    await self._gather(tasks)
                    busy = await self._turn(sender, tasks)
                except Exception:  # the dispatcher outlives a database hiccup
                    log.exception("webhook dispatcher %s: a turn failed", self.owner)
                    await asyncio.sleep(1.0)
                if busy or self._done:  # tries that ended during the turn: record them now
                    idle = self.poll_seconds
                    continue
                # Idle: look again after the poll interval, doubling up to IDLE_MAX while
                # nothing comes (an idle worker costs little); a finished try wakes it.
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), idle)
                idle = min(idle * 2, max(self.poll_seconds, IDLE_MAX_SECONDS))
            if tasks:  # let tries in flight end, then record them
                await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
            await self._flush()
        finally:
            await sender.aclose()

    async def _gather(self, tasks: set[asyncio.Task[None]]) -> None:
        """Fuller turns: while fewer tries have ended than an endpoint has slots, give the
        ones in flight a moment, so one transaction records and claims many."""
        if tasks and len(self._done) < min(len(tasks), self.policy.per_endpoint_concurrency):
            await asyncio.wait(set(tasks), timeout=GATHER_SECONDS)

    async def _turn(self, sender: WebhookSender, tasks: set[asyncio.Task[None]]) -> bool:
        """Relay, then one transaction: record finished tries and claim up to each
        endpoint's window. The database work runs in one hop to a thread."""
        batch, self._done = self._done, []
        for c, _ in batch:
            self._held[c.delivery.endpoint_id] -= 1
        window = max(self.policy.claim_window, self.policy.per_endpoint_concurrency)
        free = {e: window - n for e, n in self._held.items() if n}
        relayed, claims = await asyncio.to_thread(self._step, batch, free)
        for c in claims:
            self._held[c.delivery.endpoint_id] += 1
            task = asyncio.create_task(self._send(sender, c))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        return bool(batch) or relayed > 0 or bool(claims)

    def _step(
        self, batch: list[tuple[Claim, Attempt]], free: dict[str, int]
    ) -> tuple[int, list[Claim]]:
        try:
            relayed = relay_outbox(svc=self.svc)
            # Idle and nothing due: no write transaction at all.
            if not batch and not due_endpoints(svc=self.svc):
                return relayed, []
        except Exception:  # the outcomes in hand are still recorded below
            log.exception("webhook dispatcher %s: relaying failed", self.owner)
            relayed = 0
        try:
            return relayed, exchange(batch, {}, self.owner, self.policy, svc=self.svc, free=free)[1]
        except Exception:
            # Not recorded: the leases expire and the deliveries are sent again (at least
            # once); the receiver sees a duplicate, never a gap.
            log.exception("webhook dispatcher %s: a turn's transaction failed", self.owner)
            return relayed, []

    def _slot(self, endpoint_id: str) -> asyncio.Semaphore:
        if endpoint_id not in self._slots:
            self._slots[endpoint_id] = asyncio.Semaphore(self.policy.per_endpoint_concurrency)
        return self._slots[endpoint_id]

    async def _send(self, sender: WebhookSender, c: Claim) -> None:
        async with self._slot(c.delivery.endpoint_id):
            lease_until = c.delivery.lease_until
            left = (lease_until - self.svc.clock.now()).total_seconds() if lease_until else 0.0
            if left < self.policy.lease.total_seconds() / 2:
                # Waited in line for half its lease: it may end mid-try and another worker
                # take it over. Leave it to the lease's end; it is claimed again then.
                log.info("webhook delivery %s: lease nearly over, not sent", c.delivery.id)
                self._held[c.delivery.endpoint_id] -= 1
                return
            attempt = await self._try(sender, c)
        self._done.append((c, attempt))
        if self._wake is not None:
            self._wake.set()

    async def _try(self, sender: WebhookSender, c: Claim) -> Attempt:
        # The signature's timestamp is the wall clock's: receivers refuse stale ones.
        now = datetime.now(UTC)
        try:
            request = signed_request(c.url, c.event, c.secrets, now)
            response = await sender.send(request)
            status, latency, excerpt, error = (
                response.status_code,
                response.latency_ms,
                response.excerpt,
                response.error,
            )
        except Exception as exc:  # a bug here must not lose the claim's outcome
            log.exception("webhook delivery %s failed before sending", c.delivery.id)
            status, latency, excerpt, error = None, 0, "", f"{type(exc).__name__}: {exc}"
        return Attempt(
            delivery_id=c.delivery.id,
            endpoint_id=c.delivery.endpoint_id,
            event_id=c.event.id,
            at=self.svc.clock.now(),
            status_code=status,
            latency_ms=latency,
            excerpt=excerpt,
            error=error,
        )

    async def _flush(self) -> None:
        """Record what finished, claiming nothing (on the way out)."""
        batch, self._done = self._done, []
        if batch:
            try:
                await asyncio.to_thread(exchange, batch, {}, self.owner, self.policy, svc=self.svc)
            except Exception:
                log.exception("webhook dispatcher %s: recording outcomes failed", self.owner)
