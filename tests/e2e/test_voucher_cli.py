"""`probandi voucher fingerprint` and `probandi voucher clusters`, run as a user runs them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from probandi.config import Settings
from probandi.domain.forensics.model import hamming
from probandi.services.clock import FrozenClock
from tests.conftest import shared_data
from tests.e2e.test_audit_cli import run_cli
from tests.support.vouchers import forged_receipts, recycle
from tests.support.world import World


def test_fingerprint_prints_one_json_line_per_file_and_reports_bad_files(
    settings: Settings, tmp_path: Path
) -> None:
    real = shared_data() / "invoices" / "e-invoice-real.png"
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(recycle(real.read_bytes()))
    liar = tmp_path / "liar.png"
    liar.write_bytes(b"not an image at all")
    done = run_cli(settings, "voucher", "fingerprint", str(real), str(copy), str(liar))
    assert done.returncode == 1  # one file failed; the others are still printed
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["path"] for line in lines] == [str(real), str(copy), str(liar)]
    original, recycled, refused = lines
    assert len(original["pdq"]) == 64
    assert original["quality"] >= 50
    assert len(original["sha256"]) == 64
    nearest = min(
        hamming(original[a], recycled[b])
        for a in ("pdq", "pdq_trimmed")
        for b in ("pdq", "pdq_trimmed")
        if a in original and b in recycled
    )
    assert nearest <= 31
    assert "error" in refused


def test_clusters_lists_a_template_shared_by_three_sellers(
    world: World, settings: Settings, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    for i, (data, fields) in enumerate(forged_receipts(3, seed=5)):
        world.a_seller(f"shop-{i}")
        world.a_listing(f"L{i}", f"shop-{i}")
        decl = {
            "issuer": fields["shop"],
            "issued_on": (clock.now().date() - timedelta(days=3)).isoformat(),
            "document_number": fields["number"],
            "lines": [{"brand": "GUCCI", "item": "bag", "quantity": 2}],
        }
        up = world.upload(f"shop-{i}", f"L{i}", data, declaration=decl, media_type="image/jpeg")
        assert up.status_code == 201, up.text
    done = run_cli(settings, "voucher", "clusters", "--json")
    assert done.returncode == 0, done.stderr
    [cluster] = json.loads(done.stdout)
    assert cluster["sellers"] == ["shop-0", "shop-1", "shop-2"]
    assert len(cluster["vouchers"]) == 3
