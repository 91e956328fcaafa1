"""The listing gate through real HTTP: the acceptance walks of the foundation issue."""

from __future__ import annotations

from datetime import timedelta

from probandi.services.clock import FrozenClock
from tests.support.world import World, an_invoice_declaration, invoice_image


def test_gated_listing_is_held_approved_then_regated_by_a_title_edit(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    listing = world.a_listing("L1", "shop-a")
    assert listing["publishable"] is False
    assert listing["gate"]["state"] == "awaiting_proof"
    assert "Gucci" in listing["reasons"][0]
    assert "invoice" in listing["required_evidence"]

    decl = an_invoice_declaration(
        "shop-a 贸易有限公司", issued_on=clock.now().date() - timedelta(days=20)
    )
    up = world.upload("shop-a", "L1", invoice_image(1), declaration=decl)
    assert up.status_code == 201, up.text
    assert up.json()["voucher"]["status"] == "pending_review"
    assert up.json()["listing"]["gate"]["state"] == "in_review"
    assert {f["code"] for f in up.json()["voucher"]["findings"]} == {"voucher.issuer_authorized"}

    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    assert task["listing_id"] == "L1"
    decided = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        json={
            "decision": "approve",
            "reason_code": "authorized_distributor",
            "version": task["version"],
        },
    )
    assert decided.status_code == 200, decided.text
    assert world.platform("GET", "/v1/listings/L1").json()["publishable"] is True

    stock_edit = world.a_listing("L1", "shop-a", stock=1, description="now with dust bag")
    assert stock_edit["publishable"] is True

    edited = world.a_listing("L1", "shop-a", title="Gucci Dionysus 酒神包 中号")
    assert edited["publishable"] is False
    assert edited["gate"]["state"] == "awaiting_proof"
    assert edited["changed_aspects"] == ["title"]


def test_price_outside_the_approved_band_regates(world: World, clock: FrozenClock) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    world.upload("shop-a", "L1", invoice_image(2), declaration=decl)
    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        json={"decision": "approve", "reason_code": "proof_sufficient"},
    )
    assert world.a_listing("L1", "shop-a", price="14800.00")["publishable"] is True
    dropped = world.a_listing("L1", "shop-a", price="1580.00")
    assert dropped["publishable"] is False
    assert dropped["changed_aspects"] == ["price"]


