"""Read side of the catalog sweep: which listings have approved proof, asked in bulk."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import ListingRow
from probandi.domain.listing_gate import GateState

CHUNK = 500  # ids per statement: well under every driver's bound-parameter limit


def approved_among(session: Session, listing_ids: Sequence[str]) -> set[str]:
    """The ids, of those given, whose listing's proof is approved: one SELECT per chunk."""
    found: set[str] = set()
    unique = sorted(set(listing_ids))
    for begin in range(0, len(unique), CHUNK):
        chunk = unique[begin : begin + CHUNK]
        stmt = select(ListingRow.id).where(
            ListingRow.id.in_(chunk), ListingRow.gate_state == GateState.APPROVED.value
        )
        found.update(session.execute(stmt).scalars())
    return found
