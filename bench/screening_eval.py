"""Brand screening accuracy: the obfuscation set per class, and precision on real titles.

(a) `bench/data/obfuscation_set.jsonl` (made by `bench/screening_set.py`): per class, the
precision and recall of brand claims (compatibility mentions are not claims), the false
positive rate of the negative classes, and offset errors (`title[start:end] != text`).
(b) the BIO-tagged e-commerce titles in `$PROBANDI_SHARED_DATA/ecommerce-titles`
(`train.txt`, `dev.txt`; default `<repo>/../shared/data`): a prediction is right when it
overlaps a `HPPX` (brand) span.
(c) `bench/data/real_vocabulary_set.jsonl`: hand-written titles that use real trade vocabulary
the catalog does not list (truncated Chinese names, nicknames, partial Latin names) and hard
negatives (ordinary words that are also brands). A claim is held when its tier is named or
likely; possible matches are review signals. Sources: `bench/data/real_vocabulary_sources.md`.
Run from the project root:

    .venv/bin/python bench/screening_eval.py
    .venv/bin/python bench/screening_eval.py --show-errors 5
    .venv/bin/python bench/screening_eval.py --only real-vocabulary --show-errors 10
    PROBANDI_TITLE_FILES=dev.txt .venv/bin/python bench/screening_eval.py --only real-titles
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from probandi.adapters.screening.engine import ScreeningEngine, load_default_catalog
from probandi.domain.screening.model import (
    CatalogEntry,
    MatchKind,
    ScreenItem,
    ScreenResult,
    TitleMatch,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "bench" / "data" / "obfuscation_set.jsonl"
NEGATIVE_CLASSES = ("hard_negative", "compatibility")
SET_TARGET = 0.98  # recall and precision over the whole obfuscation set
REAL_PRECISION_TARGET = 0.90  # span precision of held matches (issue 20)
TITLE_FILES = tuple(os.environ.get("PROBANDI_TITLE_FILES", "train.txt dev.txt").split())
DEFAULT_VOCAB_SET = ROOT / "bench" / "data" / "real_vocabulary_set.jsonl"
HELD_TIERS = frozenset({"named", "likely"})  # the listing is held; "possible" is review only
VOCAB_RECALL_CLASSES = ("truncation", "nickname")
VOCAB_RECALL_TARGET = 0.70  # held recall of each class above
VOCAB_FALSE_HOLD_TARGET = 0.02  # share of hard negatives with any held claim
REAL_SPAN_PRECISION_GOAL = 0.9  # part (b), only restated with part (c)'s targets
PARTS = ("obfuscation", "real-titles", "real-vocabulary")


@dataclass(frozen=True)
class Labelled:
    title: str
    brands: frozenset[str]
    cls: str
    spans: tuple[tuple[int, int], ...]
    mentioned: frozenset[str] = frozenset()


@dataclass
class Tally:
    """Brand-claim counts of one class (or of all)."""

    titles: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    titles_with_fp: int = 0
    wrong_titles: int = 0
    offset_errors: int = 0
    span_misses: int = 0
    compat_tagged: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, other: Tally) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def claims(result: ScreenResult) -> set[str]:
    """Brands the title is held for: named or likely (a possible match is a review signal)."""
    return {
        m.brand
        for m in result.matches
        if m.kind != MatchKind.COMPATIBILITY and tier_of(m) in HELD_TIERS
    }


def offset_errors(title: str, matches: Iterable[TitleMatch]) -> int:
    return sum(
        1
        for m in matches
        if not (0 <= m.start < m.end <= len(title)) or title[m.start : m.end] != m.text
    )


def overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < e and end > s for s, e in spans)


def fold_key(text: str) -> str:
    """Case/width-folded, with runs of spaces and commas as one space (the tagged data
    writes the spaces of a title as commas)."""
    return re.sub(r"[\s,]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def screen(engine: ScreeningEngine, titles: Sequence[str]) -> tuple[list[ScreenResult], float]:
    items = [ScreenItem(id=str(i), title=t) for i, t in enumerate(titles)]
    began = time.perf_counter()
    results = engine.screen_batch(items)
    elapsed = time.perf_counter() - began
    by_id = {r.id: r for r in results}
    return [by_id.get(str(i), ScreenResult(id=str(i))) for i in range(len(titles))], elapsed


# --------------------------------------------------------------------------- (a) the set


def load_set(path: Path) -> list[Labelled]:
    rows: list[Labelled] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        rows.append(
            Labelled(
                title=raw["title"],
                brands=frozenset(raw["brands"]),
                cls=raw["class"],
                spans=tuple((int(s), int(e)) for s, e in raw["spans"]),
                mentioned=frozenset(raw.get("mentioned", [])),
            )
        )
    return rows


def score(row: Labelled, result: ScreenResult) -> Tally:
    predicted = claims(result)
    tally = Tally(titles=1)
    tally.tp = len(predicted & row.brands)
    tally.fp = len(predicted - row.brands)
    tally.fn = len(row.brands - predicted)
    tally.titles_with_fp = int(bool(predicted - row.brands))
    tally.wrong_titles = int(predicted != row.brands)
    tally.offset_errors = offset_errors(row.title, result.matches)
    for brand in predicted & row.brands:
        found = [(m.start, m.end) for m in result.matches if m.brand == brand]
        if row.spans and not any(overlaps(s, e, row.spans) for s, e in found):
            tally.span_misses += 1
    tally.compat_tagged = int(
        any(m.kind == MatchKind.COMPATIBILITY and m.brand in row.mentioned for m in result.matches)
    )
    return tally


def describe(result: ScreenResult) -> str:
    return ", ".join(f"{m.brand}<{m.kind}:{m.text!r}@{m.start}>" for m in result.matches) or "-"


def print_set_table(tallies: dict[str, Tally], total: Tally) -> None:
    head = f"{'class':<20}{'titles':>7}{'TP':>6}{'FP':>5}{'FN':>5}{'prec':>8}{'recall':>8}"
    print(head + f"{'FP-rate':>9}{'offsets':>9}{'spans':>7}")
    for cls, t in [*tallies.items(), ("ALL", total)]:
        negative = cls in NEGATIVE_CLASSES  # no claims expected: precision/recall say nothing
        fp_rate = f"{t.titles_with_fp / t.titles:.3f}" if negative else ""
        prec, recall = ("-", "-") if negative else (f"{t.precision:.3f}", f"{t.recall:.3f}")
        print(
            f"{cls:<20}{t.titles:>7}{t.tp:>6}{t.fp:>5}{t.fn:>5}{prec:>8}{recall:>8}"
            f"{fp_rate:>9}{t.offset_errors:>9}{t.span_misses:>7}"
        )
    compat = tallies.get("compatibility")
    if compat is not None:
        print(f"compatibility mentions tagged as such: {compat.compat_tagged}/{compat.titles}")


def evaluate_set(engine: ScreeningEngine, path: Path, show_errors: int) -> bool:
    rows = load_set(path)
    results, elapsed = screen(engine, [r.title for r in rows])
    tallies: dict[str, Tally] = {}
    errors: dict[str, list[str]] = {}
    total = Tally()
    for row, result in zip(rows, results, strict=True):
        tally = score(row, result)
        tallies.setdefault(row.cls, Tally()).add(tally)
        total.add(tally)
        if tally.wrong_titles or tally.offset_errors:
            errors.setdefault(row.cls, []).append(
                f"  {row.title!r} expected {sorted(row.brands)} got {describe(result)}"
            )
    print(f"\n== obfuscation set: {path} ({len(rows)} titles, {elapsed:.2f}s)")
    print_set_table(tallies, total)
    if show_errors:
        for cls, lines in errors.items():
            print(f"-- {cls}: {len(lines)} wrong")
            print("\n".join(lines[:show_errors]))
    met = total.recall >= SET_TARGET and total.precision >= SET_TARGET
    print(
        f"targets (recall and precision >= {SET_TARGET}): recall {total.recall:.3f}, "
        f"precision {total.precision:.3f}, offset errors {total.offset_errors} -> "
        + ("MET" if met and not total.offset_errors else "NOT MET")
    )
    return met and not total.offset_errors


# --------------------------------------------------------------------------- (b) real titles


@dataclass(frozen=True)
class Tagged:
    title: str
    brands: tuple[tuple[int, int], ...]  # the HPPX spans


def split_line(line: str) -> tuple[str, str]:
    """`char TAG`; a space character shows as a line starting with a space."""
    if " " not in line:
        return line, "O"
    char, tag = line.rsplit(" ", 1)
    return char or " ", tag


def hppx_spans(tags: Sequence[str]) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, tag in enumerate([*tags, "O"]):
        inside = tag == "I-HPPX" and start is not None
        if start is not None and not inside:
            spans.append((start, i))
            start = None
        if tag in ("B-HPPX", "I-HPPX") and start is None:
            start = i
    return tuple(spans)


def read_tagged(path: Path, *, commas_as_spaces: bool = True) -> Iterator[Tagged]:
    """The titles of a BIO file. The files write every space of a title as a comma
    ("air,jordan"); by default those commas become spaces again (same offsets)."""
    chars: list[str] = []
    tags: list[str] = []
    for raw in [*path.read_text(encoding="utf-8").split("\n"), ""]:
        line = raw.rstrip("\r")
        if line:
            char, tag = split_line(line)
            chars.append(" " if commas_as_spaces and char == "," else char)
            tags.append(tag)
        elif chars:
            # One char per line, so offsets are positions, unless a line held more.
            if all(len(c) == 1 for c in chars):
                yield Tagged("".join(chars), hppx_spans(tags))
            chars, tags = [], []


def catalog_keys(catalog: Sequence[CatalogEntry]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for entry in catalog:
        for name in (entry.brand, *entry.aliases, *entry.short, *entry.slang):
            keys.setdefault(fold_key(name), entry.brand)
    return keys


@dataclass
class RealTally:
    predictions: int = 0
    tp: int = 0
    catalog_mentions: int = 0
    catalog_found: int = 0
    offset_errors: int = 0
    false_pos: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # a title for each error text

    @property
    def precision(self) -> float:
        return self.tp / self.predictions if self.predictions else 1.0

    def note(self, counter: Counter[str], key: str, title: str) -> None:
        counter[key] += 1
        self.examples.setdefault(key, title)


def score_real(
    rows: Sequence[Tagged], results: Sequence[ScreenResult], keys: dict[str, str]
) -> RealTally:
    tally = RealTally()
    for row, result in zip(rows, results, strict=True):
        claimed = [
            m
            for m in result.matches
            if m.kind != MatchKind.COMPATIBILITY and tier_of(m) in HELD_TIERS
        ]
        tally.offset_errors += offset_errors(row.title, result.matches)
        for m in claimed:
            tally.predictions += 1
            if overlaps(m.start, m.end, row.brands):
                tally.tp += 1
            else:
                tally.note(tally.false_pos, f"{m.text} -> {m.brand} ({m.kind})", row.title)
        for s, e in row.brands:
            if fold_key(row.title[s:e]) not in keys:
                continue
            tally.catalog_mentions += 1
            if any(m.start < e and m.end > s for m in result.matches):  # compatibility too
                tally.catalog_found += 1
            else:
                tally.note(tally.missed, row.title[s:e], row.title)
    return tally


def print_counter(heading: str, tally: RealTally, counter: Counter[str], limit: int) -> None:
    print(f"-- {heading} ({sum(counter.values())} in all, {len(counter)} distinct)")
    for text, n in counter.most_common(limit):
        print(f"  {n:>5}  {text:<40} e.g. {tally.examples[text][:60]!r}")


def evaluate_real(
    engine: ScreeningEngine, folder: Path, catalog: Sequence[CatalogEntry], *, commas: bool
) -> bool:
    files = [folder / name for name in TITLE_FILES if (folder / name).exists()]
    if not files:
        print(f"\n== real titles: none in {folder}; skipped")
        return True
    rows = [row for path in files for row in read_tagged(path, commas_as_spaces=not commas)]
    results, elapsed = screen(engine, [r.title for r in rows])
    tally = score_real(rows, results, catalog_keys(catalog))
    rate = len(rows) / elapsed if elapsed else float("inf")
    print(f"\n== real titles: {', '.join(str(f) for f in files)}")
    print(
        f"{len(rows)} titles, {sum(len(r.brands) for r in rows)} HPPX spans; "
        f"{elapsed:.2f}s, {rate:,.0f} titles/s"
    )
    met = tally.precision >= REAL_PRECISION_TARGET and not tally.offset_errors
    print(
        f"precision {tally.precision:.3f} ({tally.tp}/{tally.predictions} predictions overlap "
        f"a brand span; target >= {REAL_PRECISION_TARGET}) offset errors "
        f"{tally.offset_errors} -> " + ("MET" if met else "NOT MET")
    )
    found = tally.catalog_found / tally.catalog_mentions if tally.catalog_mentions else 1.0
    print(
        f"recall on catalog brands (information): {found:.3f} "
        f"({tally.catalog_found}/{tally.catalog_mentions} HPPX spans that equal a catalog alias)"
    )
    print_counter("most frequent false positives", tally, tally.false_pos, 30)
    print_counter("most frequent missed catalog mentions", tally, tally.missed, 30)
    return met


# --------------------------------------------------------------------------- (c) vocabulary


@dataclass(frozen=True)
class VocabRow:
    title: str
    brands: frozenset[str]
    cls: str
    alias: str
    source: str


@dataclass
class VocabTally:
    """Held claims (named or likely tier) of one class, and claims of any tier."""

    titles: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tp_any: int = 0
    fn_any: int = 0
    wrong_held_titles: int = 0  # titles with a held claim of a brand not expected
    possible_only_titles: int = 0  # titles with possible matches and no held claim
    known_alias: int = 0  # titles whose alias the catalog already lists for the brand
    offset_errors: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def recall_any(self) -> float:
        return self.tp_any / (self.tp_any + self.fn_any) if self.tp_any + self.fn_any else 1.0

    @property
    def false_hold_rate(self) -> float:
        return self.wrong_held_titles / self.titles if self.titles else 0.0

    def add(self, other: VocabTally) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def tier_of(match: TitleMatch) -> str:
    """The match's tier as its value; an engine without tiers names every match."""
    tier = getattr(match, "tier", "named")
    return str(getattr(tier, "value", tier))


