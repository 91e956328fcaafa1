"""Uploads over HTTP: one file part only, ownership before content, no polyglots; a refused
upload stores nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from probandi.config import Settings
from probandi.services.clock import FrozenClock
from tests.support.world import World, an_invoice_declaration, invoice_image


def a_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<p>not an invoice</p>")
    return buffer.getvalue()


def a_pdf() -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(invoice_image(3))).save(buffer, "PDF")
    return buffer.getvalue()


def a_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(invoice_image(4))).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def held(world: World) -> World:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_seller("shop-b")
    world.a_listing("LA", "shop-a")
    world.a_listing("LB", "shop-b")
    return world


def stored_files(settings: Settings) -> list[Path]:
    folder = settings.voucher_dir
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_two_file_parts_are_refused_and_nothing_is_stored(
    held: World, settings: Settings, clock: FrozenClock
) -> None:
    declaration = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    r = held.seller(
        "shop-a",
        "POST",
        "/v1/listings/LA/vouchers",
        files=[
            ("file", ("a.png", invoice_image(1), "image/png")),
            ("file", ("b.png", invoice_image(2), "image/png")),
        ],
        data={"kind": "purchase_invoice", "declaration": json.dumps(declaration)},
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "upload.multiple_files"
    assert held.seller("shop-a", "GET", "/v1/listings/LA/vouchers").json() == []
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    "form",
    [
        {"kind": "purchase_invoice", "declaration": "{not json"},
        {"kind": "no_such_kind", "declaration": "{}"},
        {"declaration": "{}"},
    ],
)
def test_upload_to_another_sellers_listing_is_404_before_any_validation(
    held: World, form: dict[str, str]
) -> None:
    theirs = held.seller(
        "shop-b",
        "POST",
        "/v1/listings/LA/vouchers",
        files={"file": ("x.png", b"not an image", "image/png")},
        data=form,
    )
    unknown = held.seller(
        "shop-b",
        "POST",
        "/v1/listings/NO-SUCH/vouchers",
        files={"file": ("x.png", b"not an image", "image/png")},
        data=form,
    )
    assert theirs.status_code == unknown.status_code == 404, theirs.text
    assert theirs.json()["code"] == unknown.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("pdf_with_zip_appended", a_pdf() + a_zip(), "application/pdf"),
        ("zip_with_a_pdf_header", b"%PDF-1.7\n" + a_zip(), "application/pdf"),
        ("png_with_zip_appended", invoice_image(5) + a_zip(), "image/png"),
        ("png_with_bytes_after_iend", invoice_image(5) + b"x" * 64, "image/png"),
        ("jpeg_with_html_after_eoi", a_jpeg() + b"<html><script>alert(1)</script>", "image/jpeg"),
        ("jpeg_with_bytes_after_eoi", a_jpeg() + b"\x01" * 64 + b"\xff\xd9", "image/jpeg"),
        ("pdf_with_html", a_pdf().replace(b"\n", b"\n<html>", 1), "application/pdf"),
    ],
)
def test_polyglot_upload_is_refused_and_nothing_is_stored(
    held: World, settings: Settings, clock: FrozenClock, name: str, data: bytes, media_type: str
) -> None:
    declaration = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    r = held.upload("shop-a", "LA", data, declaration=declaration, media_type=media_type)
    assert r.status_code == 422, (name, r.text)
    assert r.json()["code"] == "upload.polyglot"
    assert held.seller("shop-a", "GET", "/v1/listings/LA/vouchers").json() == []
    assert stored_files(settings) == []


def test_a_plain_pdf_jpeg_and_png_are_still_accepted(held: World, clock: FrozenClock) -> None:
    declaration = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    for data, media_type in (
        (a_pdf(), "application/pdf"),
        (a_jpeg(), "image/jpeg"),
        (invoice_image(6), "image/png"),
    ):
        r = held.upload("shop-a", "LA", data, declaration=declaration, media_type=media_type)
        assert r.status_code == 201, r.text
