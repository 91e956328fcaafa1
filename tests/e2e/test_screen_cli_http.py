"""`probandi screen` and POST /v1/screen: JSON lines in and out, limits, bad lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.world import World

PROBANDI = str(Path(sys.executable).parent / "probandi")


def run_screen(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROBANDI, "screen", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_screen_reads_json_lines_and_reports_bad_ones() -> None:
    lines = [
        json.dumps({"id": "a", "title": "Ｇｕｃｃｉ 高仿 手提包"}, ensure_ascii=False),
        json.dumps({"id": "b", "title": "plain tee", "price": "abc"}),
        json.dumps({"id": "c"}),
        "not json",
        json.dumps(
            {"id": "d", "title": "古馳 1:1 手提包", "price": 99, "currency": "CNY"},
            ensure_ascii=False,
        ),
    ]
    done = run_screen("\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "d"]
    match = out[0]["matches"][0]
    assert (match["brand"], match["kind"]) == ("Gucci", "obfuscated")
    assert "Ｇｕｃｃｉ 高仿 手提包"[match["start"] : match["end"]] == match["text"]
    assert {s["text"] for s in out[0]["signals"]} == {"高仿"}
    assert "line 2: price 'abc' is not a number" in done.stderr
    assert "line 3: missing title" in done.stderr
    assert "line 4: not JSON" in done.stderr


def test_screen_brands_file_replaces_the_catalog(tmp_path: Path) -> None:
    csv_file = tmp_path / "brands.csv"
    csv_file.write_text("brand,aliases\nZetaline,泽塔琳|ZTL\n", encoding="utf-8")
    title = json.dumps({"id": 1, "title": "泽塔琳 Gucci 手提包"}, ensure_ascii=False)
    out = json.loads(run_screen(title + "\n", "--brands", str(csv_file)).stdout)
    assert [m["brand"] for m in out["matches"]] == ["Zetaline"]  # Gucci is not in this catalog
    json_file = tmp_path / "brands.json"
    json_file.write_text(json.dumps([{"brand": "Gucci", "aliases": ["古驰"]}]))
    out = json.loads(run_screen(title + "\n", "--brands", str(json_file)).stdout)
    assert [m["brand"] for m in out["matches"]] == ["Gucci"]
    bad = run_screen(title + "\n", "--brands", str(tmp_path / "missing.csv"))
    assert bad.returncode == 2


def test_post_screen_answers_per_title_with_offsets(world: World) -> None:
    items = [{"id": "1", "title": "G U C C I 手提包 高仿"}, {"id": "2", "title": "纯棉T恤"}]
    r = world.platform("POST", "/v1/screen", json={"items": items})
    assert r.status_code == 200, r.text
    first, second = r.json()["results"]
    assert first["matches"][0]["text"] == "G U C C I"
    assert first["signals"][0]["text"] == "高仿"
    assert second == {"id": "2", "matches": [], "signals": []}


def test_post_screen_refuses_too_many_titles(world: World) -> None:
    items = [{"id": str(i), "title": "t"} for i in range(1001)]
    r = world.platform("POST", "/v1/screen", json={"items": items})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"
    assert world.http.post("/v1/screen", json={"items": items[:1]}).status_code == 401
