"""`probandi sweep` and `probandi sweep apply` from a terminal, against a live registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text

from probandi.bootstrap import Runtime
from probandi.config import Settings
from tests.e2e.test_audit_cli import run_cli
from tests.support.notices import approved_listing
from tests.support.world import World

BAD_UTF8 = "Gucci 手提包".encode()[:-1]


def _lines(out: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for part in sorted(out.glob("part-*.jsonl"))
        for line in part.read_text(encoding="utf-8").splitlines()
    ]


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.reader.connect() as conn:
        audit = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        outbox = conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()
    return int(audit), int(outbox)


def test_sweep_help_shows_both_forms() -> None:
    exe = Path(sys.executable).parent / "probandi"
    done = subprocess.run(
        [str(exe), "sweep", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    assert "probandi sweep INPUT --out OUTPUT [--engine local|dask]" in done.stdout
    assert "probandi sweep apply OUTPUT [--dry-run]" in done.stdout


def test_sweep_reports_bad_rows_by_line_skips_approved_listings_and_resumes(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    world.a_gated_brand()  # Gucci, reference price 12,000 CNY
    world.a_seller("shop-a")
    approved_listing(world, "shop-a", "L-approved", seed=4242)
    catalog = tmp_path / "catalog.csv"
    catalog.write_bytes(
        b"\n".join(
            [
                b"id,seller_id,title,brand,price,currency",
                "L-approved,shop-a,Gucci GG Marmont 肩背包 L-approved,,15800,CNY".encode(),
                "L-new,shop-a,古驰 手提包,,15800,CNY".encode(),
                "L-fake,shop-b,Gucci 高仿 手提包,,99,CNY".encode(),
                b"L-bad,shop-b," + BAD_UTF8 + b",,,",
                b"L-untitled,shop-b,,,,",
                "L-abc,shop-b,古驰 包,,abc,CNY".encode(),
                "L-plain,shop-a,纯棉 T恤,,59,CNY".encode(),
            ]
        )
        + b"\n"
    )
    out = tmp_path / "findings.jsonl"
    done = run_cli(settings, "sweep", str(catalog), "--out", str(out), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert f"{catalog} line 5: not UTF-8 (byte 26 of the line)" in done.stderr
    assert f"{catalog} line 6: missing title" in done.stderr
    assert f"{catalog} line 7: price 'abc' is not a number" in done.stderr
    assert "swept 7 rows (3 skipped)" in done.stderr
    found = {r["listing_id"]: r for r in _lines(out)}
    assert sorted(found) == ["L-fake", "L-new"]  # L-approved has approved proof
    assert found["L-new"]["codes"] == ["gated_brand.no_approved_proof"]
    assert found["L-fake"]["codes"] == [
        "gated_brand.no_approved_proof",
        "counterfeit.slang",
        "counterfeit.price_below_reference",
    ]
    assert found["L-fake"]["matches"] == [
        {
            "field": "title",
            "brand": "Gucci",
            "text": "Gucci",
            "start": 0,
            "end": 5,
            "kind": "name",
            "tier": "named",
        }
    ]
    again = run_cli(settings, "sweep", str(catalog), "--out", str(out), "--workers", "1")
    assert again.returncode == 2
    assert "add --resume" in again.stderr
    resumed = run_cli(settings, "sweep", str(catalog), "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "1 of 1 partitions were written by an earlier run" in resumed.stderr


def test_sweep_apply_holds_through_the_gate_once(
    world: World, settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    catalog = tmp_path / "catalog.jsonl"
    rows = [
        {
            "id": "N1",
            "seller_id": "shop-a",
            "title": "古驰 乐福鞋",
            "price": 5900,
            "currency": "CNY",
        },
        {"id": "N2", "seller_id": "ghost", "title": "Gucci 腰带", "price": 3100, "currency": "CNY"},
        {"id": "N3", "seller_id": "shop-a", "title": "1:1 复刻 机械表"},
    ]
    catalog.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    out = tmp_path / "findings.parquet"
    swept = run_cli(settings, "sweep", str(catalog), "--out", str(out), "--workers", "1")
    assert swept.returncode == 0, swept.stderr
    before = _counts(runtime)
    dry = run_cli(settings, "sweep", "apply", str(out), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    planned = {r["listing_id"]: r for r in map(json.loads, dry.stdout.splitlines())}
    assert {k: (v["outcome"], v["dry_run"]) for k, v in planned.items()} == {
        "N1": ("held", True),
        "N2": ("unknown_seller", True),
        "N3": ("signal_only", True),
    }
    assert _counts(runtime) == before
    applied = run_cli(settings, "sweep", "apply", str(out))
    assert applied.returncode == 0, applied.stderr
    outcomes = {r["listing_id"]: r["outcome"] for r in map(json.loads, applied.stdout.splitlines())}
    assert outcomes == {"N1": "held", "N2": "unknown_seller", "N3": "signal_only"}
    listing = world.platform("GET", "/v1/listings/N1").json()
    assert (listing["publishable"], listing["gate"]["state"]) == (False, "awaiting_proof")
    after = _counts(runtime)
    assert after == (before[0] + 1, before[1] + 1)
    twice = run_cli(settings, "sweep", "apply", str(out))
    assert twice.returncode == 0, twice.stderr
    assert '"outcome": "already_held"' in twice.stdout
    assert _counts(runtime) == after
