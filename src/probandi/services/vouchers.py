"""Use case: a seller submits a voucher as proof for a held listing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.actors import SYSTEM, Actor, Role
from probandi.domain.checks import CheckContext, ordered, run_checks
from probandi.domain.commands import SubmitVoucher
from probandi.domain.credentials import looks_like_token
from probandi.domain.errors import InvalidInput, InvalidTransition
from probandi.domain.forensics.model import DocumentFacts
from probandi.domain.listing_gate import GateAction, GateState
from probandi.domain.listings import Listing
from probandi.domain.sellers import Seller
from probandi.domain.statements import (
    VOUCHER_REJECTED,
    StatementOfReasons,
    facts_from_findings,
    redress_text,
    worded,
)
from probandi.domain.text import say
from probandi.domain.vouchers import (
    StoredFile,
    Voucher,
    VoucherAction,
    VoucherStatus,
    check_declaration,
    clean_filename,
    risk_of,
)
from probandi.services.access import redact_for, require_role, visible_listing
from probandi.services.clusters import spread_cluster
from probandi.services.context import Services
from probandi.services.events import (
    issue_statement,
    publish_voucher,
    record,
    record_gate_event,
)
from probandi.services.forensics import Diffs, Examination, examine, precompare
from probandi.services.ports import UnitOfWork
from probandi.services.reading_queue import queue_reading
from probandi.services.tasks import open_task

NEEDS_PROOF = frozenset({GateState.AWAITING_PROOF, GateState.IN_REVIEW, GateState.REJECTED})
MAX_FILENAME = 200


@dataclass(frozen=True)
class VoucherResult:
    voucher: Voucher
    listing: Listing
    statement: StatementOfReasons | None = None


@dataclass(frozen=True)
class ReadUpload:
    """An upload inspected and read before the transaction (CPU work, no writes)."""

    file: StoredFile
    facts: DocumentFacts
    done: Diffs


def check_upload_target(actor: Actor, listing_id: str, *, svc: Services) -> None:
    """A seller uploads to its own listings only; another's is unknown to it (404), and
    is answered so before anything about the upload itself is looked at."""
    require_role(actor, Role.SELLER)
    with svc.reader() as uow:
        visible_listing(actor, uow.listings.get(listing_id), listing_id)


def read_upload(cmd: SubmitVoucher, *, svc: Services) -> ReadUpload:
    """Check the target, the declaration and the file, read its fingerprints and compare it
    with the candidates known now; refuses bad input before anything is written."""
    check_upload_target(cmd.actor, cmd.listing_id, svc=svc)
    check_declaration(cmd.kind, cmd.declaration)
    stored = svc.inspector.inspect(cmd.data, cmd.claimed_media_type)
    facts = svc.forensics.read(cmd.data, stored.media_type)
    # A seller uploads only for itself: its party is its seller id.
    done = precompare(
        svc, seller_id=cmd.actor.party_id or "", file=stored, data=cmd.data, facts=facts
    )
    return ReadUpload(stored, facts, done)


def take_voucher(
    uow: UnitOfWork,
    svc: Services,
    cmd: SubmitVoucher,
    upload: ReadUpload,
    *,
    listing: Listing,
    seller: Seller,
    now: datetime,
) -> tuple[Voucher, Examination]:
    """Store the file and run every check on it, under the intake lock; the caller adds
    the voucher (or rejects it) and then calls `keep_fingerprints`."""
    existing = uow.vouchers.for_listing(listing.id)
    if len(existing) >= svc.policy.max_vouchers_per_listing:
        raise InvalidInput("too many vouchers for this listing", field="file")
    sha256 = store_file(uow, svc, cmd.data)
    brands = tuple(b for bid in sorted(listing.gated_brand_ids) if (b := uow.brands.get(bid)))
    voucher_id = uuid.uuid4().hex
    examination = examine(
        uow,
        svc,
        voucher_id=voucher_id,
        seller=seller,
        listing=listing,
        declaration=cmd.declaration,
        brands=brands,
        file=upload.file,
        data=cmd.data,
        facts=upload.facts,
        done=upload.done,
    )
    checked = run_checks(
        CheckContext(
            kind=cmd.kind,
            declaration=cmd.declaration,
            seller=seller,
            listing=listing,
            brands=brands,
            now=now,
            policy=svc.policy,
            fx=uow.fx.table(),
            same_file_uses=tuple(uow.vouchers.uses_of_file(sha256)),
        )
    )
    voucher = Voucher(
        id=voucher_id,
        seller_id=seller.id,
        listing_id=listing.id,
        kind=cmd.kind,
        file=upload.file,
        filename=clean_filename(cmd.filename, limit=MAX_FILENAME),
        declaration=cmd.declaration,
        created_at=now,
        findings=ordered((*checked, *examination.findings)),
        units_claimed=listing.content.stock,
        qr_payload=upload.facts.qr_payload,
    )
    return voucher, examination


def keep_fingerprints(
    uow: UnitOfWork, voucher: Voucher, upload: ReadUpload, examination: Examination
) -> None:
    uow.fingerprints.add(voucher.id, voucher.seller_id, upload.facts.fingerprints)
    uow.fingerprints.add_matches(voucher.id, examination.matches)


def proof_target(
    uow: UnitOfWork, actor: Actor, listing_id: str
) -> tuple[Listing, Seller, list[Voucher]]:
    """The seller's listing that takes proof now, its seller and its vouchers so far."""
    listing = visible_listing(actor, uow.listings.get(listing_id), listing_id)
    if listing.gate.state not in NEEDS_PROOF:
        raise InvalidTransition(
            "listing %(id)r is %(state)s; it takes no proof now",
            state=listing.gate.state.value,
            params={"id": listing.id},
        )
    seller = uow.sellers.get(listing.seller_id)
    assert seller is not None
    return listing, seller, uow.vouchers.for_listing(listing.id)


