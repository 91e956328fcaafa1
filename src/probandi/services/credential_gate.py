"""Use cases at the gate: a seller presents a brand-signed credential (pasted, a .jwt file,
or the QR code on a letter), probandi verifies it, approves on it without a person when
policy says so, and re-gates what was approved on it once it is revoked (ADR 0014)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.actors import SYSTEM, Actor
from probandi.domain.checks import ordered
from probandi.domain.credentials import (
    MAX_TOKEN_CHARS,
    GateSubject,
    IssuedCredential,
    IssuerKey,
    Presented,
    StatusPurpose,
    verify_presented,
)
from probandi.domain.errors import InvalidInput, PayloadTooLarge
from probandi.domain.listing_gate import GateAction, GateState
from probandi.domain.listings import ApprovedTerms, Listing
from probandi.domain.sellers import Seller, VoucherKind
from probandi.domain.statements import (
    APPROVAL_REVOKED,
    APPROVAL_REVOKED_PROOF_STANDS,
    PROOF_APPROVED_ON_CREDENTIAL,
    StatementOfReasons,
    facts_from_findings,
    redress_text,
    worded,
)
from probandi.domain.text import Wording, say
from probandi.domain.vouchers import (
    Declaration,
    Finding,
    Severity,
    StoredFile,
    Voucher,
    VoucherAction,
    VoucherStatus,
)
from probandi.services.access import redact_for
from probandi.services.context import Services
from probandi.services.credentials import verified_brands_of
from probandi.services.events import issue_statement, publish_voucher, record, record_gate_event
from probandi.services.ports import UnitOfWork
from probandi.services.vouchers import (
    VoucherResult,
    check_upload_target,
    fresh_deadline,
    proof_target,
    queue_for_review,
    record_submission,
    reject_automatically,
    store_file,
)

CREDENTIAL_MEDIA_TYPE = "application/vc+jwt"


@dataclass(frozen=True)
class CredentialCheck:
    """What the gate found in a presented credential, and the registry's record of it."""

    presented: Presented
    findings: list[Finding]
    issued: IssuedCredential | None

    @property
    def verified(self) -> bool:
        return any(f.code == "credential.verified" for f in self.findings)


def check_credential(
    uow: UnitOfWork, svc: Services, token: str, seller: Seller, listing: Listing, now: datetime
) -> CredentialCheck:
    """Read and verify a credential against this seller and this listing's gated brands."""
    looked_up: dict[str, IssuerKey | None] = {}

    def key_for(kid: str) -> IssuerKey | None:
        looked_up[kid] = uow.credentials.key(kid)
        return looked_up[kid]

    presented = svc.credential_reader.read(token, key_for)
    kid = presented.kid
    key = (looked_up[kid] if kid in looked_up else uow.credentials.key(kid)) if kid else None
    claims = presented.claims
    issued = uow.credentials.credential(claims.id) if claims else None
    brands = {
        b: (found.name if (found := uow.brands.get(b)) else b) for b in listing.gated_brand_ids
    }
    findings = verify_presented(
        presented,
        GateSubject(
            seller_legal_name=seller.legal_name,
            seller_registration_id=seller.tax_id,
            gated_brand_ids=tuple(sorted(listing.gated_brand_ids)),
            now=now,
            brand_names=brands,
        ),
        key=key,
        holder_brands=verified_brands_of(uow, key.holder_id, now) if key else frozenset(),
        status_bits=issued.bits() if issued else {},
    )
    unregistered = (
        claims is not None and key is not None and not _registered(issued, presented, key.holder_id)
    )
    if unregistered and all(
        f.severity is not Severity.HARD or f.code == "credential.verified" for f in findings
    ):
        findings = [
            Finding(
                "credential.not_registered",
                Severity.HARD,
                "the issuer never registered this credential with probandi, so its status "
                "cannot be checked",
                {"credential_id": claims.id if claims else None},
            )
        ]
    return CredentialCheck(presented, findings, issued)


def _registered(issued: IssuedCredential | None, presented: Presented, holder_id: str) -> bool:
    """The credential is the one registered: same issuer, and the status index it signs is
    the one probandi gave it (so the published bits are its bits)."""
    claims = presented.claims
    if issued is None or claims is None or issued.holder_id != holder_id:
        return False
    return all(s.index == issued.status_index for s in claims.status if s.purpose in StatusPurpose)


@dataclass(frozen=True)
class PresentCredential:
    actor: Actor
    listing_id: str
    token: str
    filename: str = "credential.jwt"


