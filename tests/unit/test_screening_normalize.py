"""The normalizer's offset map: every folded character points back into the original."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from probandi.adapters.screening.chinese import default_folder
from probandi.adapters.screening.engine import ScreeningEngine
from probandi.domain.screening.catalog import entry_from_dict
from probandi.domain.screening.lexicon import load_default_lexicon
from probandi.domain.screening.model import ScreenItem
from probandi.domain.screening.normalize import deleet, squeeze

FOLDER = default_folder()
CATALOG = [
    entry_from_dict({"brand": "Gucci", "aliases": ["古驰"]}),
]


@given(st.text(max_size=60))
def test_each_folded_character_maps_to_an_original_one(text: str) -> None:
    folded, origin = FOLDER.fold_with_offsets(text)
    assert len(folded) == len(origin)
    assert all(0 <= o < len(text) for o in origin)
    assert origin == sorted(origin)


@given(st.text(max_size=60))
def test_squeezing_keeps_the_map(text: str) -> None:
    folded, origin = FOLDER.fold_with_offsets(text)
    squeezed, kept = squeeze(folded, origin)
    assert len(squeezed) == len(kept)
    assert set(kept) <= set(origin)
    assert len(deleet(squeezed)) == len(squeezed)


def test_folding_examples() -> None:
    assert FOLDER.fold("Ｇｕｃｃｉ") == "gucci"
    assert FOLDER.fold("𝐆𝐮𝐜𝐜𝐢") == "gucci"
    assert FOLDER.fold("Gucсi") == "gucci"  # Cyrillic с
    assert FOLDER.fold("DКNΥ") == "dkny"  # Cyrillic К, Greek capital Υ
    assert FOLDER.fold("古馳") == "古驰"
    assert FOLDER.fold("Herme\u0301s") == "hermes"
    assert FOLDER.fold("G\u200bucci") == "gucci"
    assert deleet("gucc1 ch4nel $upreme") == "gucci chanel supreme"


@pytest.fixture(scope="module")
def engine() -> ScreeningEngine:
    return ScreeningEngine(CATALOG, load_default_lexicon())


@settings(max_examples=300)
@given(text=st.text(max_size=40))
@example(text="\U00010eab")  # a combining mark outside the BMP, found by Hypothesis
def test_the_quick_fold_keeps_the_same_offsets_as_the_walk(
    engine: ScreeningEngine, text: str
) -> None:
    quick, origin = engine._fold(text)
    _walked, walked_origin = FOLDER.fold_with_offsets(text)
    assert origin == walked_origin
    assert len(quick) == len(origin)


def test_invisible_characters_and_expanding_letters_do_not_shift_a_match(
    engine: ScreeningEngine,
) -> None:
    for title in ("\u200bGucci bag ß", "\u0301Gucci Marmont ß", "ß古驰\u200b包"):
        matches = engine.screen(ScreenItem("t", title)).matches
        assert matches, title
        assert all(title[m.start : m.end] == m.text for m in matches)
        assert matches[0].brand == "Gucci"
