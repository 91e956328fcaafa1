"""Use cases of rights holders as notifiers: profile, verification, trusted-flagger
enrolment, the notifier's record and the standing it earns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from probandi.domain.actors import Actor, Role
from probandi.domain.commands import UpdateHolderProfile
from probandi.domain.errors import InvalidInput, NotFound
from probandi.domain.notifiers import (
    HolderKind,
    NotifierRecord,
    RightsHolder,
    judge,
    notifier_record,
)
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import UnitOfWork


@dataclass(frozen=True)
class HolderView:
    holder: RightsHolder
    record: NotifierRecord
    brands: frozenset[str]  # held by it
    verified_brands: frozenset[str]  # it may file for now


def may_see_holder(actor: Actor, holder_id: str) -> None:
    """A rights holder sees itself; staff see all; to others it does not exist."""
    if actor.role in (Role.ADMIN, Role.REVIEWER, Role.PLATFORM):
        return
    if actor.role is Role.RIGHTS_HOLDER and actor.party_id == holder_id:
        return
    raise NotFound("no rights holder %(holder_id)r", holder_id=holder_id)


def load_holder(uow: UnitOfWork, holder_id: str, *, for_update: bool = False) -> RightsHolder:
    holder = uow.rights_holders.get(holder_id, for_update=for_update)
    if holder is None:
        raise NotFound("no rights holder %(holder_id)r", holder_id=holder_id)
    return holder


def held_brands(uow: UnitOfWork, holder_id: str) -> frozenset[str]:
    return frozenset(b.id for b in uow.brands.list_all() if holder_id in b.rights_holder_ids)


def record_of(uow: UnitOfWork, svc: Services, holder_id: str, now: datetime) -> NotifierRecord:
    since = now - timedelta(days=svc.policy.record_window_days)
    outcomes, notices = uow.notices.outcomes(holder_id, since)
    return notifier_record(outcomes, since=since, notices=notices)


def get_holder(holder_id: str, actor: Actor, *, svc: Services) -> HolderView:
    may_see_holder(actor, holder_id)
    with svc.reader() as uow:
        now = svc.clock.now()
        holder = load_holder(uow, holder_id)
        held = held_brands(uow, holder_id)
        rec = record_of(uow, svc, holder_id, now)
    return HolderView(holder, rec, held, holder.verified_brands(today=now.date(), held=held))


def update_holder_profile(cmd: UpdateHolderProfile, *, svc: Services) -> RightsHolder:
    """The holder (or an admin) states its marks and mandate; a change needs verifying again."""
    require_role(cmd.actor, Role.RIGHTS_HOLDER, Role.ADMIN)
    may_see_holder(cmd.actor, cmd.holder_id)
    if cmd.kind is HolderKind.AGENT and cmd.authorization is None:
        raise InvalidInput("an agent states the brand owner's authorization", field="authorization")
    with svc.uow() as uow:
        now = svc.clock.now()
        holder = load_holder(uow, cmd.holder_id)
        for reg in cmd.registrations:
            if uow.brands.get(reg.brand_id) is None:
                raise InvalidInput(
                    "unknown brand %(brand_id)r",
                    field="registrations",
                    params={"brand_id": reg.brand_id},
                )
        changed = (holder.kind, holder.registrations, holder.authorization) != (
            cmd.kind,
            cmd.registrations,
            cmd.authorization,
        )
        updated = replace(
            holder,
            kind=cmd.kind,
            registrations=cmd.registrations,
            authorization=cmd.authorization,
            verified_at=None if changed else holder.verified_at,
            verified_by=None if changed else holder.verified_by,
        )
        uow.rights_holders.save(updated)
        record(
            uow,
            cmd.actor,
            "rights_holder:profile:updated",
            f"rights_holder:{holder.id}",
            now,
            kind=cmd.kind.value,
            registrations=[f"{r.office} {r.number} ({r.brand_id})" for r in cmd.registrations],
            verification_cleared=changed and holder.verified_at is not None,
        )
        uow.commit()
    return updated


def verify_holder(holder_id: str, actor: Actor, *, svc: Services) -> RightsHolder:
    """An admin checked the registrations (and an agent's mandate): it may file now."""
    require_role(actor, Role.ADMIN)
    with svc.uow() as uow:
        now = svc.clock.now()
        holder = load_holder(uow, holder_id)
        if not holder.registrations:
            raise InvalidInput(
                "state at least one trademark registration before verification",
                field="registrations",
            )
        verified = replace(holder, verified_at=now, verified_by=actor.id)
        uow.rights_holders.save(verified)
        record(uow, actor, "rights_holder:verified", f"rights_holder:{holder_id}", now)
        uow.commit()
    return verified


def enroll_trusted(holder_id: str, enrolled: bool, actor: Actor, *, svc: Services) -> RightsHolder:
    """An admin enrols a trusted flagger (or ends it); the record may still end it later."""
    require_role(actor, Role.ADMIN)
    with svc.uow() as uow:
        now = svc.clock.now()
        holder = load_holder(uow, holder_id)
        if enrolled and holder.verified_at is None:
            raise InvalidInput("verify the rights holder before enrolling it", field="enrolled")
        updated = replace(
            holder,
            trusted_since=(holder.trusted_since or now) if enrolled else None,
            trusted_enrolled=enrolled,
        )
        uow.rights_holders.save(updated)
        tag = "rights_holder:trusted:enrolled" if enrolled else "rights_holder:trusted:ended"
        record(uow, actor, tag, f"rights_holder:{holder_id}", now)
        uow.commit()
    return updated


def rejudge(uow: UnitOfWork, svc: Services, actor: Actor, holder_id: str, now: datetime) -> None:
    """Earn or lose trusted-flagger status, warn or suspend, as the record now says."""
    holder = load_holder(uow, holder_id, for_update=True)
    rec = record_of(uow, svc, holder_id, now)
    judgement = judge(holder, rec, svc.policy.notifier_rules(), now=now)
    if not judgement.changes:
        return
    uow.rights_holders.save(judgement.holder)
    for change in judgement.changes:
        record(
            uow,
            actor,
            f"rights_holder:standing:{change.value}",
            f"rights_holder:{holder_id}",
            now,
            items=rec.items,
            upheld=rec.upheld,
            withdrawn=rec.withdrawn,
            counter_succeeded=rec.counter_succeeded,
        )
    h = judgement.holder
    uow.publish(
        "rights_holder.standing_changed",
        {
            "holder_id": holder_id,
            "changes": [c.value for c in judgement.changes],
            "trusted": h.trusted,
            "warned_at": h.warned_at.isoformat() if h.warned_at else None,
            "filing_suspended_until": h.filing_suspended_until.isoformat()
            if h.filing_suspended_until
            else None,
        },
    )
