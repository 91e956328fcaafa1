"""Use cases of appeals (internal complaints): a seller against a removal or a ledger
entry, a rights holder against a refusal of its notice. A person who did not make the
decision decides, through the review queue; never automatically."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from probandi.domain.actors import SYSTEM, Actor, Role
from probandi.domain.appeals import Appeal, AppealAction, AppealSubject, check_window
from probandi.domain.commands import FileAppeal
from probandi.domain.errors import Conflict, InvalidInput, NotFound
from probandi.domain.notices import (
    HOLD_SUSPENDED,
    ItemAction,
    ItemState,
    NoticeItem,
    named_brand,
)
from probandi.domain.penalties import live_entries
from probandi.domain.review import ReviewTask, TaskKind
from probandi.services.access import STAFF, require_role
from probandi.services.context import Services
from probandi.services.events import publish_listing, record
from probandi.services.holders import held_brands
from probandi.services.notices import settle
from probandi.services.penalties import reverse_entry
from probandi.services.ports import UnitOfWork
from probandi.services.tasks import open_task

MAX_LISTED = 200


@dataclass(frozen=True)
class Subject:
    """What an appeal is against: the listing it concerns, when and by whom it was decided."""

    listing_id: str
    seller_id: str
    decision_at: datetime
    decider: str | None  # actor id; None when the decision was automated


def _decider(label_or_id: str | None) -> str | None:
    """An actor id from a stored decider; automated decisions have none."""
    if not label_or_id or label_or_id in (SYSTEM.id, SYSTEM.label):
        return None
    return label_or_id.split(":", 1)[1] if ":" in label_or_id else label_or_id


def _seller_subject(uow: UnitOfWork, cmd: FileAppeal) -> Subject:
    seller_id = cmd.actor.party_id
    if cmd.subject is AppealSubject.NOTICE_ITEM:
        item = uow.notices.item_by_id(cmd.subject_id)
        if item is None or item.seller_id != seller_id:
            raise NotFound(
                "no notice item %(subject_id)r of yours", params={"subject_id": cmd.subject_id}
            )
        if item.state is not ItemState.UPHELD or item.closed_at is None:
            raise InvalidInput(
                "the notice item is %(state)s; only a removal can be appealed",
                field="subject_id",
                params={"state": item.state.value},
            )
        return Subject(item.listing_id, item.seller_id, item.closed_at, item.decided_by)
    if cmd.subject is AppealSubject.PENALTY:
        entry = uow.penalties.get(cmd.subject_id)
        if entry is None or entry.seller_id != seller_id:
            raise NotFound(
                "no ledger entry %(subject_id)r of yours", params={"subject_id": cmd.subject_id}
            )
        live = {e.id for e in live_entries(uow.penalties.for_seller(entry.seller_id))}
        if entry.id not in live:
            raise InvalidInput("this entry is reversed or is a reversal", field="subject_id")
        if entry.listing_id is None:
            raise InvalidInput("this entry concerns no listing", field="subject_id")
        return Subject(entry.listing_id, entry.seller_id, entry.at, _decider(entry.actor))
    raise InvalidInput("a seller appeals a notice_item or a penalty", field="subject")


def _holder_subject(uow: UnitOfWork, cmd: FileAppeal) -> Subject:
    if cmd.subject is not AppealSubject.REFUSAL:
        raise InvalidInput("a rights holder appeals a refusal of its notice", field="subject")
    refusal = uow.notices.refusal(cmd.subject_id)
    notice = uow.notices.get(refusal.notice_id) if refusal else None
    if refusal is None or notice is None or notice.holder_id != cmd.actor.party_id:
        raise NotFound("no refusal %(subject_id)r of yours", params={"subject_id": cmd.subject_id})
    listing = uow.listings.get(refusal.listing_id)
    if listing is None:
        raise InvalidInput("the listing does not exist: nothing to appeal", field="subject_id")
    return Subject(listing.id, listing.seller_id, notice.created_at, None)


def file_appeal(cmd: FileAppeal, *, svc: Services) -> Appeal:
    """Open an appeal within the window; it waits in the review queue for a person."""
    require_role(cmd.actor, Role.SELLER, Role.RIGHTS_HOLDER)
    with svc.uow() as uow:
        now = svc.clock.now()
        if cmd.actor.role is Role.SELLER:
            subject = _seller_subject(uow, cmd)
        else:
            subject = _holder_subject(uow, cmd)
        check_window(subject.decision_at, now=now, window_days=svc.policy.appeal_window_days)
        if uow.appeals.open_for(cmd.subject, cmd.subject_id) is not None:
            raise Conflict("an appeal against this decision is already open")
        appeal_id, task_id = uuid.uuid4().hex, uuid.uuid4().hex
        appeal = Appeal(
            id=appeal_id,
            subject=cmd.subject,
            subject_id=cmd.subject_id,
            appellant=f"{cmd.actor.role.value}:{cmd.actor.party_id}",
            listing_id=subject.listing_id,
            statement=cmd.statement,
            created_at=now,
            decision_at=subject.decision_at,
            original_decider=subject.decider,
            task_id=task_id,
        )
        uow.appeals.add(appeal)
        open_task(
            uow,
            svc,
            cmd.actor,
            None,
            listing_id=subject.listing_id,
            seller_id=subject.seller_id,
            now=now,
            kind=TaskKind.APPEAL,
            subject_id=appeal_id,
            excluded_reviewer=subject.decider,
            task_id=task_id,
        )
        record(
            uow,
            cmd.actor,
            "appeal:filed",
            f"appeal:{appeal_id}",
            now,
            appealed=cmd.subject.value,
            subject_id=cmd.subject_id,
            task_id=task_id,
            listing_id=subject.listing_id,
        )
        uow.commit()
    return appeal


def decide_appeal(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    task: ReviewTask,
    *,
    grant: bool,
    reason_code: str,
    note: str | None,
    now: datetime,
) -> Appeal:
    """Grant or dismiss (called by decide_task); a grant reverses what was appealed."""
    assert task.subject_id is not None
    appeal = uow.appeals.get(task.subject_id)
    if appeal is None:
        raise NotFound("no appeal %(subject_id)r", params={"subject_id": task.subject_id})
    action = AppealAction.GRANT if grant else AppealAction.DISMISS
    decided = appeal.decide(action, by=actor.id, at=now, reason_code=reason_code, note=note)
    uow.appeals.save(decided)
    if grant:
        _reverse(uow, svc, actor, decided, now)
    record(
        uow,
        actor,
        f"appeal:{decided.state.value}",
        f"appeal:{appeal.id}",
        now,
        reason_code=reason_code,
        note=note,
        appealed=appeal.subject.value,
        subject_id=appeal.subject_id,
    )
    uow.publish(
        "appeal.decided",
        {
            "appeal_id": appeal.id,
            "appellant": appeal.appellant,
            "appealed": appeal.subject.value,
            "listing_id": appeal.listing_id,
            "state": decided.state.value,
            "reason_code": reason_code,
            "at": now.isoformat(),
        },
    )
    return decided


def _reverse(uow: UnitOfWork, svc: Services, actor: Actor, appeal: Appeal, now: datetime) -> None:
    decision = f"appeal:{appeal.id}"
    reason = f"appeal {appeal.id} granted"
    if appeal.subject is AppealSubject.NOTICE_ITEM:
        item = uow.notices.item_by_id(appeal.subject_id)
        assert item is not None
        settle(uow, svc, actor, item, ItemAction.REVERSE, now, reason=reason, decision=decision)
        return
    if appeal.subject is AppealSubject.PENALTY:
        entry = uow.penalties.get(appeal.subject_id)
        assert entry is not None
        item = uow.notices.item_by_id(entry.notice_item_id) if entry.notice_item_id else None
        if item is not None and item.state is ItemState.UPHELD:
            # Reversing the removal reverses its entries too, this one among them.
            settle(uow, svc, actor, item, ItemAction.REVERSE, now, reason=reason, decision=decision)
        if entry.id in {e.id for e in live_entries(uow.penalties.for_seller(entry.seller_id))}:
            reverse_entry(uow, svc, actor, entry, reason=reason, decision=decision, now=now)
        return
    _take_refused_listing(uow, svc, actor, appeal, now)


def _take_refused_listing(
    uow: UnitOfWork, svc: Services, actor: Actor, appeal: Appeal, now: datetime
) -> None:
    """A refusal overturned: the listing joins the notice now, suspended."""
    refusal = uow.notices.refusal(appeal.subject_id)
    assert refusal is not None
    notice = uow.notices.get(refusal.notice_id)
    listing = uow.listings.get(refusal.listing_id)
    assert notice is not None
    assert listing is not None
    if uow.notices.item(notice.id, listing.id) is not None:
        return
    seller = uow.sellers.get(listing.seller_id)
    assert seller is not None
    held = held_brands(uow, notice.holder_id)
    named = named_brand(listing, [b for bid in sorted(held) if (b := uow.brands.get(bid))])
    brand = named.id if named else min(held, default="-")
    item = NoticeItem(
        id=uuid.uuid4().hex,
        notice_id=notice.id,
        holder_id=notice.holder_id,
        listing_id=listing.id,
        seller_id=listing.seller_id,
        brand_id=brand,
        created_at=now,
        seller_due_at=svc.calendar.add_working_days(now, svc.policy.counter_notice_working_days),
    )
    uow.notices.add_items([item])
    listing = listing.held_by(notice.id, HOLD_SUSPENDED)
    uow.listings.save(listing)
    publish_listing(uow, listing, seller, now, cause=f"appeal:{appeal.id}")
    record(
        uow,
        actor,
        "notice:item:suspended",
        f"notice:{notice.id}",
        now,
        listing_id=listing.id,
        decision=f"appeal:{appeal.id}",
    )


def get_appeal(appeal_id: str, actor: Actor, *, svc: Services) -> Appeal:
    with svc.reader() as uow:
        appeal = uow.appeals.get(appeal_id)
    mine = f"{actor.role.value}:{actor.party_id}"
    if appeal is None or (actor.role not in STAFF and appeal.appellant != mine):
        raise NotFound("no appeal %(appeal_id)r", appeal_id=appeal_id)
    return appeal


def my_appeals(actor: Actor, *, svc: Services) -> list[Appeal]:
    require_role(actor, Role.SELLER, Role.RIGHTS_HOLDER)
    with svc.reader() as uow:
        return uow.appeals.of_appellant(f"{actor.role.value}:{actor.party_id}", MAX_LISTED)
