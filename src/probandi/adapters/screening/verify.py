"""Verification of automaton hits: word boundaries, brand context, compatibility, overlaps."""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

from probandi.adapters.screening.patterns import PRIORITY, Pattern
from probandi.domain.screening.evidence import word_pattern
from probandi.domain.screening.lexicon import ADJACENT_WORDS, Lexicon
from probandi.domain.screening.model import DERIVED, MatchKind
from probandi.domain.screening.normalize import Folder

WINDOW = 24  # characters looked at around a match for a compatibility phrase
CONTEXT_REACH = 16  # a product word this close makes a short or common-word alias a claim
SHORT_REACH = 3  # two-letter aliases (LV, CC, TF) need the product word almost touching


class Candidate(NamedTuple):
    """A hit: original-title offsets, what the pattern means, and the kind it will carry.

    A tuple, not a dataclass: a batch makes hundreds of thousands of these.
    """

    start: int
    end: int
    pattern: Pattern
    kind: MatchKind | None = None

    @property
    def final_kind(self) -> MatchKind:
        return self.kind or self.pattern.kind


class Verifier:
    def __init__(self, lexicon: Lexicon, folder: Folder) -> None:
        self.folder = folder
        self._context = word_pattern(folder.fold(w) for w in lexicon.context)
        self._before = tuple(folder.fold(p.phrase) for p in lexicon.compatibility if p.before)
        self._after = tuple(folder.fold(p.phrase) for p in lexicon.compatibility if not p.before)
        # Cheap rejections first: most matches have no phrase next to them at all.
        self._before_last = frozenset(p[-1] for p in self._before if p)
        self._after_chars = frozenset(ch for p in self._after for ch in p[:1])

    # -- fast path: `low` is the lower-cased title, offsets shared with the original --------
    def keep(
        self, low: str, cands: list[Candidate], declared: bool, compat: bool = True
    ) -> list[Candidate]:
        if len(cands) == 1 and not compat:
            p = cands[0].pattern
            if not (p.needs_context or p.latin_start or p.latin_end):
                return cands  # the common case: one plain name, nothing to weigh
        size = len(low)
        bounded = [
            c for c in cands
            if not (c.pattern.latin_start and c.start > 0 and _is_letter(low[c.start - 1]))
            and not (c.pattern.latin_end and c.end < size and _is_letter(low[c.end]))
        ]  # fmt: skip
        return self._finish(low, bounded, declared, compat)

    # -- careful path: offsets index the original title --------------------------------------
    def keep_careful(self, raw: str, cands: list[Candidate], declared: bool) -> list[Candidate]:
        low = raw.lower()
        kept = []
        for c in cands:
            if c.pattern.latin_start and self._letter_before(raw, c.start):
                continue
            if c.pattern.latin_end and self._letter_after(raw, c.end):
                continue
            kept.append(c if c.kind else c._replace(kind=self._careful_kind(raw, c)))
        return self._finish(low, kept, declared)

    def _letter_before(self, raw: str, start: int) -> bool:
        folded = self.folder.fold(raw[max(0, start - 2) : start])
        return bool(folded) and _is_letter(folded[-1])

    def _letter_after(self, raw: str, end: int) -> bool:
        folded = self.folder.fold(raw[end : end + 2])
        return bool(folded) and _is_letter(folded[0])

    def _careful_kind(self, raw: str, c: Candidate) -> MatchKind:
        """Kept if the seller typed the pattern plainly (case, traditional script aside)."""
        if c.pattern.is_signal or c.pattern.kind in (MatchKind.OBFUSCATED, *DERIVED):
            return c.pattern.kind
        typed = raw[c.start : c.end].lower()
        simplified = "".join(self.folder.simplified.get(ch, ch) for ch in typed)
        plain = self.folder.fold(typed)
        return c.pattern.kind if simplified == plain else MatchKind.OBFUSCATED

    # -- shared ----------------------------------------------------------------------------
    def _finish(
        self, low: str, cands: list[Candidate], declared: bool, compat: bool = True
    ) -> list[Candidate]:
        signals = _dedupe([c for c in cands if c.pattern.is_signal])
        brands = _resolve_overlaps([c for c in cands if not c.pattern.is_signal])
        if not declared:
            sure = {c.pattern.brand for c in brands if not c.pattern.needs_context}
            brands = [c for c in brands if self._has_context(low, c, sure, bool(signals))]
        if compat:
            brands = [self._compatibility(low, c) for c in brands]
        return brands + signals

    def _has_context(self, low: str, c: Candidate, sure: set[int], slang: bool) -> bool:
        """A short or common-word alias needs a product word right beside it (LV 老花包,
        Coach 包), counterfeit slang, or the same brand named plainly in the title."""
        homophone = c.final_kind is MatchKind.HOMOPHONE
        if not c.pattern.needs_context or c.pattern.brand in sure or (slang and not homophone):
            return True
        if c.pattern.kind in DERIVED:
            return True  # weighed by the engine's scorer, with the whole title's evidence
        if low[c.end : c.end + 1] in ADJACENT_WORDS or low[c.end + 1 : c.end + 2] in ADJACENT_WORDS:
            return True
        short = c.end - c.start <= 2
        if short and c.final_kind is MatchKind.HOMOPHONE:
            reach = 1  # 机家用 is not 积家: a two-character homophone needs 积家表, 积家 手表
        elif short and low[c.start : c.end].isascii():
            reach = SHORT_REACH
        else:
            reach = CONTEXT_REACH
        near = low[max(0, c.start - reach - 12) : c.end + reach + 12]
        offset = max(0, c.start - reach - 12)
        for found in self._context.finditer(near):
            begin, end = found.start() + offset, found.end() + offset
            if begin - c.end <= reach and c.start - end <= reach:
                return True
        return False

    def _compatibility(self, low: str, c: Candidate) -> Candidate:
        """ "strap for LV", "适用于LV", "纪梵希包专用": a mention, not a brand claim."""
        before = low[max(0, c.start - WINDOW) : c.start].rstrip()
        after = low[c.end : c.end + WINDOW].lstrip()
        maybe_before = bool(before) and before[-1] in self._before_last
        maybe_after = any(ch in self._after_chars for ch in after[:4])
        if (maybe_before and _ends_with_phrase(before, self._before)) or (
            maybe_after and any(after[i:].startswith(self._after) for i in range(4))
        ):
            return c._replace(kind=MatchKind.COMPATIBILITY)
        return c


