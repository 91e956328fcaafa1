"""Long ids in OCR text: normalization, pieces, and the share of an original's pieces."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.forensics.longids import (
    PIECE,
    id_pieces,
    id_runs,
    id_share,
    usable,
)

# Lines as OCR read them from the real e-invoice of the shared data.
REAL_READING = """发票代码：012001800311
天津增值税电子普通发票
发票号码：33207675
开票日期：20190508
机器编号：661619942171
校验码：76939 056883466677916
*7//048893934-/649-<580>53+
227268<07//400<+3->>><0*8+6
-+--4>0885<+74-<4316/8+6/*3
>772+08268<07//400<+3->9604
(小写）￥52.70
纳税人识别号：91120222079642398Y
开户行及账号：中国建设银行股份有限公司天津武清区支行12001720800052531259"""
CIPHER_ROW = "*7//048893934-/649-<580>53+"
CIPHER_RUN = "+7+048893934+649+580+53+"  # the row with its symbols folded into one
CHECK_CODE = "76939056883466677916"


def windows(run: str) -> set[str]:
    return {run[i : i + PIECE] for i in range(len(run) - PIECE + 1)}


def test_full_width_digits_read_as_the_same_id() -> None:
    assert id_runs("发票代码：０１２００１８００３１１") == ["012001800311"]


def test_spaces_ocr_put_inside_a_number_are_dropped() -> None:
    assert id_runs("校验码：76939 056883466677916") == ["76939056883466677916"]


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("332O7675", "33207675"),
        ("l2001720800052531259", "12001720800052531259"),
        ("9112O222O7964239 8Y", "91120222079642398Y"),
        ("|2001720800", "12001720800"),
    ],
)
def test_letters_read_for_digits_inside_an_id_are_read_as_digits(read: str, meant: str) -> None:
    assert id_runs(read) == [meant]


@pytest.mark.parametrize("line", ["开票日期：20190508", "2019-05-08", "22/07/2026", "2026 04 25"])
def test_a_date_alone_is_not_an_id(line: str) -> None:
    assert id_runs(line) == []


@pytest.mark.parametrize("line", ["(小写）￥52.70", "CNY 44,675.53", "17,273.37", "13%"])
def test_amounts_are_not_ids(line: str) -> None:
    assert id_runs(line) == []


@pytest.mark.parametrize("line", ["SHANGHAI VAT E-INVOICE", "STATE TAXATION ADMIN.", "Bank/Acct:"])
def test_words_are_not_ids(line: str) -> None:
    assert id_runs(line) == []


def test_a_cipher_row_and_a_tax_id_are_ids() -> None:
    runs = id_runs(f"{CIPHER_ROW}\n纳税人识别号：91120222079642398Y")
    assert runs == [CIPHER_RUN, "91120222079642398Y"]


def test_cipher_symbols_ocr_confuses_read_the_same() -> None:
    assert id_pieces("*7//048893934-/649") == id_pieces("+7<>048893934*-649")


def test_an_id_longer_than_a_date_that_starts_with_one_is_kept() -> None:
    assert id_runs("2019050812345678") == ["2019050812345678"]


def test_lines_never_join_into_one_run() -> None:
    assert id_runs("1200172080\n0052531259") == ["1200172080", "0052531259"]


def test_pieces_are_every_window_of_every_run() -> None:
    assert id_pieces("No. 0120018003\nx 91120222079642398Y") == windows("0120018003") | windows(
        "91120222079642398Y"
    )


def test_a_real_reading_has_enough_pieces_to_be_used() -> None:
    assert usable(id_pieces(REAL_READING))
    assert not usable(id_pieces("Receipt No. P2530829\nTel +852 2234 5678"))


def test_a_character_dropped_loses_only_the_pieces_across_it() -> None:
    slip = 10  # a digit between others: no window survives by the same digit beside it
    slipped = CHECK_CODE[:slip] + CHECK_CODE[slip + 1 :]
    lost = id_pieces(CHECK_CODE) - id_pieces(slipped)
    assert lost == {CHECK_CODE[i : i + PIECE] for i in range(slip - PIECE + 1, slip + 1)}


def test_a_cipher_symbol_dropped_beside_another_loses_nothing() -> None:
    assert id_pieces("166+/6*-4<12345") == id_pieces("166+6-4<12345")


def test_a_run_split_over_two_lines_keeps_the_pieces_of_each_part() -> None:
    whole = id_pieces("12001720800052531259")
    split = id_pieces("120017208000\n52531259")
    assert split < whole
    assert id_share(whole, split) == len(windows("120017208000") | {"52531259"}) / len(whole)


def test_the_top_half_of_a_reading_keeps_the_share_of_its_own_pieces() -> None:
    original = id_pieces(REAL_READING)
    lines = REAL_READING.splitlines()
    top = id_pieces("\n".join(lines[: len(lines) // 2]))
    assert 0 < id_share(original, top) < 1
    assert id_share(original, top) == len(top) / len(original)


def test_a_reading_with_other_values_on_the_same_labels_shares_nothing() -> None:
    other = REAL_READING
    for old, new in [
        ("012001800311", "044031900111"),
        ("33207675", "58120934"),
        ("661619942171", "499102837465"),
        ("76939 056883466677916", "11873 204958817263540"),
        ("91120222079642398Y", "91440300MA5F2K7Q1X"),
        ("12001720800052531259", "44201588300067123411"),
        ("048893934", "551200187"),
        ("07//400<+3->", "9+/*12<<4->1"),
        ("0885<+74-<4316", "3112>-90+/5521"),
        ("08268", "55190"),
    ]:
        other = other.replace(old, new)
    assert id_share(id_pieces(REAL_READING), id_pieces(other)) < 0.2


def test_no_pieces_share_nothing() -> None:
    assert id_share(frozenset(), frozenset({"12345678"})) == 0.0


@given(st.lists(st.from_regex(r"[0-9<>*/+\-]{8,30}", fullmatch=True), min_size=1, max_size=6))
def test_share_is_one_for_the_same_text_and_falls_with_lost_lines(runs: list[str]) -> None:
    whole = id_pieces("\n".join(runs))
    part = id_pieces("\n".join(runs[1:]))
    if whole:
        assert id_share(whole, whole) == 1.0
    assert 0.0 <= id_share(whole, part) <= 1.0
    assert id_share(whole, part) == (len(part) / len(whole) if whole else 0.0)
