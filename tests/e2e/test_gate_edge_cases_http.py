"""Edge cases of the gate: edits during review, late evidence, deadlines after decisions."""

from __future__ import annotations

from datetime import timedelta

from probandi.services.clock import FrozenClock
from probandi.services.deadlines import apply_deadlines
from tests.support.world import World, an_invoice_declaration, invoice_image


def _in_review(world: World, clock: FrozenClock, listing_id: str = "L1", seed: int = 71) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing(listing_id, "shop-a")
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    r = world.upload("shop-a", listing_id, invoice_image(seed), declaration=decl)
    assert r.json()["listing"]["gate"]["state"] == "in_review"


def test_an_edit_to_another_product_during_review_needs_new_proof(
    world: World, clock: FrozenClock
) -> None:
    _in_review(world, clock)
    edited = world.a_listing("L1", "shop-a", title="Gucci Jackie 1961 手袋", price="3000.00")
    assert edited["gate"]["state"] == "awaiting_proof"
    vouchers = world.seller("shop-a", "GET", "/v1/listings/L1/vouchers").json()
    assert [v["status"] for v in vouchers] == ["withdrawn"]
    assert world.reviewer("GET", "/v1/review/tasks?listing_id=L1").json()["items"] == []


def test_new_evidence_ends_a_claim_so_no_decision_covers_unseen_vouchers(
    world: World, clock: FrozenClock
) -> None:
    _in_review(world, clock)
    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    world.upload("shop-a", "L1", invoice_image(72), declaration=decl)
    stale = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        json={"decision": "approve", "reason_code": "proof_sufficient"},
    )
    assert stale.status_code == 409
    again = world.reviewer("POST", f"/v1/review/tasks/{task['id']}/claim").json()
    assert again["version"] > task["version"]
    ok = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        json={
            "decision": "approve",
            "reason_code": "proof_sufficient",
            "version": again["version"],
        },
    )
    assert ok.status_code == 200


def test_a_rejection_leaves_the_seller_a_full_proof_window(
    world: World, clock: FrozenClock
) -> None:
    _in_review(world, clock)
    clock.advance(timedelta(days=10))  # the review ran past the original proof deadline
    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        json={"decision": "reject", "reason_code": "insufficient_proof"},
    )
    assert apply_deadlines(svc=world.runtime.services).removed == 0
    listing = world.platform("GET", "/v1/listings/L1").json()
    assert listing["gate"]["state"] == "rejected"
    assert listing["proof_due_at"] > clock.now().isoformat().replace("+00:00", "Z")


def test_a_listing_whose_brand_was_ungated_is_cleared_not_removed(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    world.admin("PUT", "/v1/brands/gucci", json={"name": "Gucci", "gated": False})
    clock.advance(timedelta(days=30))
    assert apply_deadlines(svc=world.runtime.services).removed == 0
    listing = world.platform("GET", "/v1/listings/L1").json()
    assert listing["gate"]["state"] == "ungated"
    assert listing["publishable"] is True
