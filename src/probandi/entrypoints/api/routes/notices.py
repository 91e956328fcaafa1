"""Notices: evidence, filing, the seller's counter-notice, the rights holder's window,
withdrawal and the recorded outcome of a complaint or lawsuit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from probandi.domain.commands import FileCounterNotice, FileNotice, ReportAction, SubmitVoucher
from probandi.domain.errors import InvalidInput, PayloadTooLarge
from probandi.domain.sellers import VoucherKind
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.notice_schemas import (
    ActionReportIn,
    CounterResultOut,
    EvidenceOut,
    NoticeIn,
    NoticeItemOut,
    NoticeOut,
    NoticePageOut,
    NoticeSummaryOut,
    OutcomeIn,
    WithdrawalIn,
)
from probandi.entrypoints.api.routes.vouchers import parse_declaration
from probandi.entrypoints.api.schemas import VoucherOut
from probandi.services.notice_views import NoticeView, get_notice, list_notices
from probandi.services.notices import (
    extend_window,
    file_counter_notice,
    file_notice,
    report_action,
    rule_outcome,
    upload_evidence,
    withdraw_notice,
)

router = APIRouter(prefix="/v1", tags=["notices"])
MAX_VOUCHER_IDS = 20


async def _read_file(request: Request, file: UploadFile) -> bytes:
    limit: int = request.app.state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge("the file is larger than %(limit)s bytes", params={"limit": limit})
    return data


@router.post("/notice-evidence", response_model=EvidenceOut, status_code=201)
async def post_evidence(
    request: Request,
    actor: CurrentActor,
    svc: Svc,
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG, at most 10 MB")],
) -> EvidenceOut:
    """Upload a file to attach to notices (a test-buy report, photos); returns its id."""
    data = await _read_file(request, file)
    evidence = await run_in_threadpool(
        upload_evidence, actor, file.filename or "evidence", data, file.content_type, svc=svc
    )
    return EvidenceOut.from_domain(evidence)


@router.post("/notices", response_model=NoticeOut, status_code=201)
async def post_notice(body: NoticeIn, actor: CurrentActor, svc: Svc) -> NoticeOut:
    """File a notice against up to 300 listings of your verified brands.

    Receipt is confirmed with the notice id. Each listing taken is suspended at once, with
    a statement of reasons and a deadline for the seller's counter-notice; listings that
    are not of your brands are refused one by one in `refused`, without failing the rest.
    A trusted flagger needs no evidence; others attach `evidence_ids` from
    `POST /v1/notice-evidence`.
    """
    # The use case runs in a worker thread; the answer is built here on the event loop, so
    # a burst of notices is answered as each one is applied, not after the whole burst.
    result = await run_in_threadpool(
        file_notice,
        FileNotice(
            actor,
            body.reason,
            tuple(body.listing_ids),
            body.text,
            tuple(body.evidence_ids),
            body.good_faith,
        ),
        svc=svc,
    )
    return NoticeOut.from_view(NoticeView(result.notice, result.items, result.refusals))


@router.get("/notices", response_model=NoticePageOut)
def get_notices(
    actor: CurrentActor,
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> NoticePageOut:
    """Newest first: a rights holder's own notices, those naming a seller's listings, or
    all (staff)."""
    page = list_notices(actor, svc=svc, limit=limit, offset=offset)
    return NoticePageOut(
        items=[
            NoticeSummaryOut(
                id=n.id,
                holder_id=n.holder_id,
                reason=n.reason.value,
                trusted=n.trusted,
                received_at=n.created_at,
            )
            for n in page.notices
        ],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/notices/{notice_id}", response_model=NoticeOut)
def get_one_notice(notice_id: str, actor: CurrentActor, svc: Svc) -> NoticeOut:
    """A seller sees only the items of its own listings."""
    return NoticeOut.from_view(get_notice(notice_id, actor, svc=svc))


@router.post("/notices/{notice_id}/withdrawal", response_model=list[NoticeItemOut])
def post_withdrawal(
    notice_id: str, body: WithdrawalIn, actor: CurrentActor, svc: Svc
) -> list[NoticeItemOut]:
    """Withdraw the notice, or some of its listings: they are restored at once."""
    items = withdraw_notice(notice_id, tuple(body.listing_ids), body.note, actor, svc=svc)
    return [NoticeItemOut.from_domain(i) for i in items]


@router.post(
    "/notices/{notice_id}/items/{listing_id}/counter-notice",
    response_model=CounterResultOut,
    status_code=201,
)
async def post_counter_notice(
    notice_id: str,
    listing_id: str,
    request: Request,
    actor: CurrentActor,
    svc: Svc,
    statement: Annotated[str, Form(min_length=1, max_length=5000)],
    voucher_ids: Annotated[
        str,
        Form(
            max_length=2000,
            description="Comma-separated ids of vouchers already approved for this listing",
        ),
    ] = "",
    file: Annotated[UploadFile | None, File(description="New proof: PDF, JPEG or PNG")] = None,
    kind: Annotated[VoucherKind | None, Form()] = None,
    declaration: Annotated[str, Form(max_length=100_000)] = "{}",
) -> CounterResultOut:
    """The seller's answer with proof, by the deadline: reuse approved vouchers and/or
    upload new proof (checked exactly like the gate's). A reviewer decides; forged or
    recycled proof upholds the notice at once and is closure-level."""
    ids = tuple(v.strip() for v in voucher_ids.split(",") if v.strip())
    if len(ids) > MAX_VOUCHER_IDS:
        raise InvalidInput(
            "at most %(MAX_VOUCHER_IDS)s voucher ids",
            field="voucher_ids",
            params={"MAX_VOUCHER_IDS": MAX_VOUCHER_IDS},
        )
    upload = None
    if file is not None:
        if kind is None:
            raise InvalidInput("say what kind of voucher the file is", field="kind")
        data = await _read_file(request, file)
        decl = parse_declaration(declaration).to_domain()
        upload = SubmitVoucher(
            actor, listing_id, kind, decl, file.filename or "upload", data, file.content_type
        )
    cmd = FileCounterNotice(actor, notice_id, listing_id, statement, ids, upload)
    result = await run_in_threadpool(file_counter_notice, cmd, svc=svc)
    return CounterResultOut(
        item=NoticeItemOut.from_domain(result.item),
        voucher=VoucherOut.from_domain(result.voucher) if result.voucher else None,
    )


@router.post("/notices/{notice_id}/items/{listing_id}/action-report", response_model=NoticeItemOut)
def post_action_report(
    notice_id: str, listing_id: str, body: ActionReportIn, actor: CurrentActor, svc: Svc
) -> NoticeItemOut:
    """Within its window after a counter-notice, the rights holder reports a complaint to an
    authority or a lawsuit: the listing stays suspended pending the outcome."""
    item = report_action(
        ReportAction(actor, notice_id, listing_id, body.kind, body.authority, body.reference),
        svc=svc,
    )
    return NoticeItemOut.from_domain(item)


@router.post("/notices/{notice_id}/items/{listing_id}/extension", response_model=NoticeItemOut)
def post_extension(notice_id: str, listing_id: str, actor: CurrentActor, svc: Svc) -> NoticeItemOut:
    """Extend the rights holder's window once, to 20 working days after forwarding."""
    return NoticeItemOut.from_domain(extend_window(notice_id, listing_id, actor, svc=svc))


@router.post("/notices/{notice_id}/items/{listing_id}/outcome", response_model=NoticeItemOut)
def post_outcome(
    notice_id: str, listing_id: str, body: OutcomeIn, actor: CurrentActor, svc: Svc
) -> NoticeItemOut:
    """Staff record the authority's or court's ruling on a reported action."""
    item = rule_outcome(notice_id, listing_id, body.upheld, body.note, actor, svc=svc)
    return NoticeItemOut.from_domain(item)
