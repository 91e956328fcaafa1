"""A `probandi worker` killed with SIGKILL in the middle of reading vouchers, twenty times:
the job is taken again once its lease runs out, every voucher ends read exactly once (one
reading, one `voucher:reading:done` entry, no finding twice), and the audit chain verifies."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.readings import VoucherReadingRow
from probandi.adapters.db.rows import AuditRow
from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.domain.policy import Policy
from probandi.services.clock import FrozenClock
from tests.support.readings import an_invoice, days_after, declaration_json
from tests.support.servers import PROBANDI, run_cli, server_env
from tests.support.world import World

KILLS = 20
VOUCHERS = 3
WAIT = 120.0  # seconds a round may take before the test gives up


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        voucher_dir=tmp_path / "vouchers",
        policy=Policy(read_vouchers=True, reading_attempts=KILLS + 5),
    )


def _readings(runtime: Runtime) -> list[tuple[str, str, int]]:
    with Session(runtime.reader) as s:
        rows = s.execute(
            select(
                VoucherReadingRow.voucher_id, VoucherReadingRow.status, VoucherReadingRow.attempts
            )
        )
        return [(v, st, a) for v, st, a in rows]


def _started(runtime: Runtime) -> int:
    return sum(attempts for _, _, attempts in _readings(runtime))


def _until(check: object, what: str) -> None:
    assert callable(check)
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([PROBANDI, "worker"], env=env, stdout=out, stderr=out)


def _kill_mid_reading(runtime: Runtime, env: dict[str, str], log: Path) -> None:
    """Start a worker and SIGKILL it as soon as it has begun one more reading."""
    before = _started(runtime)
    proc = _worker(env, log)
    try:
        _until(lambda: _started(runtime) > before or proc.poll() is not None, "a reading")
        assert proc.poll() is None, log.read_text()[-2000:]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_twenty_kills_mid_reading_leave_every_voucher_read_exactly_once(
    world: World, runtime: Runtime, clock: FrozenClock, settings: Settings, tmp_path: Path
) -> None:
    docs = [an_invoice(1600 + 10 * i) for i in range(VOUCHERS)]
    clock.set(days_after(max(d.declaration.issued_on for d in docs if d.declaration.issued_on)))
    brands = {doc.brand for doc in docs}
    for brand in sorted(brands):
        world.a_gated_brand(name=brand, aliases=[])
    for i, doc in enumerate(docs):
        world.a_seller(f"shop-{i}", legal_name=doc.declaration.buyer_name)
        world.a_listing(f"l-{i}", f"shop-{i}", brand=doc.brand, title=f"{doc.brand} {doc.item}")
        r = world.upload(
            f"shop-{i}", f"l-{i}", doc.png(), declaration=declaration_json(doc.declaration)
        )
        assert r.status_code == 201, r.text
    assert {status for _, status, _ in _readings(runtime)} == {"queued"}

    env = server_env(settings.database_url, settings.voucher_dir) | {
        "PROBANDI_READ_VOUCHERS": "1",
        "PROBANDI_READING_LEASE_SECONDS": "1",
        "PROBANDI_CHECKPOINT_SECONDS": "0",
        "PROBANDI_ORPHAN_SWEEP_SECONDS": "0",
    }
    log = tmp_path / "worker.log"
    for _ in range(KILLS):
        _kill_mid_reading(runtime, env, log)

    # Each worker died in the reading it had begun: none was finished, every start counted.
    assert {status for _, status, _ in _readings(runtime)} <= {"queued", "reading"}
    assert _started(runtime) == KILLS
    proc = _worker(env, log)
    try:
        _until(
            lambda: {st for _, st, _ in _readings(runtime)} == {"read"},
            "every voucher to be read",
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)

    readings = _readings(runtime)
    assert len(readings) == VOUCHERS
    with Session(runtime.reader) as s:
        done = Counter(
            s.execute(
                select(AuditRow.subject).where(AuditRow.tag == "voucher:reading:done")
            ).scalars()
        )
        assert (
            s.execute(select(func.count()).select_from(VoucherReadingRow)).scalar_one() == VOUCHERS
        )
    assert sorted(done.values()) == [1] * VOUCHERS
    for voucher_id, _, _ in readings:
        voucher = world.reviewer("GET", f"/v1/vouchers/{voucher_id}").json()
        subjects = [
            (f["code"], f["evidence"].get("field"), f["evidence"].get("other_voucher_id"))
            for f in voucher["findings"]
        ]
        assert len(subjects) == len(set(subjects)), voucher["findings"]
    verified = run_cli(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
