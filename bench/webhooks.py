"""Webhooks delivered from the outbox: events per second and latency to a local receiver,
against raw aiohttp POSTs (the dispatcher's client) to the same receiver, measured in the same run.

One real `probandi worker` process delivers (its dispatcher, ADR 0012). The receiver runs
in its own process (`tests/support/receiver.py`) and logs each request's start time and
body. This process commits the events the way use cases do (`uow.publish` in a
transaction), so the time from commit to the receiver covers the relay, the claim, the
signing, the POST and nothing else. Run from the project root:

    .venv/bin/python bench/webhooks.py [--database sqlite|postgresql|both] [--events 5000]
                                       [--seconds 20] [--timeout 600]

First 100 events/s for --seconds (latency), then a burst of --events (throughput). Targets:
p99 <= 1 s from commit to the receiver at 100 events/s; >= 500 events/s for the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import aiohttp
import httpx
from standardwebhooks import Webhook

from gate_api import HOST, Databases, each_database, free_port
from probandi.adapters.webhooks.http import SystemResolver
from probandi.adapters.webhooks.signing import body_of
from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.actors import Actor, Role
from probandi.domain.events import Event, events_from_outbox
from probandi.domain.policy import Policy
from probandi.domain.webhooks import WebhookPolicy
from probandi.services.context import Services
from probandi.services.webhooks import EndpointSpec, register_endpoint

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATE = 500.0  # events/s delivered from a burst
TARGET_P99_S = 1.0  # commit to the receiver's request start, at 100 events/s offered
OFFERED_RATE = 100.0
BATCH = 100  # events per transaction in the burst
WARMUP = 32
PROGRESS_S = 30.0
TOPIC = "listing.gate_changed"
ADMIN = Actor(id="bench-admin", role=Role.ADMIN)


# --- processes --------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def child(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> Iterator[int]:
    """A child process, SIGTERMed (then killed) when the block ends, even on error."""
    with log.open("ab") as out:
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc.pid
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def start_receiver(stack: ExitStack, tmp: Path) -> tuple[int, str, Path]:
    """The receiver process; its pid, the hooks URL and the log it writes."""
    port, log = free_port(), tmp / "received.jsonl"
    log.touch()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "tests.support.receiver", str(port), str(log)]
    pid = stack.enter_context(child(args, env, tmp / "receiver.out", ROOT))
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.post(f"http://{HOST}:{port}/_control", json={}, timeout=1)
            return pid, f"http://{HOST}:{port}/hooks", log
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError("the receiver did not start") from None
            time.sleep(0.05)


def start_worker(stack: ExitStack, url: str, tmp: Path) -> int:
    """One real `probandi worker`; periodic jobs off, so only the dispatcher works."""
    env = {
        **os.environ,
        "PROBANDI_DATABASE_URL": url,
        "PROBANDI_WEBHOOK_ALLOW_PRIVATE": "1",
        "PROBANDI_READ_VOUCHERS": "0",
        "PROBANDI_VOUCHER_DIR": str(tmp / "vouchers"),
        "PROBANDI_CHECKPOINT_KEY": str(tmp / "checkpoint.key"),
        "PROBANDI_CHECKPOINT_DIR": str(tmp / "checkpoints"),
        "PROBANDI_CHECKPOINT_SECONDS": "0",
        "PROBANDI_ORPHAN_SWEEP_SECONDS": "0",
    }
    args = [str(ROOT / ".venv" / "bin" / "probandi"), "worker"]
    return stack.enter_context(child(args, env, tmp / "worker.out", tmp))


# --- what the receiver logged ------------------------------------------------------------
@dataclass(frozen=True)
class Received:
    start: float
    end: float
    status: int
    body: str
    headers: dict[str, str]


@dataclass
class ReceiverLog:
    """Reads the receiver's log as it grows; first receipt per listing, and duplicates."""

    path: Path
    offset: int = 0
    rest: bytes = b""
    first: dict[str, Received] = field(default_factory=dict)
    duplicates: int = 0

    def poll(self) -> None:
        with self.path.open("rb") as f:
            f.seek(self.offset)
            chunk = f.read()
        self.offset += len(chunk)
        *lines, self.rest = (self.rest + chunk).split(b"\n")
        for line in lines:
            raw = json.loads(line)
            if raw["path"] != "/hooks":
                continue
            listing_id = json.loads(raw["body"])["data"]["listing_id"]
            if listing_id in self.first:
                self.duplicates += 1
                continue
            self.first[listing_id] = Received(
                raw["start"], raw["end"], raw["status"], raw["body"], raw["headers"]
            )

    def wait_for(self, ids: list[str], timeout: float) -> list[str]:
        """Wait until every listing in `ids` was received; those still missing. Says how
        far it got every PROGRESS_S, so a slow run is visibly alive."""
        began = time.monotonic()
        said = began
        while True:
            self.poll()
            missing = [i for i in ids if i not in self.first]
            now = time.monotonic()
            if not missing or now - began > timeout:
                return missing
            if now - said > PROGRESS_S:
                got = len(ids) - len(missing)
                print(f"    ... {got:,} of {len(ids):,} received after {now - began:.0f} s")
                said = now
            time.sleep(0.05)


