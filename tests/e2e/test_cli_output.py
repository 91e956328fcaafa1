"""What the CLI prints when its output is piped, as scripts and `make run` read it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from probandi.bootstrap import Runtime
from probandi.config import Settings
from tests.e2e.test_audit_cli import run_cli


def test_keys_revoke_prints_the_key_id_and_never_the_secret(
    settings: Settings, runtime: Runtime
) -> None:
    made = run_cli(settings, "keys", "create", "--role", "admin", "--label", "ops")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    done = run_cli(settings, "keys", "revoke", secret)
    assert done.returncode == 0, done.stderr
    assert secret not in done.stdout + done.stderr
    [line] = [line for line in done.stderr.splitlines() if "revoked" in line]
    found = re.fullmatch(r"revoked key (\w+); .* the API refuses it in 1 s", line)
    assert found is not None, line  # one line, not wrapped at 80 columns
    with runtime.reader.connect() as conn:
        subject = conn.execute(
            text("SELECT subject FROM audit_log WHERE tag = 'api_key:revoked'")
        ).scalar_one()
    assert subject == f"api_key:{found.group(1)}"
    unknown = run_cli(settings, "keys", "revoke", "pbk_not-a-real-key")
    assert unknown.returncode == 2
    assert "pbk_not-a-real-key" not in unknown.stdout + unknown.stderr


def test_voucher_clusters_json_prints_an_empty_list_when_there_are_none(
    settings: Settings, runtime: Runtime
) -> None:
    done = run_cli(settings, "voucher", "clusters", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_demo_keys_print_whole_when_piped(tmp_path: Path) -> None:
    keys = {"platform": "pbk_" + "P" * 43, "seller:shop-with-a-long-name": "pbk_" + "S" * 43}
    script = (
        "import json, sys\n"
        "from probandi.entrypoints.cli.main import _print_demo_keys\n"
        "_print_demo_keys(json.loads(sys.argv[1]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(keys)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for who, key in keys.items():
        row = next(line for line in done.stdout.splitlines() if who in line)
        assert key in row
    assert "…" not in done.stdout
