"""The forensic readers on real files: the e-invoice's QR code, EXIF, PNG text and PDF saves."""

from __future__ import annotations

import io
import re
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from probandi.adapters.forensics.metadata import incremental_updates, read_metadata
from probandi.adapters.forensics.qr import read_qr_payloads
from probandi.domain.forensics.einvoice import EInvoiceQr, parse_einvoice_qr, qr_findings
from probandi.domain.forensics.identifiers import uscc_is_valid
from probandi.domain.forensics.metadata import DocumentMetadata, metadata_findings
from probandi.domain.vouchers import Declaration, DeclaredLine, Severity
from tests.conftest import shared_data

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
CHINA = timezone(timedelta(hours=8))
REAL_SELLER_USCC = "91120222079642398Y"  # printed on the real invoice


@pytest.fixture
def real_invoice() -> Image.Image:
    path: Path = shared_data() / "invoices" / "e-invoice-real.png"
    with Image.open(path) as image:
        image.load()
        return image


@pytest.fixture
def real_qr(real_invoice: Image.Image) -> EInvoiceQr:
    [payload] = read_qr_payloads(real_invoice)
    qr = parse_einvoice_qr(payload)
    assert qr is not None
    return qr


def real_declaration(**overrides: object) -> Declaration:
    declaration = Declaration(
        issuer="天津瑞佳讯贸易有限公司",
        issuer_tax_id=REAL_SELLER_USCC,
        document_number="33207675",
        issued_on=date(2019, 5, 8),
        lines=(DeclaredLine("GUCCI", "bag", 1, Decimal("52.70")),),
    )
    return replace(declaration, **overrides)  # type: ignore[arg-type]


def test_the_real_invoices_qr_code_is_read_from_the_whole_image(real_qr: EInvoiceQr) -> None:
    assert (real_qr.code, real_qr.number) == ("012001800311", "33207675")
    assert real_qr.issued_on == date(2019, 5, 8)
    assert real_qr.amount == Decimal("46.62")


def test_the_qr_code_is_read_from_palette_and_grey_images(real_invoice: Image.Image) -> None:
    for mode in ("P", "L", "RGBA"):
        [payload] = read_qr_payloads(real_invoice.convert(mode))
        assert payload.startswith("01,10,012001800311,33207675,")


def test_a_page_without_a_qr_code_reads_nothing() -> None:
    assert read_qr_payloads(Image.new("RGB", (200, 100), "white")) == []


def test_the_real_sellers_credit_code_is_valid() -> None:
    assert uscc_is_valid(REAL_SELLER_USCC)


def test_the_real_invoice_matches_what_it_shows(real_qr: EInvoiceQr) -> None:
    [finding] = qr_findings(real_qr, real_declaration())
    assert finding.code == "voucher.qr_verified"
    assert finding.evidence["verifiable"] is True


def test_a_changed_declared_number_contradicts_the_real_qr_code(real_qr: EInvoiceQr) -> None:
    [finding] = qr_findings(real_qr, real_declaration(document_number="33207678"))
    assert finding.code == "voucher.qr_mismatch"
    assert finding.severity is Severity.HARD
    assert finding.evidence["qr_invoice_number"] == "33207675"


def a_jpeg(**exif_fields: str) -> bytes:
    exif = Image.Exif()
    details = exif.get_ifd(0x8769)
    for name, value in exif_fields.items():
        tag = {"software": 0x0131, "datetime": 0x0132}.get(name)
        if tag is not None:
            exif[tag] = value
        else:
            details[{"original": 0x9003, "offset_original": 0x9011}[name]] = value
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_jpeg_saved_by_photoshop_gives_the_editing_finding() -> None:
    meta = read_metadata(a_jpeg(software="Adobe Photoshop 25.0"), JPEG)
    assert meta.software == "Adobe Photoshop 25.0"
    assert not meta.is_pdf
    codes = [f.code for f in metadata_findings(meta, date(2019, 5, 8))]
    assert codes == ["voucher.metadata.editing_software"]


def test_exif_dates_keep_their_offset_and_otherwise_are_taken_as_utc() -> None:
    data = a_jpeg(
        original="2019:05:01 08:00:00", offset_original="+08:00", datetime="2019:05:09 10:00:00"
    )
    meta = read_metadata(data, JPEG)
    assert meta.created_at == datetime(2019, 5, 1, 8, 0, tzinfo=CHINA)
    assert meta.modified_at == datetime(2019, 5, 9, 10, 0, tzinfo=UTC)
    codes = [f.code for f in metadata_findings(meta, date(2019, 5, 8))]
    assert codes == ["voucher.metadata.captured_before_document"]