# --- the writes ---------------------------------------------------------------------------
def gate_payload(listing_id: str, at: datetime) -> dict[str, Any]:
    """A listing held for proof, shaped as `services.events.publish_listing` writes it."""
    return {
        "listing_id": listing_id,
        "seller_id": f"bench-seller-{zlib.crc32(listing_id.encode()) % 8}",
        "state": "awaiting_proof",
        "notice_holds": {},
        "publishable": False,
        "reasons": ["gated brand Gucci: proof of authorization required"],
        "cause": "gate:hold",
        "statement_id": f"sor_{uuid.uuid4().hex}",
        "proof_due_at": (at + timedelta(days=5)).isoformat(),
        "proof_due_changed": False,  # one catalog event per message
        "brands": ["Gucci"],
        "required_evidence": "purchase_invoice",
        "at": at.isoformat(),
    }


def commit_events(svc: Services, listing_ids: list[str]) -> float:
    """One transaction publishing one message per listing; wall time after the commit."""
    with svc.uow() as uow:
        now = svc.clock.now()
        for listing_id in listing_ids:
            uow.publish(TOPIC, gate_payload(listing_id, now))
        uow.commit()
    return time.time()


def sample_body() -> bytes:
    """The bytes the dispatcher sends for one of these events."""
    now = datetime.now(UTC)
    (draft,) = events_from_outbox(TOPIC, gate_payload("burst-000000-0000", now), now)
    event = Event(f"evt_{uuid.uuid4().hex}", 1, draft.type, draft.subject, 1, now, draft.data)
    return body_of(event)


# --- the measurements ---------------------------------------------------------------------
@dataclass(frozen=True)
class Burst:
    events: int
    write_s: float
    delivered: int
    deliver_s: float
    worker_cpu_s: float
    receiver_cpu_s: float

    @property
    def rate(self) -> float:
        return self.delivered / self.deliver_s


def measure_burst(
    svc: Services, log: ReceiverLog, events: int, timeout: float, pids: tuple[int, int]
) -> Burst:
    ids = [f"burst-{n:06d}-{uuid.uuid4().hex[:4]}" for n in range(events)]
    cpu0 = [cpu_seconds(p) for p in pids]
    began = time.perf_counter()
    first_commit = commit_events(svc, ids[:BATCH])
    for at in range(BATCH, events, BATCH):
        commit_events(svc, ids[at : at + BATCH])
    write_s = time.perf_counter() - began
    missing = log.wait_for(ids, timeout)
    cpu1 = [cpu_seconds(p) for p in pids]
    got = [log.first[i] for i in ids if i in log.first]
    # Timed out: the rate is over the whole wait, not up to the last arrival.
    last = time.time() if missing else max(r.end for r in got)
    return Burst(
        events, write_s, len(got), last - first_commit, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    )


@dataclass(frozen=True)
class Latency:
    offered: int
    offered_rate: float
    delivered: int
    p50_s: float
    p99_s: float
    max_s: float
    worker_cpu_share: float  # of one core, from the first commit until all arrived


