"""Submitting statements to the stand-in Transparency Database (its own process): every
record is accepted once by puid, a database that is down loses nothing, a refused record is
kept with its errors and resent once fixed."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from probandi.adapters.transparency.http import HttpTransparencyDatabase
from probandi.domain.actors import SYSTEM
from probandi.domain.transparency import SubmissionState
from probandi.services.clock import FrozenClock
from probandi.services.transparency import resend_refused, submission_counts, submit_pending
from tests.support.notices import a_verified_holder, file_notice
from tests.support.servers import PROBANDI, free_port, server_env
from tests.support.tdb import errors
from tests.support.tdb_server import StandInProcess
from tests.support.world import World

TOKEN = "test-token-not-a-secret"


def clock_of(world: World) -> FrozenClock:
    clock = world.runtime.services.clock
    assert isinstance(clock, FrozenClock)
    return clock


def a_month(world: World) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    for i in range(120):  # more than one batch of 100
        world.a_listing(f"L{i:03d}", "shop-a")
    assert file_notice(world, "gucci-ip", ["L000", "L001"]).status_code == 201


def test_down_then_up_refused_then_fixed_and_never_stored_twice(
    world: World, tmp_path: Path
) -> None:
    a_month(world)
    svc = world.runtime.services
    clock = clock_of(world)
    with StandInProcess(free_port(), TOKEN, tmp_path / "stored.jsonl") as tdb:
        database = HttpTransparencyDatabase(tdb.url, TOKEN)
        tdb.control(down=True)
        report = submit_pending(database, svc=svc)
        assert report.waiting is not None
        assert "503" in report.waiting
        assert tdb.records() == []
        counts = submission_counts(SYSTEM, svc=svc)
        assert counts["pending"] + counts["unsent"] >= 122  # the backlog shows

        tdb.control(down=False, refuse=[])
        waited = submit_pending(database, svc=svc)  # only what was never tried goes now
        assert 0 < waited.accepted < 122
        clock.advance(timedelta(hours=7))  # past the retry's wait
        report = submit_pending(database, svc=svc)
        assert report.waiting is None
        stored = tdb.records()
        assert waited.accepted + report.accepted == len(stored) >= 122
        assert all(errors(r) == {} for r in stored)

        # A record refused by the database keeps its errors and goes again once fixed.
        world.a_listing("L900", "shop-a")
        with svc.reader() as uow:
            (fresh,) = uow.transparency.unsent(clock.now(), 10)
        tdb.control(refuse=[fresh.statement.id])
        report = submit_pending(database, svc=svc)
        assert report.refused == 1
        with svc.reader() as uow:
            refused = uow.transparency.refused(10)
        assert refused[0][0] == fresh.statement.id
        assert "decision_facts" in refused[0][1]
        tdb.control(refuse=[])
        assert resend_refused([fresh.statement.id], SYSTEM, svc=svc) == 1
        assert submit_pending(database, svc=svc).accepted == 1

        # Sent again, as after a worker killed between the call and the commit: the
        # database finds the puid stored, and it is counted accepted, stored once.
        with Session(world.runtime.writer) as session, session.begin():
            session.execute(
                text("UPDATE dsa_submissions SET state = 'pending' WHERE puid = :p"),
                {"p": fresh.statement.id},
            )
        assert submit_pending(database, svc=svc).accepted == 1
        puids = Counter(r["puid"] for r in tdb.records())
        assert max(puids.values()) == 1
        counts = submission_counts(SYSTEM, svc=svc)
        assert counts.get(SubmissionState.REFUSED.value, 0) == 0
        assert counts["unsent"] == 0
        database.close()


def test_five_kills_of_the_submitting_worker_store_every_record_exactly_once(
    world: World, tmp_path: Path
) -> None:
    a_month(world)
    svc = world.runtime.services
    settings = world.runtime.settings
    with StandInProcess(free_port(), TOKEN, tmp_path / "stored.jsonl") as tdb:
        tdb.control(delay=0.4)  # slow answers: the kills land mid-call
        env = {
            **server_env(settings.database_url, settings.voucher_dir),
            "PROBANDI_DSA_URL": tdb.url,
            "PROBANDI_DSA_TOKEN": TOKEN,
            "PROBANDI_DSA_SUBMIT_SECONDS": "1",
            "PROBANDI_DSA_BATCH": "10",  # a dozen calls: a kill always finds one in flight
            "PROBANDI_WEBHOOKS": "0",
        }
        log = tmp_path / "worker.log"
        for _ in range(5):
            before = len(tdb.records())
            with log.open("a") as out:
                proc = subprocess.Popen([PROBANDI, "worker"], env=env, stdout=out, stderr=out)
            deadline = time.monotonic() + 30
            while len(tdb.records()) == before and time.monotonic() < deadline:
                time.sleep(0.05)  # it is submitting: kill it during its next call
            time.sleep(0.2)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        tdb.control(delay=0)
        # Whatever the kills left pending, once its retry is due (the workers ran on the
        # wall clock; this process's clock is the test's).
        clock_of(world).advance(timedelta(days=60))
        database = HttpTransparencyDatabase(tdb.url, TOKEN)
        submit_pending(database, svc=svc)
        database.close()
        stored = Counter(r["puid"] for r in tdb.records())
    assert stored, "the workers submitted nothing"
    assert max(stored.values()) == 1, "a record was stored twice"
    with svc.reader() as uow:
        counts = uow.transparency.submission_counts()
    assert counts["unsent"] == 0
    assert counts.get("pending", 0) == 0
    assert counts.get("accepted", 0) == len(stored)
