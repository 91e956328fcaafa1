"""The credential letter: its QR code reads back to exactly the signed token, from the PNG,
from a phone-photo-like copy of it and from the PDF, and its text says what it grants."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFilter

from probandi.adapters.credentials import letter
from probandi.adapters.credentials.jose import generate_key, sign_credential
from probandi.adapters.credentials.letter import letter_text, render_pdf, render_png
from probandi.adapters.forensics.qr import read_qr_payloads
from probandi.domain.credentials import Scope, StatusEntry, StatusPurpose, credential_payload
from probandi.domain.errors import InvalidInput

STATUS_URL = "https://probandi.example/status/h-1042"


def a_payload(brands: int = 3) -> dict[str, object]:
    names = ["Luminar", "Luminar Pro", "露米娜", *(f"Luminar Line {i:02d}" for i in range(brands))]
    return credential_payload(
        credential_id="urn:uuid:3f1c2a9e-8b7d-4e21-9c55-0a1b2c3d4e5f",
        holder_id="h-1042",
        holder_name="Luminar Cosmetics (Shanghai) Co., Ltd.",
        legal_name="深圳市星河贸易有限公司",
        registration_id="91440300MA5FXXXX1K",
        brands=[(f"b-{i}", name) for i, name in enumerate(names[:brands])],
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        valid_until=datetime(2026, 12, 31, tzinfo=UTC),
        status=[
            StatusEntry(StatusPurpose.REVOCATION, 4711, f"{STATUS_URL}/revocation"),
            StatusEntry(StatusPurpose.SUSPENSION, 4711, f"{STATUS_URL}/suspension"),
        ],
        scope=Scope(categories=("skincare", "makeup"), channels=("tmall",), quantity_cap=5000),
    )


def a_signed_letter(brands: int = 3) -> tuple[str, dict[str, object]]:
    private, _ = generate_key()
    payload = a_payload(brands)
    return sign_credential(payload, private, "luminar-2025-01"), payload


def photographed(page: Image.Image) -> Image.Image:
    """A mild phone photo: smaller, a little tilted and soft, JPEG-compressed."""
    width, height = page.size
    small = page.convert("RGB").resize((width * 3 // 5, height * 3 // 5), Image.Resampling.LANCZOS)
    tilted = small.rotate(2.5, Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    out = io.BytesIO()
    tilted.filter(ImageFilter.GaussianBlur(0.8)).save(out, "JPEG", quality=70)
    return Image.open(io.BytesIO(out.getvalue()))


def pdf_page(data: bytes) -> Image.Image:
    document = pdfium.PdfDocument(data)
    try:
        assert len(document) == 1
        page = document[0]
        image: Image.Image = page.render(scale=2).to_pil()
        page.close()
        return image
    finally:
        document.close()


def test_the_png_letter_qr_reads_back_to_exactly_the_token() -> None:
    token, payload = a_signed_letter()
    page = Image.open(io.BytesIO(render_png(token, payload)))
    assert page.size == letter.PAGE
    assert read_qr_payloads(page) == [token]


def test_the_letter_qr_survives_a_mild_photograph() -> None:
    token, payload = a_signed_letter()
    page = Image.open(io.BytesIO(render_png(token, payload)))
    assert read_qr_payloads(photographed(page)) == [token]


def test_a_letter_for_many_brands_falls_back_to_level_l_and_still_reads() -> None:
    token, payload = a_signed_letter(brands=24)
    assert letter._qr(token).error == "L"
    page = Image.open(io.BytesIO(render_png(token, payload)))
    assert read_qr_payloads(photographed(page)) == [token]


def test_the_pdf_letter_renders_to_a_page_whose_qr_is_the_token() -> None:
    token, payload = a_signed_letter()
    data = render_pdf(token, payload)
    assert data.startswith(b"%PDF-")
    assert read_qr_payloads(pdf_page(data)) == [token]


def test_the_text_names_the_reseller_its_registration_and_the_brands() -> None:
    text = "\n".join(letter_text(a_payload()))
    for expected in ("深圳市星河贸易有限公司", "91440300MA5FXXXX1K", "Luminar Pro", "露米娜"):
        assert expected in text
    assert "Luminar Cosmetics (Shanghai) Co., Ltd." in text
    assert "2026-12-31" in text
    assert "quantity cap 5000" in text
    assert "status list" in text


def test_a_token_too_long_for_any_qr_version_is_refused() -> None:
    payload = a_payload()
    with pytest.raises(InvalidInput, match="too long for a QR code") as refused:
        render_png("eyJ" + "A" * 4997, payload)
    assert refused.value.details == {"field": "credential"}


def test_a_letter_whose_text_is_not_what_the_token_signs_is_refused() -> None:
    token, payload = a_signed_letter()
    other = {**payload, "validUntil": "2099-12-31T00:00:00Z"}
    with pytest.raises(InvalidInput, match="not what the token signs"):
        render_pdf(token, other)


def test_without_the_cjk_font_the_letter_still_renders_and_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(letter, "CJK_FONT", Path("/nonexistent/wqy-zenhei.ttc"))
    token, payload = a_signed_letter()
    page = Image.open(io.BytesIO(render_png(token, payload)))
    assert read_qr_payloads(page) == [token]
