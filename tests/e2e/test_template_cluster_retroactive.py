"""Template clusters are retroactive: ten shops show receipts of one forgery template; every
one of them gets the cluster finding, the first three too. Pending members' tasks are looked
at again; an approved member is not revoked by itself but gets a recheck task, and a person
who revokes it holds the listing again with a statement of reasons."""

from __future__ import annotations

from typing import Any

from probandi.services.clock import FrozenClock
from tests.support.vouchers import forged_receipts, receipt_declaration
from tests.support.world import World

SHOPS = 10
CLUSTER = "voucher.template_cluster"


def _codes(world: World, voucher_id: str) -> set[str]:
    voucher = world.reviewer("GET", f"/v1/vouchers/{voucher_id}").json()
    return {f["code"] for f in voucher["findings"]}


def _decide(world: World, task: dict[str, Any], decision: str, reason: str) -> dict[str, Any]:
    claimed = world.reviewer("POST", f"/v1/review/tasks/{task['id']}/claim")
    assert claimed.status_code == 200, claimed.text
    r = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        json={
            "decision": decision,
            "reason_code": reason,
            "version": claimed.json()["version"],
            "note": "checked against the cluster",
        },
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_ten_shop_cluster_flags_all_ten_and_an_approved_member_is_rechecked(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    receipts = forged_receipts(SHOPS, seed=41)
    vouchers: list[str] = []
    for i, (data, fields) in enumerate(receipts):
        seller, listing = f"shop-{i}", f"L{i}"
        world.a_seller(seller)
        world.a_listing(listing, seller)
        up = world.upload(
            seller,
            listing,
            data,
            declaration=receipt_declaration(fields, seller, clock.now().date()),
            media_type="image/jpeg",
        )
        assert up.status_code == 201, up.text
        vouchers.append(up.json()["voucher"]["id"])
        if i == 0:
            # The first shop's proof is approved before anyone could see the template.
            (task,) = world.reviewer("GET", "/v1/review/tasks?listing_id=L0").json()["items"]
            _decide(world, task, "approve", "proof_sufficient")
        if i == 1:
            risk_before = world.reviewer("GET", "/v1/review/tasks?listing_id=L1").json()
            (task_l1,) = risk_before["items"]

    for voucher_id in vouchers:
        assert CLUSTER in _codes(world, voucher_id), voucher_id
    first = world.reviewer("GET", f"/v1/vouchers/{vouchers[0]}").json()
    (finding,) = [f for f in first["findings"] if f["code"] == CLUSTER]
    assert finding["evidence"]["retroactive"] is True
    assert finding["evidence"]["found_by"] == vouchers[2]  # the third shop made it a cluster
    assert first["status"] == "approved"  # not revoked by a machine

    # A pending member's task is looked at again, riskier.
    (task_after,) = world.reviewer("GET", "/v1/review/tasks?listing_id=L1").json()["items"]
    assert task_after["id"] == task_l1["id"]
    assert task_after["risk"] > task_l1["risk"]

    # The approved one gets one recheck task, whichever later shop grew the cluster.
    rechecks = world.reviewer("GET", "/v1/review/tasks?kind=recheck").json()["items"]
    assert [(t["listing_id"], t["subject_id"]) for t in rechecks] == [("L0", vouchers[0])]
    assert world.platform("GET", "/v1/listings/L0").json()["publishable"] is True

    decided = _decide(world, rechecks[0], "reject", "forgery_template")
    statement = decided["statement"]
    assert statement["measure"].startswith("approval of proof revoked")
    assert statement["automated"] is False
    assert any(CLUSTER in fact for fact in statement["facts"])
    revoked = world.reviewer("GET", f"/v1/vouchers/{vouchers[0]}").json()
    assert revoked["status"] == "rejected"
    listing = world.platform("GET", "/v1/listings/L0").json()
    assert listing["gate"]["state"] == "awaiting_proof"
    assert listing["publishable"] is False
    # The seller sees the statement about its listing.
    mine = world.seller("shop-0", "GET", "/v1/listings/L0/statements").json()
    assert statement["id"] in {s["id"] for s in mine}


def test_keeping_an_approval_on_recheck_changes_nothing(world: World, clock: FrozenClock) -> None:
    world.a_gated_brand()
    receipts = forged_receipts(3, seed=43)
    first = None
    for i, (data, fields) in enumerate(receipts):
        seller, listing = f"shop-{i}", f"L{i}"
        world.a_seller(seller)
        world.a_listing(listing, seller)
        decl = receipt_declaration(fields, seller, clock.now().date())
        up = world.upload(seller, listing, data, declaration=decl, media_type="image/jpeg")
        assert up.status_code == 201, up.text
        if i == 0:
            first = up.json()["voucher"]["id"]
            (task,) = world.reviewer("GET", "/v1/review/tasks?listing_id=L0").json()["items"]
            _decide(world, task, "approve", "proof_sufficient")
    (recheck,) = world.reviewer("GET", "/v1/review/tasks?kind=recheck").json()["items"]
    decided = _decide(world, recheck, "approve", "legitimate_template")
    assert decided["statement"] is None
    assert world.reviewer("GET", f"/v1/vouchers/{first}").json()["status"] == "approved"
    assert world.platform("GET", "/v1/listings/L0").json()["publishable"] is True
    # Decided once: the next upload on the template does not open it again.
    assert world.reviewer("GET", "/v1/review/tasks?kind=recheck").json()["items"] == []
