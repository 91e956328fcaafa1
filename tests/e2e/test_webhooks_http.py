"""Webhooks and the event feed end to end: the API over real HTTP, the dispatcher the
worker runs, and a receiver in its own process on 127.0.0.1 that every request is
verified against with the `standardwebhooks` verifier (issue 17's stories)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from probandi.config import Settings
from tests.support.notices import (
    a_verified_holder,
    approved_listing,
    counter_notice,
    decide_next,
    file_notice,
)
from tests.support.receiver import ReceiverProcess
from tests.support.webhooks import (
    assert_in_order,
    delivered,
    loopback_settings,
    register,
    wait_until,
)
from tests.support.world import World, an_invoice_declaration, invoice_image


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return loopback_settings(database_url, tmp_path)


def of_listing(events: list[dict[str, Any]], listing_id: str) -> list[dict[str, Any]]:
    return [e for e in events if e["subject"] == f"listing:{listing_id}"]


@pytest.mark.usefixtures("dispatcher")
def test_the_gate_story_arrives_signed_in_order_and_the_feed_serves_the_same(
    world: World, hooks: ReceiverProcess
) -> None:
    endpoint = register(world.admin, hooks.url)
    secret = endpoint["secret"]
    assert secret.startswith("whsec_")
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    decl = an_invoice_declaration(
        "shop-a 贸易有限公司",
        issued_on=world.runtime.services.clock.now().date() - timedelta(days=20),
    )
    assert world.upload("shop-a", "L1", invoice_image(1), declaration=decl).status_code == 201
    decide_next(world, "rev-1", "approve", "authorized_distributor", kind="proof")

    wait_until(lambda: len(of_listing(delivered(hooks, secret), "L1")) >= 5, what="5 events")
    events = of_listing(delivered(hooks, secret), "L1")
    assert [e["type"] for e in events] == [
        "listing.publishability_changed",
        "listing.proof_due",
        "listing.publishability_changed",
        "voucher.decided",
        "listing.publishability_changed",
    ]
    assert [e["sequence"] for e in events] == [1, 2, 3, 4, 5]
    held, due, in_review, voucher, approved = events
    assert held["data"]["state"] == "awaiting_proof"
    assert held["data"]["publishable"] is False
    assert held["data"]["statement_id"], "a hold carries its statement of reasons"
    assert any("Gucci" in r for r in held["data"]["reasons"])
    assert due["data"]["due_at"]
    assert due["data"]["brands"] == ["Gucci"]
    assert in_review["data"]["state"] == "in_review"
    assert voucher["data"]["status"] == "approved"
    assert voucher["data"]["decided_by"] == "person"
    assert approved["data"] | {"reasons": []} == approved["data"]
    assert approved["data"]["publishable"] is True

    # The pull feed: the same events, the same order, page by page with a stable cursor.
    assert world.seller("shop-a", "GET", "/v1/events").status_code == 403
    seen: list[str] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"after": after} if after else {})
        page = world.platform("GET", "/v1/events", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [e["id"] for e in body["events"]]
        after = body["next_cursor"]
        if not body["has_more"]:
            break
    assert [i for i in seen if i in {e["id"] for e in events}] == [e["id"] for e in events]
    again = world.platform("GET", "/v1/events", params={"after": after}).json()
    assert again["events"] == []
    assert again["next_cursor"] == after  # nothing new: the cursor stays put
    bad = world.platform("GET", "/v1/events", params={"after": "not-a-cursor"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_cursor"


@pytest.mark.usefixtures("dispatcher")
def test_a_300_listing_notice_gives_300_publishability_events(
    world: World, hooks: ReceiverProcess
) -> None:
    gucci = world.a_gated_brand(gated=False)  # published without proof until a notice
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    ids = [f"N{i:03d}" for i in range(300)]
    for listing_id in ids:
        world.a_listing(listing_id, "shop-a", title=f"Gucci 古驰 手袋 {listing_id}")
    secret = register(world.admin, hooks.url, ["listing.publishability_changed"])["secret"]
    filed = file_notice(world, "gucci-ip", ids)
    assert filed.status_code == 201, filed.text
    notice_id = filed.json()["id"]

    def from_notice() -> list[dict[str, Any]]:
        cause = f"notice:{notice_id}"
        return [e for e in delivered(hooks, secret) if e["data"]["cause"] == cause]

    wait_until(lambda: len(from_notice()) >= 300, timeout=120, what="300 events")
    events = from_notice()
    assert len(events) == 300
    assert {e["data"]["listing_id"] for e in events} == set(ids)
    assert all(e["data"]["publishable"] is False for e in events)
    assert all(e["type"] == "listing.publishability_changed" for e in events)
    assert_in_order(delivered(hooks, secret))


@pytest.mark.usefixtures("dispatcher")
def test_closing_and_reopening_a_shop_gives_one_event_per_listing(
    world: World, hooks: ReceiverProcess
) -> None:
    secret = register(world.admin, hooks.url, ["seller.standing_changed", "appeal.decided"])[
        "secret"
    ]
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    world.a_listing("T1", "shop-a", title="纯棉白色T恤", brand=None)
    world.a_listing("T2", "shop-a", title="亚麻衬衫", brand=None)
    voucher = approved_listing(world, "shop-a", "L1", 41)
    notice = file_notice(world, "gucci-ip", ["L1"]).json()
    counter_notice(world, "shop-a", notice["id"], "L1", voucher_ids=(voucher,))
    decide_next(world, "rev-1", "reject", "suspected_forgery", kind="counter_notice")  # closed

    def standing() -> list[dict[str, Any]]:
        return [e for e in delivered(hooks, secret) if e["type"] == "seller.standing_changed"]

    wait_until(lambda: len(standing()) >= 3, what="one event per listing")
    closed = standing()
    assert sorted(e["subject"] for e in closed) == ["listing:L1", "listing:T1", "listing:T2"]
    assert all(e["data"]["closed"] is True and e["data"]["publishable"] is False for e in closed)
    assert all(any("closed" in r for r in e["data"]["reasons"]) for e in closed)

    ledger = world.seller("shop-a", "GET", "/v1/sellers/shop-a/penalties").json()
    r = world.seller(
        "shop-a",
        "POST",
        "/v1/appeals",
        json={"subject": "penalty", "subject_id": ledger["entries"][0]["id"], "statement": "ok"},
    )
    assert r.status_code == 201, r.text
    decide_next(world, "rev-2", "approve", "new_evidence", kind="appeal")  # reopened
    wait_until(lambda: len(standing()) >= 6, what="reopening events")
    reopened = standing()[3:]
    assert sorted(e["subject"] for e in reopened) == ["listing:L1", "listing:T1", "listing:T2"]
    assert all(e["data"]["closed"] is False for e in reopened)
    assert {e["subject"]: e["data"]["publishable"] for e in reopened} == {
        "listing:L1": True,
        "listing:T1": True,
        "listing:T2": True,
    }

    def appeals() -> list[dict[str, Any]]:
        return [e for e in delivered(hooks, secret) if e["type"] == "appeal.decided"]

    wait_until(lambda: bool(appeals()), what="the appeal's decision")
    assert [e["data"]["state"] for e in appeals()] == ["granted"]
    assert appeals()[0]["subject"] == "listing:L1"
    assert_in_order(delivered(hooks, secret))
