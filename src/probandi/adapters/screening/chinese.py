"""Chinese language data for screening, from well-kept packages: zhconv and pypinyin."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from probandi.domain.screening.normalize import Folder
from probandi.domain.screening.variants import SoundTable, toneless


@lru_cache(maxsize=1)
def traditional_to_simplified() -> dict[str, str]:
    """Single-character traditional -> simplified mappings (zhconv's zh-Hans table)."""
    import zhconv

    # Read zhconv's table ourselves: its own loader leaves the file open.
    path = Path(zhconv.__file__).parent / "zhcdict.json"
    with path.open("rb") as handle:
        table: dict[str, str] = json.load(handle)["zh2Hans"]
    return {k: v for k, v in table.items() if len(k) == 1 and len(v) == 1 and k != v}


@lru_cache(maxsize=1)
def sound_table() -> SoundTable:
    """Toneless pinyin readings of every character pypinyin knows, usual reading first."""
    from pypinyin.pinyin_dict import pinyin_dict

    readings = {
        chr(code): tuple(dict.fromkeys(toneless(p) for p in spelled.split(",")))
        for code, spelled in pinyin_dict.items()
    }
    return SoundTable(readings)


@lru_cache(maxsize=1)
def default_folder() -> Folder:
    """One folder per process: its tables are large and never change."""
    return Folder(traditional_to_simplified())