def measure_latency(
    svc: Services, log: ReceiverLog, seconds: float, pids: tuple[int, int]
) -> Latency:
    """One event per transaction every 1/OFFERED_RATE s; commit -> receiver start."""
    total = int(seconds * OFFERED_RATE)
    ids = [f"lat-{n:06d}-{uuid.uuid4().hex[:4]}" for n in range(total)]
    committed: dict[str, float] = {}
    cpu0 = cpu_seconds(pids[0])
    began = time.perf_counter()
    for n, listing_id in enumerate(ids):
        delay = began + n / OFFERED_RATE - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        committed[listing_id] = commit_events(svc, [listing_id])
    offered_s = time.perf_counter() - began
    log.wait_for(ids, timeout=60.0)
    cpu = (cpu_seconds(pids[0]) - cpu0) / (time.perf_counter() - began)
    waits = [log.first[i].start - committed[i] for i in ids if i in log.first]
    arrived = len(waits)
    waits = sorted(waits) + [math.inf] * (total - arrived)  # never arrived: ranked last
    return Latency(
        total, total / offered_s, arrived, rank(waits, 50), rank(waits, 99), waits[-1], cpu
    )


def rank(ordered: list[float], percent: int) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(len(ordered) * percent / 100) - 1)]


async def post_all(url: str, body: bytes, count: int, concurrency: int) -> float:
    """`count` raw POSTs of `body` from `concurrency` senders; wall seconds."""
    left = [count]
    headers = {"content-type": "application/json"}

    async def sender(http: aiohttp.ClientSession) -> None:
        while left[0] > 0:
            left[0] -= 1
            async with http.post(url, data=body, headers=headers) as response:
                response.raise_for_status()
                await response.read()

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as http:
        left[0] = concurrency * 4  # warm-up: connections and the receiver's first requests
        await asyncio.gather(*(sender(http) for _ in range(concurrency)))
        left[0] = count
        began = time.perf_counter()
        await asyncio.gather(*(sender(http) for _ in range(concurrency)))
        return time.perf_counter() - began


# --- one database -------------------------------------------------------------------------
@dataclass(frozen=True)
class Options:
    events: int
    seconds: float
    timeout: float  # for the burst to arrive


@dataclass(frozen=True)
class Result:
    body_bytes: int
    concurrency: int
    baseline_rate: float
    burst: Burst
    latency: Latency
    duplicates: int
    signature_ok: bool
    worker_errors: int


def bench_database(kind: str, title: str, dbs: Databases, opts: Options) -> None:
    webhooks = WebhookPolicy(allow_private_targets=True)
    settings = Settings(
        database_url=dbs.probandi_url,
        voucher_dir=dbs.voucher_dir,
        policy=Policy(read_vouchers=False, webhooks=webhooks),
    )
    runtime = bootstrap(settings, migrate=True)
    print(f"\n[{kind}] {opts.seconds:.0f} s at 100 events/s, then a burst of {opts.events}")
    try:
        with tempfile.TemporaryDirectory(prefix="probandi-webhooks-") as tmp:
            result = run(runtime.services, Path(tmp), dbs.probandi_url, opts)
    finally:
        runtime.dispose()
    report(title, result)


def run(svc: Services, tmp: Path, url: str, opts: Options) -> Result:
    concurrency = svc.policy.webhooks.per_endpoint_concurrency
    body = sample_body()
    with ExitStack() as stack:
        receiver_pid, hooks_url, log_path = start_receiver(stack, tmp)
        base_url = hooks_url.replace("/hooks", "/baseline")
        base_s = asyncio.run(post_all(base_url, body, opts.events, concurrency))
        print(f"  baseline: {opts.events / base_s:,.0f} POSTs/s", flush=True)
        _, secret = register_endpoint(
            EndpointSpec(hooks_url, ["*"], "bench receiver"), ADMIN, SystemResolver(), svc=svc
        )
        pids = (start_worker(stack, url, tmp), receiver_pid)
        log = ReceiverLog(log_path)
        signature_ok = warm_up(svc, log, secret, tmp)
        # Latency first, on an empty queue: a burst that never drains would spoil it.
        latency = measure_latency(svc, log, opts.seconds, pids)
        print(f"  latency: p99 {latency.p99_s * 1000:,.0f} ms", flush=True)
        burst = measure_burst(svc, log, opts.events, opts.timeout, pids)
        print(f"  burst: {burst.rate:,.0f} events/s", flush=True)
        errors = (tmp / "worker.out").read_text().count("Traceback")
    return Result(
        len(body),
        concurrency,
        opts.events / base_s,
        burst,
        latency,
        log.duplicates,
        signature_ok=signature_ok,
        worker_errors=errors,
    )


