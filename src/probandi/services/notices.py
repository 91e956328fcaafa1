"""Use cases of notices: file, counter-notice, the rights holder's window, withdrawal,
outcomes and the deadlines `probandi tick` applies.

Every move of a notice item goes through `settle`, which keeps the listing's hold, the
penalty ledger, the statement of reasons, the audit log and the notifier's standing in
step, in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from probandi.domain.actors import SYSTEM, Actor, Role
from probandi.domain.commands import FileCounterNotice, FileNotice, ReportAction
from probandi.domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from probandi.domain.forensics.findings import is_forged
from probandi.domain.listings import Listing
from probandi.domain.locales import N_
from probandi.domain.notices import (
    FINAL,
    HOLD_SUSPENDED,
    REASON_TEXT,
    ActionReport,
    CounterNotice,
    ItemAction,
    ItemState,
    Notice,
    NoticeEvidence,
    NoticeItem,
    NoticeRefusal,
    check_listing_ids,
    named_brand,
    refusal_for,
)
from probandi.domain.penalties import PENALTY_TEXT, PenaltyKind
from probandi.domain.review import ReviewTask, TaskKind
from probandi.domain.sellers import Seller
from probandi.domain.statements import (
    APPEAL_GRANTED,
    LISTING_RESTORED,
    NOTICE_SUSPENDED,
    NOTICE_UPHELD,
    NOTICE_UPHELD_GROUND,
    RESTORED_GROUND,
    REVERSED_GROUND,
    StatementOfReasons,
    redress_text,
    worded,
)
from probandi.domain.text import Wording, quote, say
from probandi.domain.vouchers import (
    Voucher,
    VoucherAction,
    VoucherStatus,
    clean_filename,
    risk_of,
)
from probandi.services.access import STAFF, redact_for, require_role
from probandi.services.clusters import spread_cluster
from probandi.services.context import Services
from probandi.services.events import issue_statement, publish_listing, publish_voucher, record
from probandi.services.holders import held_brands, load_holder, rejudge
from probandi.services.penalties import append_penalty, reverse_entry
from probandi.services.ports import UnitOfWork
from probandi.services.reading_queue import queue_reading
from probandi.services.tasks import open_task
from probandi.services.vouchers import keep_fingerprints, read_upload, take_voucher

MAX_EVIDENCE_FILENAME = 200


@dataclass(frozen=True)
class NoticeResult:
    notice: Notice
    items: list[NoticeItem]
    refusals: list[NoticeRefusal]


@dataclass(frozen=True)
class CounterResult:
    item: NoticeItem
    voucher: Voucher | None  # the new proof uploaded with it, if any


# --- filing ----------------------------------------------------------------------------


def upload_evidence(
    actor: Actor, filename: str, data: bytes, claimed_media_type: str | None, *, svc: Services
) -> NoticeEvidence:
    """A file for notices (a test-buy report, photos): checked like any upload."""
    require_role(actor, Role.RIGHTS_HOLDER)
    stored = svc.inspector.inspect(data, claimed_media_type)  # before any write
    with svc.uow() as uow:
        now = svc.clock.now()
        holder = load_holder(uow, actor.party_id or "")
        sha256, fresh = svc.files.put(data)
        if fresh:
            uow.on_rollback(lambda: svc.files.discard(sha256))
        evidence = NoticeEvidence(
            uuid.uuid4().hex,
            holder.id,
            stored,
            clean_filename(filename, limit=MAX_EVIDENCE_FILENAME, default="evidence"),
            now,
        )
        uow.notices.add_evidence(evidence)
        record(
            uow,
            actor,
            "notice:evidence:uploaded",
            f"rights_holder:{holder.id}",
            now,
            evidence_id=evidence.id,
            sha256=stored.sha256,
        )
        uow.commit()
    return evidence


def file_notice(cmd: FileNotice, *, svc: Services) -> NoticeResult:
    """Take the notice; suspend every listing of the holder's brands at once, refuse the
    rest item by item. A trusted flagger needs no evidence; others must attach some."""
    require_role(cmd.actor, Role.RIGHTS_HOLDER)
    check_listing_ids(cmd.listing_ids)
    if not cmd.good_faith:
        raise InvalidInput(
            "declare in good faith that the notice is accurate",
            field="good_faith",
            code="good_faith_required",
        )
    with svc.uow() as uow:
        now = svc.clock.now()
        holder = load_holder(uow, cmd.actor.party_id or "", for_update=True)
        if holder.filing_suspended(now=now):
            until = holder.filing_suspended_until
            raise Forbidden(
                "your filing rights are suspended until %(until)s for unfounded notices",
                code="filing_suspended",
                until=str(until),
            )
        held = held_brands(uow, holder.id)
        verified = holder.verified_brands(today=now.date(), held=held)
        if not verified:
            raise Forbidden(
                "an admin must verify your trademark registrations before you file",
                code="holder_not_verified",
            )
        if not holder.trusted and not cmd.evidence_ids:
            raise InvalidInput(
                "a notice needs preliminary evidence (e.g. a test-buy report) unless you are a "
                "trusted flagger",
                field="evidence_ids",
                code="evidence_required",
            )
        _check_evidence(uow, holder.id, cmd.evidence_ids)
        notice = Notice(
            id=uuid.uuid4().hex,
            holder_id=holder.id,
            reason=cmd.reason,
            text=cmd.text,
            evidence_ids=tuple(dict.fromkeys(cmd.evidence_ids)),
            good_faith=cmd.good_faith,
            trusted=holder.trusted,
            created_at=now,
            created_by=cmd.actor.id,
        )
        uow.notices.add(notice)
        items, refusals = _take_listings(uow, svc, notice, cmd.listing_ids, verified, now)
        record(
            uow,
            cmd.actor,
            "notice:filed",
            f"notice:{notice.id}",
            now,
            reason=notice.reason.value,
            trusted=notice.trusted,
            evidence=list(notice.evidence_ids),
            suspended=len(items),
            refused={r.listing_id: r.code.value for r in refusals},
        )
        uow.publish(
            "notice.received",
            {
                "notice_id": notice.id,
                "holder_id": holder.id,
                "received_at": now.isoformat(),
                "suspended": [i.listing_id for i in items],
                "refused": [r.listing_id for r in refusals],
            },
        )
        uow.commit()
    return NoticeResult(notice, items, refusals)


def _check_evidence(uow: UnitOfWork, holder_id: str, evidence_ids: tuple[str, ...]) -> None:
    found = {e.id: e for e in uow.notices.evidence(set(evidence_ids))}
    for eid in evidence_ids:
        if eid not in found or found[eid].holder_id != holder_id:
            raise InvalidInput(
                "no evidence %(eid)r of yours", field="evidence_ids", params={"eid": eid}
            )


def _take_listings(
    uow: UnitOfWork,
    svc: Services,
    notice: Notice,
    listing_ids: tuple[str, ...],
    verified: frozenset[str],
    now: datetime,
) -> tuple[list[NoticeItem], list[NoticeRefusal]]:
    listings = uow.listings.get_many(set(listing_ids))
    already = uow.notices.holding(notice.holder_id, set(listings))
    brands = [b for bid in sorted(verified) if (b := uow.brands.get(bid))]
    seller_due = svc.calendar.add_working_days(now, svc.policy.counter_notice_working_days)
    items: list[NoticeItem] = []
    refusals: list[NoticeRefusal] = []
    seen: set[str] = set()
    for lid in listing_ids:
        listing = listings.get(lid)
        brand = named_brand(listing, brands) if listing else None
        refusal = refusal_for(listing, seen=lid in seen, held=lid in already, brand=brand)
        seen.add(lid)
        if refusal is not None:
            refusals.append(NoticeRefusal(uuid.uuid4().hex, notice.id, lid, refusal))
            continue
        assert listing is not None
        assert brand is not None
        items.append(
            NoticeItem(
                id=uuid.uuid4().hex,
                notice_id=notice.id,
                holder_id=notice.holder_id,
                listing_id=lid,
                seller_id=listing.seller_id,
                brand_id=brand.id,
                created_at=now,
                seller_due_at=seller_due,
            )
        )
    uow.notices.add_items(items)
    uow.notices.add_refusals(refusals)
    sellers: dict[str, Seller] = {}
    statements = []
    for item in items:
        seller = sellers.get(item.seller_id) or uow.sellers.get(item.seller_id)
        assert seller is not None
        sellers[seller.id] = seller
        listing = listings[item.listing_id].held_by(notice.id, HOLD_SUSPENDED)
        uow.listings.save(listing)
        statement = _suspension_statement(notice, item, listing, svc, now)
        statements.append(statement)
        publish_listing(
            uow, listing, seller, now, cause=f"notice:{notice.id}", statement_id=statement.id
        )
        uow.publish(
            "notice.served",
            {
                "notice_id": notice.id,
                "listing_id": item.listing_id,
                "seller_id": item.seller_id,
                "reason": notice.reason.value,
                "answer_by": item.seller_due_at.isoformat(),
                "statement_id": statement.id,
            },
        )
    uow.statements.add_many(statements)
    return items, refusals


def _suspension_statement(
    notice: Notice, item: NoticeItem, listing: Listing, svc: Services, now: datetime
) -> StatementOfReasons:
    return worded(
        id=uuid.uuid4().hex,
        listing_id=listing.id,
        seller_id=item.seller_id,
        measure=NOTICE_SUSPENDED,
        scope=f"listing {listing.id} ({listing.content.title})",
        facts=(
            say("the rights holder of %(brand)s says", brand=item.brand_id)
            + say(REASON_TEXT[notice.reason]),
            N_("the notice came from a trusted flagger")
            if notice.trusted
            else N_("the notice came with preliminary evidence"),
        ),
        ground=N_(
            "probandi notice policy: the seller must prove the goods genuine "
            "(China E-Commerce Law Art. 42)"
        ),
        automated=True,
        redress=say(
            "Answer with proof (a counter-notice) by %(due)s; without an answer the notice is "
            "upheld and the listing removed.",
            due=item.seller_due_at.isoformat(),
        )
        + redress_text(now, svc.policy.appeal_window_days),
        created_at=now,
        notice_id=notice.id,
    )


# --- moving an item --------------------------------------------------------------------


def settle(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    item: NoticeItem,
    move: ItemAction,
    now: datetime,
    *,
    penalty: PenaltyKind | None = None,
    reason: str = "",
    decision: str | None = None,
    **changes: object,
) -> NoticeItem:
    """Move one item and keep everything that follows from it in step."""
    decider = None if actor is SYSTEM else actor.id
    moved = replace(item.apply(move, at=now, by=decider), **changes)  # type: ignore[arg-type]
    moved = uow.notices.save_item(moved)
    if moved.hold != item.hold:
        _rehold(uow, svc, actor, moved, now, reason)
    decision = decision or f"notice_item:{moved.id}"
    uow.publish(
        "notice.item_settled",
        {
            "notice_id": moved.notice_id,
            "listing_id": moved.listing_id,
            "seller_id": moved.seller_id,
            "outcome": moved.state.value,
            "hold": moved.hold,
            "decision": decision,
            "at": now.isoformat(),
        },
    )
    if penalty is not None:
        append_penalty(
            uow,
            svc,
            actor,
            seller_id=moved.seller_id,
            kind=penalty,
            reason=reason or PENALTY_TEXT[penalty],
            decision=decision,
            now=now,
            listing_id=moved.listing_id,
            notice_item_id=moved.id,
        )
    if move is ItemAction.REVERSE:
        entries = uow.penalties.for_item(moved.id)  # reversals carry the item's id too
        undone = {e.reverses for e in entries}
        for entry in entries:
            if entry.kind is not PenaltyKind.REVERSAL and entry.id not in undone:
                reverse_entry(
                    uow,
                    svc,
                    actor,
                    entry,
                    reason=reason or "removal reversed",
                    decision=decision,
                    now=now,
                )
    if moved.state in (ItemState.RESTORED, ItemState.WITHDRAWN):
        _cancel_counter_task(uow, actor, moved, now)
    record(
        uow,
        actor,
        f"notice:item:{moved.state.value}",
        f"notice:{moved.notice_id}",
        now,
        listing_id=moved.listing_id,
        action=move.value,
        before=item.state.value,
        reason=reason or None,
        decision=decision,
    )
    if moved.state in FINAL and item.state not in FINAL:
        rejudge(uow, svc, actor, moved.holder_id, now)
    return moved


def _rehold(
    uow: UnitOfWork, svc: Services, actor: Actor, item: NoticeItem, now: datetime, reason: str
) -> None:
    listing = uow.listings.get(item.listing_id)
    seller = uow.sellers.get(item.seller_id)
    assert listing is not None
    assert seller is not None
    listing = listing.held_by(item.notice_id, item.hold)
    uow.listings.save(listing)
    statement = None
    facts: Wording = quote(reason) if reason else ()
    if item.state is ItemState.UPHELD:
        measure, ground = NOTICE_UPHELD, NOTICE_UPHELD_GROUND
        facts = facts or say(N_("the notice was upheld"))
    elif item.state in (ItemState.RESTORED, ItemState.WITHDRAWN):
        measure, ground = LISTING_RESTORED, RESTORED_GROUND
        facts = facts or say(
            N_("the notice is restored")
            if item.state is ItemState.RESTORED
            else N_("the notice is withdrawn")
        )
    elif item.state is ItemState.REVERSED:
        measure, ground = APPEAL_GRANTED, REVERSED_GROUND
        facts = facts or say(N_("the removal was reversed on the seller's internal complaint"))
    else:
        measure = None
    if measure is not None:
        statement = worded(
            id=uuid.uuid4().hex,
            listing_id=listing.id,
            seller_id=seller.id,
            measure=measure,
            scope=f"listing {listing.id} ({listing.content.title})",
            facts=(facts,),
            ground=ground,
            automated=actor is SYSTEM,
            redress=redress_text(now, svc.policy.appeal_window_days),
            created_at=now,
            decided_by=None if actor is SYSTEM else actor.label,
            notice_id=item.notice_id,
        )
        issue_statement(uow, actor, statement)
    publish_listing(
        uow,
        listing,
        seller,
        now,
        cause=f"notice:{item.notice_id}",
        statement_id=statement.id if statement else None,
    )


def _cancel_counter_task(uow: UnitOfWork, actor: Actor, item: NoticeItem, now: datetime) -> None:
    task = uow.tasks.open_for_subject(item.id)
    if task is not None:
        uow.tasks.save(task.cancel())
        record(uow, actor, "review:task:cancelled", f"task:{task.id}", now, notice_item=item.id)


def _item(
    uow: UnitOfWork,
    notice_id: str,
    listing_id: str,
    visible: Callable[[NoticeItem], bool] = lambda _item: True,
) -> NoticeItem:
    """The notice's item for a listing; one the caller may not see does not exist (404)."""
    item = uow.notices.item(notice_id, listing_id)
    if item is None or not visible(item):
        raise NotFound(
            "no notice %(notice_id)r on listing %(listing_id)r",
            notice_id=notice_id,
            params={"listing_id": listing_id},
        )
    return item


