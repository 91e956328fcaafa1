"""The near-duplicate index lives in the process and is rebuilt from the database: a new
process loads every matchable fingerprint at start; low-quality hashes never match."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import text

from probandi.bootstrap import Runtime, bootstrap
from probandi.config import Settings
from probandi.domain.commands import SubmitVoucher
from probandi.domain.sellers import VoucherKind
from probandi.domain.vouchers import Declaration, DeclaredLine
from probandi.services.clock import FrozenClock
from probandi.services.forensics import load_index, reindex_vouchers
from probandi.services.vouchers import submit_voucher
from tests.integration.test_deadlines import SELLER, a_held_listing
from tests.support.world import invoice_image


def upload(runtime: Runtime, clock: FrozenClock, listing_id: str, data: bytes) -> None:
    decl = Declaration(
        issuer="某供应链公司",
        buyer_name="甲贸易有限公司",
        issued_on=clock.now().date(),
        lines=(DeclaredLine("Prada", "bag", 1),),
    )
    cmd = SubmitVoucher(SELLER, listing_id, VoucherKind.PURCHASE_INVOICE, decl, "i.png", data)
    submit_voucher(cmd, svc=runtime.services)


def flat_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (240, 240, 240)).save(buf, "PNG")
    return buf.getvalue()


def test_a_new_process_loads_the_index_from_the_database(
    runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    a_held_listing(runtime, "L1")
    data = invoice_image(5)
    upload(runtime, clock, "L1", data)
    fresh = bootstrap(settings, clock=clock)
    try:
        assert fresh.services.near_index.high_water == 0
        loaded = load_index(fresh.services)
        assert loaded >= 1
        prints = fresh.services.forensics.read(data, "image/png").fingerprints
        hits = fresh.services.near_index.search(prints[0].pdq, 0)
        assert hits
        assert hits[0][1] == 0
        assert load_index(fresh.services) == 0  # level: nothing new to add
    finally:
        fresh.dispose()


def test_low_quality_fingerprints_are_stored_but_never_matchable(
    runtime: Runtime, clock: FrozenClock
) -> None:
    a_held_listing(runtime, "L1")
    upload(runtime, clock, "L1", flat_png())
    svc = runtime.services
    with svc.reader() as uow:
        stored = uow.fingerprints.since(0, 0, 100)
        matchable = uow.fingerprints.since(0, svc.policy.min_pdq_quality, 100)
    assert stored, "the flat page's fingerprint is kept as evidence"
    assert matchable == []


def test_reindex_fingerprints_vouchers_stored_before_forensics(
    runtime: Runtime, clock: FrozenClock
) -> None:
    a_held_listing(runtime, "L1")
    data = invoice_image(9)
    upload(runtime, clock, "L1", data)
    with runtime.writer.begin() as conn:  # as a database from before migration 0003 holds it
        conn.execute(text("DELETE FROM voucher_fingerprints"))
    svc = runtime.services
    seen: list[str] = []
    assert reindex_vouchers(svc, on_voucher=seen.append) == 1
    with svc.reader() as uow:
        [voucher] = uow.vouchers.for_listing("L1")
        rows = uow.fingerprints.since(0, svc.policy.min_pdq_quality, 100)
    assert seen == [voucher.id]
    expected = {fp.pdq for fp in svc.forensics.read(data, "image/png").fingerprints}
    assert {pdq for _, pdq in rows} == expected
    assert reindex_vouchers(svc) == 0  # nothing left to do
