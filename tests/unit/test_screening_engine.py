"""The screening engine: every obfuscation class, the hard negatives, signals, offsets."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probandi.adapters.screening.engine import ScreeningEngine
from probandi.domain.screening.catalog import entry_from_dict
from probandi.domain.screening.lexicon import load_default_lexicon
from probandi.domain.screening.model import MatchKind, ScreenItem, ScreenResult

CATALOG = [
    entry_from_dict(d)
    for d in (
        {"brand": "Gucci", "aliases": ["古驰", "古奇"], "short": ["GG"], "slang": ["G家"]},
        {"brand": "Louis Vuitton", "aliases": ["路易威登"], "short": ["LV"], "slang": ["驴牌"]},
        {"brand": "Chanel", "aliases": ["香奈儿"], "short": ["CC"], "slang": ["香家"]},
        {"brand": "Dior", "aliases": ["迪奥", "Christian Dior"], "short": ["CD"]},
        {"brand": "Balenciaga", "aliases": ["巴黎世家"]},
        {"brand": "Coach", "aliases": ["蔻驰"], "common_word": True},
    )
]


@pytest.fixture(scope="module")
def engine() -> ScreeningEngine:
    return ScreeningEngine(CATALOG, load_default_lexicon())


def screen(engine: ScreeningEngine, title: str, **kw: object) -> ScreenResult:
    result = engine.screen(ScreenItem("t", title, **kw))  # type: ignore[arg-type]
    for m in result.matches:
        assert title[m.start : m.end] == m.text
    return result


@pytest.mark.parametrize(
    ("title", "brand", "kind"),
    [
        ("Gucci 马衔扣乐福鞋", "Gucci", MatchKind.NAME),
        ("古驰 Marmont 包", "Gucci", MatchKind.ALIAS),
        ("古馳 手提包", "Gucci", MatchKind.ALIAS),  # traditional script
        ("Ｇｕｃｃｉ bag", "Gucci", MatchKind.OBFUSCATED),  # full width
        ("𝐆𝐮𝐜𝐜𝐢 bag", "Gucci", MatchKind.OBFUSCATED),  # mathematical letters
        ("Gucсi bag", "Gucci", MatchKind.OBFUSCATED),  # a Cyrillic с
        ("gucc1 bag", "Gucci", MatchKind.OBFUSCATED),  # digit for letter
        ("G U C C I 包", "Gucci", MatchKind.OBFUSCATED),  # separators
        ("G.U.C.C.I 包", "Gucci", MatchKind.OBFUSCATED),
        ("G\u200bu\u200bc\u200bc\u200bi", "Gucci", MatchKind.OBFUSCATED),  # zero width
        ("G🔥U🔥C🔥C🔥I 包", "Gucci", MatchKind.OBFUSCATED),  # emoji padding
        ("古❤驰 包", "Gucci", MatchKind.OBFUSCATED),
        ("guchi 包", "Gucci", MatchKind.PINYIN),
        ("G家 手提包", "Gucci", MatchKind.SLANG),
        ("Balenciage sneakers", "Balenciaga", MatchKind.OBFUSCATED),  # edit distance 1
        ("l0uis vuitt0n 钱包", "Louis Vuitton", MatchKind.OBFUSCATED),
        ("LV 老花手提包", "Louis Vuitton", MatchKind.ALIAS),  # short alias with context
        ("Gucci2024新款", "Gucci", MatchKind.NAME),  # digits end a word
        ("Coach 手提包", "Coach", MatchKind.NAME),  # a common word with context
    ],
)
def test_each_obfuscation_class_is_found(
    engine: ScreeningEngine, title: str, brand: str, kind: MatchKind
) -> None:
    matches = screen(engine, title).matches
    assert [(m.brand, m.kind) for m in matches] == [(brand, kind)]


def test_a_homophone_of_a_longer_chinese_name_is_found(engine: ScreeningEngine) -> None:
    result = screen(engine, "巴黎世佳 老爹鞋")  # 家 -> 佳, same sound
    assert [(m.brand, m.kind) for m in result.matches] == [("Balenciaga", MatchKind.HOMOPHONE)]


@pytest.mark.parametrize(
    "title",
    [
        "dionysus greek mythology book",
        "sports coach whistle",
        "portable cd player",
        "500g*2 牛肉干",
        "silver ring 925",
        "accessories for eggs",
        "LV 电缆",  # a short alias without product context
        "法国火车票 巴黎-布鲁塞尔",
    ],
)
def test_hard_negatives_name_no_brand(engine: ScreeningEngine, title: str) -> None:
    assert screen(engine, title).brands == frozenset()


@pytest.mark.parametrize(
    "title", ["strap for LV bags", "适用于LV包的肩带", "纪念 古驰包专用内胆包"]
)
def test_compatibility_mentions_are_not_brand_claims(engine: ScreeningEngine, title: str) -> None:
    result = screen(engine, title)
    assert result.matches
    assert all(m.kind is MatchKind.COMPATIBILITY for m in result.matches)
    assert result.brands == frozenset()


def test_counterfeit_slang_is_a_signal(engine: ScreeningEngine) -> None:
    result = screen(engine, "G家 高仿 1:1 A货 replica 手提包")
    texts = {s.text for s in result.signals}
    assert {"高仿", "1:1", "A货", "replica"} <= texts
    assert all(s.code == "slang.counterfeit" for s in result.signals)


def test_a_price_far_below_reference_is_a_signal() -> None:
    priced = [replace(CATALOG[0], reference_price=Decimal("10000"), reference_currency="CNY")]
    engine = ScreeningEngine(priced, load_default_lexicon())
    cheap = engine.screen(ScreenItem("1", "Gucci 手提包", Decimal("500"), "CNY"))
    assert [s.code for s in cheap.signals] == ["price.far_below_reference"]
    fair = engine.screen(ScreenItem("2", "Gucci 手提包", Decimal("9000"), "CNY"))
    assert fair.signals == ()


def test_a_batch_keeps_each_title_apart(engine: ScreeningEngine) -> None:
    titles = ["Gucci", "plain tee", "古驰", "G U C C I", ""]
    results = engine.screen_batch([ScreenItem(str(i), t) for i, t in enumerate(titles)])
    assert [r.id for r in results] == ["0", "1", "2", "3", "4"]
    assert [bool(r.matches) for r in results] == [True, False, True, True, False]


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(max_size=30),
    after=st.text(max_size=30),
    name=st.sampled_from(["Gucci", "古驰", "Ｇｕｃｃｉ", "G U C C I", "gucc1", "驴牌", "香奈儿"]),
)
def test_every_match_points_at_what_the_seller_typed(
    engine: ScreeningEngine, before: str, after: str, name: str
) -> None:
    title = before + " " + name + " " + after
    for m in engine.screen(ScreenItem("x", title)).matches:
        assert 0 <= m.start < m.end <= len(title)
        assert title[m.start : m.end] == m.text


def test_a_title_whose_lower_case_is_longer_does_not_shift_the_next(
    engine: ScreeningEngine,
) -> None:
    titles = ["İstanbul İİİ 手提包", "Gucci 手提包", "古驰 包"]  # "İ".lower() is two characters
    results = engine.screen_batch([ScreenItem(str(i), t) for i, t in enumerate(titles)])
    for title, result in zip(titles[1:], results[1:], strict=True):
        assert [m.text for m in result.matches] == [title.split()[0]]
