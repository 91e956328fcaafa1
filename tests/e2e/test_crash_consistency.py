"""A server killed with SIGKILL in the middle of work loses nothing it acknowledged, and a
client's retries with the same Idempotency-Key replay or run afresh, never twice.

Each round a real `probandi serve` process takes a burst of uploads, pushes, notices and
decisions from several clients at once, and a request carrying the fault header kills it
(SIGKILL, as `kill -9`) after its own effect and answer are committed and before the answer
leaves: a crash between commit and answer for that request, and at whatever point the
others had reached. The next round's fresh process takes every retry. At the end: every
acknowledged effect is present exactly once, no row points at a missing file, the audit
chain verifies, and so does a checkpoint signed before the first crash.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import AuditRow, NoticeRow, VoucherRow
from probandi.adapters.storage.files import LocalFileStore
from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.services.clock import FrozenClock
from tests.support.notices import a_verified_holder, file_notice
from tests.support.servers import probandi_servers, run_cli, server_env
from tests.support.vouchers import unrelated_document_image
from tests.support.world import World, an_invoice_declaration

ROUNDS = 20
CLIENTS = 3
FAULT = {"X-Probandi-Fault": "crash-after-answer"}
Send = Callable[[dict[str, str]], httpx.Response]


def _count(runtime: Runtime, row: type[AuditRow] | type[VoucherRow] | type[NoticeRow]) -> int:
    with Session(runtime.reader) as s:
        return int(s.execute(select(func.count()).select_from(row)).scalar_one())


@dataclass
class Call:
    """One client request with its key: sent until some server answers it."""

    key: str
    send: Send
    status: int  # what its first run answers
    answer: httpx.Response | None = None

    def attempt(self, extra: dict[str, str] | None = None) -> None:
        headers = {"Idempotency-Key": self.key} | (extra or {})
        for _ in range(10):
            try:
                self.answer = self.send(headers)
            except httpx.TransportError:
                self.answer = None  # the server died under it: the client retries later
                return
            if self.answer.status_code != 409:
                return
            # A claim left by an attempt that died before committing: free after its lease.
            assert self.answer.json()["code"] == "idempotency_in_progress", self.answer.text
            time.sleep(float(self.answer.headers["retry-after"]))


@dataclass
class Crash:
    """The request that killed the server after committing, and the counts it left."""

    call: Call
    audit: int
    vouchers: int
    notices: int


class Clients:
    """Requests of every kind against round n's listings, as several clients would send."""

    def __init__(self, world: World, clock: FrozenClock) -> None:
        self.world, self.clock = world, clock

    def a_listing(self, n: int) -> tuple[str, str]:
        listing, seller = f"L{n}", f"shop-{n}"
        self.world.a_seller(seller)
        self.world.a_listing(listing, seller)
        return listing, seller

    def upload(self, n: int) -> Call:
        listing, seller = self.a_listing(n)
        decl = an_invoice_declaration(
            f"{seller} 贸易有限公司", issued_on=self.clock.now().date(), document_number=f"No.{n}"
        )
        image = unrelated_document_image(5000 + n)
        return Call(
            f"upload-{n}",
            lambda h: self.world.upload(seller, listing, image, declaration=decl, headers=h),
            201,
        )

    def push(self, n: int) -> Call:
        listing, seller = self.a_listing(n)
        body = {
            "seller_id": seller,
            "title": f"Gucci GG Marmont 小号肩背包 第{n}版",
            "brand": "Gucci",
            "category": "bags",
            "price": "15800.00",
            "currency": "CNY",
            "stock": 2,
            "images": ["https://img.example/1.jpg"],
        }
        url = f"/v1/listings/{listing}"
        return Call(
            f"push-{n}", lambda h: self.world.platform("PUT", url, json=body, headers=h), 200
        )

    def notice(self, n: int) -> Call:
        listing, _ = self.a_listing(n)
        return Call(f"notice-{n}", lambda h: file_notice(self.world, "rh-1", [listing], h), 201)

    def decision(self, n: int) -> Call:
        prepared = self.upload(n)
        prepared.attempt()
        assert prepared.answer is not None
        assert prepared.answer.status_code == 201
        assert prepared.answer.json()["voucher"]["status"] == "pending_review"
        w = self.world
        queued = w.reviewer("GET", "/v1/review/tasks", params={"listing_id": f"L{n}"}).json()
        task = w.reviewer("POST", f"/v1/review/tasks/{queued['items'][0]['id']}/claim").json()
        body = {"decision": "approve", "reason_code": "authorized_distributor"}
        url = f"/v1/review/tasks/{task['id']}/decision"
        return Call(
            f"decision-{n}",
            lambda h: w.reviewer("POST", url, json=body | {"version": task["version"]}, headers=h),
            200,
        )

    def any(self, n: int) -> Call:
        return (self.upload, self.push, self.notice, self.decision)[n % 4](n)


