"""Reading vouchers over HTTP: the document's own words against the seller's declaration."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.services.clock import FrozenClock
from probandi.services.readings import ReadingLimits, read_voucher
from tests.support.documents import Style
from tests.support.notices import a_verified_holder, counter_notice, file_notice
from tests.support.readings import (
    Drawn,
    a_receipt,
    an_invoice,
    days_after,
    declaration_json,
    read_queued,
    reading_settings,
)
from tests.support.world import World


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return reading_settings(database_url, tmp_path)


def a_shop_for(
    world: World, doc: Drawn, seller_id: str, listing_id: str, *, brand: bool = True
) -> None:
    """A gated brand of the document, a seller named as its buyer, and a held listing."""
    if brand:
        world.a_gated_brand(
            name=doc.brand,
            aliases=[],
            distributors=[
                {"name": doc.declaration.issuer, "tax_id": doc.declaration.issuer_tax_id}
            ],
        )
    world.a_seller(seller_id, legal_name=doc.declaration.buyer_name or f"{seller_id} 商贸有限公司")
    world.a_listing(
        listing_id, seller_id, brand=doc.brand, title=f"{doc.brand} {doc.item}", stock=1
    )


def codes(voucher: dict[str, Any]) -> dict[str, str]:
    return {f["code"]: f["severity"] for f in voucher["findings"]}


def voucher_as_reviewer(world: World, voucher_id: str) -> dict[str, Any]:
    r = world.reviewer("GET", f"/v1/vouchers/{voucher_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_recycled_invoice_with_a_retyped_number_is_caught_by_the_number_as_read(
    world: World, runtime: Runtime, clock: FrozenClock
) -> None:
    doc = an_invoice(1501)
    clock.set(days_after(doc.declaration.issued_on or clock.now().date()))
    a_shop_for(world, doc, "shop-a", "la")
    first = world.upload("shop-a", "la", doc.png(), declaration=declaration_json(doc.declaration))
    assert first.status_code == 201, first.text
    read_queued(runtime)
    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    decided = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        json={"decision": "approve", "reason_code": "proof_sufficient"},
    )
    assert decided.status_code == 200, decided.text

    # Another shop, the same invoice re-saved, its number re-typed in the declaration.
    a_shop_for(world, doc, "shop-b", "lb", brand=False)
    retyped = replace(doc.declaration, document_number="1" + (doc.truth["number"])[1:][::-1])
    assert retyped.document_number != doc.truth["number"]
    style = Style(scale=0.9, noise=6, jpeg=85)
    second = world.upload(
        "shop-b",
        "lb",
        doc.png(style, seed=7),
        declaration=declaration_json(retyped),
        media_type="image/jpeg",
    )
    assert second.status_code == 201, second.text
    voucher_id = second.json()["voucher"]["id"]
    assert "voucher.document_number_reused" not in codes(second.json()["voucher"])

    read_queued(runtime)

    voucher = voucher_as_reviewer(world, voucher_id)
    reused = [f for f in voucher["findings"] if f["code"] == "voucher.document_number_reused"]
    assert [f["severity"] for f in reused] == ["hard"]
    assert reused[0]["evidence"]["other_voucher_id"] == first.json()["voucher"]["id"]
    assert voucher["status"] == "rejected"


def test_an_invoice_declared_as_a_brand_authorization_gets_kind_mismatch(
    world: World, runtime: Runtime, clock: FrozenClock
) -> None:
    doc = an_invoice(1502)
    day = doc.declaration.issued_on
    assert day is not None
    clock.set(days_after(day))
    a_shop_for(world, doc, "shop-c", "lc")
    as_letter = replace(doc.declaration, lines=(), valid_until=day.replace(year=day.year + 1))
    r = world.upload(
        "shop-c",
        "lc",
        doc.png(),
        kind="brand_authorization",
        declaration=declaration_json(as_letter),
    )
    assert r.status_code == 201, r.text
    assert "voucher.kind_mismatch" not in codes(r.json()["voucher"])

    read_queued(runtime)

    voucher = voucher_as_reviewer(world, r.json()["voucher"]["id"])
    assert codes(voucher)["voucher.kind_mismatch"] == "hard"
    assert voucher["status"] == "rejected"
    reading = world.seller("shop-c", "GET", f"/v1/vouchers/{voucher['id']}/reading").json()
    assert reading["kind_guess"] == "purchase_invoice"


def test_a_receipt_whose_declared_total_differs_is_contradicted_and_only_its_seller_sees_it(
    world: World, runtime: Runtime, clock: FrozenClock
) -> None:
    doc = a_receipt(1503)
    clock.set(days_after(doc.declaration.issued_on or clock.now().date()))
    a_shop_for(world, doc, "shop-d", "ld")
    world.a_seller("shop-e")
    line = doc.declaration.lines[0]
    assert line.amount is not None
    inflated = replace(doc.declaration, lines=(replace(line, amount=line.amount * Decimal(2)),))
    r = world.upload("shop-d", "ld", doc.png(), declaration=declaration_json(inflated))
    assert r.status_code == 201, r.text
    voucher_id = r.json()["voucher"]["id"]

    read_queued(runtime)

    mine = world.seller("shop-d", "GET", f"/v1/vouchers/{voucher_id}/reading")
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["status"] == "read"
    differing = {c["field"]: c for c in body["contradictions"] if c["differs"]}
    assert set(differing) == {"amount"}
    assert Decimal(differing["amount"]["read"]) == line.amount
    assert Decimal(differing["amount"]["declared"]) == line.amount * 2
    assert body["fields"]
    assert body["pages"][0]["lines"]
    seen = world.seller("shop-d", "GET", f"/v1/vouchers/{voucher_id}").json()
    assert "voucher.contradicts_document" in codes(seen)

    other = world.seller("shop-e", "GET", f"/v1/vouchers/{voucher_id}/reading")
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"


def test_a_task_cannot_be_decided_before_its_reading_is_attached(
    world: World, runtime: Runtime, clock: FrozenClock
) -> None:
    doc = an_invoice(1504)
    clock.set(days_after(doc.declaration.issued_on or clock.now().date()))
    a_shop_for(world, doc, "shop-f", "lf")
    r = world.upload("shop-f", "lf", doc.png(), declaration=declaration_json(doc.declaration))
    assert r.status_code == 201, r.text
    assert r.json()["voucher"]["status"] == "pending_review", r.json()["voucher"]["findings"]
    queued = world.seller("shop-f", "GET", f"/v1/vouchers/{r.json()['voucher']['id']}/reading")
    assert queued.json()["status"] == "queued"
    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    assert task["reading"] == "pending"
    listed = world.reviewer("GET", "/v1/review/tasks").json()["items"]
    assert [t["reading"] for t in listed if t["id"] == task["id"]] == ["pending"]
    decision = {"decision": "approve", "reason_code": "proof_sufficient"}

    early = world.reviewer("POST", f"/v1/review/tasks/{task['id']}/decision", json=decision)

    assert early.status_code == 409
    assert early.headers["content-type"].startswith("application/problem+json")
    assert early.json()["code"] == "reading_pending"
    read_queued(runtime)
    assert world.reviewer("GET", f"/v1/review/tasks/{task['id']}").json()["reading"] == "done"
    late = world.reviewer("POST", f"/v1/review/tasks/{task['id']}/decision", json=decision)
    assert late.status_code == 200, late.text


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (250, 250, 246)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_image_without_text_is_read_as_no_text_found(
    world: World, runtime: Runtime, clock: FrozenClock
) -> None:
    doc = a_receipt(1505)
    clock.set(days_after(doc.declaration.issued_on or clock.now().date()))
    a_shop_for(world, doc, "shop-g", "lg")
    r = world.upload("shop-g", "lg", blank_png(), declaration=declaration_json(doc.declaration))
    assert r.status_code == 201, r.text

    read_queued(runtime)

    reading = world.seller("shop-g", "GET", f"/v1/vouchers/{r.json()['voucher']['id']}/reading")
    assert reading.json()["status"] == "read"
    assert reading.json()["note"] == "no text found"
    assert reading.json()["error"] is None


def test_a_reading_over_its_time_limit_is_failed_with_its_reason_and_the_task_decidable(
    world: World, runtime: Runtime, clock: FrozenClock
) -> None:
    doc = a_receipt(1506)
    clock.set(days_after(doc.declaration.issued_on or clock.now().date()))
    a_shop_for(world, doc, "shop-h", "lh")
    r = world.upload("shop-h", "lh", doc.png(), declaration=declaration_json(doc.declaration))
    assert r.status_code == 201, r.text
    voucher_id = r.json()["voucher"]["id"]

    read_voucher(voucher_id, ReadingLimits(5, 0.0), last_attempt=False, svc=runtime.services)

    reading = world.reviewer("GET", f"/v1/vouchers/{voucher_id}/reading").json()
    assert reading["status"] == "failed"
    assert reading["error"] == "the reading took longer than 0 s"
    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    assert task["reading"] == "failed"
    decided = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        json={"decision": "reject", "reason_code": "document_illegible"},
    )
    assert decided.status_code == 200, decided.text
    read_queued(runtime)  # the job, when it runs, finds the reading settled: nothing changes
    assert world.reviewer("GET", f"/v1/vouchers/{voucher_id}/reading").json() == reading


def test_a_counter_notice_with_new_proof_waits_for_its_reading(
    world: World, runtime: Runtime, clock: FrozenClock
) -> None:
    doc = an_invoice(1507)
    clock.set(days_after(doc.declaration.issued_on or clock.now().date()))
    a_shop_for(world, doc, "shop-n", "ln")
    brands = world.admin("GET", "/v1/brands").json()
    brand_id = next(b["id"] for b in brands if b["name"] == doc.brand)
    declared = declaration_json(doc.declaration)
    first = world.upload("shop-n", "ln", doc.png(), declaration=declared)
    assert first.status_code == 201, first.text
    read_queued(runtime)
    approve = {"decision": "approve", "reason_code": "authorized_distributor"}
    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    assert (
        world.reviewer("POST", f"/v1/review/tasks/{task['id']}/decision", json=approve).status_code
        == 200
    )
    a_verified_holder(world, "h-1", brand_id, trusted=True)
    notice = file_notice(world, "h-1", ["ln"]).json()
    copy = doc.png(Style(scale=0.8, jpeg=80), seed=3)
    r = counter_notice(world, "shop-n", notice["id"], "ln", upload=(copy, "image/jpeg", declared))
    assert r.status_code == 201, r.text
    assert r.json()["item"]["state"] == "counter_noticed", r.json()
    task = world.reviewer("POST", "/v1/review/tasks/claim-next").json()
    assert (task["kind"], task["reading"]) == ("counter_notice", "pending")
    decision = {"decision": "approve", "reason_code": "proof_sufficient"}

    early = world.reviewer("POST", f"/v1/review/tasks/{task['id']}/decision", json=decision)

    assert early.json()["code"] == "reading_pending"
    read_queued(runtime)
    late = world.reviewer("POST", f"/v1/review/tasks/{task['id']}/decision", json=decision)
    assert late.status_code == 200, late.text
