"""Use cases of reading vouchers: the job that reads one, its findings, and the read side."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.actors import SYSTEM, Actor
from probandi.domain.checks import ordered
from probandi.domain.errors import Conflict, DomainError
from probandi.domain.forensics.findings import (
    ForensicContext,
    document_number_reused,
)
from probandi.domain.forensics.model import document_key
from probandi.domain.listing_gate import GateState
from probandi.domain.reading.compare import JUDGES, READ_AS, compare, declared_values, read_value
from probandi.domain.reading.fields import extract
from probandi.domain.reading.model import Extracted, Reading, ReadingTooLong
from probandi.domain.reading.normalize import id_tokens
from probandi.domain.reading.record import ReadingStatus, VoucherReading
from probandi.domain.review import ReviewTask, TaskKind, TaskState
from probandi.domain.vouchers import Finding, Severity, Voucher, VoucherStatus
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.forensics import backfill
from probandi.services.long_ids import copies_as_read, index_and_match, index_pieces
from probandi.services.ports import UnitOfWork
from probandi.services.views import get_voucher
from probandi.services.vouchers import reject_automatically

log = logging.getLogger("probandi.reading")


@dataclass(frozen=True)
class ReadingLimits:
    max_pages: int
    seconds: float


@dataclass(frozen=True)
class FieldComparison:
    """One declared field beside what the document says; `differs` only when both exist."""

    field: str
    declared: str | None
    read: str | None
    confidence: float | None
    differs: bool


@dataclass(frozen=True)
class ReadingView:
    reading: VoucherReading
    contradictions: tuple[FieldComparison, ...]


def get_reading(voucher_id: str, actor: Actor, *, svc: Services) -> VoucherReading | None:
    """The reading of a voucher the actor may see (as `get_voucher`: a seller its own), or
    None if none was queued; NotFound for a voucher it may not see."""
    get_voucher(voucher_id, actor, svc=svc)
    with svc.reader() as uow:
        return uow.readings.get(voucher_id)


def view_reading(voucher_id: str, actor: Actor, *, svc: Services) -> ReadingView | None:
    """The reading with the declaration held against it, field by field."""
    voucher = get_voucher(voucher_id, actor, svc=svc)
    with svc.reader() as uow:
        reading = uow.readings.get(voucher_id)
    if reading is None:
        return None
    return ReadingView(reading, contradictions(voucher, reading))


def contradictions(voucher: Voucher, reading: VoucherReading) -> tuple[FieldComparison, ...]:
    """Declared vs read for every field the seller declared."""
    extracted = reading.extracted()
    rows = []
    for name, declared in declared_values(voucher.kind, voucher.declaration).items():
        if not declared:
            continue
        read = [extracted.fields[f] for f in READ_AS[name] if f in extracted.fields]
        if not read:
            rows.append(FieldComparison(name, declared, None, None, False))
            continue
        agrees = any(JUDGES[name](declared, f, extracted).agrees for f in read)
        rows.append(FieldComparison(name, declared, read[0].value, read[0].confidence, not agrees))
    return tuple(rows)


def read_voucher(
    voucher_id: str, limits: ReadingLimits, *, last_attempt: bool, svc: Services
) -> None:
    """Read one voucher's document and keep what it says with its findings, once.

    A non-transient failure (the file cannot be decoded, the time limit) is recorded at once;
    any other is raised for the job to retry, and recorded on the last attempt."""
    voucher = _start(voucher_id, last_attempt=last_attempt, svc=svc)
    if voucher is None:
        return
    try:
        data = svc.files.read(voucher.file.sha256)
        begun = time.monotonic()
        read = svc.document_reader.read(
            data,
            voucher.file.media_type,
            max_pages=limits.max_pages,
            deadline=begun + limits.seconds,
        )
        if time.monotonic() - begun > limits.seconds:
            raise ReadingTooLong(f"the reading took longer than {limits.seconds:g} s")
        extracted = extract(read)
    except (DomainError, ReadingTooLong) as exc:
        _fail(voucher_id, str(exc) or type(exc).__name__, svc=svc)
        return
    except Exception as exc:
        if last_attempt:
            _fail(voucher_id, f"{type(exc).__name__}: {exc}", svc=svc)
        raise
    _finish(voucher_id, read_pages=read, extracted=extracted, svc=svc)


def _start(voucher_id: str, *, last_attempt: bool, svc: Services) -> Voucher | None:
    """Mark the reading under way; None when there is nothing (more) to read. A reading
    that stopped its worker on every earlier attempt is failed instead of tried a last
    time, so that no voucher stays unread when its job runs out of attempts."""
    with svc.uow() as uow:
        now = svc.clock.now()
        reading = uow.readings.get(voucher_id, lock=True)
        voucher = uow.vouchers.get(voucher_id)
        if reading is None or voucher is None or reading.settled:
            return None
        if last_attempt and reading.status is ReadingStatus.READING:
            reason = f"the reading stopped its worker {reading.attempts} time(s)"
            uow.readings.save(reading.fail(reason, at=now))
            record(
                uow, SYSTEM, "voucher:reading:failed", f"voucher:{voucher_id}", now, error=reason
            )
            uow.commit()
            return None
        uow.readings.save(reading.start())
        uow.commit()
    return voucher


def _fail(voucher_id: str, reason: str, *, svc: Services) -> None:
    with svc.uow() as uow:
        now = svc.clock.now()
        reading = uow.readings.get(voucher_id, lock=True)
        if reading is None or reading.settled:
            return
        _record_failure(uow, reading, reason, now)
        uow.commit()


def _record_failure(uow: UnitOfWork, reading: VoucherReading, reason: str, now: datetime) -> None:
    uow.readings.save(reading.fail(reason, at=now))
    subject = f"voucher:{reading.voucher_id}"
    record(uow, SYSTEM, "voucher:reading:failed", subject, now, error=reason)


def _finish(voucher_id: str, *, read_pages: Reading, extracted: Extracted, svc: Services) -> None:
    with svc.uow() as uow:
        now = svc.clock.now()
        reading = uow.readings.get(voucher_id, lock=True)
        voucher = uow.vouchers.get(voucher_id)
        if reading is None or voucher is None or reading.settled:
            return  # another worker finished it after this one's lease ran out
        done = reading.finish(
            at=now,
            kind_guess=extracted.kind_guess.value if extracted.kind_guess else None,
            fields=extracted.fields,
            pages=read_pages.pages,
            text=read_pages.text,
            note=read_pages.note,
            truncated_at=read_pages.truncated_at,
        )
        key, keys = read_keys(voucher, extracted)
        uow.readings.save(done, document_key=key)
        copies = index_and_match(uow, voucher, read_pages.text, extracted)
        copies += copies_as_read(uow, voucher, read_pages.text)
        found = apply_findings(uow, svc, voucher, extracted, keys, now=now, also=copies)
        record(
            uow,
            SYSTEM,
            "voucher:reading:done",
            f"voucher:{voucher_id}",
            now,
            kind_guess=done.kind_guess,
            fields=sorted(extracted.fields),
            note=done.note,
            findings=[f.code for f in found],
        )
        uow.commit()


def _key_text(key: tuple[str, str] | None) -> str | None:
    return "|".join(key)[:400] if key else None


def read_keys(voucher: Voucher, extracted: Extracted) -> tuple[str | None, list[str]]:
    """The document's own key as read (issuer and number; the declared ones stand in only
    for what could not be read), and every form of it others may have declared."""
    number, code = extracted.value("number"), extracted.value("code")
    issuer = read_value(extracted, "issuer")
    declared = voucher.declaration

    def key(n: str) -> str | None:
        return _key_text(
            document_key(replace(declared, issuer=issuer or declared.issuer, document_number=n))
        )

    own: list[str | None] = []
    if number is not None or issuer is not None:
        numbers = [n for n in (number, (code or "") + (number or "") if code else None) if n]
        own = [key(n) for n in numbers or [declared.document_number or ""]]
        if code and number:
            own.append(_key_text(("qr", f"{code}{number}")))
    keys = [k for k in dict.fromkeys(own) if k]
    # Any id on the page may be its number: a photo or a stitched copy loses the label next
    # to it, and the reading order can part them.
    tokens = [k for t in id_tokens(extracted.text) if (k := key(t))]
    return (keys[0] if keys else None), list(dict.fromkeys([*keys, *tokens]))


def apply_findings(
    uow: UnitOfWork,
    svc: Services,
    voucher: Voucher,
    extracted: Extracted,
    keys: Iterable[str],
    *,
    now: datetime,
    also: Iterable[Finding] = (),
) -> list[Finding]:
    """Add the reading's findings (and `also`, found elsewhere from the same reading) to the
    voucher; a hard one rejects it while pending."""
    listing = uow.listings.get(voucher.listing_id)
    assert listing is not None
    brands = [b.name for bid in sorted(listing.gated_brand_ids) if (b := uow.brands.get(bid))]
    found = compare(
        voucher.declaration,
        extracted,
        declared_kind=voucher.kind,
        listing_brands=brands,
        listing_item=listing.content.title,
    )
    found += _reuse_as_read(uow, voucher, extracted, keys, stock=listing.content.stock)
    found += also
    new = _new_findings(voucher.findings, found)
    if not new:
        return []
    voucher = replace(voucher, findings=ordered((*voucher.findings, *new)))
    hard = any(f.severity is Severity.HARD for f in new)
    gated = listing.gate.state in (GateState.IN_REVIEW, GateState.AWAITING_PROOF)
    if hard and voucher.status is VoucherStatus.PENDING_REVIEW and gated:
        _reject_as_read(uow, svc, voucher, now=now)
    else:
        uow.vouchers.save(voucher)
    return new


def _reuse_as_read(
    uow: UnitOfWork, voucher: Voucher, extracted: Extracted, keys: Iterable[str], *, stock: int
) -> list[Finding]:
    uses = uow.readings.same_document(list(keys), besides=voucher.id)
    if not uses:
        return []
    number = extracted.value("number") or voucher.declaration.document_number
    ctx = ForensicContext(
        seller_id=voucher.seller_id,
        declaration=replace(voucher.declaration, document_number=number),
        listing_stock=stock,
        same_document=tuple(uses),
    )
    return document_number_reused(ctx)


def _subject(f: Finding) -> tuple[str, object, object, Severity]:
    # By severity too: the reading may confirm as hard what the upload could only suspect.
    return (f.code, f.evidence.get("field"), f.evidence.get("other_voucher_id"), f.severity)


def _new_findings(have: Iterable[Finding], found: Iterable[Finding]) -> list[Finding]:
    seen = {_subject(f) for f in have}
    new = []
    for f in found:
        if _subject(f) not in seen:
            seen.add(_subject(f))
            new.append(f)
    return new


def _reject_as_read(uow: UnitOfWork, svc: Services, voucher: Voucher, *, now: datetime) -> None:
    """The upload's own rejection path; the review task ends when nothing else is pending."""
    listing = uow.listings.get(voucher.listing_id)
    seller = uow.sellers.get(voucher.seller_id)
    assert listing is not None
    assert seller is not None
    others = [v for v in uow.vouchers.for_listing(listing.id) if v.id != voucher.id]
    reject_automatically(uow, SYSTEM, voucher, listing, seller, others, now, svc, stored=True)
    if any(v.status is VoucherStatus.PENDING_REVIEW for v in others):
        return
    task = uow.tasks.open_for_listing(listing.id)
    if task is not None and task.state in (TaskState.OPEN, TaskState.CLAIMED):
        uow.tasks.save(task.cancel())
        record(uow, SYSTEM, "review:task:cancelled", f"task:{task.id}", now, listing_id=listing.id)


