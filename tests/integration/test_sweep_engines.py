"""The local and the Dask engines find the same, row for row; bad rows do not stop either."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from probandi.domain.sweep import SweepRules, sweep_rules
from probandi.entrypoints.sweep.engines import DaskEngine, InlineEngine, LocalEngine, SweepEngine
from probandi.entrypoints.sweep.parts import PartResult, PartSpec
from probandi.entrypoints.sweep.runner import SweepReport, SweepRequest, run_sweep
from tests.support.catalogs import catalog_rows, registry_brands, swept, write_catalog

BAD_UTF8 = "Gucci 手提包".encode()[:-1]


def a_catalog_directory(root: Path) -> Path:
    """4,000 rows over Parquet (5 row groups), CSV and JSON lines, with malformed rows."""
    rows = catalog_rows(4_000, seed=3)
    root.mkdir()
    write_catalog(root / "a.parquet", rows[:2_500], row_group=500)
    write_catalog(root / "b.csv", rows[2_500:3_300])
    write_catalog(root / "c.jsonl", rows[3_300:])
    with (root / "b.csv").open("ab") as f:
        f.write(b"X1,shop-001," + BAD_UTF8 + b",,,\n")  # line 802
        f.write("X2,shop-001,,古驰,100,CNY\n".encode())  # line 803
        f.write("X3,shop-001,古驰 手提包,,abc,CNY\n".encode())  # line 804
    with (root / "c.jsonl").open("ab") as f:
        f.write(b'{"id": "X4", "seller_id": "shop-002", "title": "' + BAD_UTF8 + b'"}\n')  # 701
        f.write(b'{"id": "X5", "seller_id": "shop-002", "price": "abc"}\n')  # line 702
    return root


def _sweep(source: Path, out: Path, engine: SweepEngine, **kwargs: bool) -> SweepReport:
    request = SweepRequest(source, out, part_rows=500, part_bytes=24_000, **kwargs)
    rules = sweep_rules(registry_brands())
    return run_sweep(request, rules, engine, approved=lambda ids: set())


def test_dask_on_a_local_cluster_finds_what_the_local_engine_finds_row_for_row(
    tmp_path: Path,
) -> None:
    source = a_catalog_directory(tmp_path / "catalog")
    local = _sweep(source, tmp_path / "local.parquet", LocalEngine(2))
    dask = _sweep(source, tmp_path / "dask.parquet", DaskEngine(None, 2))
    inline = _sweep(source, tmp_path / "inline.parquet", InlineEngine())
    found = swept(tmp_path / "local.parquet")
    assert len(found) > 600
    assert swept(tmp_path / "dask.parquet") == found
    assert swept(tmp_path / "inline.parquet") == found
    assert local.parts == dask.parts >= 9
    assert local.skipped == dask.skipped == inline.skipped
    assert [str(s) for s in local.skipped] == [
        "b.csv line 802: not UTF-8 (byte 25 of the line)",
        "b.csv line 803: missing title",
        "b.csv line 804: price 'abc' is not a number",
        "c.jsonl line 701: not UTF-8 (byte 61 of the line)",
        "c.jsonl line 702: missing title",
    ]
    assert local.tally == dask.tally
    assert (local.tally.rows, local.tally.skipped) == (4_005, 5)
    # One engine per worker process, not per partition.
    assert len(local.workers) <= 2
    assert len(dask.workers) <= 2


class Interrupting:
    """The inline engine, stopped by Ctrl-C after `after` partitions."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.given: list[int] = []
        self.label = "interrupting"

    def run(self, parts: Sequence[PartSpec], rules: SweepRules) -> Iterator[PartResult]:
        self.given = [p.index for p in parts]
        for count, result in enumerate(InlineEngine().run(parts, rules)):
            if count == self.after:
                raise KeyboardInterrupt
            yield result


def test_an_interrupted_sweep_resumes_with_the_partitions_not_yet_written(tmp_path: Path) -> None:
    source = a_catalog_directory(tmp_path / "catalog")
    straight = _sweep(source, tmp_path / "straight.parquet", InlineEngine())
    out = tmp_path / "out.parquet"
    first = Interrupting(after=4)
    with pytest.raises(KeyboardInterrupt):
        _sweep(source, out, first)
    with (out / "_manifest.jsonl").open("a") as f:
        f.write('{"part": 9, "file": "part-000')  # a line cut short by the crash
    second = Interrupting(after=10_000)
    resumed = _sweep(source, out, second, resume=True)
    assert resumed.resumed == 4
    assert second.given == first.given[4:]
    assert swept(out) == swept(tmp_path / "straight.parquet")
    assert resumed.tally == straight.tally
    assert resumed.skipped == straight.skipped
    summary = json.loads((out / "_summary.json").read_text())
    assert (summary["rows"], summary["resumed_partitions"]) == (4_005, 4)


def test_an_output_in_use_is_refused_and_resume_needs_the_same_input_and_registry(
    tmp_path: Path,
) -> None:
    from probandi.domain.brands import Brand
    from probandi.entrypoints.sweep.runner import SweepRefused

    source = tmp_path / "c.jsonl"
    write_catalog(source, catalog_rows(50))
    out = tmp_path / "out.jsonl"
    _sweep(source, out, InlineEngine())
    with pytest.raises(SweepRefused, match="already holds a sweep"):
        _sweep(source, out, InlineEngine())
    other = sweep_rules([*registry_brands(), Brand(id="dior", name="Dior")])
    request = SweepRequest(source, out, resume=True, part_rows=500, part_bytes=24_000)
    with pytest.raises(SweepRefused, match="brand registry changed"):
        run_sweep(request, other, InlineEngine(), approved=lambda ids: set())
    write_catalog(source, catalog_rows(51))
    with pytest.raises(SweepRefused, match="input files changed"):
        _sweep(source, out, InlineEngine(), resume=True)


def test_approved_proof_is_asked_once_per_partition_and_clears_the_gated_code(
    tmp_path: Path,
) -> None:
    source = write_catalog(tmp_path / "c.parquet", catalog_rows(1_000, seed=5), row_group=250)
    asked: list[int] = []

    def approved(ids: object) -> set[str]:
        assert isinstance(ids, list)
        asked.append(len(ids))
        return set(ids)  # everything has approved proof

    request = SweepRequest(source, tmp_path / "out.parquet", part_rows=250)
    report = run_sweep(request, sweep_rules(registry_brands()), InlineEngine(), approved=approved)
    assert len(asked) == report.parts == 4
    found = swept(tmp_path / "out.parquet")
    assert found
    assert sum(asked) > len(found)  # the gated-only findings are gone
    assert all(f.approved and "gated_brand.no_approved_proof" not in f.codes for f in found)