def _item_of_seller(uow: UnitOfWork, actor: Actor, notice_id: str, listing_id: str) -> NoticeItem:
    return _item(
        uow, notice_id, listing_id, lambda i: actor.role in STAFF or actor.party_id == i.seller_id
    )


def _item_of_holder(uow: UnitOfWork, actor: Actor, notice_id: str, listing_id: str) -> NoticeItem:
    return _item(
        uow,
        notice_id,
        listing_id,
        lambda i: actor.role is Role.ADMIN or actor.party_id == i.holder_id,
    )


# --- the seller's answer ---------------------------------------------------------------


def file_counter_notice(cmd: FileCounterNotice, *, svc: Services) -> CounterResult:
    """The seller answers with proof: vouchers approved for the listing, or new proof that
    goes through the gate's checks. Forged or recycled proof upholds the notice at once."""
    require_role(cmd.actor, Role.SELLER)
    if not cmd.statement.strip():
        raise InvalidInput("state why the listing is genuine", field="statement")
    upload = read_upload(cmd.upload, svc=svc) if cmd.upload else None  # before any write
    with svc.uow() as uow:
        if upload is not None:
            uow.fingerprints.lock_intake()
        now = svc.clock.now()
        item = _item_of_seller(uow, cmd.actor, cmd.notice_id, cmd.listing_id)
        if item.state not in (ItemState.SUSPENDED, ItemState.COUNTER_NOTICED):
            raise InvalidTransition(
                "the notice on this listing is %(state)s; it takes no counter-notice",
                state=item.state.value,
            )
        if item.is_seller_overdue(now=now):
            raise InvalidTransition(
                "the deadline to answer passed at %(seller_due_at)s",
                code="deadline_passed",
                state=item.state.value,
                params={"seller_due_at": item.seller_due_at.isoformat()},
            )
        listing = uow.listings.get(item.listing_id)
        seller = uow.sellers.get(item.seller_id)
        assert listing is not None
        assert seller is not None
        proof = _approved_proof(uow, listing, cmd.voucher_ids)
        new_voucher = None
        if cmd.upload is not None and upload is not None:
            new_voucher, examination = take_voucher(
                uow, svc, cmd.upload, upload, listing=listing, seller=seller, now=now
            )
            if new_voucher.has_hard_failure:
                new_voucher = new_voucher.apply(VoucherAction.REJECT, at=now)
            uow.vouchers.add(new_voucher)
            keep_fingerprints(uow, new_voucher, upload, examination)
            spread_cluster(uow, svc, SYSTEM, new_voucher, examination.matches, now=now)
            queue_reading(uow, new_voucher, policy=svc.policy, now=now)
            record(
                uow,
                cmd.actor,
                "voucher:submitted",
                f"voucher:{new_voucher.id}",
                now,
                listing_id=listing.id,
                notice_id=item.notice_id,
                sha256=new_voucher.file.sha256,
                findings=[f.code for f in new_voucher.findings],
            )
            if new_voucher.status is VoucherStatus.REJECTED:
                item = _refused_proof(uow, svc, cmd, item, new_voucher, now)
                uow.commit()
                return CounterResult(item, redact_for(cmd.actor, new_voucher))
            proof.append(new_voucher.id)
        if not proof:
            raise InvalidInput("a counter-notice needs proof: a voucher", field="file")
        earlier = item.counter.voucher_ids if item.counter else ()
        counter = CounterNotice(cmd.statement, tuple(dict.fromkeys((*earlier, *proof))), now)
        item = uow.notices.save_item(
            replace(item.apply(ItemAction.COUNTER, at=now), counter=counter)
        )
        open_task(
            uow,
            svc,
            cmd.actor,
            uow.tasks.open_for_subject(item.id),
            listing_id=item.listing_id,
            seller_id=item.seller_id,
            now=now,
            risk=risk_of(new_voucher.findings) if new_voucher else 0,
            kind=TaskKind.COUNTER_NOTICE,
            subject_id=item.id,
        )
        record(
            uow,
            cmd.actor,
            "notice:counter_notice:filed",
            f"notice:{item.notice_id}",
            now,
            listing_id=item.listing_id,
            vouchers=list(counter.voucher_ids),
        )
        uow.commit()
    return CounterResult(item, redact_for(cmd.actor, new_voucher) if new_voucher else None)


