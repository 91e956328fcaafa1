"""The demo loader: one run builds every gate state through the use cases; a rerun is a no-op."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import ApiKeyRow, OutboxRow
from probandi.bootstrap import Runtime, bootstrap
from probandi.config import Settings
from probandi.domain.actors import Role
from probandi.domain.listing_gate import GateState
from probandi.domain.vouchers import Severity, Voucher, VoucherStatus
from probandi.entrypoints.cli.demo import DEMO_LISTINGS, load_demo
from probandi.queries.audit import verify_audit
from probandi.services.keys import authenticate


@dataclass(frozen=True)
class Demo:
    runtime: Runtime
    keys: dict[str, str]
    lines: list[str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp_path = tmp_path_factory.mktemp("demo")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/demo.db", voucher_dir=tmp_path / "vouchers"
    )
    runtime = bootstrap(settings, migrate=True)
    lines: list[str] = []
    keys = load_demo(runtime.services, out=lines.append)
    assert keys is not None
    yield Demo(runtime, keys, lines)
    runtime.dispose()


def test_demo_returns_a_working_key_per_role_and_party(demo: Demo) -> None:
    for label in ("platform", "admin", "reviewer"):
        actor = authenticate(demo.keys[label], svc=demo.runtime.services)
        assert actor is not None
        assert actor.role is Role(label)
    sellers = {k for k in demo.keys if k.startswith("seller:")}
    holders = {k for k in demo.keys if k.startswith("rights_holder:")}
    assert {f"seller:{item.seller_id}" for item in DEMO_LISTINGS} <= sellers
    assert "rights_holder:kering" in holders
    actor = authenticate(demo.keys["seller:mingpinhui"], svc=demo.runtime.services)
    assert actor is not None
    assert (actor.role, actor.party_id) == (Role.SELLER, "mingpinhui")


def test_demo_leaves_every_listing_in_its_intended_gate_state(demo: Demo) -> None:
    with demo.runtime.services.reader() as uow:
        states = {}
        for item in DEMO_LISTINGS:
            listing = uow.listings.get(item.id)
            assert listing is not None, item.id
            states[item.id] = listing.gate.state
    assert states == {item.id: item.expect for item in DEMO_LISTINGS}
    wanted = {
        GateState.UNGATED,
        GateState.AWAITING_PROOF,
        GateState.IN_REVIEW,
        GateState.APPROVED,
        GateState.REJECTED,
    }
    assert wanted <= set(states.values())


def test_recycled_invoice_is_rejected_with_reused_near(demo: Demo) -> None:
    rejected = [item.id for item in DEMO_LISTINGS if item.expect is GateState.REJECTED]
    with demo.runtime.services.reader() as uow:
        vouchers = [v for lid in rejected for v in uow.vouchers.for_listing(lid)]
        statements = [s for lid in rejected for s in uow.statements.for_listing(lid)]
    hard = {f.code for v in vouchers for f in v.findings if f.severity is Severity.HARD}
    assert "voucher.reused_near" in hard
    assert all(v.status is VoucherStatus.REJECTED for v in vouchers)
    assert statements
    assert all(s.automated for s in statements)


def test_in_review_and_approved_listings_carry_their_vouchers(demo: Demo) -> None:
    by_state: dict[GateState, list[Voucher]] = {}
    with demo.runtime.services.reader() as uow:
        for item in DEMO_LISTINGS:
            by_state.setdefault(item.expect, []).extend(uow.vouchers.for_listing(item.id))
        approved_id = next(i.id for i in DEMO_LISTINGS if i.expect is GateState.APPROVED)
        task = uow.tasks.open_for_listing(approved_id)
    in_review = by_state[GateState.IN_REVIEW]
    assert in_review
    assert all(v.status is VoucherStatus.PENDING_REVIEW for v in in_review)
    assert any(f.severity is Severity.WARNING for v in in_review for f in v.findings)
    assert [v.status for v in by_state[GateState.APPROVED]] == [VoucherStatus.APPROVED]
    assert task is None  # decided: no open task is left for the approved listing


def test_stored_vouchers_are_document_sized_images(demo: Demo) -> None:
    svc = demo.runtime.services
    with svc.reader() as uow:
        files = [v.file for item in DEMO_LISTINGS for v in uow.vouchers.for_listing(item.id)]
    assert files
    sizes = []
    for stored in files:
        assert stored.media_type in ("image/png", "image/jpeg")
        with Image.open(io.BytesIO(svc.files.read(stored.sha256))) as image:
            sizes.append(image.size)
    # Every document is drawn at 1000 x 700; the one recycled copy was cropped 2 % and
    # scaled to 80 % (784 x 549) by the shop that reused it.
    assert sorted(set(sizes)) == [(784, 549), (1000, 700)]
    assert sizes.count((784, 549)) == 1


def test_second_run_returns_none_and_changes_nothing(demo: Demo) -> None:
    before = _snapshot(demo)
    lines: list[str] = []
    assert load_demo(demo.runtime.services, out=lines.append) is None
    assert _snapshot(demo) == before


def test_demo_leaves_the_audit_chain_intact(demo: Demo) -> None:
    with Session(demo.runtime.reader) as session:
        report = verify_audit(session)
    assert report.broken is None
    assert report.verified > len(DEMO_LISTINGS)


def _snapshot(demo: Demo) -> tuple[object, ...]:
    with Session(demo.runtime.reader) as session:
        report = verify_audit(session)
        outbox = session.execute(select(func.count()).select_from(OutboxRow)).scalar_one()
        keys = session.execute(select(func.count()).select_from(ApiKeyRow)).scalar_one()
    with demo.runtime.services.reader() as uow:
        listings = tuple(uow.listings.get(item.id) for item in DEMO_LISTINGS)
    voucher_dir = demo.runtime.settings.voucher_dir
    files = sorted(str(p.relative_to(voucher_dir)) for p in Path(voucher_dir).rglob("*"))
    return report.verified, outbox, keys, listings, tuple(files)


def test_demo_has_a_notice_that_suspended_its_listings(demo: Demo) -> None:
    from probandi.entrypoints.cli.demo import NOTICED

    with demo.runtime.services.reader() as uow:
        listings = [uow.listings.get(lid) for lid in NOTICED]
        holder = uow.rights_holders.get("lvmh")
    assert holder is not None
    assert holder.trusted
    assert holder.verified_at is not None
    for listing in listings:
        assert listing is not None
        assert [hold for _, hold in listing.notice_holds] == ["suspended"]
    assert any("notice" in line for line in demo.lines)
