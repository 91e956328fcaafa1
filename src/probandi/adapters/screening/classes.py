"""Character classes for the fast path, as a lookup table over all code points (numpy).

A batch of titles is classified in a few vector operations to find the few titles that need
the careful path: characters that folding changes (full width, look-alikes, traditional
Chinese, invisibles), and letters split by separators, symbols or digits.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from probandi.domain.screening.normalize import INVISIBLE, Folder, is_separator

OTHER, LETTER, DIGIT, SEPARATOR, SPACE, CJK, FOLDS, SYMBOL = range(8)
ASCII_SEPARATORS = "._-*|/+~\\·•・"
FOLDING_RANGES = ((0x80, 0x2FFF), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0xF900, 0xFAFF))
SYMBOL_RANGES = ((0x2190, 0x2BFF), (0x1F000, 0x1FAFF), (0xFE00, 0xFE0F))
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))
Classes = npt.NDArray[np.uint8]


def _ascii(table: Classes) -> None:
    for code in range(128):
        ch = chr(code)
        if ch.isalpha():
            table[code] = LETTER
        elif ch.isdigit():
            table[code] = DIGIT
        elif ch in " \t":
            table[code] = SPACE
        elif ch in ASCII_SEPARATORS:
            table[code] = SEPARATOR


def _folding(table: Classes, folder: Folder) -> None:
    for lo, hi in FOLDING_RANGES:
        for code in range(lo, hi + 1):
            ch = chr(code)
            folded = folder.fold_char(ch)
            if ch in INVISIBLE or (folded != ch.lower() and any(c.isalnum() for c in folded)):
                table[code] = FOLDS
            elif unicodedata.category(ch) in ("So", "Sk", "Sm"):
                table[code] = SYMBOL
            elif ch in ASCII_SEPARATORS:
                table[code] = SEPARATOR
            elif unicodedata.category(ch) == "Zs":
                table[code] = SPACE


@lru_cache(maxsize=4)
def build_classes(folder: Folder) -> Classes:
    table: Classes = np.zeros(0x110000, dtype=np.uint8)
    for lo, hi in SYMBOL_RANGES:
        table[lo : hi + 1] = SYMBOL
    for lo, hi in CJK_RANGES:
        table[lo : hi + 1] = CJK
    _ascii(table)
    _folding(table, folder)
    for ch in (*folder.simplified, *INVISIBLE):
        table[ord(ch)] = FOLDS
    return table


SMALL = 512  # below this many characters, plain Python beats numpy's call overhead


def careful_titles(joined: str, starts: Sequence[int], table: Classes) -> set[int]:
    """Indices of titles the fast path cannot take."""
    if len(joined) < SMALL:
        return _careful_small(joined, starts, table)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    c = table[codes]
    flag = c == FOLDS
    word = (c == LETTER) | (c == CJK)
    # Symbols and emoji between letters (G🔥U🔥C, 古❤驰); plain separators between letters
    # (G.U.C.C.I, 古·驰) are matched on the fast path by spaced and separated name forms.
    flag[1:-1] |= (c[1:-1] == SYMBOL) & word[:-2] & word[2:]
    positions = np.flatnonzero(flag)
    if positions.size == 0:
        return set()
    found = np.searchsorted(np.asarray(starts), positions, side="right") - 1
    return set(np.unique(found).tolist())


@lru_cache(maxsize=4)
def fold_tables(folder: Folder) -> tuple[dict[int, str], frozenset[str]]:
    """A `str.translate` table of every character folding changes, and all separators."""
    table: dict[int, str] = {}
    separators: set[str] = set()
    # The BMP and SMP: any character whose folded form differs must be in the table, or the
    # quick fold and the offset walk would disagree (ﯪ folds to two letters).
    ranges = [(0x20, 0xFFFF), (0x10000, 0x1FFFF)]  # BMP and SMP (combining marks, math)
    for lo, hi in ranges:
        for code in range(lo, hi + 1):
            ch = chr(code)
            folded = folder.fold_char(ch)
            if folded != ch.lower():
                table[code] = folded
            if is_separator(ch):
                separators.add(ch)
    for ch, simple in folder.simplified.items():
        table[ord(ch)] = simple
    for ch in INVISIBLE:
        table[ord(ch)] = ""
    return table, frozenset(separators)


def _careful_small(joined: str, starts: Sequence[int], table: Classes) -> set[int]:
    """The same rules as `careful_titles`, for a listing push of one or two short fields."""
    classes = table[np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)].tolist()
    if FOLDS not in classes and SYMBOL not in classes:
        return set()
    found: set[int] = set()
    words = (LETTER, CJK)
    for i, c in enumerate(classes):
        symbol_between = (
            c == SYMBOL
            and 0 < i < len(classes) - 1
            and classes[i - 1] in words
            and classes[i + 1] in words
        )
        if c == FOLDS or symbol_between:
            found.add(bisect_right(starts, i) - 1)
    return found
