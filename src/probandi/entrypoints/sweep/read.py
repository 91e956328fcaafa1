"""Reading one partition: every row validated, a bad one skipped with its line or row."""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from probandi.domain.sweep import BadRow, SweepRow, lone_surrogate, sweep_row
from probandi.entrypoints.sweep.parts import InputFormat, PartSpec, RowError
from probandi.entrypoints.sweep.plan import COLUMNS


@dataclass
class PartRows:
    rows: list[SweepRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    seen: int = 0  # rows, valid or not
    lines: int = 0


def read_part(spec: PartSpec) -> PartRows:
    if spec.fmt is InputFormat.PARQUET:
        return _read_parquet(spec)
    with open(spec.path, "rb") as f:
        f.seek(spec.start)
        data = f.read(spec.stop - spec.start)
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    out = PartRows(lines=len(lines))
    decoded = _decoded(lines, out)
    if spec.fmt is InputFormat.JSONL:
        _parse_json_lines(decoded, out)
    else:
        _parse_csv(decoded, spec.header, out)
    return out


def _decoded(lines: list[bytes], out: PartRows) -> list[tuple[int, str]]:
    """(line number, text) of the non-blank lines; lines that are not UTF-8 are skipped."""
    decoded = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        out.seen += 1
        try:
            decoded.append((number, raw.decode("utf-8").removesuffix("\r")))
        except UnicodeDecodeError as exc:
            out.errors.append(RowError(number, f"not UTF-8 (byte {exc.start + 1} of the line)"))
    return decoded


def _parse_json_lines(lines: list[tuple[int, str]], out: PartRows) -> None:
    for number, text in lines:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            out.errors.append(RowError(number, f"not JSON ({exc.msg})"))
            continue
        if not isinstance(data, dict):
            out.errors.append(RowError(number, "expected a JSON object"))
            continue
        values = [data.get(c) for c in COLUMNS]
        if "\\u" in text:
            broken = [c for c, v in zip(COLUMNS, values, strict=True) if _unwritable(v)]
            if broken:
                message = f"{broken[0]} has a lone surrogate (invalid Unicode)"
                out.errors.append(RowError(number, message))
                continue
        _add(out, number, values)


def _unwritable(value: object) -> bool:
    return isinstance(value, str) and lone_surrogate(value)


def _parse_csv(lines: list[tuple[int, str]], header: tuple[str, ...], out: PartRows) -> None:
    where = [header.index(c) if c in header else None for c in COLUMNS]
    reader = csv.reader(text for _, text in lines)
    taken = 0
    while taken < len(lines):
        number = lines[taken][0]
        try:
            record = next(reader)
        except csv.Error as exc:
            out.errors.append(RowError(number, f"not CSV ({exc})"))
            taken = reader.line_num
            continue
        if reader.line_num - taken > 1:
            # Rows are lines: a quoted field that runs on cannot be told from a broken one.
            out.errors.append(RowError(number, "a quoted field runs past the end of the line"))
        elif len(record) != len(header):
            out.errors.append(
                RowError(number, f"{len(record)} fields, the header has {len(header)}")
            )
        else:
            _add(out, number, [None if i is None else record[i] for i in where])
        taken = reader.line_num


def _add(out: PartRows, number: int, values: list[Any]) -> None:
    try:
        out.rows.append(sweep_row(*values))
    except BadRow as exc:
        out.errors.append(RowError(number, str(exc)))


def _read_parquet(spec: PartSpec) -> PartRows:
    f = pq.ParquetFile(spec.path)
    names = [c for c in COLUMNS if c in f.schema_arrow.names]
    table = f.read_row_groups(list(spec.row_groups), columns=names)
    table = table.slice(spec.start - spec.group_start, spec.stop - spec.start)
    out = PartRows(seen=table.num_rows)
    bad: dict[int, str] = {}
    columns = [
        _values(table.column(c), c, bad) if c in names else itertools.repeat(None) for c in COLUMNS
    ]
    rows, errors = out.rows, out.errors
    # Absent optional columns repeat None: the columns read decide where the zip ends.
    for i, values in enumerate(zip(*columns, strict=False)):
        if bad and i in bad:
            errors.append(RowError(spec.start + i + 1, bad[i]))
            continue
        try:
            rows.append(sweep_row(*values))
        except BadRow as exc:
            errors.append(RowError(spec.start + i + 1, str(exc)))
    return out


def _values(column: Any, name: str, bad: dict[int, str]) -> list[Any]:
    """The column as Python values; bytes that are not UTF-8 mark their row bad."""
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        raw = column.to_pylist()
    else:
        try:
            return list(column.to_pylist())
        except UnicodeDecodeError:
            raw = column.cast(pa.binary()).to_pylist()
    values: list[Any] = []
    for i, item in enumerate(raw):
        try:
            values.append(None if item is None else item.decode("utf-8"))
        except UnicodeDecodeError as exc:
            bad.setdefault(i, f"{name} is not UTF-8 (byte {exc.start + 1})")
            values.append(None)
    return values