def store_file(uow: UnitOfWork, svc: Services, data: bytes) -> str:
    """The bytes in the file store (content-addressed), taken out again if the transaction
    rolls back and they were new; their sha256."""
    sha256, fresh = svc.files.put(data)
    if fresh:
        uow.on_rollback(lambda: svc.files.discard(sha256))
    return sha256


def submit_voucher(cmd: SubmitVoucher, *, svc: Services) -> VoucherResult:
    """Store, fingerprint and check the file; reject hard failures, queue the rest."""
    upload = read_upload(cmd, svc=svc)  # before any write
    with svc.uow() as uow:
        uow.fingerprints.lock_intake()
        now = svc.clock.now()
        listing, seller, existing = proof_target(uow, cmd.actor, cmd.listing_id)
        voucher, examination = take_voucher(
            uow, svc, cmd, upload, listing=listing, seller=seller, now=now
        )
        if looks_like_token(upload.facts.qr_payload):
            # A letter carrying a brand-signed credential as its QR code (ADR 0014).
            from probandi.services.credential_gate import route_letter

            result = route_letter(
                uow,
                svc,
                cmd.actor,
                voucher,
                str(upload.facts.qr_payload),
                listing,
                seller,
                existing,
                now,
            )
        else:
            result = _route(uow, cmd.actor, voucher, listing, seller, existing, now, svc)
        keep_fingerprints(uow, voucher, upload, examination)
        spread_cluster(uow, svc, SYSTEM, voucher, examination.matches, now=now)
        if result.voucher.status is not VoucherStatus.APPROVED:  # approved on a credential
            queue_reading(uow, result.voucher, policy=svc.policy, now=now)
        uow.commit()
    return replace(result, voucher=redact_for(cmd.actor, result.voucher))


