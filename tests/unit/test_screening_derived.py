"""Derived aliases (issue 20): truncations, partial names and nicknames, generated from a
brand's names and weighed by the title's evidence. No derived alias shorter than 2 CJK
characters or 4 Latin letters exists, and none holds a listing on its own."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probandi.adapters.screening.engine import ScreeningEngine, load_default_catalog
from probandi.adapters.screening.specificity import frequencies
from probandi.domain.screening.derive import derive, partials, truncations
from probandi.domain.screening.evidence import (
    POSITIVE,
    WEIGHTS,
    TierPolicy,
    load_given_names,
    price_evidence,
    prior,
    probability,
    tier_of,
)
from probandi.domain.screening.model import DERIVED, HELD, MatchKind, ScreenItem, Tier
from probandi.domain.screening.normalize import is_cjk


@pytest.fixture(scope="module")
def engine() -> ScreeningEngine:
    return ScreeningEngine(load_default_catalog())


def held(engine: ScreeningEngine, title: str, **kw: object) -> dict[str, Tier]:
    result = engine.screen(ScreenItem("t", title, **kw))  # type: ignore[arg-type]
    return {m.brand: m.tier for m in result.matches if m.tier in HELD}


def test_truncations_are_every_shorter_run_of_two_or_more() -> None:
    assert sorted(truncations("阿玛尼")) == ["玛尼", "阿玛"]
    assert set(truncations("华伦天奴")) == {"华伦", "伦天", "天奴", "华伦天", "伦天奴"}
    assert list(truncations("迪奥")) == []  # nothing shorter than 2 is left
    assert set(truncations("Dior 迪奥 香水")) == set()


def test_partials_are_words_and_clipped_forms_of_four_letters_or_more() -> None:
    found = set(partials("Alexander McQueen"))
    assert {"mcqueen", "alexander", "mcqu", "alex", "ueen"} - {"ueen"} <= found
    assert "ueen" not in found  # suffixes only of words of 7 or more, 5 letters or more
    assert set(partials("Breitling")) >= {"brei", "breitlin", "eitling"}
    cleef = set(partials("Van Cleef & Arpels"))
    assert "van" not in cleef
    assert {"cleef", "arpels"} <= cleef
    assert set(partials("Dior")) == set()  # a 4-letter single word has no shorter form


names = st.lists(
    st.text(
        alphabet=st.sampled_from(
            list("abcdefghijklmnopqrstuvwxyz &.-") + list("阿玛尼华伦天奴战马")
        ),
        min_size=1,
        max_size=16,
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(names, st.lists(st.tuples(st.text(max_size=6), st.just("m")), max_size=3))
def test_no_derived_alias_is_shorter_than_two_cjk_or_four_latin(
    brand_names: list[str], nicknames: list[tuple[str, str]]
) -> None:
    own = {n.lower() for n in brand_names}
    for d in derive(brand_names, nicknames):
        cjk = sum(is_cjk(ch) for ch in d.text)
        letters = sum(ch.isascii() and ch.isalpha() for ch in d.text)
        assert cjk >= 2 or letters >= 4, d
        assert d.text not in own
        assert d.kind in DERIVED


def test_the_prior_falls_as_the_string_gets_more_ordinary() -> None:
    rare, unseen = prior(1e-6, MatchKind.TRUNCATED), prior(0.0, MatchKind.TRUNCATED)
    common = prior(1e-4, MatchKind.PARTIAL)
    assert unseen == 3.0
    assert common < rare < unseen
    assert prior(1e-6, MatchKind.NICKNAME) == pytest.approx(prior(1e-6, MatchKind.TRUNCATED) + 1)
    assert probability(0.0) == 0.5
    assert math.isclose(probability(math.log(3)), 0.75)


def test_without_positive_context_even_a_sure_alias_is_only_possible() -> None:
    policy = TierPolicy()
    assert tier_of(0.999, [], policy) is Tier.POSSIBLE
    assert tier_of(0.999, ["no_product"], policy) is Tier.POSSIBLE
    assert tier_of(0.9, ["category"], policy) is Tier.LIKELY
    assert tier_of(0.6, ["category"], policy) is Tier.POSSIBLE
    assert tier_of(0.2, ["category", "claim"], policy) is None
    assert all(WEIGHTS[e] > 0 for e in POSITIVE)
    with pytest.raises(ValueError, match="thresholds"):
        TierPolicy(likely=0.4, possible=0.6)


def test_price_evidence() -> None:
    ref = Decimal("10000")
    assert price_evidence(Decimal("9000"), "CNY", ref, "CNY") == "price_luxury"
    assert price_evidence(Decimal("20"), "CNY", ref, "CNY") == "price_trivial"
    assert price_evidence(Decimal("900"), "CNY", ref, "CNY") is None
    assert price_evidence(Decimal("20"), "USD", ref, "CNY") is None


def test_frequencies_count_chinese_inside_words_and_latin_as_words() -> None:
    island, vivier, amani, unseen = frequencies(
        [("island", ()), ("vivier", ()), ("阿玛", ("阿玛尼",)), ("罗意威包", ())]
    )
    assert island > 1e-5 > vivier > 0
    assert 0 < amani < 1e-5
    assert unseen == 0.0


# -- the engine ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "brand"),
    [
        ("罗意 拼图包 小号 手提包 专柜正品", "Loewe"),
        ("天奴 铆钉高跟鞋 女鞋 正品", "Valentino"),
        ("McQueen oversized sneakers white leather shoes", "Alexander McQueen"),
    ],
)
def test_a_derived_alias_with_product_context_is_likely(
    engine: ScreeningEngine, title: str, brand: str
) -> None:
    result = engine.screen(ScreenItem("t", title))
    match = next(m for m in result.matches if m.brand == brand)
    assert match.tier is Tier.LIKELY, match
    assert match.kind in DERIVED
    assert 0.85 <= match.score <= 1
    assert set(match.evidence) & POSITIVE


@pytest.mark.parametrize(
    "title",
    [
        "coach whistle for referees",
        "omega 3 fish oil 1000mg softgels",
        "tiffany blue paint 1 gallon",
        "goya print canvas wall art",
        "island kitchen stools set of 2",
        "christian cross necklace silver",
        "boss battle game poster",
        "万国旗 装饰彩旗 开业庆典",
        "力士 沐浴露 1L 家庭装",
    ],
)
def test_ordinary_words_that_are_brands_hold_nothing(engine: ScreeningEngine, title: str) -> None:
    assert held(engine, title) == {}


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_derived_alias_alone_never_holds(engine: ScreeningEngine, data: st.DataObject) -> None:
    derived = [(t, p) for t, p in engine.patterns.items() if p.kind in DERIVED]
    text, _ = data.draw(st.sampled_from(derived))
    filler = data.draw(st.sampled_from(["", " ", " 123", " xx", " 2024"]))
    assert held(engine, text + filler) == {}, text


@pytest.mark.parametrize(
    ("title", "why"),
    [
        ("patagonia trekking atlas paperback 2nd edition", "other_goods"),
        ("gucci family history biography hardcover", "other_goods"),
        ("萧邦 练习曲 琴谱 钢琴 教材", "other_goods"),
        ("alice cartier wedding photo frame", "person"),
        ("狗牙 手链 复古 藏式", "ordinary_sense"),  # Goyard's slang; a dog's tooth amulet
        ("小香风 连衣裙 粗花呢 女", "style_of"),  # a tweed style, not a claim
    ],
)
def test_a_name_meaning_something_else_is_only_possible(
    engine: ScreeningEngine, title: str, why: str
) -> None:
    result = engine.screen(ScreenItem("t", title))
    assert result.matches, "the name is still reported, as a review signal"
    assert all(m.tier is Tier.POSSIBLE for m in result.matches), result.matches
    assert any(m.evidence == (why,) for m in result.matches), result.matches


@pytest.mark.parametrize(
    ("title", "brand"),
    [
        ("Gucci phone case iPhone 15", "Gucci"),
        ("Rolex coin purse green leather", "Rolex"),  # "coin purse" is a wallet, not a coin
        ("Louis Vuitton Neverfull canvas print tote", "Louis Vuitton"),
        ("Tom Ford sunglasses FT0237", "Tom Ford"),  # the brand's own given name
        ("Christian Louboutin So Kate pumps 38", "Christian Louboutin"),
        ("Patagonia Nano Puff jacket travel", "Patagonia"),
        ("Cartier Love bracelet poster gift box", "Cartier"),  # the brand's goods are there
        ("chanel-style quilted tote bag", "Chanel"),  # brand-name misuse, not a style
        ("Burberry风衣 经典款 卡其色", "Burberry"),  # 风衣 is a trench coat, not a style
        ("狗牙 墨镜 女 新款", "Goyard"),  # goods it does not make: a fantasy counterfeit
    ],
)
def test_a_brand_named_with_its_goods_stays_named(
    engine: ScreeningEngine, title: str, brand: str
) -> None:
    assert held(engine, title).get(brand) is Tier.NAMED


def test_given_names_leave_out_ordinary_words() -> None:
    names = load_given_names()
    assert {"jacques", "freeman", "annie", "rudolph"} <= names
    assert not {"rose", "ruby", "chelsea", "jordan", "may", "coco"} & names