def _crash(runtime: Runtime, fault: Call, burst: list[Call], rng: random.Random) -> Crash:
    """Send the burst from several clients; the fault request kills the server meanwhile."""
    audit_before = _count(runtime, AuditRow)
    with ThreadPoolExecutor(CLIENTS) as pool:
        running = [pool.submit(call.attempt) for call in burst]
        # The crash comes at a random point of the burst.
        for done in running[: rng.randrange(len(running) + 1)]:
            done.result()
        fault.attempt(FAULT)
        for done in running:
            done.result()
    assert fault.answer is None, "the fault request must kill the server"
    assert _count(runtime, AuditRow) > audit_before, "its effect was committed first"
    return Crash(
        fault, _count(runtime, AuditRow), _count(runtime, VoucherRow), _count(runtime, NoticeRow)
    )


def _retry_after(runtime: Runtime, crash: Crash, calls: list[Call]) -> None:
    crash.call.attempt()
    replay = crash.call.answer
    assert replay is not None
    assert replay.status_code == crash.call.status, replay.text
    assert replay.headers.get("idempotent-replayed") == "true"
    assert _count(runtime, AuditRow) == crash.audit, "the replay applied nothing again"
    assert _count(runtime, VoucherRow) == crash.vouchers
    assert _count(runtime, NoticeRow) == crash.notices
    for call in calls:
        first = call.answer
        call.attempt()  # unanswered ones run now; answered ones must replay the same answer
        assert call.answer is not None
        assert call.answer.status_code == call.status, call.answer.text
        if first is not None:
            assert call.answer.headers.get("idempotent-replayed") == "true"
            assert call.answer.content == first.content


def _no_orphan_rows(runtime: Runtime, settings: Settings) -> None:
    files = LocalFileStore(settings.voucher_dir)
    with Session(runtime.reader) as s:
        digests = s.execute(select(VoucherRow.sha256)).scalars().all()
    assert digests, "the run stored vouchers"
    assert all(files.exists(d) for d in digests), "a voucher row points at a missing file"


def test_kill_9_mid_work_loses_nothing_acknowledged_and_retries_never_double(
    runtime: Runtime, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    rng = random.Random(13)
    env = server_env(settings.database_url, settings.voucher_dir)
    env |= {
        "PROBANDI_FAULT_INJECTION": "1",
        "PROBANDI_CHECKPOINT_KEY": str(tmp_path / "checkpoint.key"),
        "PROBANDI_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "PROBANDI_IDEMPOTENCY_LEASE_SECONDS": "2",
        "PROBANDI_JOB_WORKERS": "0",  # requests are what is killed here, not jobs
    }
    crash: Crash | None = None
    calls: list[Call] = []
    with httpx.Client(timeout=60) as http:
        world = World(runtime, http)
        clients = Clients(world, clock)
        for n in range(ROUNDS + 1):
            with probandi_servers(env, tmp_path / f"round-{n}", count=1) as urls:
                http.base_url = httpx.URL(urls[0])
                if n == 0:
                    gucci = world.a_gated_brand()
                    a_verified_holder(world, "rh-1", gucci["id"], trusted=True)
                    signed = run_cli(env, "audit", "checkpoint")
                    assert signed.returncode == 0, signed.stderr
                if crash is not None:
                    _retry_after(runtime, crash, calls)
                if n == ROUNDS:
                    break
                base = 100 * n
                calls = [clients.any(base + 1 + i) for i in range(rng.randrange(2, 6))]
                crash = _crash(runtime, clients.any(base), calls, rng)
    _no_orphan_rows(runtime, settings)
    verified = run_cli(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    checkpoints = sorted((tmp_path / "checkpoints").glob("*.json"))
    assert checkpoints, "the checkpoint signed before the first crash"
    for checkpoint in checkpoints:
        pinned = run_cli(env, "audit", "verify", "--checkpoint", str(checkpoint))
        assert pinned.returncode == 0, pinned.stdout + pinned.stderr
