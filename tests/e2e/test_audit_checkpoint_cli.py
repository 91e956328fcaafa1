"""`probandi audit checkpoint` and `audit verify --checkpoint`: truncation plus a head rewind
passes the chain check alone, and is caught against a signed checkpoint."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.domain.actors import Role
from probandi.services.keys import create_api_key, revoke_api_key


@pytest.fixture
def env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PROBANDI_DATABASE_URL": settings.database_url,
        "PROBANDI_VOUCHER_DIR": str(settings.voucher_dir),
        "PROBANDI_CHECKPOINT_KEY": str(tmp_path / "keys" / "checkpoint.key"),
        "PROBANDI_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
    }


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "probandi"
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def a_lane_with_two_entries(runtime: Runtime) -> int:
    svc = runtime.services
    create_api_key(Role.ADMIN, None, "ops", svc=svc)
    key = create_api_key(Role.ADMIN, None, "leaver", svc=svc)
    assert revoke_api_key(key, svc=svc)  # created + revoked: one subject, one lane
    with runtime.writer.connect() as conn:
        lane: int = conn.execute(
            text("SELECT lane FROM audit_log WHERE tag = 'api_key:revoked'")
        ).scalar_one()
    return lane


def cut_the_lanes_last_entry_and_rewind_its_head(runtime: Runtime, lane: int) -> None:
    with runtime.writer.begin() as conn:
        last = conn.execute(
            text("SELECT max(lane_seq) FROM audit_log WHERE lane = :l"), {"l": lane}
        ).scalar_one()
        conn.execute(
            text("DELETE FROM audit_log WHERE lane = :l AND lane_seq = :s"), {"l": lane, "s": last}
        )
        prev = conn.execute(
            text("SELECT hash FROM audit_log WHERE lane = :l AND lane_seq = :s"),
            {"l": lane, "s": last - 1},
        ).scalar_one()
        conn.execute(
            text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = :l"),
            {"s": last - 1, "h": prev, "l": lane},
        )


def test_verify_against_a_checkpoint_catches_truncation_with_a_head_rewind(
    runtime: Runtime, env: dict[str, str]
) -> None:
    lane = a_lane_with_two_entries(runtime)
    made = cli(env, "audit", "checkpoint")
    assert made.returncode == 0, made.stderr
    checkpoint = made.stdout.strip()
    assert cli(env, "audit", "verify", "--checkpoint", checkpoint).returncode == 0

    cut_the_lanes_last_entry_and_rewind_its_head(runtime, lane)

    chain_only = cli(env, "audit", "verify")
    assert chain_only.returncode == 0, "the chain alone cannot see a truncated tail"
    caught = cli(env, "audit", "verify", "--checkpoint", checkpoint)
    assert caught.returncode == 1
    assert "TRUNCATED" in caught.stderr
    assert f"lane {lane}:" in caught.stderr
    assert "rewound" in caught.stderr


def test_a_checkpoint_is_signed_kept_read_only_and_sent_to_the_outbox(
    runtime: Runtime, env: dict[str, str], tmp_path: Path
) -> None:
    a_lane_with_two_entries(runtime)
    made = cli(env, "audit", "checkpoint")
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    key = Path(env["PROBANDI_CHECKPOINT_KEY"])
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    document = json.loads(path.read_text())
    with runtime.writer.connect() as conn:
        payloads = conn.execute(
            text("SELECT payload FROM outbox WHERE topic = 'audit.checkpoint'")
        ).scalars()
        sent = [p if isinstance(p, dict) else json.loads(p) for p in payloads]
    assert sent == [document]
    assert cli(env, "audit", "checkpoint").returncode == 0
    assert len(list(path.parent.iterdir())) == 2  # a new file each time, none overwritten


def test_an_altered_checkpoint_or_a_foreign_key_is_refused(
    runtime: Runtime, env: dict[str, str], tmp_path: Path
) -> None:
    a_lane_with_two_entries(runtime)
    path = Path(cli(env, "audit", "checkpoint").stdout.strip())
    document = json.loads(path.read_text())
    document["heads"][0][1] = 0 if document["heads"][0][1] else 1
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    refused = cli(env, "audit", "verify", "--checkpoint", str(forged))
    assert refused.returncode == 1
    assert "signature does not hold" in refused.stderr

    other = cli(env, "audit", "keygen", "--path", str(tmp_path / "other.key"))
    assert other.returncode == 0, other.stderr
    foreign = cli(env, "audit", "verify", "--checkpoint", str(path), "--public-key", other.stdout)
    assert foreign.returncode == 1
    assert "not by the given key" in foreign.stderr


def test_the_worker_writes_the_scheduled_checkpoint_once_per_period(
    runtime: Runtime, env: dict[str, str]
) -> None:
    a_lane_with_two_entries(runtime)
    first = cli(env, "worker", "--once")
    assert first.returncode == 0, first.stderr
    again = cli(env, "worker", "--once")
    assert again.returncode == 0, again.stderr
    [written] = list(Path(env["PROBANDI_CHECKPOINT_DIR"]).iterdir())
    assert cli(env, "audit", "verify", "--checkpoint", str(written)).returncode == 0
    listed = cli(env, "jobs", "list", "--kind", "audit.checkpoint")
    assert listed.returncode == 0, listed.stderr
    assert "done" in listed.stdout
