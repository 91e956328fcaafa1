"""`probandi dsa export`: every statement issued in a period, as Transparency Database
records the documented rules accept (the stand-in in tests/support/tdb.py), with no seller
name, notifier identity or voucher content in any of them; a bad period exits 2."""

from __future__ import annotations

import json
from datetime import timedelta

from probandi.services.clock import FrozenClock
from probandi.services.deadlines import apply_deadlines
from tests.support.notices import a_verified_holder, file_notice
from tests.support.servers import run_cli, server_env
from tests.support.tdb import errors
from tests.support.world import World, an_invoice_declaration, invoice_image


def test_the_export_holds_one_valid_record_per_restriction_and_no_names(
    world: World, clock: FrozenClock
) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    for i in range(3):
        world.a_listing(f"L{i}", "shop-a")  # three holds
    stale = an_invoice_declaration(
        "shop-a 贸易有限公司", issued_on=clock.now().date() - timedelta(days=400)
    )
    r = world.upload("shop-a", "L0", invoice_image(7), declaration=stale)  # a rejection
    assert r.json()["voucher"]["status"] == "rejected", r.text
    assert file_notice(world, "gucci-ip", ["L1"]).status_code == 201  # a trusted suspension
    clock.advance(timedelta(days=30))
    apply_deadlines(svc=world.runtime.services)  # L2 (and L0) removed at the deadline
    runtime = world.runtime
    env = server_env(runtime.settings.database_url, runtime.settings.voucher_dir)
    since = (clock.now() - timedelta(days=60)).isoformat()
    until = (clock.now() + timedelta(days=1)).isoformat()
    done = run_cli(env, "dsa", "export", "--since", since, "--until", until)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert "exported" in done.stderr
    for record in records:
        assert errors(record) == {}, record
    sources = sorted(r["source_type"] for r in records)
    assert "SOURCE_TRUSTED_FLAGGER" in sources
    visibility = [v for r in records for v in r.get("decision_visibility", [])]
    assert visibility.count("DECISION_VISIBILITY_CONTENT_REMOVED") >= 1
    assert len({r["puid"] for r in records}) == len(records)
    text = done.stdout
    for private in ("shop-a", "贸易有限公司", "gucci-ip", "Gucci GG Marmont", "L0", "L1"):
        assert private not in text, private

    status = run_cli(env, "dsa", "status")
    assert status.returncode == 0, status.stderr
    backlog = json.loads(status.stdout)
    assert backlog["counts"]["unsent"] >= len(records)  # nothing was submitted: no URL set
    assert backlog["refused"] == []
    resent = run_cli(env, "dsa", "resend")
    assert "0 refused record(s) queued again" in resent.stderr

    backwards = run_cli(env, "dsa", "export", "--since", until, "--until", since)
    assert backwards.returncode == 2
    assert "ends before it begins" in backwards.stderr
