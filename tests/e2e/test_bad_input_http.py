"""Bad input gets a clear 4xx problem and leaves nothing half-written behind."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import VoucherRow
from probandi.config import Settings
from probandi.services.clock import FrozenClock
from tests.support.world import World, an_invoice_declaration, invoice_image


def _stored_files(settings: Settings) -> list[Path]:
    root = settings.voucher_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _voucher_rows(world: World) -> int:
    with Session(world.runtime.reader) as s:
        return int(s.execute(select(func.count()).select_from(VoucherRow)).scalar_one())


def _png_bomb() -> bytes:
    """A PNG header claiming 30000 x 30000 pixels, with a tiny body."""
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
    head += struct.pack(">I", zlib.crc32(chunk))
    body = zlib.compress(b"\x00" * 1000)
    idat = b"IDAT" + body
    return head + struct.pack(">I", len(body)) + idat + struct.pack(">I", zlib.crc32(idat))


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 20, 30)).save(buf, "JPEG")
    return buf.getvalue()


BAD_FILES = {
    "truncated": (invoice_image(11)[:4000], "image/png", 415, "unsupported_media"),
    "lying_type": (_jpeg(), "image/png", 415, "unsupported_media"),
    "not_a_document": (b"#!/bin/sh\nrm -rf /\n", "application/pdf", 415, "unsupported_media"),
    "bomb": (_png_bomb(), "image/png", 413, "payload_too_large"),
    "empty": (b"", "image/png", 422, "invalid_input"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_upload_is_refused_and_nothing_is_stored(
    case: str, world: World, clock: FrozenClock, settings: Settings
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    data, media_type, status, code = BAD_FILES[case]
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    r = world.upload("shop-a", "L1", data, declaration=decl, media_type=media_type)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == code
    assert _stored_files(settings) == []
    assert _voucher_rows(world) == 0
    assert world.platform("GET", "/v1/listings/L1").json()["gate"]["state"] == "awaiting_proof"


def test_oversized_upload_is_refused_before_it_is_read(
    world: World, clock: FrozenClock, settings: Settings
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (settings.max_upload_bytes + 300_000)
    r = world.upload(
        "shop-a",
        "L1",
        big,
        declaration=an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date()),
    )
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"
    assert _stored_files(settings) == []


def test_a_declaration_that_breaks_a_rule_stores_nothing(
    world: World, clock: FrozenClock, settings: Settings
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    r = world.upload("shop-a", "L1", invoice_image(12), declaration={"issuer": "x"})
    assert r.status_code == 422
    assert "issued_on" in r.json()["detail"]
    bad_currency = an_invoice_declaration("x", issued_on=clock.now().date(), currency="XXX")
    r = world.upload("shop-a", "L1", invoice_image(12), declaration=bad_currency)
    assert r.status_code == 422
    assert _stored_files(settings) == []


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"title": "x" * 10_000}, "title"),
        ({"price": "-1.00"}, "price"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "cny"}, "currency"),
        ({"stock": -3}, "stock"),
        ({"price": "abc"}, "price"),
    ],
)
def test_bad_listing_fields_are_refused(
    world: World, override: dict[str, object], field: str
) -> None:
    world.a_seller("shop-a")
    body = {
        "seller_id": "shop-a",
        "title": "plain tee",
        "price": "10.00",
        "currency": "CNY",
        **override,
    }
    r = world.platform("PUT", "/v1/listings/L9", json=body)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] in ("validation_error", "invalid_input")
    assert field in r.text
    assert world.platform("GET", "/v1/listings/L9").status_code == 404


def test_invalid_utf8_and_broken_json_are_refused(world: World) -> None:
    headers = {"Content-Type": "application/json"}
    r = world.platform("PUT", "/v1/sellers/s1", content=b'{"kind": "\xff\xfe"}', headers=headers)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "malformed_request"
    r = world.platform("PUT", "/v1/sellers/s1", content=b'{"kind": ', headers=headers)
    assert r.status_code in (400, 422)
    assert r.headers["content-type"] == "application/problem+json"
    assert world.platform("GET", "/v1/sellers/s1").status_code == 404


def test_unknown_seller_and_bad_ids_are_refused(world: World) -> None:
    body = {"seller_id": "ghost", "title": "tee", "price": "1.00", "currency": "CNY"}
    r = world.platform("PUT", "/v1/listings/L1", json=body)
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    r = world.platform(
        "PUT", "/v1/sellers/bad%20id", json={"kind": "reseller", "legal_name": "x", "address": "y"}
    )
    assert r.status_code == 422


def test_roles_are_enforced(world: World) -> None:
    world.a_seller("shop-a")
    r = world.seller(
        "shop-a",
        "PUT",
        "/v1/listings/L1",
        json={"seller_id": "shop-a", "title": "tee", "price": "1.00", "currency": "CNY"},
    )
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert world.seller("shop-a", "POST", "/v1/brands", json={"name": "X"}).status_code == 403
    assert (
        world.http.get("/v1/brands", headers={"Authorization": "Bearer pbk_nope"}).status_code
        == 401
    )


def test_a_chunked_body_over_the_limit_is_refused(world: World) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"kind": "reseller", "legal_name": "'
        for _ in range(40):
            yield b"x" * 65_536
        yield b'", "address": "y"}'

    r = world.platform(
        "PUT", "/v1/sellers/s1", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"
    assert world.platform("GET", "/v1/sellers/s1").status_code == 404
