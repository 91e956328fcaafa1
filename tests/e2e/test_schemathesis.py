"""Schemathesis against a live server holding the demo marketplace, as an admin and as a
seller: the coverage, fuzzing and stateful phases (the stateful phase follows the OpenAPI
links, e.g. PUT a listing -> GET it -> POST a voucher -> GET the voucher). No answer may be
a server error or break the published schema (status, content type, headers, body).

Bounded: about 2,500 cases per key. Set PROBANDI_SCHEMATHESIS_SEED to replay a run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from probandi.bootstrap import Runtime
from probandi.entrypoints.cli.demo import load_demo
from tests.support.world import World

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
# Per operation: fuzzing draws 10 cases; the stateful phase runs up to 200 scenarios of up
# to 8 linked calls. The coverage phase adds its boundary cases (about 1,500).
CONFIG = """
[phases.fuzzing.generation]
max-examples = 10
[phases.stateful]
max-steps = 8
[phases.stateful.generation]
max-examples = 200
"""
MIN_CASES = 1_000
PARTIES = ("admin", "seller:jinhua-luxury")


def run_schemathesis(live_url: str, key: str, workdir: Path) -> tuple[dict[str, Any], str]:
    """One `st run`, in a process of its own; returns its JSON report and its output."""
    workdir.mkdir()
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG)
    report = workdir / "report.json"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{live_url}/openapi.json",
        "--header",
        f"Authorization: Bearer {key}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "coverage,fuzzing,stateful",
        "--workers",
        "1",  # hypothesis's source inspection is not thread-safe on 3.11
        "--no-shrink",  # --max-time is not a cap: fuzzing would repeat until it is spent
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    if seed := os.environ.get("PROBANDI_SCHEMATHESIS_SEED"):
        command += ["--seed", seed]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    output = done.stdout + done.stderr
    assert report.exists(), output[-4000:]
    return json.loads(report.read_text()), output


def test_schemathesis_finds_no_server_error_or_schema_violation(
    live_url: str, runtime: Runtime, tmp_path: Path
) -> None:
    keys = load_demo(runtime.services, out=lambda _line: None)
    assert keys is not None
    for party in PARTIES:
        report, output = run_schemathesis(live_url, keys[party], tmp_path / party.replace(":", "-"))
        tail = f"{party}, seed {report['seed']}:\n{output[-6000:]}"
        assert report["failures"] == [], tail
        assert report["errors"] == [], tail
        assert report["test_cases"]["with_failures"] == 0, tail
        assert report["test_cases"]["generated"] >= MIN_CASES, tail
        assert report["phases"]["stateful"]["status"] == "success", tail
        assert report["exit_code"] == 0, tail


# What the run above found on PostgreSQL, pinned: a NUL character reached the database
# (which cannot store it) and the answer was a 500.
def test_a_nul_character_in_a_json_body_is_refused_with_422(world: World) -> None:
    r = world.admin("POST", "/v1/rights-holders", json={"id": "h1", "name": "Kering\x00"})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_error"
    nested = {"kind": "reseller", "legal_name": "ok", "address": "ok", "display_name": "a\x00"}
    assert world.platform("PUT", "/v1/sellers/s1", json=nested).status_code == 422


def test_a_nul_character_in_a_path_or_query_is_refused_with_422(world: World) -> None:
    world.a_seller("s1")
    reversal = world.admin(
        "POST", "/v1/sellers/s1/penalties/%00x/reversal", json={"reason": "mistake"}
    )
    assert reversal.status_code == 422, reversal.text
    assert world.platform("GET", "/v1/listings", params={"seller_id": "\x00"}).status_code == 422
    assert world.platform("GET", "/v1/sellers/s1").status_code == 200
