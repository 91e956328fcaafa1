"""`probandi audit verify` passes on an intact log and names the entry altered by plain SQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from probandi.bootstrap import Runtime
from probandi.config import Settings
from tests.support.world import World


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PROBANDI_DATABASE_URL": settings.database_url,
        "PROBANDI_VOUCHER_DIR": str(settings.voucher_dir),
    }
    exe = Path(sys.executable).parent / "probandi"
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_audit_verify_detects_an_altered_row(
    world: World, settings: Settings, runtime: Runtime
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    ok = run_cli(settings, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stderr
    with runtime.writer.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    broken = run_cli(settings, "audit", "verify")
    assert broken.returncode == 1
    assert "entry 3" in broken.stderr


def test_keys_create_prints_a_key_that_authenticates(world: World, settings: Settings) -> None:
    made = run_cli(settings, "keys", "create", "--role", "admin", "--label", "ops")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("pbk_")
    r = world.http.get("/v1/brands", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200
    refused = run_cli(settings, "keys", "create", "--role", "seller", "--party", "ghost")
    assert refused.returncode == 2
    revoked = run_cli(settings, "keys", "revoke", key)
    assert revoked.returncode == 0, revoked.stderr
    again = run_cli(settings, "keys", "revoke", key)
    assert again.returncode == 2


def test_audit_verify_detects_removed_entries(
    world: World, settings: Settings, runtime: Runtime
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    with runtime.writer.begin() as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit_log")).scalar_one()
        conn.execute(text("DELETE FROM audit_log WHERE seq = :seq"), {"seq": last})
    broken = run_cli(settings, "audit", "verify")
    assert broken.returncode == 1
    assert "entries removed" in broken.stderr


def test_audit_verify_notices_a_deleted_lane_head(
    world: World, settings: Settings, runtime: Runtime
) -> None:
    world.a_gated_brand()
    with runtime.writer.begin() as conn:
        lane = conn.execute(text("SELECT lane FROM audit_log LIMIT 1")).scalar_one()
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE lane = :l"), {"l": lane})
        conn.execute(text("DELETE FROM audit_head WHERE id = :l"), {"l": lane})
    broken = run_cli(settings, "audit", "verify")
    assert broken.returncode == 1
    assert f"the head of lane {lane} is missing" in broken.stderr
