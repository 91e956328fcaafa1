"""A server killed between committing a request's effect and sending its answer: the client's
retry with the same Idempotency-Key replays that answer, and the effect is never doubled.

Each round kills a real `probandi serve` process (SIGKILL, from the fault-injection hook
that fires after the commit and before the answer leaves); the next round's fresh process
takes the retry. Rounds rotate through uploads, listing pushes, notices and decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import AuditRow, NoticeRow, VoucherRow
from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.services.clock import FrozenClock
from tests.e2e.test_audit_cli import run_cli
from tests.support.notices import a_verified_holder, file_notice
from tests.support.servers import probandi_servers, server_env
from tests.support.vouchers import unrelated_document_image
from tests.support.world import World, an_invoice_declaration

ROUNDS = 20
FAULT = {"X-Probandi-Fault": "crash-after-answer"}


def _count(runtime: Runtime, row: type[AuditRow] | type[VoucherRow] | type[NoticeRow]) -> int:
    with Session(runtime.reader) as s:
        return int(s.execute(select(func.count()).select_from(row)).scalar_one())


@dataclass
class Pending:
    """A request whose answer was lost with the server, to be retried by the client."""

    send: Callable[[dict[str, str]], httpx.Response]
    expected_status: int
    audit_after_crash: int
    vouchers_after_crash: int
    notices_after_crash: int


def _request_for(
    world: World, n: int, clock: FrozenClock
) -> tuple[Callable[..., httpx.Response], int]:
    """Round n's request (prepared as needed) and the status its first run answers."""
    listing, seller = f"L{n}", f"shop-{n}"
    world.a_seller(seller)
    world.a_listing(listing, seller)
    decl = an_invoice_declaration(
        f"{seller} 贸易有限公司", issued_on=clock.now().date(), document_number=f"No.{7000 + n}"
    )
    kind = n % 4
    if kind == 0:
        return (
            lambda h: world.upload(
                seller, listing, unrelated_document_image(5000 + n), declaration=decl, headers=h
            ),
            201,
        )
    if kind == 1:
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
        return lambda h: world.platform("PUT", f"/v1/listings/{listing}", json=body, headers=h), 200
    if kind == 2:
        return lambda h: file_notice(world, "rh-1", [listing], headers=h), 201
    up = world.upload(seller, listing, unrelated_document_image(5000 + n), declaration=decl)
    assert up.status_code == 201, up.text
    assert up.json()["voucher"]["status"] == "pending_review", up.text
    queued = world.reviewer("GET", "/v1/review/tasks", params={"listing_id": listing}).json()
    task = world.reviewer("POST", f"/v1/review/tasks/{queued['items'][0]['id']}/claim").json()
    decision = {
        "decision": "approve",
        "reason_code": "authorized_distributor",
        "version": task["version"],
    }
    url = f"/v1/review/tasks/{task['id']}/decision"
    return lambda h: world.reviewer("POST", url, json=decision, headers=h), 200


def _crash(world: World, runtime: Runtime, n: int, clock: FrozenClock) -> Pending:
    send, status = _request_for(world, n, clock)
    audit_before = _count(runtime, AuditRow)
    key = {"Idempotency-Key": f"crash-round-{n}"}
    with pytest.raises(httpx.TransportError):
        send(key | FAULT)
    audit_after = _count(runtime, AuditRow)
    assert audit_after > audit_before, "the effect was committed before the crash"
    return Pending(
        lambda h: send(key | h),
        status,
        audit_after,
        _count(runtime, VoucherRow),
        _count(runtime, NoticeRow),
    )


def _retry(runtime: Runtime, pending: Pending) -> None:
    again = pending.send({})
    assert again.status_code == pending.expected_status, again.text
    assert again.headers.get("idempotent-replayed") == "true"
    assert _count(runtime, AuditRow) == pending.audit_after_crash
    assert _count(runtime, VoucherRow) == pending.vouchers_after_crash
    assert _count(runtime, NoticeRow) == pending.notices_after_crash


def test_a_crash_between_commit_and_answer_is_replayed_and_never_applied_twice(
    runtime: Runtime, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    env = server_env(settings.database_url, settings.voucher_dir)
    env["PROBANDI_FAULT_INJECTION"] = "1"
    pending: Pending | None = None
    with httpx.Client(timeout=60) as http:
        world = World(runtime, http)
        for n in range(ROUNDS + 1):
            with probandi_servers(env, tmp_path / f"round-{n}", count=1) as urls:
                http.base_url = httpx.URL(urls[0])
                if n == 0:
                    gucci = world.a_gated_brand()
                    a_verified_holder(world, "rh-1", gucci["id"], trusted=True)
                if pending is not None:
                    _retry(runtime, pending)
                if n < ROUNDS:
                    pending = _crash(world, runtime, n, clock)
    verified = run_cli(settings, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
