"""The console's view of a reading: declared vs read per field, boxes over the page."""

from __future__ import annotations

from datetime import UTC, date, datetime

from probandi.domain.reading.model import Extracted, Field, PageText, ReadLine, TextSource
from probandi.domain.reading.record import ReadingStatus, VoucherReading
from probandi.domain.sellers import VoucherKind
from probandi.domain.vouchers import Declaration, Finding, Severity, StoredFile, Voucher
from probandi.entrypoints.console.reading_view import (
    contradicted_fields,
    field_rows,
    reading_view,
)

INVOICE = VoucherKind.PURCHASE_INVOICE
AT = datetime(2026, 12, 1, tzinfo=UTC)
PNG = StoredFile("0" * 64, 10, "image/png", 1, 1000, 500)


def _extracted(**fields: tuple[str, float]) -> Extracted:
    return Extracted(
        INVOICE, 0.9, {k: Field(v, c, (1, 2, 3, 4)) for k, (v, c) in fields.items()}, "t"
    )


def test_rows_mark_the_same_the_different_the_unsure_and_the_unread_fields() -> None:
    declaration = Declaration(
        issuer="天津瑞佳讯贸易有限责任公司",
        issuer_tax_id="91120222079642398Y",
        document_number="33207676",
        issued_on=date(2019, 5, 8),
        buyer_name="个人",
    )
    extracted = _extracted(
        number=("33207675", 0.99),
        date=("2019-05-09", 0.5),
        seller_name=("天津瑞佳讯贸易有限公司", 0.99),
        code=("012001800311", 0.99),
    )
    rows = {r.name: r for r in field_rows(INVOICE, declaration, extracted)}
    assert rows["document_number"].state == "differs"
    assert rows["document_number"].read == "33207675"
    assert rows["issued_on"].state == "unsure"
    assert rows["issuer"].state == "same"
    assert rows["issuer_tax_id"].state == "unread"
    assert rows["buyer_name"].state == "unread"
    assert rows["code"].state == "read"
    assert rows["code"].declared is None
    assert "amount" not in rows  # neither declared nor read


def _voucher(file: StoredFile = PNG) -> Voucher:
    return Voucher("v1", "shop-a", "L1", INVOICE, file, "a.png", Declaration(), AT)


def _read(*pages: PageText) -> VoucherReading:
    queued = VoucherReading("v1", ReadingStatus.QUEUED, AT).start()
    return queued.finish(
        at=AT,
        kind_guess="purchase_invoice",
        fields={"number": Field("33207675", 0.99, (10, 20, 110, 40))},
        pages=pages,
        text="发票号码：33207675",
        note=None,
        truncated_at=None,
    )


def test_boxes_are_drawn_over_an_upright_image_but_not_over_a_turned_one() -> None:
    line = ReadLine("发票号码：33207675", 0.99, (10, 20, 110, 40))
    upright = PageText((line,), 2000, 1000, 0, TextSource.OCR)
    turned = PageText((line,), 1000, 2000, 90, TextSource.OCR)
    view = reading_view(_read(upright), _voucher())
    [page] = view.pages
    assert page.drawable
    [box] = page.boxes
    assert (box.x, box.y, box.width, box.height, box.text) == (10, 20, 100, 20, line.text)
    assert [(r.name, r.state) for r in view.rows] == [("document_number", "read")]
    assert not reading_view(_read(turned), _voucher()).pages[0].drawable


def test_a_pending_failed_or_missing_reading_says_so() -> None:
    queued = VoucherReading("v1", ReadingStatus.QUEUED, AT)
    view = reading_view(queued, _voucher())
    assert view.pending
    assert view.label == "reading…"
    failed = reading_view(queued.fail("time limit", at=AT), _voucher())
    assert (failed.label, failed.reason, failed.pending) == ("failed", "time limit", False)
    assert reading_view(None, _voucher()).label == "reading not available"


def test_contradicted_fields_come_from_the_findings() -> None:
    findings = [
        Finding(
            "voucher.contradicts_document", Severity.HARD, "m", {"field": "amount", "read": "46.62"}
        ),
        Finding("voucher.kind_mismatch", Severity.HARD, "m", {"declared": "x", "read": "y"}),
    ]
    assert contradicted_fields(findings) == {"amount": "46.62"}
