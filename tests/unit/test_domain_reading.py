"""Pure reading rules: normalizing what OCR reads, drawing fields from lines, and holding the
declaration against them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from probandi.domain.reading.compare import compare
from probandi.domain.reading.fields import extract
from probandi.domain.reading.model import Box, PageText, Reading, ReadLine, TextSource
from probandi.domain.reading.normalize import (
    id_tokens,
    name_similarity,
    parse_amounts,
    parse_dates,
    same_name,
    usccs_in,
)
from probandi.domain.sellers import VoucherKind
from probandi.domain.vouchers import Declaration, DeclaredLine, Finding, Severity

USCC = "91120222079642398Y"


def a_reading(*lines: tuple[str, Box] | tuple[str, Box, float]) -> Reading:
    read = tuple(ReadLine(ln[0], ln[2] if len(ln) == 3 else 0.99, ln[1]) for ln in lines)
    return Reading((PageText(read, 1000, 600, 0, TextSource.OCR),))


def an_invoice(
    *, date_label: str = "开票日期：", number_line: str = "发票号码：33207675"
) -> Reading:
    return a_reading(
        ("天津增值税电子普通发票", (300, 60, 590, 95)),
        ("发票代码：012001800311", (625, 50, 750, 70)),
        (number_line, (627, 76, 727, 91)),
        (f"{date_label}20190508", (623, 98, 774, 115)),
        ("名", (109, 150, 126, 168)),
        ("称：个人", (170, 149, 218, 168)),
        ("货物或应税劳务、服务名称", (105, 230, 254, 249)),
        ("*箱包*GUCCI 手提包", (83, 255, 260, 270)),
        ("合计", (130, 378, 197, 394)),
        ("￥46.62", (631, 381, 688, 398)),
        ("￥6.08", (788, 381, 837, 398)),
        ("价税合计(大写)", (128, 402, 214, 420)),
        ("(小写）￥52.70", (645, 402, 735, 419)),
        ("销售方", (85, 436, 101, 492)),
        ("称：天津瑞佳讯贸易有限公司", (170, 430, 325, 445)),
        ("纳税人识别号：", (111, 447, 200, 465)),
        (USCC, (205, 447, 366, 465)),
    )


def the_declaration(**overrides: object) -> Declaration:
    values: dict[str, object] = {
        "issuer": "天津瑞佳讯贸易有限责任公司",
        "issuer_tax_id": USCC,
        "buyer_name": "个人",
        "issued_on": date(2019, 5, 8),
        "document_number": "33207675",
        "lines": (DeclaredLine("Gucci", "手提包", 1, Decimal("46.62")),),
    }
    values.update(overrides)
    return Declaration(**values)  # type: ignore[arg-type]


def contradictions(findings: list[Finding]) -> dict[str, Severity]:
    return {
        str(f.evidence["field"]): f.severity
        for f in findings
        if f.code == "voucher.contradicts_document"
    }


@pytest.mark.parametrize(
    "text", ["20190508", "2019年05月08日", "2019-05-08", "2019/5/8", "日期2019-05-0814:22"]
)
def test_dates_are_read_in_every_usual_writing(text: str) -> None:
    assert parse_dates(text) == [date(2019, 5, 8)]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("￥46.62", "46.62"),
        ("46.62元", "46.62"),
        ("¥1,234.50", "1234.50"),
        ("￥6.142.74", "6142.74"),
    ],
)
def test_amounts_are_read_with_currency_marks_and_thousands(text: str, amount: str) -> None:
    assert parse_amounts(text) == [Decimal(amount)]


def test_a_percentage_is_not_an_amount() -> None:
    assert parse_amounts("13%") == []


def test_a_tax_id_read_with_letter_slips_is_repaired_by_its_check_digits() -> None:
    assert usccs_in("纳税人识别号：9112O222O79642398Y") == [(USCC, True)]


def test_eighteen_characters_inside_a_longer_code_are_not_a_tax_id() -> None:
    assert usccs_in("校验码：76939056883466677916") == []


def test_names_compare_across_width_spaces_and_legal_form() -> None:
    assert same_name("北京华联商贸有限责任公司", "北京 华联商贸 有限公司")
    assert same_name("ＡＢＣ Trading", "abc trading")
    assert name_similarity("北京华联商贸有限公司", "上海锦程贸易有限公司") < 0.5


def test_invoice_fields_are_drawn_from_labels_and_neighbouring_boxes() -> None:
    extracted = extract(an_invoice())
    assert extracted.kind_guess is VoucherKind.PURCHASE_INVOICE
    assert {k: v.value for k, v in extracted.fields.items() if k != "items"} == {
        "code": "012001800311",
        "number": "33207675",
        "date": "2019-05-08",
        "buyer_name": "个人",
        "seller_name": "天津瑞佳讯贸易有限公司",
        "seller_tax_id": USCC,
        "amount": "46.62",
        "tax": "6.08",
        "total": "52.70",
    }
    assert "GUCCI" in extracted.fields["items"].value


def test_a_misread_label_and_a_glued_value_still_give_the_field() -> None:
    extracted = extract(an_invoice(date_label="开票日丽", number_line="发票号码33207675"))
    assert extracted.value("date") == "2019-05-08"
    assert extracted.value("number") == "33207675"


def test_a_value_on_the_next_line_belongs_to_the_label_above() -> None:
    reading = a_reading(
        ("小票", (10, 0, 100, 20)),
        ("收银员：01", (10, 30, 100, 50)),
        ("单号", (10, 60, 60, 80)),
        ("20240305001", (10, 85, 160, 105)),
    )
    assert extract(reading).value("number") == "20240305001"


def test_the_truthful_declaration_is_not_contradicted() -> None:
    assert (
        compare(
            the_declaration(), extract(an_invoice()), declared_kind=VoucherKind.PURCHASE_INVOICE
        )
        == []
    )


def test_a_retyped_number_read_with_confidence_is_a_hard_contradiction() -> None:
    findings = compare(
        the_declaration(document_number="33207676"),
        extract(an_invoice()),
        declared_kind=VoucherKind.PURCHASE_INVOICE,
    )
    [finding] = findings
    assert contradictions(findings) == {"document_number": Severity.HARD}
    assert finding.evidence["declared"] == "33207676"
    assert finding.evidence["read"] == "33207675"
    assert set(finding.evidence) == {"field", "declared", "read", "confidence", "page", "box"}


def test_a_field_read_unsure_contradicts_as_a_warning_only() -> None:
    unsure = a_reading(
        ("增值税普通发票", (300, 60, 590, 95)),
        ("发票号码：33207675", (627, 76, 727, 91), 0.6),
    )
    findings = compare(
        the_declaration(document_number="11111111"),
        extract(unsure),
        declared_kind=VoucherKind.PURCHASE_INVOICE,
    )
    assert contradictions(findings) == {"document_number": Severity.WARNING}


def test_amount_date_tax_id_and_buyer_are_each_held_against_the_document() -> None:
    other = "91110000600037341L"
    findings = compare(
        the_declaration(
            issued_on=date(2019, 12, 1),
            issuer_tax_id=other,
            buyer_name="上海锦程贸易有限公司",
            lines=(DeclaredLine("Gucci", "手提包", 1, Decimal("460.00")),),
        ),
        extract(an_invoice()),
        declared_kind=VoucherKind.PURCHASE_INVOICE,
    )
    assert contradictions(findings) == {
        "issued_on": Severity.HARD,
        "issuer_tax_id": Severity.HARD,
        "buyer_name": Severity.HARD,
        "amount": Severity.HARD,
    }


def test_an_invoice_declared_as_an_authorization_is_a_hard_kind_mismatch() -> None:
    findings = compare(
        Declaration(issuer="天津瑞佳讯贸易有限公司", issued_on=date(2019, 5, 8)),
        extract(an_invoice()),
        declared_kind=VoucherKind.BRAND_AUTHORIZATION,
    )
    [mismatch] = [f for f in findings if f.code == "voucher.kind_mismatch"]
    assert mismatch.severity is Severity.HARD
    assert mismatch.evidence["read"] == "purchase_invoice"


def test_a_document_not_naming_the_listing_brand_is_a_warning() -> None:
    findings = compare(
        the_declaration(),
        extract(an_invoice()),
        declared_kind=VoucherKind.PURCHASE_INVOICE,
        listing_brands=("Prada", "普拉达"),
    )
    assert [(f.code, f.severity) for f in findings] == [
        ("voucher.brand_not_on_document", Severity.WARNING)
    ]
    assert (
        compare(
            the_declaration(),
            extract(an_invoice()),
            declared_kind=VoucherKind.PURCHASE_INVOICE,
            listing_brands=("Gucci",),
        )
        == []
    )


def test_authorization_letter_fields() -> None:
    reading = a_reading(
        ("品牌授权书", (300, 40, 500, 80)),
        ("授权方（甲方）：上海锦程贸易有限公司", (60, 160, 600, 185)),
        ("被授权方：杭州悦尚服饰有限公司", (60, 240, 600, 265)),
        ("授权品牌：Gucci", (60, 300, 400, 325)),
        ("授权期限：2024年01月01日至2025年12月31日", (60, 380, 700, 405)),
    )
    extracted = extract(reading)
    assert extracted.kind_guess is VoucherKind.BRAND_AUTHORIZATION
    assert extracted.value("grantor") == "上海锦程贸易有限公司"
    assert extracted.value("grantee") == "杭州悦尚服饰有限公司"
    assert extracted.value("brands") == "Gucci"
    assert (extracted.value("valid_from"), extracted.value("valid_until")) == (
        "2024-01-01",
        "2025-12-31",
    )


def test_a_page_without_text_gives_no_fields_and_no_findings() -> None:
    empty = Reading((PageText((), 100, 100, 0, TextSource.OCR),), note="no text found")
    extracted = extract(empty)
    assert extracted.kind_guess is None
    assert extracted.fields == {}
    assert compare(the_declaration(), extracted, declared_kind=VoucherKind.MALL_RECEIPT) == []


def test_the_items_header_is_not_taken_for_the_buyer_name_label() -> None:
    reading = a_reading(
        ("增值税普通发票", (300, 60, 590, 95)),
        ("发票号码：33207675", (627, 76, 727, 91)),
        ("货物或应税劳务、服务名称", (105, 230, 254, 249)),
        ("规格型号", (287, 232, 338, 248)),
        ("单位", (348, 231, 378, 248)),
    )
    assert extract(reading).value("buyer_name") is None


def test_an_unread_buyer_name_is_not_replaced_by_the_sellers() -> None:
    reading = a_reading(
        ("增值税普通发票", (300, 60, 590, 95)),
        ("发票号码：33207675", (627, 76, 727, 91)),
        ("货物或应税劳务、服务名称", (105, 230, 254, 249)),
        ("价税合计(大写)", (128, 402, 214, 420)),
        ("称：天津瑞佳讯贸易有限公司", (170, 430, 325, 445)),
    )
    extracted = extract(reading)
    assert extracted.value("buyer_name") is None
    assert extracted.value("seller_name") == "天津瑞佳讯贸易有限公司"


def test_an_english_receipt_gives_its_number_and_total_from_labels_apart_from_values() -> None:
    """A Hong Kong boutique's receipt: each label at the left edge, its value at the right."""
    reading = a_reading(
        ("MAISON DE LUXE", (250, 110, 390, 130)),
        ("SALES RECEIPT", (240, 220, 400, 250)),
        ("Receipt No.", (50, 282, 150, 300)),
        ("M2060501", (500, 282, 590, 300)),
        ("Date", (50, 310, 90, 328)),
        ("Cashier", (50, 338, 120, 356)),
        ("#74", (560, 338, 590, 356)),
        ("ITEM", (50, 376, 90, 394)),
        ("AMOUNT", (510, 376, 590, 394)),
        ("Wool coat", (50, 412, 140, 430)),
        ("4,201.09", (520, 412, 590, 430)),
        ("TOTAL", (50, 678, 120, 700)),
        ("HKD 35,433.04", (450, 678, 590, 700)),
    )
    extracted = extract(reading)
    assert extracted.kind_guess is VoucherKind.MALL_RECEIPT
    assert extracted.value("number") == "M2060501"
    assert extracted.value("total") == "35433.04"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Receipt No. M2060501", ["M2060501"]),
        ("No: AB-1234-567 Tel 021-6234 5678", ["AB1234567", "0216234"]),
        ("05/12/2026 2026-05-12 HKD35,433.04 #74 ITEM", []),
        ("91310000MA1K2F3X4Y and again 91310000MA1K2F3X4Y", ["91310000MA1K2F3X4Y"]),
        ("ABCDEFGH 12AB", []),  # too few digits; too short
    ],
)
def test_id_tokens_are_the_id_like_runs_of_a_page(text: str, tokens: list[str]) -> None:
    assert id_tokens(text) == tokens