def _approved_proof(uow: UnitOfWork, listing: Listing, voucher_ids: tuple[str, ...]) -> list[str]:
    """Vouchers already approved for this listing, reused as they are."""
    found = uow.vouchers.get_many(set(voucher_ids))
    for vid in voucher_ids:
        v = found.get(vid)
        if v is None or v.listing_id != listing.id:
            raise InvalidInput(
                "no voucher %(vid)r of this listing", field="voucher_ids", params={"vid": vid}
            )
        if v.status is not VoucherStatus.APPROVED:
            raise InvalidInput(
                "voucher %(vid)r is %(status)s; only approved vouchers are reused",
                field="voucher_ids",
                params={"vid": vid, "status": v.status.value},
            )
    return list(dict.fromkeys(voucher_ids))


def _refused_proof(
    uow: UnitOfWork,
    svc: Services,
    cmd: FileCounterNotice,
    item: NoticeItem,
    voucher: Voucher,
    now: datetime,
) -> NoticeItem:
    """New proof that fails a hard check. Forged or recycled proof upholds the notice and
    is closure-level; other failures leave the seller its deadline to bring better proof."""
    hard = sorted({f.code for f in voucher.findings if f.severity.value == "hard"})
    record(
        uow,
        cmd.actor,
        "voucher:rejected:automatically",
        f"voucher:{voucher.id}",
        now,
        findings=hard,
    )
    if not is_forged(voucher):
        return item
    counter = CounterNotice(cmd.statement, (voucher.id,), now)
    item = uow.notices.save_item(replace(item.apply(ItemAction.COUNTER, at=now), counter=counter))
    reason = f"the counter-notice's voucher {voucher.id} is forged or recycled: {', '.join(hard)}"
    return settle(
        uow,
        svc,
        SYSTEM,
        item,
        ItemAction.REJECT_COUNTER,
        now,
        penalty=PenaltyKind.FORGED_VOUCHER,
        reason=reason,
        decision=f"voucher:{voucher.id}",
    )


