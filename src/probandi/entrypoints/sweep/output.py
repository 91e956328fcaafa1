"""The output directory: one part per partition, a manifest for --resume, the skipped rows.

OUTPUT/part-00000.parquet (or .jsonl) ... one per input partition, empty ones included
OUTPUT/_manifest.jsonl   the plan and rules of the sweep, then one line per part written
OUTPUT/_errors.jsonl     every skipped input row, with its file and line or row number
OUTPUT/_summary.json     the summary, once the sweep is complete

A part is written to a temporary name and renamed, then its manifest line is appended: a
part named in the manifest is complete. Readers of the Parquet dataset skip names
starting with "_".
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from probandi.domain.sweep import (
    NO_GATED_BRAND,
    FieldMatch,
    FieldSignal,
    Finding,
    Tally,
    settled_codes,
)

MANIFEST = "_manifest.jsonl"
ERRORS = "_errors.jsonl"
SUMMARY = "_summary.json"
MATCH = pa.struct(
    [
        ("field", pa.string()),
        ("brand", pa.string()),
        ("text", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("kind", pa.string()),
        ("tier", pa.string()),
    ]
)
SIGNAL = pa.struct(
    [
        ("field", pa.string()),
        ("code", pa.string()),
        ("severity", pa.string()),
        ("text", pa.string()),
    ]
)
SCHEMA = pa.schema(
    [
        ("listing_id", pa.string()),
        ("seller_id", pa.string()),
        ("codes", pa.list_(pa.string())),
        ("brands", pa.list_(pa.string())),
        ("approved", pa.bool_()),
        ("matches", pa.list_(MATCH)),
        ("signals", pa.list_(SIGNAL)),
        ("title", pa.string()),
        ("brand_field", pa.string()),
        ("price", pa.string()),
        ("currency", pa.string()),
    ]
)


class OutputFormat(enum.StrEnum):
    PARQUET = "parquet"
    JSONL = "jsonl"

    @classmethod
    def of(cls, out: Path) -> OutputFormat:
        return cls.JSONL if out.suffix.lower() in (".jsonl", ".ndjson") else cls.PARQUET


def finding_record(f: Finding) -> dict[str, Any]:
    return {
        "listing_id": f.listing_id,
        "seller_id": f.seller_id,
        "codes": list(f.codes),
        "brands": list(f.brands),
        "approved": f.approved,
        "matches": [m._asdict() for m in f.matches],
        "signals": [s._asdict() for s in f.signals],
        "title": f.title,
        "brand_field": f.brand_field,
        "price": None if f.price is None else str(f.price),
        "currency": f.currency,
    }


def finding_from_record(r: Mapping[str, Any]) -> Finding:
    return Finding(
        listing_id=r["listing_id"],
        seller_id=r["seller_id"],
        codes=tuple(r["codes"]),
        brands=tuple(r["brands"]),
        matches=tuple(FieldMatch(**m) for m in r["matches"]),
        signals=tuple(FieldSignal(**s) for s in r["signals"]),
        title=r["title"],
        brand_field=r["brand_field"],
        price=None if r["price"] is None else Decimal(r["price"]),
        currency=r["currency"],
        approved=bool(r["approved"]),
    )


def findings_table(findings: Sequence[Finding]) -> Any:
    """A partition's findings as an Arrow table: built by the worker, so that the driver
    only settles approval and writes (with many workers, it would be the bottleneck)."""
    return pa.Table.from_pylist([finding_record(f) for f in findings], schema=SCHEMA)


def settle_table(table: Any, approved: set[str]) -> Any:
    """The table once the registry has answered which of its listings have approved proof."""
    ids = table.column("listing_id").to_pylist()
    if not approved.intersection(ids):
        return table
    flags = [i in approved for i in ids]
    codes = [
        settled_codes(c, approved=flag)
        for c, flag in zip(table.column("codes").to_pylist(), flags, strict=True)
    ]
    table = table.set_column(
        table.schema.get_field_index("codes"), "codes", pa.array(codes, pa.list_(pa.string()))
    )
    table = table.set_column(
        table.schema.get_field_index("approved"), "approved", pa.array(flags, pa.bool_())
    )
    return table.filter(pa.array([bool(c) for c in codes]))


def tally_table(tally: Tally, table: Any) -> None:
    """Count a part's findings with Arrow: the driver stays light however many workers."""
    if table.num_rows == 0:
        return
    brands = table.column("brands")
    per_brand = _counts(pc.list_flatten(brands))
    unbranded = pc.sum(pc.equal(pc.list_value_length(brands), 0)).as_py()
    if unbranded:
        per_brand[NO_GATED_BRAND] = unbranded
    codes = _counts(pc.list_flatten(table.column("codes")))
    tally.merge(table.num_rows, codes, per_brand, _counts(table.column("seller_id")))


def _counts(values: Any) -> dict[str, int]:
    counted = pc.value_counts(values)
    names: list[str] = counted.field("values").to_pylist()
    numbers: list[int] = counted.field("counts").to_pylist()
    return dict(zip(names, numbers, strict=True))


def part_path(out: Path, fmt: OutputFormat, index: int) -> Path:
    return out / f"part-{index:05d}.{fmt.value}"


def write_part(out: Path, fmt: OutputFormat, index: int, table: Any) -> Path:
    path = part_path(out, fmt, index)
    tmp = path.with_name(f".{path.name}.tmp")
    if fmt is OutputFormat.PARQUET:
        pq.write_table(table, tmp)
    else:
        with tmp.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in table.to_pylist())
    os.replace(tmp, path)
    return path


def read_part_table(path: Path) -> Any:
    if path.suffix == ".parquet":
        return pq.read_table(path, schema=SCHEMA)
    with path.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    return pa.Table.from_pylist(records, schema=SCHEMA)


def read_part_findings(path: Path) -> list[Finding]:
    return [finding_from_record(r) for r in read_part_table(path).to_pylist()]


# -- the manifest ----------------------------------------------------------------------------
def write_manifest(
    out: Path, header: Mapping[str, Any], parts: Mapping[int, Mapping[str, Any]] | None = None
) -> None:
    """A new manifest; on resume, the one read back, without a line cut short by a crash."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{MANIFEST}.tmp"
    with tmp.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"header": header}) + "\n")
        for index in sorted(parts or {}):
            f.write(json.dumps(dict((parts or {})[index]), ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out / MANIFEST)


def append_entry(out: Path, entry: Mapping[str, Any]) -> None:
    with (out / MANIFEST).open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())


def read_manifest(out: Path) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """The header and the parts written, by index; a line cut short by a crash is ignored."""
    header: dict[str, Any] = {}
    parts: dict[int, dict[str, Any]] = {}
    with (out / MANIFEST).open(encoding="utf-8") as f:
        for line in f:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                break  # only the last line can be cut short: it is rewritten on resume
            if "header" in entry:
                header = entry["header"]
            elif "part" in entry:
                parts[int(entry["part"])] = entry
    return header, parts


def write_json(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def part_files(out: Path) -> Iterator[Path]:
    """The parts of a complete sweep, in input order."""
    header, parts = read_manifest(out)
    if header.get("parts") != len(parts) or not (out / SUMMARY).exists():
        raise ValueError(
            f"{out}: the sweep is not complete ({len(parts)} of {header.get('parts', '?')} "
            "partitions written); finish it with `probandi sweep INPUT --out OUTPUT --resume`"
        )
    for index in sorted(parts):
        yield out / parts[index]["file"]