def claimed(result: ScreenResult, tiers: frozenset[str] | None) -> set[str]:
    """Brands claimed (compatibility mentions are not claims) at the given tiers (None: any)."""
    return {
        m.brand
        for m in result.matches
        if m.kind != MatchKind.COMPATIBILITY and (tiers is None or tier_of(m) in tiers)
    }


def load_vocab_set(path: Path) -> list[VocabRow]:
    rows: list[VocabRow] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        rows.append(
            VocabRow(
                title=raw["title"],
                brands=frozenset(raw["brands"]),
                cls=raw["class"],
                alias=raw.get("alias", ""),
                source=raw.get("source", ""),
            )
        )
    return rows


def catalog_names(catalog: Sequence[CatalogEntry]) -> dict[str, set[str]]:
    """Every folded name, alias, short form and slang of each brand."""
    names: dict[str, set[str]] = {}
    for entry in catalog:
        for name in (entry.brand, *entry.aliases, *entry.short, *entry.slang):
            names.setdefault(entry.brand, set()).add(fold_key(name))
    return names


def score_vocab(row: VocabRow, result: ScreenResult, known: dict[str, set[str]]) -> VocabTally:
    held = claimed(result, HELD_TIERS)
    anywhere = claimed(result, None)
    tally = VocabTally(titles=1)
    tally.tp = len(held & row.brands)
    tally.fp = len(held - row.brands)
    tally.fn = len(row.brands - held)
    tally.tp_any = len(anywhere & row.brands)
    tally.fn_any = len(row.brands - anywhere)
    tally.wrong_held_titles = int(bool(held - row.brands))
    tally.possible_only_titles = int(bool(anywhere) and not held)
    alias = fold_key(row.alias)
    tally.known_alias = int(any(alias in known.get(brand, set()) for brand in row.brands))
    tally.offset_errors = offset_errors(row.title, result.matches)
    return tally