def decide_counter_notice(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    task: ReviewTask,
    *,
    approve: bool,
    reason_code: str,
    reason_text: str,
    now: datetime,
) -> NoticeItem:
    """The reviewer's decision on a counter-notice (called by decide_task)."""
    assert task.subject_id is not None
    item = uow.notices.item_by_id(task.subject_id)
    if item is None:
        raise NotFound("no notice item %(subject_id)r", params={"subject_id": task.subject_id})
    action = VoucherAction.APPROVE if approve else VoucherAction.REJECT
    ids = item.counter.voucher_ids if item.counter else ()
    for v in uow.vouchers.get_many(set(ids)).values():
        if v.status is VoucherStatus.PENDING_REVIEW:
            decided = v.apply(action, at=now)
            uow.vouchers.save(decided)
            publish_voucher(uow, decided, now, decided_by=actor, reason_codes=[reason_code])
    decision = f"task:{task.id}"
    if not approve:
        forged = reason_code == "suspected_forgery"
        return settle(
            uow,
            svc,
            actor,
            item,
            ItemAction.REJECT_COUNTER,
            now,
            penalty=PenaltyKind.FORGED_VOUCHER if forged else PenaltyKind.COUNTERFEIT,
            reason=f"the counter-notice's proof was rejected: {reason_text}",
            decision=decision,
        )
    due = now + timedelta(days=svc.policy.holder_window_days)
    moved = settle(
        uow,
        svc,
        actor,
        item,
        ItemAction.ACCEPT_COUNTER,
        now,
        decision=decision,
        reason=f"the counter-notice's proof holds: {reason_text}",
        forwarded_at=now,
        holder_due_at=due,
    )
    uow.publish(
        "notice.counter_notice_forwarded",
        {
            "notice_id": item.notice_id,
            "holder_id": item.holder_id,
            "listing_id": item.listing_id,
            "statement": item.counter.statement if item.counter else "",
            "vouchers": list(ids),
            "report_action_by": due.isoformat(),
        },
    )
    return moved


