"""Reading catalogs: bad rows are reported with their file-wide line or row and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from probandi.domain.sweep import FindingCode, sweep_rules
from probandi.entrypoints.sweep.engines import InlineEngine
from probandi.entrypoints.sweep.plan import PlanError, plan_sweep
from probandi.entrypoints.sweep.runner import SweepReport, SweepRequest, run_sweep
from tests.support.catalogs import registry_brands, swept

BAD_UTF8 = "Gucci 手提包".encode()[:-1]  # the last character cut in half


def _sweep(source: Path, out: Path, *, part_rows: int = 100, part_bytes: int = 4096) -> SweepReport:
    rules = sweep_rules(registry_brands())
    request = SweepRequest(source, out, part_rows=part_rows, part_bytes=part_bytes)
    return run_sweep(request, rules, InlineEngine(), approved=lambda ids: set())


def test_csv_rows_that_cannot_be_screened_are_reported_by_line_across_partitions(
    tmp_path: Path,
) -> None:
    lines = [
        b"id,seller_id,title,brand,price,currency",
        "L1,shop-a,Gucci 手提包,,15800,CNY".encode(),
        b"L2,shop-a," + BAD_UTF8 + b",,,",
        b"L3,shop-a,,,,",
        "L4,shop-b,古驰 高仿 包,,abc,CNY".encode(),
        b"",
        'L5,shop-b,"香奈儿 ""经典"" 2.55",,,'.encode(),
        b"L7,shop-c,plain tee,,,",
        b"L8,shop-c,too,many,fields,here,x",
        "L9,shop-c,手提包,古驰,99,CNY\r".encode(),
    ]
    source = tmp_path / "catalog.csv"
    source.write_bytes(b"\n".join(lines) + b"\n")
    report = _sweep(source, tmp_path / "out.parquet", part_bytes=40)
    assert report.parts >= 5
    assert [str(s) for s in report.skipped] == [
        f"{source} line 3: not UTF-8 (byte 23 of the line)",
        f"{source} line 4: missing title",
        f"{source} line 5: price 'abc' is not a number",
        f"{source} line 9: 7 fields, the header has 6",
    ]
    found = {f.listing_id: f for f in swept(tmp_path / "out.parquet")}
    assert sorted(found) == ["L1", "L5", "L9"]
    assert found["L5"].title == '香奈儿 "经典" 2.55'
    assert found["L9"].codes == (FindingCode.GATED_NO_PROOF, FindingCode.PRICE)
    assert (report.tally.rows, report.tally.skipped) == (8, 4)
    errors_file = tmp_path / "out.parquet" / "_errors.jsonl"
    errors = [json.loads(line) for line in errors_file.read_text().splitlines()]
    assert errors[0] == {
        "file": str(source),
        "unit": "line",
        "number": 3,
        "message": "not UTF-8 (byte 23 of the line)",
    }


def test_a_quoted_csv_field_running_onto_the_next_line_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "catalog.csv"
    source.write_text('id,seller_id,title\nL1,s,"Gucci\nbag"\nL2,s,Chanel 包\n', encoding="utf-8")
    report = _sweep(source, tmp_path / "out.jsonl")
    assert [str(s) for s in report.skipped] == [
        f"{source} line 2: a quoted field runs past the end of the line"
    ]
    assert [f.listing_id for f in swept(tmp_path / "out.jsonl")] == ["L2"]


def test_json_lines_that_cannot_be_screened_are_reported_by_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "J1", "seller_id": "s", "title": "Gucci bag", "price": 100}).encode(),
        BAD_UTF8,
        b"not json",
        json.dumps({"id": "J3", "seller_id": "s"}).encode(),
        b"[1, 2]",
        json.dumps({"id": "J4", "seller_id": "s", "title": "古驰 包", "price": "abc"}).encode(),
        b"   ",
        json.dumps({"id": 9, "seller_id": "s", "title": "高仿 手表"}, ensure_ascii=False).encode(),
        b'{"id": "J5", "seller_id": "s", "title": "Gucci \\ud800 bag"}',
    ]
    source = tmp_path / "catalog.jsonl"
    source.write_bytes(b"\n".join(lines))  # no newline at the end
    report = _sweep(source, tmp_path / "out.parquet", part_bytes=64)
    assert [str(s) for s in report.skipped] == [
        f"{source} line 2: not UTF-8 (byte 13 of the line)",
        f"{source} line 3: not JSON (Expecting value)",
        f"{source} line 4: missing title",
        f"{source} line 5: expected a JSON object",
        f"{source} line 6: price 'abc' is not a number",
        f"{source} line 9: title has a lone surrogate (invalid Unicode)",
    ]
    found = swept(tmp_path / "out.parquet")
    assert [(f.listing_id, f.codes) for f in found] == [
        ("J1", (FindingCode.GATED_NO_PROOF,)),
        ("9", (FindingCode.SLANG,)),
    ]


def test_parquet_rows_that_cannot_be_screened_are_reported_by_row(tmp_path: Path) -> None:
    titles = [b"Gucci bag", b"plain", BAD_UTF8, None, "香奈儿 包".encode(), b"LV", b"x", b"y"]
    prices = ["10", None, None, None, "abc", None, None, "-1"]
    table = pa.table(
        {
            "id": [f"P{i}" for i in range(1, 9)],
            "seller_id": ["s"] * 8,
            "title": pa.array(titles, pa.binary()),
            "price": prices,
        }
    )
    source = tmp_path / "catalog.parquet"
    pq.write_table(table, source, row_group_size=3)
    report = _sweep(source, tmp_path / "out.parquet", part_rows=2)
    assert report.parts == 5  # row groups of 3, 3, 2 rows cut into partitions of at most 2
    assert [str(s) for s in report.skipped] == [
        f"{source} row 3: title is not UTF-8 (byte 13)",
        f"{source} row 4: missing title",
        f"{source} row 5: price 'abc' is not a number",
        f"{source} row 8: price '-1' is negative",
    ]
    assert [f.listing_id for f in swept(tmp_path / "out.parquet")] == ["P1"]


def test_a_directory_is_swept_file_by_file_skipping_hidden_and_underscored_files(
    tmp_path: Path,
) -> None:
    source = tmp_path / "catalog"
    (source / "2026").mkdir(parents=True)
    (source / "a.jsonl").write_text('{"id": "A", "seller_id": "s", "title": "Gucci"}\n')
    (source / "2026" / "b.csv").write_text("id,seller_id,title\nB,s,Chanel 包\nC,s,,\n")
    (source / "_c.jsonl").write_text('{"id": "X", "seller_id": "s", "title": "Gucci"}\n')
    (source / ".d.csv").write_text("id,seller_id,title\nY,s,Gucci\n")
    (source / "notes.txt").write_text("not a catalog")
    report = _sweep(source, tmp_path / "out.parquet")
    assert [f.listing_id for f in swept(tmp_path / "out.parquet")] == ["B", "A"]
    assert [str(s) for s in report.skipped] == ["2026/b.csv line 3: 4 fields, the header has 3"]


def test_input_that_cannot_be_swept_at_all_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    (tmp_path / "no-title.csv").write_text("id,seller_id,name\n1,s,x\n")
    with pytest.raises(PlanError, match="missing column"):
        plan_sweep(tmp_path / "no-title.csv")
    pq.write_table(pa.table({"id": ["1"], "title": ["x"]}), tmp_path / "no-seller.parquet")
    with pytest.raises(PlanError, match="seller_id"):
        plan_sweep(tmp_path / "no-seller.parquet")
    (tmp_path / "catalog.xlsx").write_text("?")
    with pytest.raises(PlanError, match="unknown input format"):
        plan_sweep(tmp_path / "catalog.xlsx")
    with pytest.raises(PlanError, match="no such file"):
        plan_sweep(tmp_path / "missing.csv")


def test_one_big_row_group_is_cut_into_several_partitions(tmp_path: Path) -> None:
    table = pa.table({"id": [str(i) for i in range(10)], "seller_id": ["s"] * 10})
    pq.write_table(table.append_column("title", pa.array(["Gucci"] * 10)), tmp_path / "c.parquet")
    plan = plan_sweep(tmp_path / "c.parquet", part_rows=4)
    assert [(p.start, p.stop, p.row_groups) for p in plan.parts] == [
        (0, 3, (0,)),
        (3, 6, (0,)),
        (6, 10, (0,)),
    ]
    report = _sweep(tmp_path / "c.parquet", tmp_path / "out.parquet", part_rows=4)
    assert [f.listing_id for f in swept(tmp_path / "out.parquet")] == [str(i) for i in range(10)]
    assert report.tally.rows == 10
