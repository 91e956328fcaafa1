"""Errors a newcomer meets first say what is wrong, as problem+json naming the field at fault."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.world import World, invoice_image

SELLER = {"kind": "reseller", "legal_name": "Shop A Ltd", "address": "1 Road, Shanghai"}


def _problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    return body


def _upload(world: World, listing_id: str, declaration: str) -> httpx.Response:
    return world.seller(
        "shop-a",
        "POST",
        f"/v1/listings/{listing_id}/vouchers",
        files={"file": ("invoice.png", invoice_image(1), "image/png")},
        data={"kind": "purchase_invoice", "declaration": declaration},
    )


def test_a_json_body_without_a_json_content_type_is_refused_saying_so(world: World) -> None:
    for headers in ({}, {"Content-Type": "text/plain"}):
        r = world.platform(
            "PUT", "/v1/sellers/s1", content=b'{"kind": "reseller"}', headers=headers
        )
        problem = _problem(r, 415)
        assert problem["code"] == "unsupported_media"
        assert problem["field"] == "body"
        assert "Content-Type: application/json" in problem["detail"]
        assert "dictionary" not in r.text
    assert world.platform("GET", "/v1/sellers/s1").status_code == 404


def test_a_body_that_is_not_json_is_refused_with_the_reason_and_position(world: World) -> None:
    broken = b'{\n  "kind": "reseller",\n  "legal_name": oops\n}'
    r = world.platform(
        "PUT", "/v1/sellers/s1", content=broken, headers={"Content-Type": "application/json"}
    )
    problem = _problem(r, 400)
    assert problem["code"] == "malformed_request"
    assert problem["field"] == "body"
    assert problem["detail"] == "the body is not valid JSON: Expecting value at line 3 column 17"


def test_a_schema_mismatch_names_the_field_at_fault(world: World) -> None:
    r = world.platform("PUT", "/v1/sellers/s1", json={**SELLER, "kind": "pirate"})
    problem = _problem(r, 422)
    assert problem["code"] == "validation_error"
    assert problem["field"] == "kind"


def test_a_bad_declaration_names_its_field_once(world: World) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    not_json = _problem(_upload(world, "L1", '{"issuer": '), 422)
    assert not_json["field"] == "declaration"
    assert not_json["detail"].startswith("declaration: Invalid JSON")
    wrong_type = _problem(_upload(world, "L1", '{"lines": [{"brand": "GUCCI"}]}'), 422)
    assert wrong_type["field"] == "declaration.lines.0.quantity"
    assert wrong_type["detail"] == "declaration.lines.0.quantity: Field required"
    for problem in (not_json, wrong_type):
        assert "declaration.declaration" not in problem["detail"]


def test_an_upload_to_a_missing_listing_is_not_found_before_its_declaration_is_read(
    world: World,
) -> None:
    world.a_seller("shop-a")
    problem = _problem(_upload(world, "no-such-listing", '{"issuer": '), 404)
    assert problem["code"] == "not_found"
