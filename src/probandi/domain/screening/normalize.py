"""The normalizer: fold what sellers type into one matching form, keeping a map back.

`fold_with_offsets(text)` returns the folded text and, for every folded character, the
index of the original character it came from, so a match always points at what the seller
typed. Folding covers NFKC (full width, mathematical letters), case, accents, Cyrillic and
Greek look-alikes, traditional to simplified Chinese (a table the caller supplies), and drops
invisible characters. `squeeze` then removes separators between letters (G.U.C.C.I, 古❤驰).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

# Cyrillic and Greek letters that look like Latin ones (after case folding).
HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g", "ɩ": "i",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ζ": "z", "μ": "u", "ϲ": "c", "ℓ": "l",
}  # fmt: skip
# Capital Greek and Cyrillic letters that look like Latin capitals (lower case differs: υ/Υ).
CAPITAL_HOMOGLYPHS = {
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "А": "a", "В": "b", "Е": "e", "К": "k",
    "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t", "У": "y", "Х": "x",
}  # fmt: skip
# Digits and signs used for letters inside words (gucc1, ch4nel, $upreme).
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))  # variation selectors (❤️)
)
SEPARATOR_PUNCT = frozenset(" \t\r\n._-*·•・|/\\~+=,，。、'\"`^_:;!?！？…")
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in CJK_RANGES)


def is_latin_word_char(ch: str) -> bool:
    """Letters and digits of space-separated scripts, after folding: a-z and 0-9."""
    return ("a" <= ch <= "z") or ("0" <= ch <= "9")


def is_separator(ch: str) -> bool:
    """Characters sellers put between letters to break matching: spaces, dots, emoji, ..."""
    if ch in SEPARATOR_PUNCT or ch in INVISIBLE:
        return True
    category = unicodedata.category(ch)
    return category[0] in "ZS" or category in ("Pd", "Po", "Pc")


@lru_cache(maxsize=65_536)
def _fold_char_base(ch: str) -> str:
    """One character folded: NFKC, case, accents stripped, homoglyphs; may be '' or longer."""
    if ch in INVISIBLE:
        return ""
    if ch in CAPITAL_HOMOGLYPHS:
        return CAPITAL_HOMOGLYPHS[ch]
    text = unicodedata.normalize("NFKC", ch).casefold()
    stripped = (c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", "".join(stripped))  # recompose: 가 stays one syllable
    return "".join(HOMOGLYPHS.get(c, c) for c in text)


@dataclass(frozen=True, eq=False)
class Folder:
    """Folds text with a traditional-to-simplified table supplied by the caller."""

    simplified: Mapping[str, str]

    def fold_char(self, ch: str) -> str:
        base = _fold_char_base(ch)
        if len(base) == 1:
            return self.simplified.get(base, base)
        return base

    def fold(self, text: str) -> str:
        return "".join(self.fold_char(ch) for ch in text)

    def fold_with_offsets(self, text: str) -> tuple[str, list[int]]:
        """Folded text and, per folded character, the original index it came from."""
        out: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            folded = self.fold_char(ch)  # an accent alone folds to ""
            out.append(folded)
            origin.extend([i] * len(folded))
        return "".join(out), origin


def squeeze(folded: str, origin: list[int]) -> tuple[str, list[int]]:
    """Drop separators between letters (G.U.C.C.I -> gucci); keep the map to the original."""
    kept = [(ch, o) for ch, o in zip(folded, origin, strict=True) if not is_separator(ch)]
    return "".join(ch for ch, _ in kept), [o for _, o in kept]


_LEET_TABLE = str.maketrans(LEET)


def deleet(text: str) -> str:
    """Digits and signs read as letters; same length, so offsets still hold."""
    return text.translate(_LEET_TABLE)