# --- the rights holder's window and the outcome ----------------------------------------


def report_action(cmd: ReportAction, *, svc: Services) -> NoticeItem:
    """The holder reports a complaint or lawsuit in its window: the listing stays down."""
    require_role(cmd.actor, Role.RIGHTS_HOLDER)
    with svc.uow() as uow:
        now = svc.clock.now()
        item = _item_of_holder(uow, cmd.actor, cmd.notice_id, cmd.listing_id)
        if item.is_holder_overdue(now=now):
            raise InvalidTransition(
                "your window to report an action has passed",
                code="deadline_passed",
                state=item.state.value,
            )
        report = ActionReport(cmd.kind, cmd.authority, cmd.reference, now)
        item = settle(
            uow,
            svc,
            cmd.actor,
            item,
            ItemAction.REPORT_ACTION,
            now,
            action=report,
            reason=f"{cmd.kind.value} reported to {cmd.authority} ({cmd.reference})",
        )
        uow.commit()
    return item


def extend_window(notice_id: str, listing_id: str, actor: Actor, *, svc: Services) -> NoticeItem:
    """Once, to the policy's maximum in working days after forwarding."""
    require_role(actor, Role.RIGHTS_HOLDER)
    with svc.uow() as uow:
        now = svc.clock.now()
        item = _item_of_holder(uow, actor, notice_id, listing_id)
        if item.extended:
            raise InvalidTransition(
                "the window was extended once already",
                code="already_extended",
                state=item.state.value,
            )
        if item.is_holder_overdue(now=now):
            raise InvalidTransition(
                "your window has passed", code="deadline_passed", state=item.state.value
            )
        if item.forwarded_at is None or item.holder_due_at is None:
            raise InvalidTransition(
                "the notice on this listing is %(state)s; there is no window to extend",
                state=item.state.value,
            )
        latest = svc.calendar.add_working_days(
            item.forwarded_at, svc.policy.holder_window_max_working_days
        )
        item = settle(
            uow,
            svc,
            actor,
            item,
            ItemAction.EXTEND,
            now,
            extended=True,
            holder_due_at=max(latest, item.holder_due_at),
        )
        uow.commit()
    return item