def describe_tiers(result: ScreenResult) -> str:
    return (
        ", ".join(
            f"{m.brand}<{m.kind}/{tier_of(m)}"
            + (f" {score:.2f}" if isinstance(score := getattr(m, "score", None), float) else "")
            + f":{m.text!r}@{m.start}>"
            for m in result.matches
        )
        or "-"
    )


def print_vocab_table(tallies: dict[str, VocabTally], total: VocabTally) -> None:
    print(
        f"{'class':<16}{'titles':>7}{'TP':>5}{'FP':>5}{'FN':>5}{'prec':>7}{'recall':>8}"
        f"{'+poss':>7}{'false-hold':>11}{'poss-only':>10}{'known':>7}{'offsets':>8}"
    )
    for cls, t in [*tallies.items(), ("ALL", total)]:
        negative = cls in NEGATIVE_CLASSES  # no claims expected: precision/recall say nothing
        prec, recall, any_tier = (
            ("-", "-", "-")
            if negative
            else (f"{t.precision:.3f}", f"{t.recall:.3f}", f"{t.recall_any:.3f}")
        )
        false_hold = f"{t.false_hold_rate:.3f}" if negative else ""
        print(
            f"{cls:<16}{t.titles:>7}{t.tp:>5}{t.fp:>5}{t.fn:>5}{prec:>7}{recall:>8}{any_tier:>7}"
            f"{false_hold:>11}{t.possible_only_titles:>10}{t.known_alias:>7}{t.offset_errors:>8}"
        )
    print(
        "prec/recall: held claims (tier named or likely); +poss: recall counting possible"
        " matches too\nfalse-hold: share of titles with a held claim of a brand not expected"
        "\nposs-only: titles with possible matches only; known: titles whose alias the"
        " catalog already lists"
    )