def test_purchasing_agent_below_the_foreign_price_is_rejected(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    assert world.admin("PUT", "/v1/fx-rates/CNY", json={"rate": "0.14"}).status_code == 200
    assert world.admin("PUT", "/v1/fx-rates/EUR", json={"rate": "1.08"}).status_code == 200
    world.a_seller("daigou-1", kind="purchasing_agent")
    world.a_listing("D1", "daigou-1", price="9000.00")  # 9000 CNY = 1166.67 EUR
    capture = {
        "site_url": "https://www.gucci.com/it/it/pr/marmont",
        "price": "2300.00",
        "currency": "EUR",
        "captured_at": clock.now().isoformat(),
    }
    r = world.upload("daigou-1", "D1", invoice_image(3), kind="price_capture", declaration=capture)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["voucher"]["status"] == "rejected"
    assert "listing.price_below_foreign_price" in {f["code"] for f in body["voucher"]["findings"]}
    assert body["listing"]["gate"]["state"] == "rejected"
    assert body["statement"]["automated"] is True

    world.a_listing("D2", "daigou-1", price="18000.00")  # above 2300 EUR = 15925.93 CNY
    ok = world.upload("daigou-1", "D2", invoice_image(4), kind="price_capture", declaration=capture)
    assert ok.json()["voucher"]["status"] == "pending_review"


def test_second_seller_reusing_an_invoice_file_is_rejected_with_reasons(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_seller("shop-b")
    world.a_listing("LA", "shop-a")
    world.a_listing("LB", "shop-b")
    scan = invoice_image(5)
    first = world.upload(
        "shop-a",
        "LA",
        scan,
        declaration=an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date()),
    )
    assert first.json()["voucher"]["status"] == "pending_review"
    second = world.upload(
        "shop-b",
        "LB",
        scan,
        declaration=an_invoice_declaration("shop-b 贸易有限公司", issued_on=clock.now().date()),
    )
    assert second.status_code == 201
    body = second.json()
    assert body["voucher"]["status"] == "rejected"
    reused = [f for f in body["voucher"]["findings"] if f["code"] == "voucher.reused_exact"]
    assert "other_seller_id" not in reused[0]["evidence"]  # the seller never learns who
    staff_view = world.reviewer("GET", f"/v1/vouchers/{body['voucher']['id']}").json()
    staff_reused = [f for f in staff_view["findings"] if f["code"] == "voucher.reused_exact"]
    assert staff_reused[0]["evidence"]["other_seller_id"] == "shop-a"
    assert body["listing"]["publishable"] is False
    statements = world.seller("shop-b", "GET", "/v1/listings/LB/statements").json()
    measures = sorted(st["measure"] for st in statements)
    assert measures[0].startswith("listing held")  # the hold itself has its statement
    rejection = next(st for st in statements if st["voucher_id"] == body["voucher"]["id"])
    assert rejection["automated"] is True
    assert "voucher.reused_exact" in rejection["ground"]
    assert "complaint" in rejection["redress"]


def test_a_seller_sees_only_its_own_listings_and_vouchers(world: World, clock: FrozenClock) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_seller("shop-b")
    world.a_listing("LA", "shop-a")
    world.a_listing("LB", "shop-b")
    up = world.upload(
        "shop-a",
        "LA",
        invoice_image(6),
        declaration=an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date()),
    )
    voucher_id = up.json()["voucher"]["id"]
    assert world.seller("shop-b", "GET", "/v1/listings/LA").status_code == 404
    assert world.seller("shop-b", "GET", f"/v1/vouchers/{voucher_id}").status_code == 404
    assert world.seller("shop-b", "GET", f"/v1/vouchers/{voucher_id}/file").status_code == 404
    own = world.seller("shop-b", "GET", "/v1/listings").json()["items"]
    assert [item["id"] for item in own] == ["LB"]
    file = world.seller("shop-a", "GET", f"/v1/vouchers/{voucher_id}/file")
    assert file.status_code == 200
    assert file.content == invoice_image(6)
    assert world.http.get("/v1/listings").status_code == 401


def test_two_reviewers_cannot_both_decide_one_task(world: World, clock: FrozenClock) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    world.upload(
        "shop-a",
        "L1",
        invoice_image(7),
        declaration=an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date()),
    )
    task = world.reviewer("POST", "/v1/review/tasks/claim-next", name="alice").json()
    stolen = world.reviewer("POST", f"/v1/review/tasks/{task['id']}/claim", name="bob")
    assert stolen.status_code == 409
    assert stolen.json()["code"] == "conflict"
    bob = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        name="bob",
        json={"decision": "reject", "reason_code": "insufficient_proof"},
    )
    assert bob.status_code == 409
    alice = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        name="alice",
        json={"decision": "approve", "reason_code": "proof_sufficient"},
    )
    assert alice.status_code == 200
    again = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        name="alice",
        json={"decision": "reject", "reason_code": "other"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


def test_the_queue_is_ordered_by_deadline_and_filters_by_listing(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    for n, listing_id in enumerate(("Q1", "Q2")):
        world.a_listing(listing_id, "shop-a")
        world.upload(
            "shop-a",
            listing_id,
            invoice_image(60 + n),
            declaration=an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date()),
        )
        clock.advance(timedelta(hours=1))
    queue = world.reviewer("GET", "/v1/review/tasks").json()["items"]
    assert [t["listing_id"] for t in queue] == ["Q1", "Q2"]
    only = world.reviewer("GET", "/v1/review/tasks?listing_id=Q2").json()["items"]
    assert [t["listing_id"] for t in only] == ["Q2"]
    assert world.seller("shop-a", "GET", "/v1/review/tasks").status_code == 403