def present_credential(cmd: PresentCredential, *, svc: Services) -> VoucherResult:
    """A credential pasted or uploaded as a .jwt file: verified at once. Fully verified and
    policy allows: approved without a person; a hard finding: rejected with a statement;
    anything else waits for a reviewer like any voucher."""
    check_upload_target(cmd.actor, cmd.listing_id, svc=svc)
    token = cmd.token.strip()
    if not token:
        raise InvalidInput("the credential is empty", field="credential")
    if len(token) > MAX_TOKEN_CHARS:
        raise PayloadTooLarge(
            ("the credential is %(count_token)s characters, the limit is %(MAX_TOKEN_CHARS)s"),
            field="credential",
            params={"count_token": len(token), "MAX_TOKEN_CHARS": MAX_TOKEN_CHARS},
        )
    data = token.encode("utf-8")
    with svc.uow() as uow:
        now = svc.clock.now()
        listing, seller, existing = proof_target(uow, cmd.actor, cmd.listing_id)
        if len(existing) >= svc.policy.max_vouchers_per_listing:
            raise InvalidInput("too many vouchers for this listing", field="credential")
        check = check_credential(uow, svc, token, seller, listing, now)
        sha256 = store_file(uow, svc, data)
        voucher = _voucher(
            cmd, check, seller, listing, StoredFile(sha256, len(data), CREDENTIAL_MEDIA_TYPE), now
        )
        result = route_credential(
            uow, svc, cmd.actor, voucher, check, listing, seller, existing, now
        )
        uow.commit()
    return replace(result, voucher=redact_for(cmd.actor, result.voucher))


def _voucher(
    cmd: PresentCredential,
    check: CredentialCheck,
    seller: Seller,
    listing: Listing,
    file: StoredFile,
    now: datetime,
) -> Voucher:
    claims = check.presented.claims
    declaration = Declaration(
        issuer=claims.issuer if claims else None,
        issued_on=claims.valid_from.date() if claims else None,
        valid_until=claims.valid_until.date() if claims and claims.valid_until else None,
        document_number=claims.id if claims else None,
    )
    return Voucher(
        id=uuid.uuid4().hex,
        seller_id=seller.id,
        listing_id=listing.id,
        kind=VoucherKind.BRAND_AUTHORIZATION,
        file=file,
        filename=(cmd.filename or "credential.jwt")[:200],
        declaration=declaration,
        created_at=now,
        findings=tuple(check.findings),
        units_claimed=listing.content.stock,
        qr_payload=None,
    )


def route_credential(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    voucher: Voucher,
    check: CredentialCheck,
    listing: Listing,
    seller: Seller,
    existing: list[Voucher],
    now: datetime,
) -> VoucherResult:
    """Reject on a hard finding; approve on a verified credential when policy allows;
    otherwise queue for review (the caller's usual voucher route does that)."""
    record_submission(uow, actor, voucher, now, credential=True)
    if voucher.has_hard_failure:
        return reject_automatically(uow, actor, voucher, listing, seller, existing, now, svc)
    if check.verified and svc.policy.auto_approve_signed_credentials:
        return approve_on_credential(
            uow, svc, actor, voucher, check, listing, seller, now, stored=False
        )
    result = queue_for_review(uow, svc, actor, voucher, listing, seller, now)
    if check.verified:  # a reviewer may approve it: its revocation must reach the listing
        remember_use(uow, result.voucher, check, now)
    return result


def route_letter(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    voucher: Voucher,
    token: str,
    listing: Listing,
    seller: Seller,
    existing: list[Voucher],
    now: datetime,
) -> VoucherResult:
    """An uploaded letter whose QR code holds a credential: the credential's findings join
    the document's, and a verified one approves as a pasted one would."""
    check = check_credential(uow, svc, token, seller, listing, now)
    voucher = replace(voucher, findings=ordered((*voucher.findings, *check.findings)))
    return route_credential(uow, svc, actor, voucher, check, listing, seller, existing, now)


def remember_use(uow: UnitOfWork, voucher: Voucher, check: CredentialCheck, now: datetime) -> None:
    claims, kid = check.presented.claims, check.presented.kid
    assert claims is not None
    assert kid is not None
    uow.credentials.add_use(voucher.id, claims.id, kid, voucher.listing_id, voucher.seller_id, now)


