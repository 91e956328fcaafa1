"""Rights holders as notifiers, the penalty ledger and appeals."""

from __future__ import annotations

from fastapi import APIRouter

from probandi.domain.commands import FileAppeal
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.notice_schemas import (
    AppealIn,
    AppealOut,
    HolderOut,
    HolderProfileIn,
    LedgerOut,
    ReversalIn,
    TrustedIn,
)
from probandi.services.appeals import file_appeal, get_appeal, my_appeals
from probandi.services.holders import (
    enroll_trusted,
    get_holder,
    update_holder_profile,
    verify_holder,
)
from probandi.services.penalties import reverse_penalty, seller_ledger

router = APIRouter(prefix="/v1", tags=["enforcement"])


@router.get("/rights-holders/{holder_id}", response_model=HolderOut)
def get_rights_holder(holder_id: str, actor: CurrentActor, svc: Svc) -> HolderOut:
    """Profile, verification, trusted-flagger standing and the notifier's record (3 months)."""
    return HolderOut.from_view(get_holder(holder_id, actor, svc=svc))


@router.put("/rights-holders/{holder_id}/profile", response_model=HolderOut)
def put_holder_profile(
    holder_id: str, body: HolderProfileIn, actor: CurrentActor, svc: Svc
) -> HolderOut:
    """Trademark registrations (office, number, classes, expiry) and, for an agent, the
    brand's authorization. A change must be verified again by an admin before filing."""
    update_holder_profile(
        body.to_command(actor, holder_id),
        svc=svc,
    )
    return HolderOut.from_view(get_holder(holder_id, actor, svc=svc))


@router.post("/rights-holders/{holder_id}/verification", response_model=HolderOut)
def post_verification(holder_id: str, actor: CurrentActor, svc: Svc) -> HolderOut:
    """An admin verifies the registrations and mandate: the holder may file from now on."""
    verify_holder(holder_id, actor, svc=svc)
    return HolderOut.from_view(get_holder(holder_id, actor, svc=svc))


@router.put("/rights-holders/{holder_id}/trusted-flagger", response_model=HolderOut)
def put_trusted(holder_id: str, body: TrustedIn, actor: CurrentActor, svc: Svc) -> HolderOut:
    """An admin enrols (or ends) a trusted flagger; the record also grants and removes it."""
    enroll_trusted(holder_id, body.enrolled, actor, svc=svc)
    return HolderOut.from_view(get_holder(holder_id, actor, svc=svc))


@router.get("/sellers/{seller_id}/penalties", response_model=LedgerOut)
def get_penalties(seller_id: str, actor: CurrentActor, svc: Svc) -> LedgerOut:
    """The append-only penalty ledger and the standing it adds up to (seller: its own)."""
    return LedgerOut.from_ledger(seller_ledger(seller_id, actor, svc=svc))


@router.post(
    "/sellers/{seller_id}/penalties/{entry_id}/reversal", response_model=LedgerOut, status_code=201
)
def post_reversal(
    seller_id: str, entry_id: str, body: ReversalIn, actor: CurrentActor, svc: Svc
) -> LedgerOut:
    """An admin's correction: a compensating entry (the ledger is never edited)."""
    reverse_penalty(seller_id, entry_id, body.reason, actor, svc=svc)
    return LedgerOut.from_ledger(seller_ledger(seller_id, actor, svc=svc))


@router.post("/appeals", response_model=AppealOut, status_code=201)
def post_appeal(body: AppealIn, actor: CurrentActor, svc: Svc) -> AppealOut:
    """An internal complaint, open 6 months after the decision, decided by a reviewer other
    than the one who decided (through the review queue, tasks of kind `appeal`)."""
    appeal = file_appeal(FileAppeal(actor, body.subject, body.subject_id, body.statement), svc=svc)
    return AppealOut.from_domain(appeal)


@router.get("/appeals", response_model=list[AppealOut])
def get_appeals(actor: CurrentActor, svc: Svc) -> list[AppealOut]:
    """Your own appeals, newest first."""
    return [AppealOut.from_domain(a) for a in my_appeals(actor, svc=svc)]


@router.get("/appeals/{appeal_id}", response_model=AppealOut)
def get_one_appeal(appeal_id: str, actor: CurrentActor, svc: Svc) -> AppealOut:
    return AppealOut.from_domain(get_appeal(appeal_id, actor, svc=svc))
