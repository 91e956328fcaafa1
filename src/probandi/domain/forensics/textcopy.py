"""A doctored copy as read: another document's text line for line, but for a few lines of
digits (its number, date or an amount typed over).

Two documents of one template share their printed labels, never their content: names,
goods, amounts, ids. So when every line of an earlier document is on this one except at
most `MAX_CHANGED` lines that are mostly digits, this one is that document with fields
re-typed. Pure: the service brings both readings.
"""

from __future__ import annotations

import re

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