def approve_on_credential(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    voucher: Voucher,
    check: CredentialCheck,
    listing: Listing,
    seller: Seller,
    now: datetime,
    *,
    stored: bool,
) -> VoucherResult:
    """An automated approval with a statement of reasons; the credential's use is kept so
    that its revocation re-gates the listing."""
    approved = replace(voucher, status=VoucherStatus.PENDING_REVIEW).apply(
        VoucherAction.APPROVE, at=now
    )
    if stored:
        uow.vouchers.save(approved)
    else:
        uow.vouchers.add(approved)
    claims = check.presented.claims
    assert claims is not None
    remember_use(uow, approved, check, now)
    events = []
    if listing.gate.state is not GateState.IN_REVIEW:
        listing, event = listing.transition(GateAction.SUBMIT_PROOF, at=now)
        events.append(event)
    listing, event = listing.transition(GateAction.APPROVE, at=now)
    events.append(event)
    listing = replace(
        listing,
        approved_terms=ApprovedTerms.of(listing, svc.policy.approved_price_band),
        proof_due_at=None,
    )
    uow.listings.save(listing)
    task = uow.tasks.open_for_listing(listing.id)
    if task is not None:
        uow.tasks.save(task.cancel())
    statement = _decided(
        uow,
        svc,
        actor,
        listing,
        approved,
        measure=PROOF_APPROVED_ON_CREDENTIAL,
        facts=facts_from_findings(approved.findings),
        code="credential.verified",
        now=now,
    )
    for event in events:
        record_gate_event(
            uow,
            actor,
            listing,
            seller,
            event,
            voucher_id=approved.id,
            statement_id=statement.id,
            automated=True,
            credential_id=claims.id,
        )
    return VoucherResult(approved, listing, statement)


# --- revocation ----------------------------------------------------------------------------
def regate_void_credentials(*, svc: Services) -> int:
    """Re-gate every listing approved on a credential that is now revoked or suspended, or
    whose key is compromised or suspended: the voucher's approval is taken back with a
    statement, and the listing is held for new proof unless other approved proof stands.
    Run by the tick; returns how many approvals were taken back."""
    with svc.uow() as uow:
        now = svc.clock.now()
        uses = uow.credentials.uses_of_void()
        if not uses:
            return 0
        taken, settled = 0, []
        for voucher_id, credential_id in uses:
            done = _take_back(uow, svc, voucher_id, credential_id, now)
            taken += done is True
            if done is not None:
                settled.append(voucher_id)
        uow.credentials.mark_voided(settled, now)
        uow.commit()
    return taken


def _take_back(
    uow: UnitOfWork, svc: Services, voucher_id: str, credential_id: str, now: datetime
) -> bool | None:
    """True: an approval taken back; False: nothing to take back (rejected, withdrawn);
    None: the voucher awaits a person, who sees the finding; looked at again next tick."""
    voucher = uow.vouchers.get(voucher_id)
    if voucher is not None and voucher.status is VoucherStatus.PENDING_REVIEW:
        return None
    if voucher is None or voucher.status is not VoucherStatus.APPROVED:
        return False
    listing = uow.listings.get(voucher.listing_id)
    seller = uow.sellers.get(voucher.seller_id)
    assert listing is not None
    assert seller is not None
    revoked = voucher.apply(VoucherAction.REVOKE, at=now)
    uow.vouchers.save(revoked)
    standing = [
        v
        for v in uow.vouchers.for_listing(listing.id)
        if v.status is VoucherStatus.APPROVED and v.id != voucher.id
    ]
    why = say(
        "the rights holder's credential %(credential_id)s is no longer valid: revoked, "
        "suspended, or its signing key compromised or suspended",
        credential_id=credential_id,
    )
    statement = _decided(
        uow,
        svc,
        SYSTEM,
        listing,
        revoked,
        measure=APPROVAL_REVOKED if not standing else APPROVAL_REVOKED_PROOF_STANDS,
        facts=(why,),
        code="credential.revoked",
        now=now,
    )
    record(
        uow,
        SYSTEM,
        "credential:approval_revoked",
        f"voucher:{voucher.id}",
        now,
        credential_id=credential_id,
        listing_id=listing.id,
    )
    if not standing and listing.gate.state is GateState.APPROVED:
        listing, event = listing.regate(at=now, proof_due_at=fresh_deadline(None, now, svc))
        uow.listings.save(listing)
        record_gate_event(
            uow,
            SYSTEM,
            listing,
            seller,
            event,
            vouchers=[voucher.id],
            statement_id=statement.id,
            automated=True,
        )
    return True


def _decided(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    listing: Listing,
    voucher: Voucher,
    *,
    measure: str,
    facts: tuple[Wording, ...],
    code: str,
    now: datetime,
) -> StatementOfReasons:
    """The automated statement on a credential's voucher, issued, and the voucher's
    decision published."""
    statement = worded(
        id=uuid.uuid4().hex,
        listing_id=listing.id,
        seller_id=listing.seller_id,
        measure=measure,
        scope=f"listing {listing.id} ({listing.content.title}); voucher {voucher.id}",
        facts=facts,
        ground=say("probandi proof policy: %(code)s", code=code),
        automated=True,
        redress=redress_text(now, svc.policy.appeal_window_days),
        created_at=now,
        voucher_id=voucher.id,
    )
    issue_statement(uow, actor, statement)
    publish_voucher(
        uow, voucher, now, decided_by=None, statement_id=statement.id, reason_codes=[code]
    )
    return statement
