"""Use case: apply what is due (proof deadlines, review SLA, notice deadlines); run by
`probandi tick` and the server's ticker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.actors import SYSTEM
from probandi.domain.listing_gate import GateAction
from probandi.domain.listings import Listing
from probandi.domain.sellers import Seller
from probandi.domain.statements import DEADLINE_REMOVED, redress_text, worded
from probandi.domain.text import say
from probandi.services.context import Services
from probandi.services.credential_gate import regate_void_credentials
from probandi.services.events import issue_statement, record, record_gate_event
from probandi.services.listings import withdraw_pending_proof
from probandi.services.notices import apply_notice_deadlines
from probandi.services.ports import UnitOfWork

BATCH = 200


@dataclass(frozen=True)
class TickReport:
    removed: int
    sla_breached: int
    notices_upheld: int = 0  # unanswered by the seller's deadline
    notices_restored: int = 0  # the rights holder's window lapsed
    credential_approvals_revoked: int = 0  # approved on a credential that became void


def apply_deadlines(*, svc: Services, batch: int = BATCH) -> TickReport:
    """Remove listings whose proof is overdue; flag review tasks past their SLA."""
    removed = breached = 0
    while True:
        handled, expired = _expire_proof(svc, batch)
        removed += expired
        if handled == 0:
            break
    while (n := _flag_sla(svc, batch)) > 0:
        breached += n
    upheld, restored = apply_notice_deadlines(svc=svc, batch=batch)
    revoked = regate_void_credentials(svc=svc)
    return TickReport(removed, breached, upheld, restored, revoked)


def _expire_proof(svc: Services, batch: int) -> tuple[int, int]:
    """(listings handled, listings removed) in one batch."""
    with svc.uow() as uow:
        now = svc.clock.now()
        due = uow.listings.proof_overdue(now, batch)
        cleared = 0
        for listing in due:
            seller = uow.sellers.get(listing.seller_id)
            assert seller is not None
            if not _still_gated(uow, listing):
                _clear(uow, listing, seller, now)
                cleared += 1
                continue
            statement = worded(
                id=uuid.uuid4().hex,
                listing_id=listing.id,
                seller_id=seller.id,
                measure=DEADLINE_REMOVED,
                scope=f"listing {listing.id} ({listing.content.title})",
                facts=(
                    say(
                        "it names the gated brand(s) %(brands)s and no acceptable proof was "
                        "supplied by %(due)s",
                        brands=", ".join(listing.gated_brand_names),
                        due=str(listing.proof_due_at),
                    ),
                ),
                ground=say(
                    "probandi proof policy: proof deadline (%(days)s working days)",
                    days=svc.policy.proof_deadline_working_days,
                ),
                automated=True,
                redress=redress_text(now, svc.policy.appeal_window_days),
                created_at=now,
            )
            removed, event = listing.transition(GateAction.EXPIRE, at=now)
            removed = replace(removed, proof_due_at=None)
            uow.listings.save(removed)
            issue_statement(uow, SYSTEM, statement)
            withdraw_pending_proof(uow, SYSTEM, listing.id, now)
            record_gate_event(
                uow, SYSTEM, removed, seller, event, statement_id=statement.id, automated=True
            )
        uow.commit()
    return len(due), len(due) - cleared


def _still_gated(uow: UnitOfWork, listing: Listing) -> bool:
    """The registry may have ungated or deleted the brand since the listing was held."""
    return any(
        (b := uow.brands.get(bid)) is not None and b.gated for bid in listing.gated_brand_ids
    )


def _clear(uow: UnitOfWork, listing: Listing, seller: Seller, now: datetime) -> None:
    cleared, event = listing.transition(GateAction.CLEAR, at=now)
    cleared = replace(cleared, held_at=None, proof_due_at=None, approved_terms=None)
    uow.listings.save(cleared)
    withdraw_pending_proof(uow, SYSTEM, listing.id, now)
    record_gate_event(uow, SYSTEM, cleared, seller, event, reason="brand no longer gated")


def _flag_sla(svc: Services, batch: int) -> int:
    with svc.uow() as uow:
        now = svc.clock.now()
        overdue = uow.tasks.newly_overdue(now, batch)
        for task in overdue:
            uow.tasks.save(replace(task, sla_breached=True))
            record(
                uow,
                SYSTEM,
                "review:sla:breached",
                f"task:{task.id}",
                now,
                listing_id=task.listing_id,
                due_at=task.due_at.isoformat(),
            )
            uow.publish("review.sla_breached", {"task_id": task.id, "listing_id": task.listing_id})
        uow.commit()
    return len(overdue)