def warm_up(svc: Services, log: ReceiverLog, secret: str, tmp: Path) -> bool:
    """The worker's start, its connections and first queries, before any timing; whether
    every warm-up request verifies (now, while its timestamp is fresh)."""
    warm = [f"warm-{n}" for n in range(WARMUP)]
    commit_events(svc, warm)
    if log.wait_for(warm, timeout=120.0):
        tail = (tmp / "worker.out").read_text()[-3000:]
        raise RuntimeError(f"the worker delivered nothing; its output ends:\n{tail}")
    return all(verifies(secret, log.first[i]) for i in warm)


def verifies(secret: str, request: Received) -> bool:
    try:
        Webhook(secret).verify(request.body, request.headers)
    except Exception:  # the verifier raises its own error types on a bad signature
        return False
    return True


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(title: str, r: Result) -> None:
    b = r.burst
    print(f"\n{title}: 1 worker process, {r.concurrency} sends at once to the endpoint")
    print(
        f"  burst written: {b.events:,} events in {b.write_s:.2f} s "
        f"({b.events / b.write_s:,.0f}/s, {BATCH} a transaction)"
    )
    print(
        f"  delivered:     {b.delivered:,} of {b.events:,} in {b.deliver_s:.2f} s from the first "
        f"commit = {b.rate:,.0f} events/s (target >= {TARGET_RATE:.0f}: "
        f"{met(b.rate >= TARGET_RATE and b.delivered == b.events)})"
    )
    print(
        f"  CPU meanwhile: worker {b.worker_cpu_s:.1f} s ({b.worker_cpu_s / b.deliver_s:.0%} "
        f"of a core), receiver {b.receiver_cpu_s:.1f} s"
    )
    print(
        f"  baseline:      raw aiohttp POSTs of {r.body_bytes:,} bytes, {r.concurrency} at once, "
        f"from this process: {r.baseline_rate:,.0f} events/s"
    )
    print(f"  ratio delivered/baseline: {b.rate / r.baseline_rate:.2f}x")
    report_latency(r.latency)
    print(
        f"  duplicates {r.duplicates}; signature verifies: {r.signature_ok}; "
        f"tracebacks in the worker's output: {r.worker_errors}"
    )


def report_latency(lat: Latency) -> None:
    print(
        f"  latency, commit -> receiver: {lat.offered:,} events at {lat.offered_rate:.0f}/s "
        f"offered, {lat.delivered:,} delivered: p50 {lat.p50_s * 1000:.0f} ms, "
        f"p99 {lat.p99_s * 1000:.0f} ms, max {lat.max_s * 1000:.0f} ms "
        f"(target p99 <= {TARGET_P99_S * 1000:.0f} ms: "
        f"{met(lat.p99_s <= TARGET_P99_S and lat.delivered == lat.offered)})"
    )
    print(f"  worker CPU at 100/s: {lat.worker_cpu_share:.0%} of a core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database", "--db", choices=("sqlite", "postgresql", "both"), default="both"
    )
    parser.add_argument("--events", type=int, default=5000, help="events in the burst")
    parser.add_argument("--seconds", type=float, default=20.0, help="of 100 events/s")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds for the burst to arrive"
    )
    args = parser.parse_args()

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(f"stopped by {signal.Signals(signum).name}")  # children end in finally

    signal.signal(signal.SIGTERM, stop)
    opts = Options(args.events, args.seconds, args.timeout)
    choice = {"postgresql": "postgres"}.get(args.database, args.database)
    each_database(choice, lambda kind, title, dbs: bench_database(kind, title, dbs, opts))


if __name__ == "__main__":
    main()