def rule_outcome(
    notice_id: str, listing_id: str, upheld: bool, note: str, actor: Actor, *, svc: Services
) -> NoticeItem:
    """Record what the authority or court decided on a reported action."""
    require_role(actor, Role.ADMIN, Role.REVIEWER)
    if not note.strip() or len(note) > 2000:
        raise InvalidInput("note must be 1-2000 characters (cite the ruling)", field="note")
    with svc.uow() as uow:
        now = svc.clock.now()
        item = _item(uow, notice_id, listing_id)  # staff, checked above
        if upheld:
            item = settle(
                uow,
                svc,
                actor,
                item,
                ItemAction.RULE_UPHELD,
                now,
                penalty=PenaltyKind.COUNTERFEIT,
                reason=f"ruled for the rights holder: {note}",
            )
        else:
            item = settle(
                uow,
                svc,
                actor,
                item,
                ItemAction.RULE_RESTORED,
                now,
                reason=f"ruled for the seller: {note}",
            )
        uow.commit()
    return item


def withdraw_notice(
    notice_id: str, listing_ids: tuple[str, ...], note: str, actor: Actor, *, svc: Services
) -> list[NoticeItem]:
    """The holder withdraws the notice (or some of its listings): they are restored."""
    require_role(actor, Role.RIGHTS_HOLDER, Role.ADMIN)
    if len(note) > 2000:
        raise InvalidInput("note must be at most 2000 characters", field="note")
    with svc.uow() as uow:
        now = svc.clock.now()
        notice = uow.notices.get(notice_id)
        if notice is None or (actor.role is not Role.ADMIN and actor.party_id != notice.holder_id):
            raise NotFound("no notice %(notice_id)r", notice_id=notice_id)
        items = uow.notices.items(notice_id)
        if listing_ids:
            wanted = set(listing_ids)
            unknown = wanted - {i.listing_id for i in items}
            if unknown:
                raise InvalidInput(
                    "listings not in this notice: %(unknown)s",
                    field="listing_ids",
                    params={"unknown": sorted(unknown)},
                )
            items = [i for i in items if i.listing_id in wanted]
        open_items = [i for i in items if i.state not in FINAL]
        if not open_items:
            raise InvalidTransition("nothing left to withdraw in this notice", state="closed")
        done = [
            settle(
                uow,
                svc,
                actor,
                i,
                ItemAction.WITHDRAW,
                now,
                reason=f"withdrawn by the rights holder{': ' + note if note else ''}",
            )
            for i in open_items
        ]
        uow.commit()
    return done