@pytest.mark.parametrize("value", ["0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday"])
def test_unreadable_exif_dates_are_none(value: str) -> None:
    meta = read_metadata(a_jpeg(original=value, datetime=value, offset_original="+99"), JPEG)
    assert (meta.created_at, meta.modified_at) == (None, None)


def test_a_png_names_its_software_in_a_text_chunk() -> None:
    info = PngInfo()
    info.add_text("Software", "GIMP 2.10.34")
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(out, "PNG", pnginfo=info)
    meta = read_metadata(out.getvalue(), PNG)
    assert meta.software == "GIMP 2.10.34"


def test_the_real_invoice_png_has_no_telling_metadata() -> None:
    data = (shared_data() / "invoices" / "e-invoice-real.png").read_bytes()
    meta = read_metadata(data, PNG)
    assert metadata_findings(meta, date(2019, 5, 8)) == []


def a_pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(
        out,
        "PDF",
        producer="Probandi test",
        creationDate=time.strptime("2019-05-08 10:10:10", "%Y-%m-%d %H:%M:%S"),
    )
    return out.getvalue()


def saved_again(pdf: bytes, producer: str) -> bytes:
    """An incremental update as an editor writes it: a new info dictionary, xref, trailer."""
    size = int(re.findall(rb"/Size (\d+)", pdf)[-1])
    root = re.findall(rb"/Root (\d+ \d+ R)", pdf)[-1]
    prev = re.findall(rb"startxref\s+(\d+)", pdf)[-1]
    info = (
        f"{size} 0 obj\n<< /Producer ({producer}) /CreationDate (D:20190508101010+08'00') "
        f"/ModDate (D:20240101093000+08'00') >>\nendobj\n"
    ).encode()
    body = pdf + b"\n"
    xref_at = len(body) + len(info)
    xref = (
        f"xref\n0 1\n0000000000 65535 f \n{size} 1\n{len(body):010d} 00000 n \n"
        f"trailer\n<< /Size {size + 1} /Root {root.decode()} /Info {size} 0 R "
        f"/Prev {prev.decode()} >>\nstartxref\n{xref_at}\n%%EOF\n"
    ).encode()
    return body + info + xref


def test_a_pdf_written_once_has_no_incremental_update() -> None:
    meta = read_metadata(a_pdf(), PDF)
    assert meta == DocumentMetadata(
        software="Probandi test",
        created_at=datetime(2019, 5, 8, 10, 10, 10, tzinfo=UTC),
        modified_at=meta.modified_at,  # Pillow stamps the time of saving
        incremental_updates=0,
        is_pdf=True,
    )


def test_a_pdf_saved_again_counts_one_incremental_update() -> None:
    meta = read_metadata(saved_again(a_pdf(), "Microsoft Word 2016"), PDF)
    assert meta.incremental_updates == 1
    assert meta.software == "Microsoft Word 2016"  # PDFium reads the updated info dictionary
    assert meta.created_at == datetime(2019, 5, 8, 10, 10, 10, tzinfo=CHINA)
    assert meta.modified_at == datetime(2024, 1, 1, 9, 30, tzinfo=CHINA)
    codes = [f.code for f in metadata_findings(meta, date(2019, 5, 8))]
    assert codes == ["voucher.metadata.editing_software", "voucher.metadata.incremental_updates"]


def test_a_linearized_pdfs_second_end_marker_is_no_update() -> None:
    linearized = b"%PDF-1.7\n1 0 obj << /Linearized 1 >> endobj\n%%EOF\nrest\n%%EOF\n"
    assert incremental_updates(linearized) == 0
    assert incremental_updates(linearized + b"update\n%%EOF\n") == 1
    assert incremental_updates(b"%PDF-1.4 no end marker") == 0


@pytest.mark.parametrize("media_type", [JPEG, PNG, PDF, "application/octet-stream"])
def test_unreadable_files_give_empty_metadata(media_type: str) -> None:
    meta = read_metadata(b"%PDF-1.4 not really\n%%EOF\n%%EOF", media_type)
    assert meta.software is None
    assert meta.created_at is None
    assert meta.is_pdf is (media_type == PDF)
