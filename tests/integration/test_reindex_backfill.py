"""`probandi voucher reindex` brings stored vouchers up to the current forensics: the rectified
page's hash for vouchers fingerprinted before pages were rectified, and the long ids of vouchers
read before long ids were indexed. Each step does only what is left, once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.domain.forensics.model import RECTIFIED
from probandi.services.clock import FrozenClock
from probandi.services.forensics import rectify_stored
from probandi.services.readings import index_stored_readings
from tests.integration.test_deadlines import a_held_listing
from tests.integration.test_fingerprint_index import upload
from tests.support import attacks
from tests.support.readings import read_queued, reading_settings
from tests.support.vouchers import same_template_einvoices
from tests.support.world import invoice_image


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return reading_settings(database_url, tmp_path)


def _rect_rows(runtime: Runtime) -> list[tuple[str, int]]:
    with runtime.writer.begin() as conn:
        rows = conn.execute(
            text("SELECT pdq, quality FROM voucher_fingerprints WHERE variant = :v"),
            {"v": RECTIFIED},
        )
        return [(r.pdq, r.quality) for r in rows]


def test_rectified_hashes_are_added_to_vouchers_fingerprinted_before(
    runtime: Runtime, clock: FrozenClock
) -> None:
    a_held_listing(runtime, "L1")
    upload(runtime, clock, "L1", attacks.screenshot(invoice_image(5), 1))
    a_held_listing(runtime, "L2")
    upload(runtime, clock, "L2", invoice_image(6))  # a clean page: nothing to cut out
    found = _rect_rows(runtime)
    assert [q > 0 for _, q in found] == [True]  # the screenshot's page, at upload
    with runtime.writer.begin() as conn:  # as a database from before rectification holds it
        conn.execute(text("DELETE FROM voucher_fingerprints WHERE variant = :v"), {"v": RECTIFIED})
    seen: list[str] = []
    assert rectify_stored(runtime.services, on_voucher=seen.append) == 2
    assert len(seen) == 2
    again = _rect_rows(runtime)
    assert sorted(again) == sorted([*found, ("0" * 64, 0)])  # the clean page: a marker
    assert rectify_stored(runtime.services) == 0


def test_long_ids_of_vouchers_read_before_are_indexed_once(
    runtime: Runtime, clock: FrozenClock
) -> None:
    [(data, _)] = same_template_einvoices(1, seed=71)
    a_held_listing(runtime, "L1")
    upload(runtime, clock, "L1", data)
    read_queued(runtime)
    with runtime.writer.begin() as conn:
        before = conn.execute(text("SELECT count(*) FROM voucher_id_pieces")).scalar_one()
        conn.execute(text("DELETE FROM voucher_id_pieces"))
        conn.execute(text("UPDATE voucher_readings SET id_pieces = NULL"))
    assert before >= 20
    assert index_stored_readings(runtime.services) == 1
    with runtime.writer.begin() as conn:
        after = conn.execute(text("SELECT count(*) FROM voucher_id_pieces")).scalar_one()
        counted = conn.execute(text("SELECT id_pieces FROM voucher_readings")).scalar_one()
    assert after == before == counted
    assert index_stored_readings(runtime.services) == 0
