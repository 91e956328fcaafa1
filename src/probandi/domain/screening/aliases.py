"""Which gated brands does a listing name? The simple exact/folded matcher.

The obfuscation-proof engine plugs into the same `BrandScreener` port later; this one is
deliberately plain: exact alias match after case and width folding, with word boundaries
for Latin-script aliases so that `dior` does not fire inside `dionysus`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from probandi.domain.brands import Brand, fold


@dataclass(frozen=True)
class BrandMatch:
    """A brand named in a field of a listing; start/end index the original text."""

    brand_id: str
    brand_name: str
    field: str
    text: str
    start: int
    end: int
    kind: str = "name"
    tier: str = "named"  # or "likely": a derived alias the title's evidence makes probable
    score: float = 1.0
    evidence: str = ""  # for a likely match: the evidence, in words (for the statement)


CJK_START = 0x2E80  # from here on, scripts are written without spaces between words


def _is_word_char(ch: str) -> bool:
    """Letters and digits of space-separated scripts (Latin, Greek, Cyrillic, ...)."""
    return (ch.isalnum() and ord(ch) < CJK_START) or unicodedata.combining(ch) > 0


def _clusters(text: str) -> list[tuple[int, str]]:
    """Each base character with its combining marks, so e + U+0301 folds like è."""
    out: list[tuple[int, str]] = []
    for i, ch in enumerate(text):
        if out and unicodedata.combining(ch):
            start, chunk = out[-1]
            out[-1] = (start, chunk + ch)
        else:
            out.append((i, ch))
    return out


def _bounded(text: str, start: int, end: int) -> bool:
    """A Latin alias must not touch other Latin letters or digits on either side."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    needs_left = _is_word_char(text[start])
    needs_right = _is_word_char(text[end - 1])
    return not ((needs_left and _is_word_char(before)) or (needs_right and _is_word_char(after)))


class AliasMatcher:
    """Built once per registry version; finds gated brands in titles and brand fields."""

    def __init__(self, brands: list[Brand]) -> None:
        self._names: list[tuple[str, Brand]] = []
        for brand in brands:
            if brand.gated:
                for name in brand.names_folded():
                    if name:
                        self._names.append((name, brand))
        # Longest names first, so "louis vuitton" wins over "lv" when both appear.
        self._names.sort(key=lambda item: -len(item[0]))

    def screen(self, fields: dict[str, str | None]) -> list[BrandMatch]:
        matches: list[BrandMatch] = []
        for field_name, value in fields.items():
            if value:
                matches.extend(self._screen_text(field_name, value))
        return matches

    def _screen_text(self, field_name: str, text: str) -> list[BrandMatch]:
        # NFKC can change lengths (e.g. ligatures); fold per cluster to keep offsets.
        clusters = _clusters(text)
        folded_parts = [fold(chunk) for _, chunk in clusters]
        folded = "".join(folded_parts)
        offsets: list[int] = []
        ends: list[int] = []
        for (start, chunk), part in zip(clusters, folded_parts, strict=True):
            offsets.extend([start] * len(part))
            ends.extend([start + len(chunk)] * len(part))
        found: list[BrandMatch] = []
        taken: list[tuple[int, int]] = []
        for name, brand in self._names:
            pos = folded.find(name)
            while pos != -1:
                end = pos + len(name)
                if _bounded(folded, pos, end) and not any(
                    pos < t_end and end > t_start for t_start, t_end in taken
                ):
                    taken.append((pos, end))
                    o_start, o_end = offsets[pos], ends[end - 1]
                    found.append(
                        BrandMatch(
                            brand.id, brand.name, field_name, text[o_start:o_end], o_start, o_end
                        )
                    )
                pos = folded.find(name, pos + 1)
        return sorted(found, key=lambda m: m.start)
