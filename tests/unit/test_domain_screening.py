"""AliasMatcher: which gated brands a listing names, with offsets into the original text."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.brands import Brand, fold
from probandi.domain.screening import AliasMatcher, BrandMatch
from tests.unit.builders import a_brand

GUCCI = a_brand()
LOUIS_VUITTON = Brand(id="lv", name="Louis Vuitton", aliases=("LV", "路易威登"))
DIOR = Brand(id="dior", name="Dior", aliases=("迪奥",))
RALPH_LAUREN = Brand(id="ralph-lauren", name="Ralph Lauren")
LAUREN = Brand(id="lauren", name="Lauren")
HERMES = Brand(id="hermes", name="Hermès", aliases=("爱马仕",))
BOSS = Brand(id="boss", name="Boss")


def screen_title(title: str, *brands: Brand) -> list[BrandMatch]:
    return AliasMatcher(list(brands or (GUCCI,))).screen({"title": title})


def spans(matches: list[BrandMatch]) -> list[tuple[str, str, int, int]]:
    return [(m.brand_id, m.text, m.start, m.end) for m in matches]


def full_width(text: str) -> str:
    """ASCII letters and digits to their full-width forms (Ｇｕｃｃｉ)."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


def test_an_exact_alias_is_matched_with_its_offsets() -> None:
    title = "Gucci Marmont bag"
    [match] = screen_title(title)
    assert match == BrandMatch("gucci", "Gucci", "title", "Gucci", 0, 5)


@pytest.mark.parametrize(
    "title",
    [
        "Authentic GUCCI bag",
        "authentic gucci bag",
        "Authentic Ｇｕｃｃｉ bag",
        "Authentic ｇｕｃｃｉ bag",
    ],
)
def test_case_and_width_variants_match_and_point_into_the_original_text(title: str) -> None:
    [match] = screen_title(title)
    assert match.brand_id == "gucci"
    assert (match.start, match.end) == (10, 15)
    assert title[match.start : match.end] == match.text
    assert fold(match.text) == "gucci"


def test_a_full_width_brand_keeps_its_full_width_text_in_the_match() -> None:
    title = "正品Ｇｕｃｃｉ包"
    [match] = screen_title(title)
    assert match.text == "Ｇｕｃｃｉ"
    assert title[match.start : match.end] == "Ｇｕｃｃｉ"


def test_offsets_stay_in_the_original_text_when_folding_changes_lengths() -> None:
    title = "ﬁne STRAßE edition Gucci"  # the ligature and ß fold to two letters each
    [match] = screen_title(title)
    assert title[match.start : match.end] == "Gucci"
    assert match.start == title.index("Gucci")


@pytest.mark.parametrize(
    "title", ["Dionysus GG bag", "Diorama print", "Christian-dioramas", "dior2"]
)
def test_a_latin_alias_is_not_matched_inside_a_longer_word(title: str) -> None:
    assert screen_title(title, DIOR) == []


@pytest.mark.parametrize(
    "title", ["Dior saddle bag", "(Dior)", "Miss-Dior perfume", "dior/gucci", "迪奥Dior包"]
)
def test_a_latin_alias_between_separators_or_cjk_is_matched(title: str) -> None:
    assert "dior" in [fold(m.text) for m in screen_title(title, DIOR)]


def test_a_chinese_alias_is_matched_inside_a_cjk_title_without_spaces() -> None:
    title = "正品古驰女士单肩包"
    [match] = screen_title(title)
    assert (match.brand_id, match.text, match.start, match.end) == ("gucci", "古驰", 2, 4)
    assert title[match.start : match.end] == "古驰"


def test_a_chinese_alias_is_matched_next_to_latin_letters() -> None:
    [match] = screen_title("NEW古驰GG")
    assert match.text == "古驰"


def test_ungated_brands_are_ignored() -> None:
    ungated = Brand(id="uniqlo", name="Uniqlo", aliases=("优衣库",), gated=False)
    assert screen_title("Uniqlo 优衣库 T-shirt", ungated) == []


def test_the_longest_alias_wins_over_a_shorter_overlapping_one() -> None:
    title = "Ralph Lauren polo shirt"
    assert spans(screen_title(title, LAUREN, RALPH_LAUREN)) == [
        ("ralph-lauren", "Ralph Lauren", 0, 12)
    ]


def test_the_shorter_alias_still_matches_where_the_longer_one_does_not_overlap() -> None:
    title = "Ralph Lauren shirt, Lauren scarf"
    assert spans(screen_title(title, LAUREN, RALPH_LAUREN)) == [
        ("ralph-lauren", "Ralph Lauren", 0, 12),
        ("lauren", "Lauren", 20, 26),
    ]


def test_every_occurrence_is_reported_in_order_of_position() -> None:
    title = "LV bag, Louis Vuitton strap, 路易威登 box, lv"
    found = spans(screen_title(title, LOUIS_VUITTON))
    assert [(text, start) for _, text, start, _ in found] == [
        ("LV", 0),
        ("Louis Vuitton", 8),
        ("路易威登", 29),
        ("lv", 39),
    ]


def test_every_screened_field_is_reported_by_name_and_empty_fields_are_skipped() -> None:
    matcher = AliasMatcher([GUCCI, DIOR])
    found = matcher.screen({"brand": "Gucci", "title": "Dior dress", "category": None})
    assert [(m.field, m.brand_id) for m in found] == [("brand", "gucci"), ("title", "dior")]
    assert matcher.screen({"brand": None, "title": ""}) == []


def test_a_match_carries_the_canonical_brand_name_not_the_alias() -> None:
    [match] = screen_title("路易威登", LOUIS_VUITTON)
    assert (match.brand_name, match.text) == ("Louis Vuitton", "路易威登")


def test_an_accented_alias_is_matched_when_written_precomposed() -> None:
    [match] = screen_title("Hermès Birkin 30", HERMES)
    assert match.text == "Hermès"


def test_an_accented_alias_is_matched_when_written_decomposed() -> None:
    title = unicodedata.normalize("NFD", "Hermès Birkin 30")
    [match] = screen_title(title, HERMES)
    assert title[match.start : match.end] == match.text


def test_a_latin_alias_is_not_matched_before_an_accented_latin_letter() -> None:
    assert screen_title("Sac cabas bossé à la main", BOSS) == []


# --- properties --------------------------------------------------------------------------

ALIAS_VARIANT = st.sampled_from(["Gucci", "GUCCI", "gucci", "gUcCi", "古驰"]).flatmap(
    lambda alias: st.sampled_from([alias, full_width(alias)])
)


@given(prefix=st.text(max_size=20), variant=ALIAS_VARIANT, suffix=st.text(max_size=20))
def test_an_alias_variant_between_spaces_is_found_at_its_exact_span(
    prefix: str, variant: str, suffix: str
) -> None:
    title = f"{prefix} {variant} {suffix}"
    start = len(prefix) + 1
    found = screen_title(title)
    assert (variant, start, start + len(variant)) in [(m.text, m.start, m.end) for m in found]


@given(st.text(max_size=60))
def test_every_match_points_at_its_own_text_and_matches_never_overlap(title: str) -> None:
    found = screen_title(title, GUCCI, LOUIS_VUITTON, DIOR, LAUREN, RALPH_LAUREN)
    for match in found:
        assert 0 <= match.start < match.end <= len(title)
        assert title[match.start : match.end] == match.text
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start
