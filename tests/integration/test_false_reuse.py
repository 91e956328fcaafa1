"""No honest voucher is taken for a recycled one: hundreds of distinct invoices on one
national e-invoice template, and paper receipts on one printed template, each from its own
seller, pass the second stage without a reuse finding, although PDQ makes most of them
candidates of each other."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import VoucherMatchRow
from probandi.bootstrap import Runtime, bootstrap
from probandi.config import Settings
from probandi.domain.actors import Actor, Role
from probandi.domain.commands import (
    BrandFields,
    SaveBrand,
    SubmitVoucher,
    UpsertListing,
    UpsertSeller,
)
from probandi.domain.listings import ListingContent
from probandi.domain.money import Money
from probandi.domain.policy import Policy
from probandi.domain.sellers import SellerKind, VoucherKind
from probandi.domain.vouchers import Declaration, DeclaredLine
from probandi.services.brands import save_brand
from probandi.services.clock import FrozenClock
from probandi.services.listings import upsert_listing, upsert_seller
from probandi.services.vouchers import submit_voucher
from tests.integration.test_deadlines import ADMIN, PLATFORM
from tests.support.vouchers import forged_receipts, same_template_einvoices

REUSE = frozenset({"voucher.reused_near", "voucher.reused_exact", "voucher.document_number_reused"})
EINVOICES, RECEIPTS = 200, 40
NOW = datetime(2026, 12, 31, 9, 0, tzinfo=UTC)  # every generated invoice is of 2026


@pytest.fixture
def sqlite_runtime(tmp_path: Path) -> Iterator[Runtime]:
    # Fewer image comparisons per upload than the default 8 keeps the receipts affordable;
    # every candidate is still decided (by content beyond the nearest four).
    policy = replace(Policy(), compared_candidates=4)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        voucher_dir=tmp_path / "v",
        policy=policy,
    )
    rt = bootstrap(settings, clock=FrozenClock(NOW), migrate=True)
    yield rt
    rt.dispose()


def seller_with_listing(runtime: Runtime, n: int) -> Actor:
    svc = runtime.services
    seller_id = f"shop-{n}"
    upsert_seller(
        UpsertSeller(PLATFORM, seller_id, SellerKind.RESELLER, f"{seller_id} Ltd", "Shanghai"),
        svc=svc,
    )
    content = ListingContent(
        title="Gucci Marmont bag", price=Money(Decimal("15000"), "CNY"), stock=1, brand="Gucci"
    )
    upsert_listing(UpsertListing(PLATFORM, f"L{n}", seller_id, content), svc=svc)
    return Actor(f"key-{n}", Role.SELLER, seller_id)


def submit(runtime: Runtime, n: int, data: bytes, decl: Declaration, media_type: str) -> set[str]:
    seller = seller_with_listing(runtime, n)
    name = "invoice.png" if media_type == "image/png" else "receipt.jpg"
    cmd = SubmitVoucher(seller, f"L{n}", VoucherKind.PURCHASE_INVOICE, decl, name, data, media_type)
    result = submit_voucher(cmd, svc=runtime.services)
    return {f.code for f in result.voucher.findings}


def declared(
    n: int, issuer: str, number: str, issued_on: date, lines: list[tuple[str, int, Decimal]]
) -> Declaration:
    """What an honest seller declares: its own document's issuer, number, date and lines."""
    return Declaration(
        issuer=issuer,
        buyer_name=f"shop-{n} Ltd",
        issued_on=issued_on,
        document_number=number,
        currency="CNY",
        lines=tuple(DeclaredLine("GUCCI", item, qty, amount) for item, qty, amount in lines),
    )


def template_matches(runtime: Runtime) -> int:
    with Session(runtime.reader) as session:
        count = session.scalar(
            select(func.count()).where(VoucherMatchRow.relation == "same_template")
        )
    return int(count or 0)


def test_distinct_same_template_vouchers_are_never_taken_for_reuse(
    sqlite_runtime: Runtime,
) -> None:
    runtime = sqlite_runtime
    save_brand(SaveBrand(ADMIN, BrandFields(name="Gucci", aliases=("古驰",))), svc=runtime.services)
    reused: list[tuple[int, set[str]]] = []
    for n, (data, f) in enumerate(same_template_einvoices(EINVOICES, seed=2026)):
        decl = declared(n, f["seller"], f["number"], f["issued_on"], f["items"])
        decl = replace(decl, issuer_tax_id=f["seller_tax_id"])
        codes = submit(runtime, n, data, decl, "image/png")
        if codes & REUSE:
            reused.append((n, codes))
    einvoice_candidates = template_matches(runtime)
    for k, (data, r) in enumerate(forged_receipts(RECEIPTS, seed=7)):
        n = EINVOICES + k
        decl = declared(n, r["shop"], r["number"], r["issued_on"], r["lines"])
        codes = submit(runtime, n, data, decl, "image/jpeg")
        if codes & REUSE:
            reused.append((n, codes))
    assert reused == []  # the false-reuse rate is 0 of 240
    # Not vacuous: most uploads were PDQ candidates of earlier ones and were decided.
    assert einvoice_candidates >= EINVOICES
    assert template_matches(runtime) - einvoice_candidates >= RECEIPTS