def vocab_errors(row: VocabRow, result: ScreenResult, tally: VocabTally) -> str | None:
    if tally.fn:
        what = "miss"
    elif tally.fp:
        what = "false hold"
    elif tally.offset_errors:
        what = "offsets"
    else:
        return None
    expected = ", ".join(sorted(row.brands)) or "nothing"
    return (
        f"  {what}: {row.title!r} [{row.alias}] expected {expected}; got {describe_tiers(result)}"
    )


def evaluate_vocab(
    engine: ScreeningEngine, path: Path, catalog: Sequence[CatalogEntry], show_errors: int
) -> bool:
    if not path.exists():
        print(f"\n== real-vocabulary set: none at {path}; skipped")
        return True
    rows = load_vocab_set(path)
    results, elapsed = screen(engine, [r.title for r in rows])
    known = catalog_names(catalog)
    tallies: dict[str, VocabTally] = {}
    errors: dict[str, list[str]] = {}
    total = VocabTally()
    for row, result in zip(rows, results, strict=True):
        tally = score_vocab(row, result, known)
        tallies.setdefault(row.cls, VocabTally()).add(tally)
        total.add(tally)
        if (line := vocab_errors(row, result, tally)) is not None:
            errors.setdefault(row.cls, []).append(line)
    cited = sum(1 for r in rows if r.source and r.source != "K")
    print(f"\n== real-vocabulary set: {path} ({len(rows)} titles, {elapsed:.2f}s)")
    print(f"sources: {cited} titles cite a source key, {len(rows) - cited} are K (known usage)")
    print_vocab_table(tallies, total)
    if show_errors:
        for cls, lines in errors.items():
            print(f"-- {cls}: {len(lines)} wrong")
            print("\n".join(lines[:show_errors]))
    checks: list[tuple[str, bool]] = []
    for cls in VOCAB_RECALL_CLASSES:
        recall = tallies[cls].recall if cls in tallies else 0.0
        checks.append(
            (
                f"{cls} recall {recall:.3f} >= {VOCAB_RECALL_TARGET:.2f}",
                recall >= VOCAB_RECALL_TARGET,
            )
        )
    negatives = tallies.get("hard_negative", VocabTally())
    rate = negatives.false_hold_rate
    checks.append(
        (
            f"hard_negative false holds {rate:.3f} <= {VOCAB_FALSE_HOLD_TARGET:.2f}",
            rate <= VOCAB_FALSE_HOLD_TARGET,
        )
    )
    print("targets (held tiers):")
    for text, met in checks:
        print(f"  {text} -> " + ("MET" if met else "NOT MET"))
    print(
        f"  part (b) real titles: span precision >= {REAL_SPAN_PRECISION_GOAL:.2f} "
        "(see the precision printed under real titles)"
    )
    return all(met for _, met in checks) and not total.offset_errors


