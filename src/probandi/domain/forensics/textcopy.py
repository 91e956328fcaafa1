"""Copies as read, among the documents an upload matched image to image.

Two documents of one template share their printed labels, never their content: names,
goods, amounts, ids. So:
- a **doctored copy**: every line of an earlier document is on this one except at most
  `MAX_CHANGED` lines that are mostly digits (its number, date or an amount typed over);
- **the same sale**: most of the earlier document's numbers (its date, amounts, ids: runs of
  at least `MIN_DIGITS` digits) are on this one. A blurred photo misreads a digit of the
  receipt number, but not the date, every amount and the total at once.
Pure: the service brings both readings.
"""

from __future__ import annotations

import re
from collections import Counter

MIN_LINES = 8  # distinct lines of the earlier document, for its text to say anything
MAX_CHANGED = 3  # of its lines missing here: a number, a date, one amount
MIN_ALNUM = 3  # letters and digits for a line to count ("#74" and stray marks do not)


def text_lines(text: str) -> list[str]:
    """Distinct lines as compared: upper case, no white space, at least `MIN_ALNUM` letters
    or digits; in reading order."""
    lines = (re.sub(r"\s+", "", line).upper() for line in text.splitlines())
    kept = (line for line in lines if sum(ch.isalnum() for ch in line) >= MIN_ALNUM)
    return list(dict.fromkeys(kept))


def _mostly_digits(line: str) -> bool:
    alnum = [ch for ch in line if ch.isalnum()]
    return sum(ch.isdigit() for ch in alnum) * 2 >= len(alnum)


def retyped_lines(ours: str, theirs: str) -> list[str] | None:
    """The lines of `theirs` re-typed on `ours` when `ours` is `theirs` with a few fields of
    digits changed; None when it is not (too little text, other content, or no change)."""
    their_lines = text_lines(theirs)
    if len(their_lines) < MIN_LINES:
        return None
    have = set(text_lines(ours))
    missing = [line for line in their_lines if line not in have]
    if not missing or len(missing) > MAX_CHANGED:
        return None
    return missing if all(_mostly_digits(line) for line in missing) else None


MIN_DIGITS = 6  # digits in a run that counts as a number of the document
MIN_NUMBERS = 5  # numbers the earlier document needs for its share to say anything
SAME_SALE = 0.7  # of its numbers found on this one

_NUMBER = re.compile(r"\d[\d.,/:\- ]*\d")


def numbers_of(text: str) -> set[str]:
    """The document's numbers: digit runs (separators inside dropped) of `MIN_DIGITS`."""
    runs = (re.sub(r"\D", "", m[0]) for m in _NUMBER.finditer(text))
    return {run for run in runs if len(run) >= MIN_DIGITS}


def same_numbers(ours: str, theirs: str, printed: frozenset[str] = frozenset()) -> float | None:
    """The share of `theirs`'s numbers found on `ours`, leaving out those `printed` on the
    template (found on other sellers' documents of the layout too, as a shop's telephone);
    None when it has too few."""
    their_numbers = numbers_of(theirs) - printed
    if len(their_numbers) < MIN_NUMBERS:
        return None
    return len(their_numbers & numbers_of(ours)) / len(their_numbers)


def printed_numbers(texts: list[str]) -> frozenset[str]:
    """Numbers on at least two of these documents (of different sellers): the template's."""
    seen: Counter[str] = Counter()
    for text in texts:
        seen.update(numbers_of(text))
    return frozenset(n for n, count in seen.items() if count >= 2)
