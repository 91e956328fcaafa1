"""Use case: apply what is due (proof deadlines, review SLA); run by `probandi tick`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from probandi.domain.actors import SYSTEM
from probandi.domain.listing_gate import GateAction
from probandi.domain.statements import StatementOfReasons, redress_text
from probandi.services.context import Services
from probandi.services.events import record, record_gate_event
from probandi.services.listings import withdraw_pending_proof

BATCH = 200


@dataclass(frozen=True)
class TickReport:
    removed: int
    sla_breached: int


def apply_deadlines(*, svc: Services, batch: int = BATCH) -> TickReport:
    """Remove listings whose proof is overdue; flag review tasks past their SLA."""
    removed = breached = 0
    while (n := _expire_proof(svc, batch)) > 0:
        removed += n
    while (n := _flag_sla(svc, batch)) > 0:
        breached += n
    return TickReport(removed, breached)


def _expire_proof(svc: Services, batch: int) -> int:
    with svc.uow() as uow:
        now = svc.clock.now()
        due = uow.listings.proof_overdue(now, batch)
        for listing in due:
            seller = uow.sellers.get(listing.seller_id)
            assert seller is not None
            statement = StatementOfReasons(
                id=uuid.uuid4().hex,
                listing_id=listing.id,
                seller_id=seller.id,
                measure="listing removed",
                scope=f"listing {listing.id} ({listing.content.title})",
                facts=(
                    f"it names the gated brand(s) {', '.join(listing.gated_brand_names)} and "
                    f"no acceptable proof was supplied by {listing.proof_due_at}",
                ),
                ground="probandi proof policy: proof deadline "
                f"({svc.policy.proof_deadline_working_days} working days)",
                automated=True,
                redress=redress_text(now, svc.policy.appeal_window_days),
                created_at=now,
            )
            removed, event = listing.transition(GateAction.EXPIRE, at=now)
            removed = replace(removed, proof_due_at=None)
            uow.listings.save(removed)
            uow.statements.add(statement)
            withdraw_pending_proof(uow, SYSTEM, listing.id, now)
            record_gate_event(
                uow, SYSTEM, removed, seller, event, statement_id=statement.id, automated=True
            )
        uow.commit()
    return len(due)


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
