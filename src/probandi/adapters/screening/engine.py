"""The screening engine: Aho-Corasick automata per catalog, then verification of the hits.

Fast path (most titles), for a whole batch at once:
- Latin names are looked for in an ASCII view of the lower-cased batch where every
  character other than a-z and 0-9 is a space; patterns carry a space on each side, so only
  whole words match and `dior` never fires inside `dionysus`.
- Chinese and mixed names (古驰, G家, 1:1) are looked for in the lower-cased text itself.
Careful path (titles with characters that folding changes, or letters split by separators,
symbols or digits): folded with an offset map, squeezed and de-leeted, every view scanned.
Either way a match points at the characters the seller typed.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import replace
from decimal import Decimal

import ahocorasick_rs as aho
import numpy as np

from probandi.adapters.screening.chinese import default_folder, sound_table
from probandi.adapters.screening.classes import build_classes, careful_titles, fold_tables
from probandi.adapters.screening.patterns import CompileOptions, Pattern, compile_patterns
from probandi.adapters.screening.scorer import Scorer
from probandi.adapters.screening.specificity import ordinary_names, release
from probandi.adapters.screening.verify import Candidate, Verifier
from probandi.domain.screening.catalog import load_default_catalog
from probandi.domain.screening.evidence import TierPolicy
from probandi.domain.screening.lexicon import Lexicon, load_default_lexicon
from probandi.domain.screening.model import (
    DERIVED,
    HELD,
    CatalogEntry,
    MatchKind,
    ScreenItem,
    ScreenResult,
    Severity,
    Signal,
    TitleMatch,
)
from probandi.domain.screening.normalize import LEET, deleet

__all__ = ["ScreeningEngine", "load_default_catalog", "load_default_lexicon"]

# Letters stay, everything else is a space: brand names end where digits begin (Gucci2024).
LATIN_VIEW = bytes(c if 97 <= c <= 122 else 32 for c in range(256))
# The same, reading digits and signs as the letters sellers mean by them (l0uis, ch4nel, $).
DELEET_VIEW = bytes(
    ord(LEET[chr(c)]) if chr(c) in LEET else (c if 97 <= c <= 122 else 32) for c in range(256)
)
LEET_BYTES = frozenset(ord(ch) for ch in LEET)
LEET_WORD = re.compile(rb"[a-z][013-578@$]|[013-578@$][a-z]")
PRICE_FLOOR = Decimal("0.30")
PLAIN = frozenset({MatchKind.NAME, MatchKind.ALIAS})  # as written, not an obfuscated form
NAMED = PLAIN | {MatchKind.SLANG}  # may be weighed for another sense; obfuscation never is
SMALL_BATCH = 64
STANDARD = aho.MatchKind.Standard


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_plain_latin(text: str) -> bool:
    return all(("a" <= ch <= "z") or ch == " " for ch in text)


def _owners(starts: list[int], hits: Sequence[tuple[int, int, object]]) -> list[int]:
    """The title each hit falls in: numpy for a batch, bisect for a listing push."""
    if len(hits) < SMALL_BATCH:
        return [bisect_right(starts, h[0]) - 1 for h in hits]
    found = np.searchsorted(starts, [h[0] for h in hits], side="right") - 1
    owners: list[int] = found.tolist()
    return owners


def _plausibly_split(typed: str, pattern: Pattern) -> bool:
    """A squeezed or de-leeted hit must be a name broken up, not pieces of other words:
    mostly letters (not 400w), and no two plain words run together unless the name has
    several words itself (K_a_t_e S_p_a_d_e; but not "1u 400w")."""
    letters = sum(ch.isalpha() for ch in typed)
    if letters < max(2, len(typed.replace(" ", "")) // 3):
        return False
    plain_words = [w for w in typed.split() if len(w) > 1 and w.isalpha()]
    return len(plain_words) < 2 or pattern.joined_words


class ScreeningEngine:
    """Built once per catalog (registry version); `screen_batch` is the fast entry point."""

    def __init__(
        self,
        catalog: Sequence[CatalogEntry],
        lexicon: Lexicon | None = None,
        *,
        options: CompileOptions = CompileOptions(),
        price_floor: Decimal = PRICE_FLOOR,
        tiers: TierPolicy = TierPolicy(),
    ) -> None:
        self.catalog = list(catalog)
        self.lexicon = lexicon or load_default_lexicon()
        self.folder = default_folder()
        table = compile_patterns(self.catalog, self.lexicon, self.folder, sound_table(), options)
        self.patterns = table.patterns
        latin = [(t, p) for t, p in self.patterns.items() if _is_plain_latin(t) and t.strip()]
        mixed = [(t, p) for t, p in self.patterns.items() if not _is_plain_latin(t)]
        # The word view itself guarantees word boundaries: nothing left to check for these.
        self._latin = [replace(p, latin_start=False, latin_end=False) for _, p in latin]
        self._leet = [
            p if p.is_signal or p.kind in DERIVED else replace(p, kind=MatchKind.OBFUSCATED)
            for _, p in latin
        ]
        self._latin_aho = aho.BytesAhoCorasick([f" {t} ".encode() for t, _ in latin], STANDARD)
        self._mixed = [p for _, p in mixed]
        self._mixed_aho = aho.BytesAhoCorasick([t.encode() for t, _ in mixed], STANDARD)
        self._all = list(self.patterns.values())
        self._all_aho = aho.AhoCorasick(list(self.patterns), STANDARD)
        phrases = {self.folder.fold(p.phrase) for p in self.lexicon.compatibility}
        self._compat_aho = aho.AhoCorasick(sorted(p for p in phrases if p), STANDARD)
        self._classes = build_classes(self.folder)
        self._fold_table, self._separators = fold_tables(self.folder)
        # Characters whose folded form is not one character (invisibles, ß, ﬁ, accents):
        # where one occurs, only the offset walk keeps the map right.
        resizing = sorted(chr(c) for c, v in self._fold_table.items() if len(v) != 1)
        self._resizing = re.compile("[" + "".join(re.escape(ch) for ch in resizing) + "]")
        self._verifier = Verifier(self.lexicon, self.folder)
        self._price_floor = price_floor
        self._by_name = {e.brand: e for e in self.catalog}
        self._scorer = Scorer(self.catalog, tiers)
        self._ordinary = ordinary_names(a for e in self.catalog for a in e.aliases)
        release()  # the full word lists were only needed to compile

    @property
    def pattern_count(self) -> int:
        return len(self.patterns)

    def screen(self, item: ScreenItem) -> ScreenResult:
        return self.screen_batch([item])[0]

    def screen_batch(self, items: Sequence[ScreenItem]) -> list[ScreenResult]:
        if not items:
            return []
        if len(items) < SMALL_BATCH:
            return self._screen_batch(items)
        # A batch allocates hundreds of thousands of short-lived tuples and no reference
        # cycles; the collector's passes over them (and over the long-lived catalog) cost a
        # quarter of the time (bench/screening_speed.py).
        with _collector_paused():
            return self._screen_batch(items)

    def _screen_batch(self, items: Sequence[ScreenItem]) -> list[ScreenResult]:
        titles = [item.title.replace("\n", " ") for item in items]
        candidates, careful = self._fast_scan(titles, [item.brand_field for item in items])
        for index in careful:
            candidates[index] = self._careful_scan(titles[index], items[index].brand_field)
        return [
            self._result(item, cands) if cands else ScreenResult(item.id)
            for item, cands in zip(items, candidates, strict=True)
        ]

    # -- the fast path ---------------------------------------------------------------------
    def _fast_scan(
        self, titles: list[str], declared: list[bool]
    ) -> tuple[list[list[Candidate]], set[int]]:
        starts = [0, *itertools.accumulate(len(t) + 1 for t in titles[:-1])]
        joined = "\n".join(titles)
        careful = careful_titles(joined, starts, self._classes)
        low = joined.lower()
        if len(low) != len(joined):
            # Lower-casing changed a length (İ -> i̇): those titles go the careful way, and
            # stand in unchanged here so that every offset after them still holds.
            lowered = [t.lower() for t in titles]
            changed = {i for i, t in enumerate(titles) if len(lowered[i]) != len(t)}
            careful |= changed
            low = "\n".join(t if i in changed else lowered[i] for i, t in enumerate(titles))
        hits = self._latin_hits(low) + self._mixed_hits(low)
        candidates: list[list[Candidate]] = [[] for _ in titles]
        if not hits:
            return candidates, careful
        for (begin, end, pattern), index in zip(hits, _owners(starts, hits), strict=True):
            if index not in careful:
                offset = starts[index]
                candidates[index].append(Candidate(begin - offset, end - offset, pattern))
        compat = self._compat_titles(low, starts)
        keep = self._verifier.keep
        for index, cands in enumerate(candidates):
            if cands:
                title = low[starts[index] : starts[index] + len(titles[index])]
                candidates[index] = keep(title, cands, declared[index], index in compat)
        return candidates, careful

    def _compat_titles(self, low: str, starts: list[int]) -> set[int]:
        """Titles with a compatibility phrase anywhere: only they need the closer look."""
        found = self._compat_aho.find_matches_as_indexes(low, overlapping=False)
        return set(_owners(starts, [(s, e, None) for _, s, e in found])) if found else set()

    def _latin_hits(self, low: str) -> list[tuple[int, int, Pattern]]:
        raw = low.encode("ascii", "replace")
        view = b" " + raw.translate(LATIN_VIEW) + b" "
        # A pattern " lv " matched at [s, e) of the view is the word [s, e - 2) of `low`.
        found = self._latin_aho.find_matches_as_indexes(view, overlapping=True)
        hits = [(s, e - 2, self._latin[i]) for i, s, e in found]
        if not LEET_WORD.search(raw):
            return hits
        deleeted = b" " + raw.translate(DELEET_VIEW) + b" "
        for i, s, e in self._latin_aho.find_matches_as_indexes(deleeted, overlapping=True):
            word = raw[s : e - 2]
            # A digit read as a letter inside a real word (l0uis), not a number (400w).
            if any(b in LEET_BYTES for b in word) and sum(97 <= b <= 122 for b in word) >= 2:
                hits.append((s, e - 2, self._leet[i]))
        return hits

    def _mixed_hits(self, low: str) -> list[tuple[int, int, Pattern]]:
        data = low.encode("utf-8")
        found = self._mixed_aho.find_matches_as_indexes(data, overlapping=True)
        if not found:
            return []
        if len(data) == len(low):
            return [(s, e, self._mixed[i]) for i, s, e in found]
        if len(data) < 4096:
            return [
                (len(data[:s].decode()), len(data[:e].decode()), self._mixed[i])
                for i, s, e in found
            ]
        lead = (np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80
        char_at = np.cumsum(lead) - 1  # the character each byte belongs to
        begins = char_at[[s for _, s, _ in found]].tolist()
        ends = (char_at[[e - 1 for _, _, e in found]] + 1).tolist()
        return [(b, e, self._mixed[f[0]]) for f, b, e in zip(found, begins, ends, strict=True)]

    # -- the careful path ------------------------------------------------------------------
    def _careful_scan(self, title: str, declared: bool) -> list[Candidate]:
        folded, origin = self._fold(title)
        views = [(folded, origin)]
        separators = self._separators
        kept = [i for i, ch in enumerate(folded) if ch not in separators]
        if len(kept) != len(folded):
            views.append(("".join(folded[i] for i in kept), [origin[i] for i in kept]))
        for text, org in list(views):
            plain = deleet(text)
            if plain != text:
                views.append((plain, org))
        found: list[Candidate] = []
        for number, (text, org) in enumerate(views):
            for i, s, e in self._all_aho.find_matches_as_indexes(text, overlapping=True):
                pattern = self._all[i]
                start, end = org[s], org[e - 1] + 1
                if number == 0:
                    found.append(Candidate(start, end, pattern))
                elif pattern.kind in DERIVED:
                    continue  # a derived alias broken up is too little to go on
                elif not pattern.is_signal and _plausibly_split(title[start:end], pattern):
                    # Separators or digits had to go: an obfuscated form of the name.
                    found.append(Candidate(start, end, pattern, MatchKind.OBFUSCATED))
        return self._verifier.keep_careful(title, found, declared)

    def _fold(self, title: str) -> tuple[str, list[int]]:
        """One C-level translate when folding keeps the length; the offset walk otherwise."""
        if not self._resizing.search(title):
            folded = title.translate(self._fold_table).lower()  # capitals first: Υ is y
            if len(folded) == len(title):
                return folded, list(range(len(title)))
        return self.folder.fold_with_offsets(title)

    # -- results ---------------------------------------------------------------------------
    def _result(self, item: ScreenItem, cands: list[Candidate]) -> ScreenResult:
        matches: list[TitleMatch] = []
        signals: list[Signal] = []
        weigh = self._scorer.weigh
        low = item.title.lower()
        slang = any(c.pattern.is_signal for c in cands)
        for c in cands:
            text = item.title[c.start : c.end]
            if c.pattern.is_signal:
                severity = c.pattern.severity or Severity.MEDIUM
                signals.append(Signal("slang.counterfeit", severity, text))
                continue
            entry = self.catalog[c.pattern.brand]
            kind = c.final_kind
            match = TitleMatch(entry.brand, text, c.start, c.end, kind)
            ordinary = kind in PLAIN and " ".join(text.lower().split()) in self._ordinary
            if (
                ordinary
                or kind in DERIVED
                or entry.brand in self._scorer.ordinary_brands
                or (kind in NAMED and self._scorer.may_mean_else(low, match, c.pattern.brand))
            ):
                weighed = weigh(
                    item, c.pattern.brand, match, c.pattern.prior, slang, ordinary_name=ordinary
                )
                if weighed is None:
                    continue
                match = weighed
            matches.append(match)
        if any(m.kind in DERIVED for m in matches):
            # A brand named outright needs no derived alias beside it (兰蔻 ... 小黑瓶).
            named = {m.brand for m in matches if m.kind not in DERIVED and m.tier in HELD}
            matches = [m for m in matches if m.kind not in DERIVED or m.brand not in named]
        signals.extend(self._price_signals(item, matches))
        return ScreenResult(item.id, tuple(matches), tuple(signals))

    def _price_signals(self, item: ScreenItem, matches: list[TitleMatch]) -> list[Signal]:
        if item.price is None or not matches:
            return []
        out = []
        for brand in sorted(ScreenResult(item.id, tuple(matches)).brands):
            entry = self._by_name[brand]
            if entry.reference_price is None or entry.reference_currency != item.currency:
                continue
            if item.price < entry.reference_price * self._price_floor:
                text = f"{item.price} {item.currency} < {self._price_floor:.0%} of {brand}'s "
                text += f"reference {entry.reference_price} {entry.reference_currency}"
                out.append(Signal("price.far_below_reference", Severity.HIGH, text))
        return out
