"""Chinese language data for screening, from well-kept packages: zhconv and pypinyin."""

from __future__ import annotations

from functools import lru_cache

from probandi.domain.screening.variants import SoundTable, toneless


@lru_cache(maxsize=1)
def traditional_to_simplified() -> dict[str, str]:
    """Single-character traditional -> simplified mappings (zhconv's zh-Hans table)."""
    import zhconv.zhconv as data

    data.loaddict()
    table: dict[str, str] = data.zhcdicts["zh2Hans"]
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