def unread_vouchers(uow: UnitOfWork, voucher_ids: Iterable[str]) -> list[str]:
    """Of these vouchers, those whose reading is queued or under way (not read nor failed)."""
    ids = list(dict.fromkeys(voucher_ids))
    statuses = uow.readings.statuses(ids)
    unsettled = (ReadingStatus.QUEUED, ReadingStatus.READING)
    return [v for v in ids if v in statuses and statuses[v] in unsettled]


def require_read(uow: UnitOfWork, voucher_ids: Iterable[str]) -> None:
    """A decision waits for the documents to be read (or their reading to have failed)."""
    pending = unread_vouchers(uow, voucher_ids)
    if pending:
        raise Conflict(
            "the documents of this task are still being read; decide once they are",
            code="reading_pending",
            vouchers=pending,
        )


def task_vouchers(uow: UnitOfWork, task: ReviewTask) -> list[str]:
    """The undecided vouchers a task's decision rests on."""
    if task.kind is TaskKind.PROOF:
        vouchers = uow.vouchers.for_listing(task.listing_id)
        return [v.id for v in vouchers if v.status is VoucherStatus.PENDING_REVIEW]
    if task.kind is TaskKind.COUNTER_NOTICE and task.subject_id is not None:
        item = uow.notices.item_by_id(task.subject_id)
        return list(item.counter.voucher_ids) if item and item.counter else []
    return []