def _ends_with_phrase(text: str, phrases: tuple[str, ...]) -> bool:
    for phrase in phrases:
        if text.endswith(phrase):
            start = len(text) - len(phrase)
            # "for" must be a word: not the end of "perfor"mance.
            if not (phrase[0].isascii() and start > 0 and _is_letter(text[start - 1])):
                return True
    return False


def _is_letter(ch: str) -> bool:
    """Brand names end at digits too (Gucci2024新款), so only letters continue a word."""
    return "a" <= ch <= "z"


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    seen: set[tuple[int, int]] = set()
    out = []
    for c in sorted(cands, key=lambda c: (c.start, -c.end)):
        if not any(s <= c.start and c.end <= e for s, e in seen):
            seen.add((c.start, c.end))
            out.append(c)
    return out


MAX_MATCHES = 100  # per title: a 2,000-character title of one name repeated stays cheap


def _resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Longest first, then the more certain kind; an overlapping shorter hit is dropped."""
    ordered = sorted(cands, key=lambda c: (-(c.end - c.start), PRIORITY[c.final_kind], c.start))
    taken: list[tuple[int, int]] = []  # kept spans, sorted by start
    kept: list[Candidate] = []
    for c in ordered:
        i = bisect_left(taken, (c.start, c.end))
        left_clear = i == 0 or taken[i - 1][1] <= c.start
        right_clear = i == len(taken) or taken[i][0] >= c.end
        if left_clear and right_clear:
            taken.insert(i, (c.start, c.end))
            kept.append(c)
            if len(kept) >= MAX_MATCHES:
                break
    return sorted(kept, key=lambda c: c.start)
