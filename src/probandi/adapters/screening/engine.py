"""The screening engine: one Aho-Corasick automaton per catalog, then verification on hits.

Most titles take the fast path: the whole batch is lower-cased and scanned in one pass, and
only the automaton's hits are looked at in Python. A title with characters that folding
changes (full width, look-alikes, traditional Chinese, invisibles, emoji between letters) or
with letters split by separators or digits goes the careful path: folded with an offset map,
squeezed and de-leeted, and every view scanned. Either way a match points at the characters
the seller typed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from decimal import Decimal

import ahocorasick

from probandi.adapters.screening.chinese import sound_table, traditional_to_simplified
from probandi.adapters.screening.patterns import (
    PRIORITY,
    CompileOptions,
    Pattern,
    compile_patterns,
)
from probandi.adapters.screening.verify import Candidate, Verifier
from probandi.domain.screening.catalog import load_default_catalog
from probandi.domain.screening.lexicon import Lexicon, load_default_lexicon
from probandi.domain.screening.model import (
    CatalogEntry,
    MatchKind,
    ScreenItem,
    ScreenResult,
    Severity,
    Signal,
    TitleMatch,
)
from probandi.domain.screening.normalize import Folder, deleet, squeeze

__all__ = ["ScreeningEngine", "load_default_catalog", "load_default_lexicon"]

SPLIT_LETTERS = re.compile(
    r"(?<![a-z0-9])[a-z](?:[ ._\-*|/+~]+[a-z](?![a-z0-9]))+"  # g u c c i, l.v
    r"|[a-z][._\-*|/+~]+[a-z]"  # gu-cci, g.ucci
    r"|[a-z][0-9@$]+[a-z]"  # l0uis, gu1cci
    r"|[\u3400-\u9fff][ ._\-*|/+~]{2,}[\u3400-\u9fff]|[\u3400-\u9fff][._\-*|/+~][\u3400-\u9fff]"
)
PRICE_FLOOR = Decimal("0.30")


def _changed_by_folding(folder: Folder) -> str:
    """A regex class of every character whose folded form differs from its lower case."""
    ranges = [(0x80, 0x24F), (0x370, 0x52F), (0x1D00, 0x1DBF), (0x2000, 0x2BFF),
              (0x3000, 0x303F), (0xFE00, 0xFE6F), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF),
              (0x1F000, 0x1FAFF)]  # fmt: skip
    chars = {chr(c) for lo, hi in ranges for c in range(lo, hi + 1)}
    chars |= set(folder.simplified)
    changed = sorted(ch for ch in chars if folder.fold_char(ch) != ch.lower() or _is_symbol(ch))
    return "[" + "".join(re.escape(ch) for ch in changed) + "]"


def _is_symbol(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) in ("So", "Sk", "Cf", "Mn")


class ScreeningEngine:
    """Built once per catalog (registry version); `screen_batch` is the fast entry point."""

    def __init__(
        self,
        catalog: Sequence[CatalogEntry],
        lexicon: Lexicon | None = None,
        *,
        options: CompileOptions = CompileOptions(),
        price_floor: Decimal = PRICE_FLOOR,
    ) -> None:
        self.catalog = list(catalog)
        self.lexicon = lexicon or load_default_lexicon()
        self.folder = Folder(traditional_to_simplified())
        table = compile_patterns(self.catalog, self.lexicon, self.folder, sound_table(), options)
        self.patterns = table.patterns
        self._automaton = ahocorasick.Automaton()
        for text, pattern in self.patterns.items():
            self._automaton.add_word(text, (len(text), pattern))
        self._automaton.make_automaton()
        self._careful = re.compile(_changed_by_folding(self.folder))
        self._verifier = Verifier(self.lexicon, self.folder)
        self._price_floor = price_floor

    @property
    def pattern_count(self) -> int:
        return len(self.patterns)

    def screen(self, item: ScreenItem) -> ScreenResult:
        return self.screen_batch([item])[0]

    def screen_batch(self, items: Sequence[ScreenItem]) -> list[ScreenResult]:
        titles = [item.title for item in items]
        candidates: list[list[Candidate]] = [[] for _ in titles]
        careful = self._fast_scan(titles, candidates)
        for index in careful:
            candidates[index] = self._careful_scan(titles[index])
        return [self._result(item, cands) for item, cands in zip(items, candidates, strict=True)]

    # -- the fast path ---------------------------------------------------------------------
    def _fast_scan(self, titles: list[str], candidates: list[list[Candidate]]) -> set[int]:
        joined = "\n".join(titles)
        starts = [0]
        for title in titles[:-1]:
            starts.append(starts[-1] + len(title) + 1)
        careful = {bisect_right(starts, m.start()) - 1 for m in self._careful.finditer(joined)}
        low = joined.lower()
        if len(low) != len(joined) or joined.count("\n") != len(titles) - 1:
            return set(range(len(titles)))  # lower() changed lengths: no shared offsets
        careful |= {bisect_right(starts, m.start()) - 1 for m in SPLIT_LETTERS.finditer(low)}
        for end, (length, pattern) in self._automaton.iter(low):
            begin = end - length + 1
            index = bisect_right(starts, begin) - 1
            if index in careful:
                continue
            offset = starts[index]
            candidates[index].append(Candidate(begin - offset, end + 1 - offset, pattern))
        for index, cands in enumerate(candidates):
            if cands:
                title = low[starts[index] : starts[index] + len(titles[index])]
                candidates[index] = self._verifier.keep(title, cands, titles[index])
        return careful

    # -- the careful path ------------------------------------------------------------------
    def _careful_scan(self, title: str) -> list[Candidate]:
        folded, origin = self.folder.fold_with_offsets(title)
        views = [(folded, origin)]
        squeezed, sq_origin = squeeze(folded, origin)
        if squeezed != folded:
            views.append((squeezed, sq_origin))
        for text, org in list(views):
            plain = deleet(text)
            if plain != text:
                views.append((plain, org))
        found: list[Candidate] = []
        for number, (text, org) in enumerate(views):
            # Beyond the first view, separators or digits had to go: an obfuscated form.
            kind = MatchKind.OBFUSCATED if number else None
            for end, (length, pattern) in self._automaton.iter(text):
                begin = end - length + 1
                hit_kind = None if pattern.is_signal else kind
                found.append(Candidate(org[begin], org[end] + 1, pattern, hit_kind))
        return self._verifier.keep_careful(title, found)

    # -- results ---------------------------------------------------------------------------
    def _result(self, item: ScreenItem, cands: Iterable[Candidate]) -> ScreenResult:
        matches: list[TitleMatch] = []
        signals: list[Signal] = []
        for c in cands:
            text = item.title[c.start : c.end]
            if c.pattern.is_signal:
                severity = c.pattern.severity or Severity.MEDIUM
                signals.append(Signal("slang.counterfeit", severity, text))
            else:
                brand = self.catalog[c.pattern.brand].brand
                matches.append(TitleMatch(brand, text, c.start, c.end, c.final_kind))
        signals.extend(self._price_signals(item, matches))
        return ScreenResult(item.id, tuple(matches), tuple(signals))

    def _price_signals(self, item: ScreenItem, matches: list[TitleMatch]) -> list[Signal]:
        if item.price is None or not matches:
            return []
        out = []
        by_name = {e.brand: e for e in self.catalog}
        for brand in sorted({m.brand for m in matches if m.kind is not MatchKind.COMPATIBILITY}):
            entry = by_name[brand]
            if entry.reference_price is None or entry.reference_currency != item.currency:
                continue
            if item.price < entry.reference_price * self._price_floor:
                text = f"{item.price} {item.currency} < {self._price_floor:.0%} of {brand}'s "
                text += f"reference {entry.reference_price} {entry.reference_currency}"
                out.append(Signal("price.far_below_reference", Severity.HIGH, text))
        return out


__all__ += ["PRIORITY", "Pattern"]
