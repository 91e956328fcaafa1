"""Read side: listings an actor may see, filtered and paged by id cursor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Text, and_, cast, func, not_, select
from sqlalchemy.orm import Session

from probandi.adapters.db.mapping import listing_to_domain, seller_to_domain
from probandi.adapters.db.rows import ListingRow, SellerRow
from probandi.domain.actors import Actor, Role
from probandi.domain.listing_gate import PUBLISHABLE, GateState
from probandi.domain.listings import Blocker, Listing
from probandi.domain.sellers import Seller
from probandi.services.access import require_role

MAX_PAGE = 200
# Per blocker of the domain, the SQL condition under which it does not apply: a listing is
# publishable when none applies, exactly as `publishability()` says in its body. No holds
# reads as SQL NULL on PostgreSQL and as JSON null on SQLite (or NULL on rows older than
# the column).
NOT_BLOCKED: dict[Blocker, ColumnElement[bool]] = {
    Blocker.GATE: ListingRow.gate_state.in_([s.value for s in PUBLISHABLE]),
    Blocker.NOTICE_HOLD: func.coalesce(cast(ListingRow.notice_holds, Text), "null").in_(
        ("null", "{}")
    ),
    Blocker.SHOP_CLOSED: SellerRow.closed_at.is_(None),
}


@dataclass(frozen=True)
class ListingFilter:
    seller_id: str | None = None
    state: GateState | None = None
    publishable: bool | None = None
    limit: int = 50
    cursor: str | None = None


def list_listings(
    session: Session, actor: Actor, f: ListingFilter
) -> tuple[list[tuple[Listing, Seller]], str | None]:
    """A page of listings; a seller always gets only its own."""
    require_role(actor, Role.PLATFORM, Role.REVIEWER, Role.ADMIN, Role.SELLER)
    seller_id = actor.party_id if actor.role is Role.SELLER else f.seller_id
    stmt = select(ListingRow, SellerRow).join(SellerRow, SellerRow.id == ListingRow.seller_id)
    if seller_id:
        stmt = stmt.where(ListingRow.seller_id == seller_id)
    if f.state:
        stmt = stmt.where(ListingRow.gate_state == f.state.value)
    if f.publishable is not None:
        clear = and_(*NOT_BLOCKED.values())
        stmt = stmt.where(clear if f.publishable else not_(clear))
    if f.cursor:
        stmt = stmt.where(ListingRow.id > f.cursor)
    limit = max(1, min(f.limit, MAX_PAGE))
    rows = session.execute(stmt.order_by(ListingRow.id).limit(limit + 1)).all()
    page = [(listing_to_domain(lr), seller_to_domain(sr)) for lr, sr in rows[:limit]]
    next_cursor = page[-1][0].id if len(rows) > limit else None
    return page, next_cursor
