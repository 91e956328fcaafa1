"""Races on one notice item: exactly one move wins, and its consequences happen once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from probandi.domain.actors import Actor, Role
from probandi.services.clock import FrozenClock
from probandi.services.notices import apply_notice_deadlines, withdraw_notice
from tests.support.notices import a_verified_holder, file_notice, item_state
from tests.support.races import race
from tests.support.world import World


@pytest.mark.parametrize("attempt", range(3))
def test_a_withdrawal_racing_the_deadline_applies_one_outcome(
    world: World, clock: FrozenClock, attempt: int
) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    notice = file_notice(world, "gucci-ip", ["L1"]).json()
    clock.advance(timedelta(days=7))  # past the seller's deadline
    svc = world.runtime.services
    holder = Actor("k-holder", Role.RIGHTS_HOLDER, party_id="gucci-ip")
    outcomes = race(
        lambda: withdraw_notice(notice["id"], (), "", holder, svc=svc),
        lambda: apply_notice_deadlines(svc=svc),
    )
    state = item_state(world, notice["id"], "L1")["state"]
    entries = world.admin("GET", "/v1/sellers/shop-a/penalties").json()["entries"]
    assert state in ("withdrawn", "upheld"), (attempt, outcomes)
    if state == "withdrawn":
        assert entries == []
    else:
        assert [e["kind"] for e in entries] == ["proof_deadline_missed"]
        assert "won" in outcomes  # the tick ran; the withdrawal found nothing open
    audit = world.admin("GET", f"/v1/audit?subject=notice:{notice['id']}").json()
    finals = [e for e in audit if e["tag"] in ("notice:item:withdrawn", "notice:item:upheld")]
    assert len(finals) == 1