def _route(
    uow: UnitOfWork,
    actor: Actor,
    voucher: Voucher,
    listing: Listing,
    seller: Seller,
    existing: list[Voucher],
    now: datetime,
    svc: Services,
) -> VoucherResult:
    record_submission(uow, actor, voucher, now)
    if voucher.has_hard_failure:
        return reject_automatically(uow, actor, voucher, listing, seller, existing, now, svc)
    return queue_for_review(uow, svc, actor, voucher, listing, seller, now)


def record_submission(
    uow: UnitOfWork, actor: Actor, voucher: Voucher, now: datetime, **extra: object
) -> None:
    record(
        uow,
        actor,
        "voucher:submitted",
        f"voucher:{voucher.id}",
        now,
        listing_id=voucher.listing_id,
        sha256=voucher.file.sha256,
        kind=voucher.kind.value,
        findings=[f.code for f in voucher.findings],
        **extra,
    )


def queue_for_review(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    voucher: Voucher,
    listing: Listing,
    seller: Seller,
    now: datetime,
) -> VoucherResult:
    """Keep the voucher and put the listing in review, with a task for a person."""
    uow.vouchers.add(voucher)
    listing, event = listing.transition(GateAction.SUBMIT_PROOF, at=now)
    uow.listings.save(listing)
    record_gate_event(uow, actor, listing, seller, event, voucher_id=voucher.id)
    open_task(
        uow,
        svc,
        actor,
        uow.tasks.open_for_listing(listing.id),
        listing_id=listing.id,
        seller_id=seller.id,
        now=now,
        risk=risk_of(voucher.findings),
        voucher_id=voucher.id,
    )
    return VoucherResult(voucher, listing)


def fresh_deadline(due: datetime | None, now: datetime, svc: Services) -> datetime:
    """After a rejection the seller always has the full proof window to bring other proof."""
    fresh = svc.calendar.add_working_days(now, svc.policy.proof_deadline_working_days)
    return max(due, fresh) if due else fresh


def reject_automatically(
    uow: UnitOfWork,
    actor: Actor,
    voucher: Voucher,
    listing: Listing,
    seller: Seller,
    existing: list[Voucher],
    now: datetime,
    svc: Services,
    *,
    stored: bool = False,
) -> VoucherResult:
    """Reject on hard findings with a statement; `stored`: the voucher is already kept
    (its reading found them), else it is added now."""
    voucher = voucher.apply(VoucherAction.REJECT, at=now)
    if stored:
        uow.vouchers.save(voucher)
    else:
        uow.vouchers.add(voucher)
    hard = tuple(f for f in voucher.findings if f.severity.value == "hard")
    record(
        uow,
        actor,
        "voucher:rejected:automatically",
        f"voucher:{voucher.id}",
        now,
        findings=[f.code for f in hard],
    )
    pending = [v for v in existing if v.status is VoucherStatus.PENDING_REVIEW]
    statement = worded(
        id=uuid.uuid4().hex,
        listing_id=listing.id,
        seller_id=seller.id,
        measure=VOUCHER_REJECTED,
        scope=f"listing {listing.id} ({listing.content.title}); voucher {voucher.id}",
        facts=facts_from_findings(hard),
        ground=say(
            "probandi proof policy: %(code)s", code=", ".join(sorted({f.code for f in hard}))
        ),
        automated=True,
        redress=redress_text(now, svc.policy.appeal_window_days),
        created_at=now,
        voucher_id=voucher.id,
    )
    issue_statement(uow, actor, statement)
    publish_voucher(
        uow,
        voucher,
        now,
        decided_by=None,
        statement_id=statement.id,
        reason_codes=[f.code for f in hard],
    )
    if not pending and listing.gate.state is not GateState.REJECTED:
        listing, event = listing.transition(GateAction.REJECT, at=now)
        listing = replace(listing, proof_due_at=fresh_deadline(listing.proof_due_at, now, svc))
        uow.listings.save(listing)
        record_gate_event(
            uow,
            actor,
            listing,
            seller,
            event,
            voucher_id=voucher.id,
            statement_id=statement.id,
            automated=True,
        )
    return VoucherResult(voucher, listing, statement)
