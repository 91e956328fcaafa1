"""`probandi brands import` and `POST /v1/brands/import` gate a brand only when told to."""

from __future__ import annotations

from pathlib import Path

from probandi.config import Settings
from tests.e2e.test_audit_cli import run_cli
from tests.support.world import World


def test_cli_import_refuses_an_unclear_gated_cell_and_reads_explicit_ones(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    unclear = tmp_path / "unclear.csv"
    unclear.write_text("name,aliases,gated\nChanel,CC,true\nPrada,,maybe\n")
    refused = run_cli(settings, "brands", "import", str(unclear))
    assert refused.returncode == 2
    assert "line 3: gated is 'maybe'" in refused.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("name,aliases,gated\nChanel,CC,\n")
    refused = run_cli(settings, "brands", "import", str(empty))
    assert refused.returncode == 2
    assert "line 2: gated is empty" in refused.stderr
    assert world.admin("GET", "/v1/brands").json() == []  # all or nothing
    clear = tmp_path / "brands.csv"
    clear.write_text("name,aliases,gated\nChanel,CC,TRUE\nPrada,,no\nCeline,,1\n")
    done = run_cli(settings, "brands", "import", str(clear))
    assert done.returncode == 0, done.stderr
    gated = {b["name"]: b["gated"] for b in world.admin("GET", "/v1/brands").json()}
    assert gated == {"Chanel": True, "Prada": False, "Celine": True}


def test_http_import_refuses_an_unclear_gated_cell_naming_its_line(world: World) -> None:
    r = world.admin(
        "POST",
        "/v1/brands/import",
        content=b"name,aliases,gated\nChanel,CC,true\nPrada,,maybe\n",
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "invalid_input"
    assert problem["field"] == "gated"
    assert problem["detail"] == "line 3: gated is 'maybe'; write true/false, 1/0 or yes/no"
    assert world.admin("GET", "/v1/brands").json() == []
