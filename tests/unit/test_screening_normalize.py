"""The normalizer's offset map: every folded character points back into the original."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from probandi.adapters.screening.chinese import default_folder
from probandi.domain.screening.normalize import deleet, squeeze

FOLDER = default_folder()


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
