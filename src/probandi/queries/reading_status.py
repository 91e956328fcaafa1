"""Read side: which listings still have a voucher being read (the queue shows "reading")."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.readings import VoucherReadingRow
from probandi.adapters.db.rows import VoucherRow
from probandi.domain.actors import Actor, Role
from probandi.domain.reading.record import ReadingStatus
from probandi.services.access import require_role

UNSETTLED = (ReadingStatus.QUEUED.value, ReadingStatus.READING.value)


def listings_being_read(session: Session, actor: Actor, listing_ids: Collection[str]) -> set[str]:
    """Of these listings, those with a voucher whose reading is queued or under way."""
    require_role(actor, Role.REVIEWER, Role.ADMIN)
    if not listing_ids:
        return set()
    stmt = (
        select(VoucherRow.listing_id)
        .join(VoucherReadingRow, VoucherReadingRow.voucher_id == VoucherRow.id)
        .where(VoucherRow.listing_id.in_(list(listing_ids)))
        .where(VoucherReadingRow.status.in_(UNSETTLED))
        .distinct()
    )
    return set(session.scalars(stmt))
