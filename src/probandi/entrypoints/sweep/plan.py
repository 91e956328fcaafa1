"""Cutting the input into partitions: by row groups (Parquet) or byte ranges (text)."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]

from probandi.entrypoints.sweep.parts import InputFormat, PartSpec

SUFFIXES = {
    ".csv": InputFormat.CSV,
    ".jsonl": InputFormat.JSONL,
    ".ndjson": InputFormat.JSONL,
    ".parquet": InputFormat.PARQUET,
    ".pq": InputFormat.PARQUET,
}
COLUMNS = ("id", "seller_id", "title", "brand", "price", "currency")
REQUIRED = ("id", "seller_id", "title")
PART_ROWS = 100_000  # Parquet rows per partition
PART_BYTES = 16 * 1024 * 1024  # CSV and JSON lines bytes per partition


class PlanError(ValueError):
    """The input cannot be swept at all (the message says why); nothing was started."""


@dataclass(frozen=True)
class Plan:
    root: Path
    parts: tuple[PartSpec, ...]
    key: str  # changes when an input file or the cutting changes: resume refuses then

    @property
    def units(self) -> int:
        return sum(p.units for p in self.parts)

    def name_of(self, part: PartSpec) -> str:
        """The file as the user knows it: relative to a directory given as INPUT."""
        path = Path(part.path)
        return str(path.relative_to(self.root)) if self.root.is_dir() else str(self.root)


def input_files(root: Path) -> list[tuple[Path, InputFormat]]:
    if root.is_file():
        fmt = SUFFIXES.get(root.suffix.lower())
        if fmt is None:
            raise PlanError(f"{root}: unknown input format (use {', '.join(sorted(SUFFIXES))})")
        return [(root, fmt)]
    if not root.is_dir():
        raise PlanError(f"{root}: no such file or directory")
    found = [
        (p, SUFFIXES[p.suffix.lower()])
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
    ]
    if not found:
        raise PlanError(f"{root}: no CSV, JSON lines or Parquet files in it")
    return found


def plan_sweep(root: Path, *, part_rows: int = PART_ROWS, part_bytes: int = PART_BYTES) -> Plan:
    parts: list[PartSpec] = []
    stamps = []
    for path, fmt in input_files(root):
        stat = path.stat()
        stamps.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns])
        if stat.st_size == 0:
            continue
        if fmt is InputFormat.PARQUET:
            parts += _parquet_parts(path, len(parts), part_rows)
        else:
            parts += _text_parts(path, fmt, len(parts), part_bytes, stat.st_size)
    text = json.dumps([stamps, part_rows, part_bytes, [repr(p) for p in parts]])
    return Plan(root, tuple(parts), hashlib.sha256(text.encode()).hexdigest())


def _parquet_parts(path: Path, first: int, part_rows: int) -> list[PartSpec]:
    try:
        meta = pq.ParquetFile(path).metadata
        names = set(pq.read_schema(path).names)
    except (OSError, ValueError) as exc:
        raise PlanError(f"{path}: not a readable Parquet file ({exc})") from exc
    _require(path, names)
    spans: list[tuple[tuple[int, ...], int, int, int]] = []  # groups, group start, start, stop
    groups: list[int] = []
    begin = row = 0
    for group in range(meta.num_row_groups):
        size = int(meta.row_group(group).num_rows)
        if groups and row + size - begin > part_rows:
            spans.append((tuple(groups), begin, begin, row))
            groups, begin = [], row
        if not groups and size > part_rows:
            # One big row group: slices of it, each reading the group and keeping its share.
            cuts = -(-size // part_rows)
            edges = [row + size * k // cuts for k in range(cuts + 1)]
            spans += [((group,), row, a, b) for a, b in itertools.pairwise(edges)]
            row += size
            begin = row
            continue
        groups.append(group)
        row += size
    if groups:
        spans.append((tuple(groups), begin, begin, row))
    spans = [s for s in spans if s[3] > s[2]]
    return [
        PartSpec(first + i, str(path), InputFormat.PARQUET, a, b, (), g, g0)
        for i, (g, g0, a, b) in enumerate(spans)
    ]


def _require(path: Path, names: set[str]) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise PlanError(f"{path}: missing column(s) {', '.join(missing)} (needs {REQUIRED})")


def _text_parts(
    path: Path, fmt: InputFormat, first: int, part_bytes: int, size: int
) -> list[PartSpec]:
    header: tuple[str, ...] = ()
    with path.open("rb") as f:
        start = 0
        if fmt is InputFormat.CSV:
            line = f.readline()
            try:
                header = tuple(c.strip() for c in next(csv.reader([line.decode("utf-8-sig")])))
            except (UnicodeDecodeError, StopIteration, csv.Error) as exc:
                raise PlanError(f"{path}: line 1 is not a CSV header") from exc
            _require(path, set(header))
            start = f.tell()
        edges = [start]
        while edges[-1] < size:
            f.seek(max(edges[-1] + part_bytes, edges[-1] + 1) - 1)
            f.readline()  # to the end of the line the cut falls in
            edges.append(min(f.tell(), size))
    return [
        PartSpec(first + i, str(path), fmt, a, b, header, first_of_file=i == 0)
        for i, (a, b) in enumerate(itertools.pairwise(edges))
    ]