# --------------------------------------------------------------------------- main


def default_titles_dir() -> Path:
    shared = os.environ.get("PROBANDI_SHARED_DATA")
    base = Path(shared) if shared else ROOT.parent / "shared" / "data"
    return base / "ecommerce-titles"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Brand screening accuracy.")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled jsonl")
    parser.add_argument("--titles", type=Path, default=None, help="folder of train/dev.txt")
    parser.add_argument("--show-errors", type=int, default=0, help="wrong titles per class")
    parser.add_argument(
        "--keep-commas", action="store_true", help="real titles: keep commas (spaces in the data)"
    )
    parser.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB_SET, help="vocabulary jsonl")
    parser.add_argument(
        "--only", action="append", choices=PARTS, help="run only this part (repeatable)"
    )
    args = parser.parse_args(argv)
    parts = set(args.only or PARTS)
    began = time.perf_counter()
    catalog = load_default_catalog()
    engine = ScreeningEngine(catalog)
    print(f"engine: {len(catalog)} catalog entries, built in {time.perf_counter() - began:.2f}s")
    ok = True
    if "obfuscation" in parts:
        if args.set.exists():
            ok = evaluate_set(engine, args.set, args.show_errors) and ok
        else:
            print(f"no set at {args.set}: run bench/screening_set.py first", file=sys.stderr)
            ok = False
    if "real-titles" in parts:
        folder = args.titles or default_titles_dir()
        ok = evaluate_real(engine, folder, catalog, commas=args.keep_commas) and ok
    if "real-vocabulary" in parts:
        ok = evaluate_vocab(engine, args.vocab, catalog, args.show_errors) and ok
    print(f"\ntotal time {time.perf_counter() - began:.2f}s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
