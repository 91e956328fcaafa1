"""Notices with the burden of proof on the seller, through real HTTP: the acceptance
stories of the notices issue, with the clock moved over working days and a holiday."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from probandi.config import Settings
from probandi.domain.policy import Policy
from probandi.services.clock import FrozenClock
from probandi.services.deadlines import apply_deadlines
from tests.conftest import shared_data
from tests.support.notices import (
    a_verified_holder,
    approved_listing,
    counter_notice,
    decide_next,
    evidence,
    file_notice,
    holder,
    item_state,
)
from tests.support.real_invoice import a_refill, real_invoice_path, refilled
from tests.support.vouchers import recycle
from tests.support.world import World

MONDAY = datetime(2019, 6, 3, 9, 0, tzinfo=UTC)  # a month after the real e-invoice
WEDNESDAY = MONDAY + timedelta(days=2)
DRAGON_BOAT = date(2019, 6, 7)  # a Friday, a public holiday in China that year


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Two resolved notices are enough to judge a notifier here (the default is five).
    return Settings(
        database_url=database_url,
        voucher_dir=tmp_path / "vouchers",
        holidays=(DRAGON_BOAT,),
        policy=Policy(abusive_min_items=2, read_vouchers=False),
    )


@pytest.fixture(autouse=True)
def june_2019(clock: FrozenClock) -> None:
    clock.set(MONDAY)


def tick(world: World) -> None:
    apply_deadlines(svc=world.runtime.services)


def publishable(world: World, listing_id: str) -> bool:
    return bool(world.platform("GET", f"/v1/listings/{listing_id}").json()["publishable"])


def reasons(world: World, listing_id: str) -> list[str]:
    return list(world.platform("GET", f"/v1/listings/{listing_id}").json()["reasons"])


def ledger(world: World, seller_id: str) -> dict[str, Any]:
    r = world.seller(seller_id, "GET", f"/v1/sellers/{seller_id}/penalties")
    assert r.status_code == 200, r.text
    return dict(r.json())


def real_declaration(buyer: str) -> dict[str, Any]:
    from tests.e2e.test_voucher_forensics_http import real_declaration as decl

    return decl(buyer)


def test_trusted_flagger_notice_is_answered_ignored_and_answered_with_a_recycled_invoice(
    world: World, clock: FrozenClock
) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    # Another shop's genuine e-invoice, approved: the document shop-a will later recycle.
    real = real_invoice_path(shared_data()).read_bytes()
    world.a_seller("shop-b")
    world.a_listing("LB", "shop-b")
    up = world.upload("shop-b", "LB", real, declaration=real_declaration("shop-b 贸易有限公司"))
    assert up.status_code == 201, up.text
    decide_next(world, "gate-reviewer", "approve", "authorized_distributor", kind="proof")

    world.a_seller("shop-a")
    own = a_refill(5)
    world.a_listing("L1", "shop-a")
    from tests.e2e.test_voucher_forensics_http import refill_declaration

    up = world.upload(
        "shop-a",
        "L1",
        refilled(real, own),
        declaration=refill_declaration("shop-a 贸易有限公司", own),
    )
    assert up.status_code == 201, up.text
    l1_voucher = up.json()["voucher"]["id"]
    decide_next(world, "gate-reviewer", "approve", "authorized_distributor", kind="proof")
    assert publishable(world, "L1")
    world.a_listing("L2", "shop-a", title="Gucci Dionysus 酒神包")
    world.a_listing("L3", "shop-a", title="Gucci Jackie 1961 手袋")
    world.a_listing("L4", "shop-a", title="纯棉白色T恤 基础款", brand=None)
    assert publishable(world, "L4")

    clock.set(WEDNESDAY)
    filed = file_notice(world, "gucci-ip", ["L1", "L2", "L3", "L4", "no-such", "L2"])
    assert filed.status_code == 201, filed.text
    notice = filed.json()
    assert notice["trusted"] is True
    assert notice["evidence_ids"] == []
    assert sorted(i["listing_id"] for i in notice["items"]) == ["L1", "L2", "L3"]
    assert {r["listing_id"]: r["code"] for r in notice["refused"]} == {
        "L4": "not_your_brand",
        "no-such": "listing_not_found",
        "L2": "duplicate_in_notice",
    }
    # Suspended within the same request, with the seller's deadline: 3 working days, the
    # Dragon Boat holiday and the weekend in the way (Thu 6, Mon 10, Tue 11).
    for item in notice["items"]:
        assert item["state"] == "suspended"
        assert item["seller_due_at"].startswith("2019-06-11T09:00")
    assert not publishable(world, "L1")
    assert any(notice["id"] in r for r in reasons(world, "L1"))
    statements = world.seller("shop-a", "GET", "/v1/listings/L1/statements").json()
    assert statements[-1]["measure"] == "listing suspended on a rights holder's notice"

    # L1: answered with the invoice already approved for it; a reviewer finds it holds.
    r = counter_notice(world, "shop-a", notice["id"], "L1", voucher_ids=(l1_voucher,))
    assert r.status_code == 201, r.text
    assert r.json()["item"]["state"] == "counter_noticed"
    decide_next(world, "rev-1", "approve", "proof_sufficient", kind="counter_notice")
    forwarded = item_state(world, notice["id"], "L1")
    assert forwarded["state"] == "forwarded"
    # The proof is forwarded with it: the rights holder may now read that voucher, and no
    # other (a 404, as for anything that is not its own).
    seen = holder(world, "gucci-ip", "GET", f"/v1/vouchers/{l1_voucher}")
    assert seen.status_code == 200, seen.text
    b_voucher = world.seller("shop-b", "GET", "/v1/listings/LB/vouchers").json()[0]["id"]
    assert holder(world, "gucci-ip", "GET", f"/v1/vouchers/{b_voucher}").status_code == 404
    assert forwarded["holder_due_at"].startswith("2019-06-20T09:00")  # 15 days
    assert not publishable(world, "L1")  # suspended until the window passes

    # L3: answered with shop-b's invoice, recycled: upheld at once, closure-level.
    copy = recycle(real, quality=70, scale=0.8, crop=0.02)
    r = counter_notice(
        world,
        "shop-a",
        notice["id"],
        "L3",
        upload=(copy, "image/jpeg", real_declaration("shop-a 贸易有限公司")),
    )
    assert r.status_code == 201, r.text
    assert r.json()["voucher"]["status"] == "rejected"
    assert "voucher.reused_near" in {f["code"] for f in r.json()["voucher"]["findings"]}
    assert r.json()["item"]["state"] == "upheld"
    book = ledger(world, "shop-a")
    assert [e["kind"] for e in book["entries"]] == ["forged_voucher"]
    assert book["entries"][0]["notice_item_id"] == r.json()["item"]["id"]
    assert book["standing"]["closed"] is True
    for listing in ("L1", "L2", "L3", "L4"):
        assert not publishable(world, listing)
    assert any("shop is closed" in x for x in reasons(world, "L4"))

    # L2: ignored. Monday the 10th is not yet past the deadline, thanks to the holiday.
    clock.set(datetime(2019, 6, 10, 9, 30, tzinfo=UTC))
    tick(world)
    assert item_state(world, notice["id"], "L2")["state"] == "suspended"
    clock.set(datetime(2019, 6, 11, 9, 30, tzinfo=UTC))
    tick(world)
    assert item_state(world, notice["id"], "L2")["state"] == "upheld"
    kinds = [e["kind"] for e in ledger(world, "shop-a")["entries"]]
    assert kinds == ["forged_voucher", "proof_deadline_missed"]
    assert any("removed on notice" in x for x in reasons(world, "L2"))
    late = counter_notice(world, "shop-a", notice["id"], "L2", voucher_ids=(l1_voucher,))
    assert late.status_code == 409, late.text

    # L1: fifteen days pass with no complaint or lawsuit reported: restored. The shop
    # stays closed, so the restored listing is still not published.
    clock.set(datetime(2019, 6, 20, 9, 30, tzinfo=UTC))
    tick(world)
    assert item_state(world, notice["id"], "L1")["state"] == "restored"
    listing = world.platform("GET", "/v1/listings/L1").json()
    assert not any(notice["id"] in x for x in listing["reasons"])
    assert listing["publishable"] is False
    assert any("closed" in x for x in listing["reasons"])
    record = holder(world, "gucci-ip", "GET", "/v1/rights-holders/gucci-ip").json()["record"]
    assert (record["items"], record["upheld"], record["counter_succeeded"]) == (3, 2, 1)


def test_an_untrusted_notifier_needs_evidence(world: World) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "agent-1", gucci["id"])
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    refused = file_notice(world, "agent-1", ["L1"])
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "evidence_required"
    assert publishable(world, "L1") is False  # held by the gate, but not suspended
    assert not any("notice" in x for x in reasons(world, "L1"))
    no_faith = file_notice(
        world, "agent-1", ["L1"], evidence_ids=[evidence(world, "agent-1")], good_faith=False
    )
    assert no_faith.status_code == 422
    assert no_faith.json()["code"] == "good_faith_required"
    filed = file_notice(world, "agent-1", ["L1"], evidence_ids=[evidence(world, "agent-1")])
    assert filed.status_code == 201, filed.text
    assert filed.json()["trusted"] is False
    assert [i["state"] for i in filed.json()["items"]] == ["suspended"]


def test_a_notifier_overturned_repeatedly_is_warned_then_suspended(
    world: World, clock: FrozenClock
) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "rival", gucci["id"])
    world.a_seller("shop-a")
    vouchers = {
        lid: approved_listing(world, "shop-a", lid, seed) for lid, seed in (("L1", 11), ("L2", 12))
    }

    def overturned(listing_ids: list[str]) -> None:
        filed = file_notice(world, "rival", listing_ids, evidence_ids=[evidence(world, "rival")])
        assert filed.status_code == 201, filed.text
        for lid in listing_ids:
            r = counter_notice(
                world, "shop-a", filed.json()["id"], lid, voucher_ids=(vouchers[lid],)
            )
            assert r.status_code == 201, r.text
            decide_next(world, "rev-1", "approve", "proof_sufficient", kind="counter_notice")
        clock.advance(timedelta(days=16))
        tick(world)
        for lid in listing_ids:
            assert item_state(world, filed.json()["id"], lid)["state"] == "restored"
            assert publishable(world, lid)

    overturned(["L1", "L2"])
    rival = world.admin("GET", "/v1/rights-holders/rival").json()
    assert rival["warned_at"] is not None
    assert rival["filing_suspended_until"] is None

    clock.advance(timedelta(hours=1))
    overturned(["L1"])
    rival = world.admin("GET", "/v1/rights-holders/rival").json()
    assert rival["filing_suspended_until"] is not None

    refused = file_notice(world, "rival", ["L2"], evidence_ids=[evidence(world, "rival")])
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "filing_suspended"
    assert publishable(world, "L2")


def test_an_appeal_decided_by_another_reviewer_reverses_the_strike(
    world: World, clock: FrozenClock
) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    voucher = approved_listing(world, "shop-a", "L1", 21)
    notice = file_notice(world, "gucci-ip", ["L1"]).json()
    r = counter_notice(world, "shop-a", notice["id"], "L1", voucher_ids=(voucher,))
    assert r.status_code == 201, r.text
    decide_next(world, "rev-1", "reject", "insufficient_proof", kind="counter_notice")
    item = item_state(world, notice["id"], "L1")
    assert item["state"] == "upheld"
    assert not publishable(world, "L1")
    book = ledger(world, "shop-a")
    assert [(e["kind"], e["counted"]) for e in book["entries"]] == [("counterfeit", True)]
    assert book["standing"]["strikes"] == 1

    clock.advance(timedelta(days=30))
    r = world.seller(
        "shop-a",
        "POST",
        "/v1/appeals",
        json={
            "subject": "notice_item",
            "subject_id": item["id"],
            "statement": "the invoice is genuine; the distributor confirms the sale",
        },
    )
    assert r.status_code == 201, r.text
    appeal = r.json()
    # The reviewer who decided may not decide the appeal, and the queue does not offer it.
    assert world.reviewer("POST", "/v1/review/tasks/claim-next", name="rev-1").status_code == 204
    mine = world.reviewer("POST", f"/v1/review/tasks/{appeal['task_id']}/claim", name="rev-1")
    assert mine.status_code == 403
    assert mine.json()["code"] == "same_reviewer"
    decide_next(world, "rev-2", "approve", "decision_wrong", kind="appeal")

    assert world.seller("shop-a", "GET", f"/v1/appeals/{appeal['id']}").json()["state"] == "granted"
    assert item_state(world, notice["id"], "L1")["state"] == "reversed"
    assert publishable(world, "L1")
    book = ledger(world, "shop-a")
    assert [e["kind"] for e in book["entries"]] == ["counterfeit", "reversal"]
    assert book["entries"][1]["reverses"] == book["entries"][0]["id"]
    assert book["standing"]["strikes"] == 0
    again = world.seller(
        "shop-a",
        "POST",
        "/v1/appeals",
        json={"subject": "notice_item", "subject_id": item["id"], "statement": "again"},
    )
    assert again.status_code == 422, again.text  # nothing left to appeal


def test_parties_see_and_act_only_for_their_own(world: World) -> None:
    gucci = world.a_gated_brand()
    chanel = world.a_gated_brand(name="Chanel", aliases=["香奈儿"], distributors=[])
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    a_verified_holder(world, "chanel-ip", chanel["id"], trusted=True)
    world.a_seller("shop-a")
    world.a_seller("shop-b")
    world.a_listing("LG", "shop-a")
    world.a_listing("LC", "shop-b", title="Chanel 香奈儿 CF 口盖包", brand="Chanel")

    filed = file_notice(world, "gucci-ip", ["LG", "LC"])
    assert filed.status_code == 201, filed.text
    notice = filed.json()
    assert [i["listing_id"] for i in notice["items"]] == ["LG"]
    assert [(r["listing_id"], r["code"]) for r in notice["refused"]] == [("LC", "not_your_brand")]
    assert not any("notice" in x for x in reasons(world, "LC"))

    # The seller sees the notice on its listing; another seller and holder do not.
    assert world.seller("shop-a", "GET", f"/v1/notices/{notice['id']}").status_code == 200
    assert world.seller("shop-b", "GET", f"/v1/notices/{notice['id']}").status_code == 404
    assert holder(world, "chanel-ip", "GET", f"/v1/notices/{notice['id']}").status_code == 404
    assert world.seller("shop-b", "GET", "/v1/notices").json()["total"] == 0
    assert world.seller("shop-a", "GET", "/v1/notices").json()["total"] == 1
    # Another seller cannot answer it, another holder cannot withdraw it.
    r = counter_notice(world, "shop-b", notice["id"], "LG", voucher_ids=("x",))
    assert r.status_code == 404, r.text
    r = holder(world, "chanel-ip", "POST", f"/v1/notices/{notice['id']}/withdrawal", json={})
    assert r.status_code == 404, r.text
    # A seller files no notices, and a holder's ledger view of a seller does not exist.
    r = world.seller(
        "shop-a",
        "POST",
        "/v1/notices",
        json={"reason": "counterfeit", "listing_ids": ["LC"], "good_faith": True},
    )
    assert r.status_code == 403, r.text
    assert world.seller("shop-b", "GET", "/v1/sellers/shop-a/penalties").status_code == 404

    # The rights holder withdraws: the listing's notice hold is gone at once.
    r = holder(world, "gucci-ip", "POST", f"/v1/notices/{notice['id']}/withdrawal", json={})
    assert r.status_code == 200, r.text
    assert [i["state"] for i in r.json()] == ["withdrawn"]
    assert not any("notice" in x for x in reasons(world, "LG"))


def test_three_unanswered_notices_restrict_then_close_the_shop(
    world: World, clock: FrozenClock
) -> None:
    # An ungated brand: its listings are published without proof, until a notice.
    gucci = world.a_gated_brand(gated=False)
    world.a_gated_brand(name="Chanel", aliases=["香奈儿"], distributors=[])
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    for lid in ("L1", "L2", "L3", "L4"):
        world.a_listing(lid, "shop-a", title=f"Gucci 古驰 手袋 {lid}")
    world.a_listing("T1", "shop-a", title="纯棉白色T恤", brand=None)

    def ignored(listing_id: str) -> None:
        filed = file_notice(world, "gucci-ip", [listing_id])
        assert filed.status_code == 201, filed.text
        assert [i["listing_id"] for i in filed.json()["items"]] == [listing_id], filed.text
        clock.advance(timedelta(days=6))  # past 3 working days, whatever the weekday
        tick(world)

    ignored("L1")
    ignored("L2")  # Sat 15 June: 5 working days after the first strike (Sun 9), so it counts
    book = ledger(world, "shop-a")
    assert [e["counted"] for e in book["entries"]] == [True, True]
    assert book["standing"]["strikes"] == 2
    assert book["standing"]["restricted_until"] is not None
    assert book["standing"]["closed"] is False
    # Restricted: no new listings of gated brands; other listings are still taken.
    refused = world.platform(
        "PUT",
        "/v1/listings/N1",
        json={
            "seller_id": "shop-a",
            "title": "Chanel 香奈儿 新款托特包",
            "price": "9000",
            "currency": "CNY",
            "stock": 1,
        },
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "seller_restricted"
    assert publishable(world, "T1")
    assert publishable(world, "L4")
    clock.advance(timedelta(days=10))  # well over 7 working days
    ignored("L4")
    book = ledger(world, "shop-a")
    assert book["standing"]["closed"] is True, book
    assert book["standing"]["strikes"] == 3
    assert not publishable(world, "T1")


def test_a_granted_appeal_against_a_forged_voucher_entry_reopens_the_shop(
    world: World, clock: FrozenClock
) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    world.a_listing("T1", "shop-a", title="纯棉白色T恤", brand=None)
    voucher = approved_listing(world, "shop-a", "L1", 41)
    notice = file_notice(world, "gucci-ip", ["L1"]).json()
    counter_notice(world, "shop-a", notice["id"], "L1", voucher_ids=(voucher,))
    decide_next(world, "rev-1", "reject", "suspected_forgery", kind="counter_notice")
    book = ledger(world, "shop-a")
    assert [e["kind"] for e in book["entries"]] == ["forged_voucher"]
    assert book["standing"]["closed"] is True
    assert not publishable(world, "T1")

    r = world.seller(
        "shop-a",
        "POST",
        "/v1/appeals",
        json={
            "subject": "penalty",
            "subject_id": book["entries"][0]["id"],
            "statement": "the distributor confirms the invoice; see its letter",
        },
    )
    assert r.status_code == 201, r.text
    decide_next(world, "rev-2", "approve", "new_evidence", kind="appeal")
    book = ledger(world, "shop-a")
    assert [e["kind"] for e in book["entries"]] == ["forged_voucher", "reversal"]
    assert book["standing"]["closed"] is False
    assert publishable(world, "T1")
    assert publishable(world, "L1")
    assert item_state(world, notice["id"], "L1")["state"] == "reversed"


def test_a_holder_appeals_a_refusal_and_the_listing_joins_the_notice(world: World) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    world.a_listing("LX", "shop-a", title="老花 斜挎包 复刻 爆款", brand=None)  # names no brand
    notice = file_notice(world, "gucci-ip", ["LX"]).json()
    [refusal] = notice["refused"]
    assert refusal["code"] == "not_your_brand"
    r = holder(
        world,
        "gucci-ip",
        "POST",
        "/v1/appeals",
        json={
            "subject": "refusal",
            "subject_id": refusal["id"],
            "statement": "'GG' and the double-G monogram are our registered marks",
        },
    )
    assert r.status_code == 201, r.text
    decide_next(world, "rev-2", "approve", "decision_wrong", kind="appeal")
    assert item_state(world, notice["id"], "LX")["state"] == "suspended"
    assert any(notice["id"] in x for x in reasons(world, "LX"))
    # A seller cannot appeal a holder's refusal, nor anything that is not its own.
    other = world.seller(
        "shop-a",
        "POST",
        "/v1/appeals",
        json={"subject": "refusal", "subject_id": refusal["id"], "statement": "x"},
    )
    assert other.status_code == 422
