"""Aliases derived from a brand's own names: the forms sellers write when they do not name
the brand outright. None of them holds a listing on its own: each is weighed by how ordinary
the string is (`specificity`) and by the title's evidence (`evidence`).

- Truncated Chinese transliterations: every run of at least 2 characters of a Chinese name
  of 3 or more (阿玛 and 玛尼 of 阿玛尼; 华伦, 天奴, 华伦天 ... of 华伦天奴).
- Partial Latin names: each word of at least 4 letters of a multi-word name (McQueen,
  Westwood, Vivier, Malone), and clipped forms of a name's words: prefixes of 4 letters or
  more (Monc, Prad, Ferr) and suffixes of 5 or more of words of 7 or more (eitling).
- Trade nicknames: from the brand profiles, with their sources (`profiles.py`).

Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from probandi.domain.screening.model import MatchKind
from probandi.domain.screening.normalize import is_cjk

MIN_CJK = 2  # characters
MIN_LATIN = 4  # letters
MIN_SUFFIX = 5
# Words of a brand name that name nothing by themselves.
NAME_STOPWORDS_TEXT = """
the and von van der den des del della dello degli di da de du la le les los las et und y e
of for paris milano london new york company group maison atelier house collection studio
studios original originals official
"""
NAME_STOPWORDS = frozenset(NAME_STOPWORDS_TEXT.split())
WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Derived:
    text: str  # as written (lower-case Latin, Chinese as in the name)
    kind: MatchKind
    name: str  # the name it was derived from, or the nickname's meaning


def _cjk_runs(name: str) -> Iterator[str]:
    run: list[str] = []
    for ch in name:
        if is_cjk(ch):
            run.append(ch)
        else:
            if run:
                yield "".join(run)
            run = []
    if run:
        yield "".join(run)


def truncations(name: str) -> Iterator[str]:
    """Every shorter run of at least `MIN_CJK` characters of each Chinese run of `name`."""
    for run in _cjk_runs(name):
        n = len(run)
        for size in range(MIN_CJK, n):
            for start in range(n - size + 1):
                yield run[start : start + size]


def partials(name: str) -> Iterator[str]:
    """Words and clipped forms of a Latin name, lower-cased."""
    words = WORD.findall(name.lower())
    if not words:
        return
    if len(words) > 1:
        for word in words:
            if len(word) >= MIN_LATIN and word not in NAME_STOPWORDS:
                yield word
    for word in words:
        if word in NAME_STOPWORDS or len(word) <= MIN_LATIN:
            continue
        for end in range(MIN_LATIN, len(word)):
            yield word[:end]
        if len(word) >= 7:
            for start in range(1, len(word) - MIN_SUFFIX + 1):
                yield word[start:]


def derive(names: Iterable[str], nicknames: Iterable[tuple[str, str]] = ()) -> list[Derived]:
    """The derived aliases of one brand, from its names and its (nickname, meaning) pairs;
    none equal to one of its names."""
    names = tuple(names)
    own = {n.lower() for n in names}
    found: dict[str, Derived] = {}
    for nickname, meaning in nicknames:
        text = nickname.strip().lower() if nickname.isascii() else nickname.strip()
        if _long_enough(text) and text not in own:
            found.setdefault(text, Derived(text, MatchKind.NICKNAME, meaning))
    for name in names:
        for text in truncations(name):
            if text not in own:
                found.setdefault(text, Derived(text, MatchKind.TRUNCATED, name))
        if name.isascii():
            for text in partials(name):
                if text not in own:
                    found.setdefault(text, Derived(text, MatchKind.PARTIAL, name))
    return list(found.values())


def _long_enough(text: str) -> bool:
    """At least 2 CJK characters, or 4 Latin letters: shorter never stands alone."""
    cjk = sum(is_cjk(ch) for ch in text)
    letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    return cjk >= MIN_CJK or letters >= MIN_LATIN
