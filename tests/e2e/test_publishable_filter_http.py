"""`GET /v1/listings?publishable=` answers what each listing's `publishable` says, for
every state the domain knows that keeps a listing off the shelf."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import null, update

from probandi.adapters.db.rows import ListingRow
from probandi.domain.listing_gate import Gate, GateState
from probandi.domain.listings import Blocker, Listing, ListingContent, blockers
from probandi.domain.money import Money
from probandi.domain.notices import HOLD_REMOVED, HOLD_SUSPENDED
from probandi.domain.sellers import Seller, SellerKind
from probandi.queries.listings import NOT_BLOCKED
from tests.support.notices import a_verified_holder, approved_listing, file_notice
from tests.support.world import World

HOLDS: tuple[tuple[tuple[str, str], ...], ...] = (
    (),
    (("N1", HOLD_SUSPENDED),),
    (("N1", HOLD_REMOVED),),
    (("N1", HOLD_REMOVED), ("N2", HOLD_SUSPENDED)),
)
STANDINGS = ("open", "closed", "restricted", "restriction_over")


def _seller(standing: str, now: datetime) -> Seller:
    seller = Seller(f"shop-{standing}", SellerKind.RESELLER, f"{standing} 贸易有限公司", "上海市")
    closed = now - timedelta(days=1) if standing == "closed" else None
    until = {"restricted": now + timedelta(days=30), "restriction_over": now - timedelta(days=1)}
    return replace(seller, closed_at=closed, gated_restricted_until=until.get(standing))


def _store_every_state(world: World) -> dict[str, bool]:
    """One listing per gate state x notice holds x shop standing; what each should say."""
    svc = world.runtime.services
    now = svc.clock.now()
    expected: dict[str, bool] = {}
    sellers = {s: _seller(s, now) for s in STANDINGS}
    with svc.uow() as uow:
        for seller in sellers.values():
            uow.sellers.upsert(seller, now=now)
            uow.sellers.set_standing(seller.id, seller.closed_at, seller.gated_restricted_until)
        for n, (state, holds, standing) in enumerate(
            itertools.product(GateState, HOLDS, STANDINGS)
        ):
            listing = Listing(
                id=f"L{n:03d}",
                seller_id=sellers[standing].id,
                content=ListingContent(f"商品 {n}", Money(Decimal("100.00"), "CNY"), 1),
                created_at=now,
                updated_at=now,
                gate=Gate(state, 1),
                notice_holds=holds,
            )
            uow.listings.add(listing)
            expected[listing.id] = not blockers(listing, sellers[standing])
        uow.commit()
    return expected


def _ids(world: World, query: str) -> dict[str, bool]:
    """Every listing of the filter, with the `publishable` its body states."""
    out: dict[str, bool] = {}
    cursor = ""
    while True:
        page = world.platform("GET", f"/v1/listings?limit=50{query}{cursor}").json()
        out |= {item["id"]: item["publishable"] for item in page["items"]}
        if page["next_cursor"] is None:
            return out
        cursor = f"&cursor={page['next_cursor']}"


def test_the_filter_covers_every_blocker_of_the_domain() -> None:
    assert set(NOT_BLOCKED) == set(Blocker)


def test_the_publishable_filter_agrees_with_every_listing_in_every_state(world: World) -> None:
    expected = _store_every_state(world)
    # Rows from before notice holds existed store SQL NULL, not JSON null (SQLite).
    with world.runtime.writer.begin() as conn:
        conn.execute(update(ListingRow).where(ListingRow.id == "L000").values(notice_holds=null()))
    every = _ids(world, "")
    assert every == expected  # the body of each listing says what the domain says
    yes, no = _ids(world, "&publishable=true"), _ids(world, "&publishable=false")
    assert set(yes) == {i for i, ok in expected.items() if ok}
    assert set(no) == {i for i, ok in expected.items() if not ok}
    assert all(yes.values())
    assert not any(no.values())
    # Only ungated or approved, without holds, in a shop not closed: a restriction from
    # gated brands refuses new gated listings, it does not take approved ones down.
    assert len(yes) == 2 * 1 * 3


def test_a_listing_suspended_on_notice_is_not_listed_as_publishable(world: World) -> None:
    world.a_gated_brand()
    a_verified_holder(world, "kering", "gucci", trusted=True)
    world.a_seller("shop-a")
    approved_listing(world, "shop-a", "L1", seed=11)
    approved_listing(world, "shop-a", "L2", seed=12)
    r = file_notice(world, "kering", ["L1"])
    assert r.status_code == 201, r.text
    assert world.platform("GET", "/v1/listings/L1").json()["publishable"] is False
    assert set(_ids(world, "&publishable=true")) == {"L2"}
    assert set(_ids(world, "&publishable=false")) == {"L1"}
