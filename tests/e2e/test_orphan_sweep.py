"""The orphan sweeper: blobs no row names and temp files of interrupted puts, older than the
threshold, are listed by a dry run, removed by a sweep, and the removal is audited."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.services.clock import FrozenClock
from probandi.services.orphans import sweep_orphans
from tests.e2e.test_audit_cli import run_cli
from tests.support.world import World, an_invoice_declaration, invoice_image


def blob(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / sha256


def age(path: Path, clock: FrozenClock, by: timedelta) -> None:
    at = (clock.now() - by).timestamp()
    os.utime(path, (at, at))


def test_a_sweep_removes_only_old_orphans_and_audits_them(
    world: World, runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    decl = an_invoice_declaration("shop-a", issued_on=clock.now().date())
    uploaded = world.upload("shop-a", "L1", invoice_image(1), declaration=decl)
    assert uploaded.status_code == 201, uploaded.text
    with runtime.writer.connect() as conn:
        kept = conn.execute(text("SELECT sha256 FROM vouchers")).scalar_one()
    files, root = runtime.services.files, settings.voucher_dir
    orphan, _ = files.put(b"%PDF-1.7 stored, then the server was killed")
    young, _ = files.put(b"%PDF-1.7 an upload still on its way to its row")
    temp = blob(root, orphan).parent / ".put-k1ll3d"
    temp.write_bytes(b"half an upload")
    for path in (blob(root, kept), blob(root, orphan), temp):
        age(path, clock, timedelta(hours=2))
    age(blob(root, young), clock, timedelta(minutes=10))

    dry = sweep_orphans(timedelta(hours=1), svc=runtime.services, dry_run=True)
    assert (dry.blobs, dry.temp_files) == ((orphan,), (str(temp.relative_to(root)),))
    assert blob(root, orphan).exists()
    assert temp.exists()

    done = sweep_orphans(timedelta(hours=1), svc=runtime.services)

    assert done.blobs == (orphan,)
    assert done.count == 2
    assert not blob(root, orphan).exists()
    assert not temp.exists()
    assert blob(root, kept).exists()
    assert blob(root, young).exists()
    with runtime.writer.connect() as conn:
        data = conn.execute(
            text("SELECT data FROM audit_log WHERE tag = 'storage:orphans:removed'")
        ).scalar_one()
    entry = json.loads(data)
    assert (entry["count"], entry["digests"]) == (2, [orphan])
    assert run_cli(settings, "audit", "verify").returncode == 0


def test_a_reused_blob_counts_as_fresh_so_its_upload_keeps_it(
    runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    files = runtime.services.files
    data = b"%PDF-1.7 orphaned once, then uploaded again"
    sha, _ = files.put(data)
    age(blob(settings.voucher_dir, sha), clock, timedelta(hours=2))

    assert files.put(data) == (sha, False)  # a new upload, its row not yet committed

    assert sweep_orphans(timedelta(hours=1), svc=runtime.services).count == 0
    assert blob(settings.voucher_dir, sha).exists()


def test_the_cli_dry_run_lists_and_keeps(
    runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    sha, _ = runtime.services.files.put(b"%PDF-1.7 a leftover")
    os.utime(blob(settings.voucher_dir, sha), (0, 0))  # older than any threshold
    dry = run_cli(settings, "storage", "sweep", "--dry-run", "--older-than", "1h")
    assert dry.returncode == 0, dry.stderr
    assert f"blob {sha}" in dry.stdout
    assert "would remove 1 orphan blob" in dry.stderr
    assert blob(settings.voucher_dir, sha).exists()
    swept = run_cli(settings, "storage", "sweep")
    assert swept.returncode == 0, swept.stderr
    assert not blob(settings.voucher_dir, sha).exists()