# --- deadlines -------------------------------------------------------------------------


def apply_notice_deadlines(*, svc: Services, batch: int = 200) -> tuple[int, int]:
    """(upheld, restored): unanswered notices upheld with a strike; counter-notices the
    holder let lapse restored. A batch that loses a race (the seller answered, the holder
    withdrew) is read again: what was decided meanwhile is no longer due."""
    upheld = _in_batches(svc, batch, _expire_batch)
    restored = _in_batches(svc, batch, _lapse_batch)
    return upheld, restored


def _in_batches(svc: Services, batch: int, run: Callable[[UnitOfWork, Services, int], int]) -> int:
    done, lost = 0, 0
    while True:
        try:
            with svc.uow() as uow:
                n = run(uow, svc, batch)
                uow.commit()
        except Conflict:
            lost += 1
            if lost > MAX_LOST_RACES:
                raise
            continue
        done += n
        if n < batch:
            return done


MAX_LOST_RACES = 5


def _expire_batch(uow: UnitOfWork, svc: Services, batch: int) -> int:
    now = svc.clock.now()
    due = uow.notices.seller_overdue(now, batch)
    for item in due:
        settle(
            uow,
            svc,
            SYSTEM,
            item,
            ItemAction.EXPIRE,
            now,
            penalty=PenaltyKind.PROOF_DEADLINE_MISSED,
            reason=f"no counter-notice with proof by {item.seller_due_at.isoformat()}",
        )
    return len(due)


def _lapse_batch(uow: UnitOfWork, svc: Services, batch: int) -> int:
    now = svc.clock.now()
    lapsed = uow.notices.holder_overdue(now, batch)
    for item in lapsed:
        due = item.holder_due_at.isoformat() if item.holder_due_at else "-"
        settle(
            uow,
            svc,
            SYSTEM,
            item,
            ItemAction.LAPSE,
            now,
            reason=f"the rights holder reported no complaint or lawsuit by {due}",
        )
    return len(lapsed)