def task_readings(tasks: Iterable[ReviewTask], *, svc: Services) -> dict[str, str]:
    """Per task: `pending` while a document is being read, else `failed` if a reading
    failed, else `done`."""
    tasks = list(tasks)
    live = [t for t in tasks if t.state in (TaskState.OPEN, TaskState.CLAIMED)]
    states: dict[str, set[ReadingStatus]] = {}
    with svc.reader() as uow:
        proof = [t.listing_id for t in live if t.kind is TaskKind.PROOF]
        by_listing = uow.readings.pending_by_listing(proof)
        for task in live:
            if task.kind is TaskKind.PROOF:
                states[task.id] = by_listing.get(task.listing_id, set())
            else:
                states[task.id] = set(uow.readings.statuses(task_vouchers(uow, task)).values())
    return {t.id: _summary(states.get(t.id, set())) for t in tasks}


def _summary(states: set[ReadingStatus]) -> str:
    if states & {ReadingStatus.QUEUED, ReadingStatus.READING}:
        return "pending"
    return "failed" if ReadingStatus.FAILED in states else "done"


def index_stored_readings(
    svc: Services, *, batch: int = 100, on_voucher: Callable[[str], None] | None = None
) -> int:
    """Index the long ids of vouchers read before they were indexed, so that later copies
    find them; their own findings stay as decided. Returns how many."""

    def index(uow: UnitOfWork, voucher: Voucher) -> None:
        reading = uow.readings.get(voucher.id)
        assert reading is not None  # the pending ones are read
        index_pieces(uow, voucher, reading.text or "", reading.extracted())

    return backfill(
        svc, lambda uow: uow.readings.unindexed_ids(batch), index, on_voucher=on_voucher
    )
