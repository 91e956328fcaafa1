"""A doctored copy as read: the earlier document's lines, but for a few lines of digits."""

from __future__ import annotations

from probandi.domain.forensics.textcopy import (
    MAX_CHANGED,
    SAME_SALE,
    numbers_of,
    printed_numbers,
    retyped_lines,
    same_numbers,
    text_lines,
)

RECEIPT = """MAISON DE LUXE
PRADA Galleria Shanghai
Tel +852 2234 5678 www.maison-de-luxe.com
SALES RECEIPT
Receipt No.
M2060501
Date
05/12/2026
Cashier
#74
Wool coat
4,201.09
Sneakers
31,231.95
TOTAL
HKD 35,433.04
Goods sold are not returnable."""


# The shop's next sale on the same receipt: its number, day, amounts and total.
ANOTHER_SALE = [
    ("M2060501", "M2060502"),
    ("05/12/2026", "06/12/2026"),
    ("4,201.09", "3,100.00"),
    ("31,231.95", "12,000.00"),
    ("HKD 35,433.04", "HKD 15,100.00"),
]


def _replaced(text: str, changes: list[tuple[str, str]]) -> str:
    for old, new in changes:
        text = text.replace(old, new)
    return text


def test_the_same_text_with_its_number_and_date_typed_over_is_a_doctored_copy() -> None:
    doctored = RECEIPT.replace("M2060501", "40213377").replace("05/12/2026", "2026 03 14")
    assert retyped_lines(doctored, RECEIPT) == ["M2060501", "05/12/2026"]


def test_spacing_and_case_do_not_count_as_changes() -> None:
    respaced = RECEIPT.replace("MAISON DE LUXE", "MAISONDELUXE").replace("Date", "DATE")
    assert retyped_lines(respaced.replace("M2060501", "M2060777"), RECEIPT) == ["M2060501"]


def test_other_goods_on_the_same_template_are_other_content() -> None:
    other = RECEIPT.replace("M2060501", "H1234567").replace("Wool coat", "Silk scarf")
    assert retyped_lines(other, RECEIPT) is None


def test_more_than_a_few_changed_lines_of_digits_are_another_sale() -> None:
    other = _replaced(RECEIPT, ANOTHER_SALE)
    assert len(set(text_lines(RECEIPT)) - set(text_lines(other))) > MAX_CHANGED
    assert retyped_lines(other, RECEIPT) is None


def test_the_same_text_unchanged_or_too_short_says_nothing_here() -> None:
    assert retyped_lines(RECEIPT, RECEIPT) is None  # the same document: reuse, not doctoring
    short = "SALES RECEIPT\nM2060501\n05/12/2026"
    assert retyped_lines("SALES RECEIPT\nH1\n05/12/2026", short) is None


def test_a_blurred_photo_misreading_the_number_keeps_the_sales_numbers() -> None:
    """A photo read with slips: the receipt number misread, separators lost, a line dropped.
    The date, every amount and the total are still there."""
    photo = (
        RECEIPT.replace("M2060501", "M2060S07")
        .replace("4,201.09", "4201.09")
        .replace("05/12/2026", "0512/2026")
        .replace("Tel +852 2234 5678 www.maison-de-luxe.com\n", "")
    )
    assert numbers_of(RECEIPT) == {
        "85222345678", "2060501", "05122026", "420109", "3123195", "3543304"
    }  # fmt: skip
    other_shop = _replaced(
        RECEIPT,
        [
            ("PRADA Galleria Shanghai", "Fendi Macau"),
            ("M2060501", "H3311207"),
            ("05/12/2026", "01/11/2026"),
            ("4,201.09", "1,990.00"),
            ("31,231.95", "8,410.00"),
            ("HKD 35,433.04", "HKD 10,400.00"),
        ],
    )
    printed = printed_numbers([RECEIPT, other_shop])
    assert printed == {"85222345678"}  # the template's telephone
    share = same_numbers(photo, RECEIPT, printed)
    assert share is not None
    assert share >= SAME_SALE


def test_another_sale_of_the_same_shop_shares_only_its_printed_numbers() -> None:
    other = _replaced(RECEIPT, ANOTHER_SALE)
    assert same_numbers(other, RECEIPT) == 1 / 6  # the shop's telephone


def test_a_document_with_few_numbers_says_nothing_by_its_numbers() -> None:
    assert same_numbers(RECEIPT, "SALES RECEIPT\nM2060501\n05/12/2026\nHKD 35,433.04") is None
