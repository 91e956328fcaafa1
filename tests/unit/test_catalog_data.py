"""The brand catalog and counterfeit lexicon shipped with probandi: shape and consistency."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import TypedDict, cast

import pytest

import probandi

DATA = Path(probandi.__file__).parent / "domain" / "screening" / "data"

SEVERITIES = {"high", "medium", "low"}
LANGS = {"zh", "en"}
POSITIONS = {"before", "after"}
SHORT = re.compile(r"[A-Za-z&]{1,3}")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# Brands with no established Chinese name: Chinese sellers write the Latin name ("乔丹" alone
# is the unrelated Qiaodan Sports trademark).
# Beats' Chinese nickname 魔音 ("magic sound") is also a generic word for headphones.
LATIN_ONLY = {"Air Jordan", "Beats", "Fear of God", "MCM", "Off-White", "SK-II", "Supreme"}


class BrandEntry(TypedDict):
    brand: str
    aliases: list[str]
    short: list[str]
    slang: list[str]
    common_word: bool


class SlangEntry(TypedDict):
    term: str
    severity: str
    lang: str
    note: str


class CompatibilityEntry(TypedDict):
    phrase: str
    lang: str
    position: str


class LexiconFile(TypedDict):
    slang: list[SlangEntry]
    compatibility: list[CompatibilityEntry]


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def load(name: str) -> object:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def brands() -> list[BrandEntry]:
    return cast(list[BrandEntry], load("brands.json"))


@pytest.fixture(scope="module")
def lexicon() -> LexiconFile:
    return cast(LexiconFile, load("lexicon.json"))


def names(entry: BrandEntry) -> list[str]:
    return [*entry["aliases"], *entry["short"], *entry["slang"]]


def test_brand_entries_have_the_documented_shape(brands: list[BrandEntry]) -> None:
    for entry in brands:
        assert set(entry) == {"brand", "aliases", "short", "slang", "common_word"}, entry
        assert isinstance(entry["brand"], str)
        assert entry["brand"].strip() == entry["brand"] != ""
        assert isinstance(entry["common_word"], bool)
        for key in ("aliases", "short", "slang"):
            values = entry[key]
            assert isinstance(values, list)
            assert all(isinstance(v, str) and v.strip() == v != "" for v in values), entry


def test_there_are_at_least_150_brands_sorted_by_name(brands: list[BrandEntry]) -> None:
    assert len(brands) >= 150
    listed = [entry["brand"] for entry in brands]
    assert listed == sorted(listed, key=fold)
    assert len({fold(b) for b in listed}) == len(listed)


def test_the_canonical_name_is_one_of_the_aliases(brands: list[BrandEntry]) -> None:
    missing = [e["brand"] for e in brands if fold(e["brand"]) not in map(fold, e["aliases"])]
    assert missing == []


def test_every_brand_has_a_chinese_name(brands: list[BrandEntry]) -> None:
    without = {e["brand"] for e in brands if not any(CJK.search(n) for n in names(e))}
    assert without == LATIN_ONLY


def test_no_name_belongs_to_two_brands_or_repeats_within_one(brands: list[BrandEntry]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for entry in brands:
        folded = [fold(n) for n in names(entry)]
        assert len(folded) == len(set(folded)), entry["brand"]
        for name in folded:
            owners[name].add(entry["brand"])
    shared = {name: sorted(b) for name, b in owners.items() if len(b) > 1}
    assert shared == {}


def test_short_aliases_are_at_most_three_latin_letters(brands: list[BrandEntry]) -> None:
    bad = [s for e in brands for s in e["short"] if not SHORT.fullmatch(s)]
    assert bad == []


def test_slang_lexicon_has_60_terms_with_valid_severities(lexicon: LexiconFile) -> None:
    slang = lexicon["slang"]
    assert len(slang) >= 60
    for item in slang:
        assert set(item) == {"term", "severity", "lang", "note"}, item
        assert item["severity"] in SEVERITIES, item
        assert item["lang"] in LANGS, item
        assert item["term"].strip() == item["term"] != ""
    assert {item["lang"] for item in slang} == LANGS
    assert {item["severity"] for item in slang} == SEVERITIES


def test_slang_terms_are_not_repeated(lexicon: LexiconFile) -> None:
    terms = [fold(item["term"]) for item in lexicon["slang"]]
    assert len(terms) == len(set(terms))


def test_compatibility_phrases_are_at_least_25_and_not_repeated(lexicon: LexiconFile) -> None:
    phrases = lexicon["compatibility"]
    assert len(phrases) >= 25
    for item in phrases:
        assert set(item) == {"phrase", "lang", "position"}, item
        assert item["lang"] in LANGS, item
        assert item["position"] in POSITIONS, item
        assert item["phrase"].strip() == item["phrase"] != ""
    keys = [(fold(item["phrase"]), item["position"]) for item in phrases]
    assert len(keys) == len(set(keys))
    assert {item["lang"] for item in phrases} == LANGS


def test_lexicon_terms_are_not_brand_names(brands: list[BrandEntry], lexicon: LexiconFile) -> None:
    brand_names = {fold(n) for e in brands for n in names(e)}
    terms = {fold(i["term"]) for i in lexicon["slang"]}
    terms |= {fold(i["phrase"]) for i in lexicon["compatibility"]}
    assert terms & brand_names == set()
