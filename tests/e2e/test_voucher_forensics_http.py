"""Voucher forensics through HTTP: a recycled invoice is rejected naming the first seller's
voucher; an honest invoice on the same national template is not; paper receipts from one
forgery template, shown by three unrelated sellers, form one template cluster."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from probandi.services.clock import FrozenClock
from tests.conftest import shared_data
from tests.support import vouchers
from tests.support.real_invoice import (
    REAL_AMOUNT,
    REAL_CODE,
    REAL_DATE,
    REAL_NUMBER,
    REAL_SELLER,
    REAL_SELLER_TAX_ID,
    REAL_TAX,
    Refill,
    a_refill,
    real_invoice_path,
    refilled,
)
from tests.support.vouchers import forged_receipts, receipt_declaration, recycle, rotated
from tests.support.world import World

A_MONTH_AFTER_THE_INVOICE = datetime(2019, 6, 3, 9, 0, tzinfo=UTC)  # a Monday


def einvoice_declaration(
    buyer: str, *, seller: str, tax_id: str, number: str, amount: Any, on: date = REAL_DATE
) -> dict[str, Any]:
    return vouchers.einvoice_declaration(
        buyer,
        seller=seller,
        tax_id=tax_id,
        number=number,
        amount=amount,
        on=on,
        item="GG Marmont bag",
        quantity=2,
    )


def real_declaration(buyer: str, **overrides: Any) -> dict[str, Any]:
    decl = einvoice_declaration(
        buyer,
        seller=REAL_SELLER,
        tax_id=REAL_SELLER_TAX_ID,
        number=REAL_NUMBER,
        amount=REAL_AMOUNT + REAL_TAX,
    )
    return decl | overrides


def refill_declaration(buyer: str, r: Refill) -> dict[str, Any]:
    return einvoice_declaration(
        buyer, seller=r.seller, tax_id=r.seller_tax_id, number=r.number, amount=r.amount + r.tax
    )


def codes(voucher: dict[str, Any]) -> set[str]:
    return {f["code"] for f in voucher["findings"]}


def held_listing(world: World, seller_id: str, listing_id: str) -> None:
    world.a_seller(seller_id)
    world.a_listing(listing_id, seller_id)


def approve(world: World, listing_id: str) -> None:
    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    assert task["listing_id"] == listing_id
    r = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        json={
            "decision": "approve",
            "reason_code": "authorized_distributor",
            "version": task["version"],
        },
    )
    assert r.status_code == 200, r.text


@pytest.fixture
def invoice_month(clock: FrozenClock) -> None:
    clock.set(A_MONTH_AFTER_THE_INVOICE)


@pytest.mark.usefixtures("invoice_month")
def test_recycled_invoice_is_rejected_and_same_template_invoice_is_not(world: World) -> None:
    real = real_invoice_path(shared_data()).read_bytes()
    world.a_gated_brand()
    for seller, listing in (("shop-a", "LA"), ("shop-b", "LB"), ("shop-c", "LC")):
        held_listing(world, seller, listing)

    # Seller A shows the real invoice; its QR code agrees with the declaration.
    up = world.upload("shop-a", "LA", real, declaration=real_declaration("shop-a 贸易有限公司"))
    assert up.status_code == 201, up.text
    a_voucher = up.json()["voucher"]
    assert a_voucher["status"] == "pending_review"
    assert "voucher.qr_verified" in codes(a_voucher)
    approve(world, "LA")

    # Seller B shows the same invoice, re-encoded at quality 70, scaled to 80 %, 2 % cropped.
    copy = recycle(real, quality=70, scale=0.8, crop=0.02)
    up = world.upload(
        "shop-b",
        "LB",
        copy,
        declaration=real_declaration("shop-b 贸易有限公司"),
        media_type="image/jpeg",
    )
    assert up.status_code == 201, up.text
    b_voucher = up.json()["voucher"]
    assert b_voucher["status"] == "rejected"
    assert "voucher.reused_near" in codes(b_voucher)
    assert up.json()["listing"]["publishable"] is False
    assert up.json()["statement"]["automated"] is True
    # The seller does not learn who else holds the document; the reviewer sees both sides.
    seen_by_seller = next(f for f in b_voucher["findings"] if f["code"] == "voucher.reused_near")
    assert "other_voucher_id" not in seen_by_seller["evidence"]
    staff = world.reviewer("GET", f"/v1/vouchers/{b_voucher['id']}").json()
    near = next(f for f in staff["findings"] if f["code"] == "voucher.reused_near")
    assert near["evidence"]["other_voucher_id"] == a_voucher["id"]
    assert near["evidence"]["other_seller_id"] == "shop-a"
    assert near["evidence"]["distance"] <= 31
    matches = world.reviewer("GET", f"/v1/vouchers/{b_voucher['id']}/matches").json()["items"]
    assert [(m["other_voucher_id"], m["relation"]) for m in matches] == [
        (a_voucher["id"], "recycled")
    ]

    # Seller C shows its own invoice on the same national template: a candidate, not reuse.
    mine = a_refill(3)
    up = world.upload(
        "shop-c",
        "LC",
        refilled(real, mine),
        declaration=refill_declaration("shop-c 贸易有限公司", mine),
    )
    assert up.status_code == 201, up.text
    c_voucher = up.json()["voucher"]
    assert c_voucher["status"] == "pending_review"
    assert not codes(c_voucher) & {
        "voucher.reused_near",
        "voucher.reused_exact",
        "voucher.document_number_reused",
        "voucher.template_cluster",
    }
    matches = world.reviewer("GET", f"/v1/vouchers/{c_voucher['id']}/matches").json()["items"]
    assert matches, "the refilled template must be a PDQ candidate, or this test proves nothing"
    assert {m["relation"] for m in matches} == {"same_template"}
    assert all(m["legitimate"] for m in matches)  # both verifiable national e-invoices

    # The owner may go on using its own invoice: B's rejected copy never counts against A.
    world.a_listing("LA2", "shop-a", title="Gucci Horsebit 1955 手提包")
    up = world.upload("shop-a", "LA2", real, declaration=real_declaration("shop-a 贸易有限公司"))
    assert up.status_code == 201, up.text
    again = up.json()["voucher"]
    assert again["status"] == "pending_review"
    assert not {f["code"] for f in again["findings"] if f["severity"] == "hard"}


@pytest.mark.usefixtures("invoice_month")
def test_a_declared_number_that_contradicts_the_qr_code_is_rejected(world: World) -> None:
    real = real_invoice_path(shared_data()).read_bytes()
    world.a_gated_brand()
    held_listing(world, "shop-a", "LA")
    decl = real_declaration("shop-a 贸易有限公司", document_number="33207676")
    up = world.upload("shop-a", "LA", real, declaration=decl)
    assert up.status_code == 201, up.text
    voucher = up.json()["voucher"]
    assert voucher["status"] == "rejected"
    mismatch = next(f for f in voucher["findings"] if f["code"] == "voucher.qr_mismatch")
    assert mismatch["severity"] == "hard"
    assert mismatch["evidence"]["qr_invoice_number"] == REAL_NUMBER
    assert mismatch["evidence"]["qr_invoice_code"] == REAL_CODE


def test_one_forgery_template_shown_by_three_unrelated_sellers_is_one_cluster(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    receipts = forged_receipts(3, seed=11)
    uploaded = []
    for i, (data, fields) in enumerate(receipts):
        seller, listing = f"shop-{i}", f"L{i}"
        held_listing(world, seller, listing)
        decl = receipt_declaration(fields, seller, clock.now().date())
        up = world.upload(seller, listing, data, declaration=decl, media_type="image/jpeg")
        assert up.status_code == 201, up.text
        uploaded.append(up.json()["voucher"])
    # Not a rejection: a signal for the reviewer, on the upload that completes the cluster.
    assert all(v["status"] == "pending_review" for v in uploaded)
    assert "voucher.template_cluster" in codes(uploaded[-1])
    assert "voucher.reused_near" not in set().union(*(codes(v) for v in uploaded))

    page = world.reviewer("GET", "/v1/voucher-clusters").json()
    assert page["total"] == 1
    clusters = page["items"]
    assert len(clusters) == 1
    past_the_end = world.reviewer("GET", "/v1/voucher-clusters?offset=1").json()
    assert past_the_end == {"items": [], "total": 1}
    cluster = clusters[0]
    assert cluster["sellers"] == ["shop-0", "shop-1", "shop-2"]
    assert sorted(cluster["claimed_issuers"]) == sorted(f["shop"] for _, f in receipts)
    assert {m["voucher_id"] for m in cluster["members"]} == {v["id"] for v in uploaded}
    # Sellers may not list clusters: they name other sellers.
    assert world.seller("shop-0", "GET", "/v1/voucher-clusters").status_code == 403


def test_a_rotated_recycled_receipt_is_rejected_naming_the_original(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    [(original, fields)] = forged_receipts(1, seed=23)
    decl = {
        "issuer": fields["shop"],
        "issued_on": (clock.now().date() - timedelta(days=5)).isoformat(),
        "document_number": fields["number"],
        "lines": [{"brand": "GUCCI", "item": "bag", "quantity": 2}],
    }
    held_listing(world, "shop-a", "LA")
    first = world.upload("shop-a", "LA", original, declaration=decl, media_type="image/jpeg")
    assert first.status_code == 201, first.text
    # Shop B photographs it sideways (the pixels turned, no EXIF) and declares its own number.
    held_listing(world, "shop-b", "LB")
    copy = recycle(rotated(original))
    up = world.upload(
        "shop-b",
        "LB",
        copy,
        declaration=decl | {"document_number": "B-0001"},
        media_type="image/jpeg",
    )
    assert up.status_code == 201, up.text
    voucher = up.json()["voucher"]
    assert voucher["status"] == "rejected"
    staff = world.reviewer("GET", f"/v1/vouchers/{voucher['id']}").json()
    near = next(f for f in staff["findings"] if f["code"] == "voucher.reused_near")
    assert near["evidence"]["other_voucher_id"] == first.json()["voucher"]["id"]
