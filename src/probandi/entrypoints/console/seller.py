"""The seller's desk: listings and why, proof upload, notices and counter-notices, the
penalty ledger and appeals. Also the voucher files that both sides of a case see."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from probandi.domain.actors import Role
from probandi.domain.appeals import AppealSubject
from probandi.domain.commands import FileAppeal, FileCounterNotice, SubmitVoucher
from probandi.domain.errors import InvalidInput, PayloadTooLarge
from probandi.domain.listings import publishability
from probandi.domain.notices import ItemState
from probandi.domain.sellers import VoucherKind
from probandi.domain.vouchers import VoucherStatus
from probandi.entrypoints.api.routes.vouchers import parse_declaration
from probandi.entrypoints.console.reading_view import contradicted_fields
from probandi.entrypoints.console.web import ConsoleRoute, Signed, actor_of, check_csrf, go, page
from probandi.services import views
from probandi.services.appeals import file_appeal, my_appeals
from probandi.services.notice_views import get_notice, list_notices
from probandi.services.notices import file_counter_notice
from probandi.services.penalties import seller_ledger
from probandi.services.vouchers import NEEDS_PROOF, submit_voucher

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
DECLARED = ("issuer", "issuer_tax_id", "buyer_name", "issued_on", "document_number", "currency")


@router.get("/listings", response_class=HTMLResponse)
def listings(request: Request, session: Signed) -> Response:
    actor = actor_of(session, Role.SELLER)
    svc = request.app.state.services
    mine = views.my_listings(actor, svc=svc)
    seller = views.get_seller(actor.party_id or "", actor, svc=svc)
    rows = [(listing, publishability(listing, seller)) for listing in mine]
    return page(request, "listings.html", session, rows=rows, seller=seller)


@router.get("/listings/{listing_id}", response_class=HTMLResponse)
def listing(listing_id: str, request: Request, session: Signed) -> Response:
    actor = actor_of(session, Role.SELLER, Role.REVIEWER, Role.ADMIN)
    svc = request.app.state.services
    view = views.get_listing(listing_id, actor, svc=svc)  # 404 for another seller's
    vouchers = views.listing_vouchers(listing_id, actor, svc=svc)
    return page(
        request,
        "listing.html",
        session,
        listing=view.listing,
        seller=view.seller,
        verdict=publishability(view.listing, view.seller),
        vouchers=vouchers,
        contradicted={v.id: contradicted_fields(v.findings) for v in vouchers},
        statements=views.listing_statements(listing_id, actor, svc=svc),
        takes_proof=view.listing.gate.state in NEEDS_PROOF and actor.role is Role.SELLER,
        kinds=[k.value for k in VoucherKind],
    )


async def _upload(request: Request, form: dict[str, Any]) -> tuple[bytes, str, str | None] | None:
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return None
    limit: int = request.app.state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge("the file is larger than %(limit)s bytes", params={"limit": limit})
    return data, file.filename, file.content_type


def _declaration(form: dict[str, Any]) -> str:
    """The declared fields of the form as the API's declaration JSON."""
    fields = {k: str(form.get(k, "")).strip() for k in DECLARED}
    decl: dict[str, Any] = {k: v for k, v in fields.items() if v}
    brand, item = str(form.get("line_brand", "")).strip(), str(form.get("line_item", "")).strip()
    if brand or item:
        quantity = str(form.get("line_quantity", "1")).strip() or "1"
        if not quantity.isdigit():
            raise InvalidInput("quantity must be a whole number", field="line_quantity")
        line: dict[str, Any] = {"brand": brand, "item": item, "quantity": int(quantity)}
        amount = str(form.get("line_amount", "")).strip()
        if amount:
            line["amount"] = amount
        decl["lines"] = [line]
    return json.dumps(decl, ensure_ascii=False)


def _kind(form: dict[str, Any]) -> VoucherKind:
    kind = str(form.get("kind", ""))
    if kind not in {k.value for k in VoucherKind}:
        raise InvalidInput("choose what kind of document this is", field="kind")
    return VoucherKind(kind)


@router.post("/listings/{listing_id}/vouchers")
async def upload(listing_id: str, request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.SELLER)
    got = await _upload(request, form)
    if got is None:
        raise InvalidInput("choose a file (PDF, JPEG or PNG)", field="file")
    data, filename, media_type = got
    decl = parse_declaration(_declaration(form)).to_domain()
    cmd = SubmitVoucher(actor, listing_id, _kind(form), decl, filename, data, media_type)
    await run_in_threadpool(submit_voucher, cmd, svc=request.app.state.services)
    return go(f"/console/listings/{listing_id}", "uploaded")


@router.get("/vouchers/{voucher_id}/file")
def voucher_file(voucher_id: str, request: Request, session: Signed) -> Response:
    # A rights holder sees only the proof of a counter-notice forwarded to it.
    actor = actor_of(session, Role.SELLER, Role.REVIEWER, Role.ADMIN, Role.RIGHTS_HOLDER)
    voucher, data = views.voucher_file(voucher_id, actor, svc=request.app.state.services)
    return Response(
        data,
        media_type=voucher.file.media_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            # The console frames a PDF voucher in its own page, and nowhere else.
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.get("/notices", response_class=HTMLResponse)
def notices(request: Request, session: Signed) -> Response:
    actor = actor_of(session, Role.SELLER, Role.RIGHTS_HOLDER, Role.REVIEWER, Role.ADMIN)
    svc = request.app.state.services
    found = list_notices(actor, svc=svc, limit=200, offset=0)
    views_ = [get_notice(n.id, actor, svc=svc) for n in found.notices]
    return page(request, "notices.html", session, notices=views_, total=found.total)


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice(notice_id: str, request: Request, session: Signed) -> Response:
    actor = actor_of(session, Role.SELLER, Role.RIGHTS_HOLDER, Role.REVIEWER, Role.ADMIN)
    svc = request.app.state.services
    view = get_notice(notice_id, actor, svc=svc)
    approved: dict[str, list[Any]] = {}
    if actor.role is Role.SELLER:
        for item in view.items:
            approved[item.listing_id] = [
                v
                for v in views.listing_vouchers(item.listing_id, actor, svc=svc)
                if v.status is VoucherStatus.APPROVED
            ]
    return page(
        request,
        "notice.html",
        session,
        view=view,
        approved=approved,
        kinds=[k.value for k in VoucherKind],
        answerable={ItemState.SUSPENDED.value, ItemState.COUNTER_NOTICED.value},
    )


@router.post("/notices/{notice_id}/items/{listing_id}/counter")
async def counter(notice_id: str, listing_id: str, request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.SELLER)
    raw = await request.form()
    reuse = tuple(v for v in raw.getlist("voucher_ids") if isinstance(v, str) and v)[:20]
    got = await _upload(request, form)
    upload = None
    if got is not None:
        data, filename, media_type = got
        decl = parse_declaration(_declaration(form)).to_domain()
        upload = SubmitVoucher(actor, listing_id, _kind(form), decl, filename, data, media_type)
    statement = str(form.get("statement", "")).strip()[:5000]
    cmd = FileCounterNotice(actor, notice_id, listing_id, statement, reuse, upload)
    await run_in_threadpool(file_counter_notice, cmd, svc=request.app.state.services)
    return go(f"/console/notices/{notice_id}", "countered")


@router.get("/penalties", response_class=HTMLResponse)
def penalties(request: Request, session: Signed) -> Response:
    actor = actor_of(session, Role.SELLER)
    svc = request.app.state.services
    ledger = seller_ledger(actor.party_id or "", actor, svc=svc)
    return page(
        request, "penalties.html", session, ledger=ledger, appeals=my_appeals(actor, svc=svc)
    )


@router.post("/appeals")
async def appeal(request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.SELLER, Role.RIGHTS_HOLDER)
    subject = str(form.get("subject", ""))
    if subject not in {s.value for s in AppealSubject}:
        raise InvalidInput("what do you appeal?", field="subject")
    cmd = FileAppeal(
        actor,
        AppealSubject(subject),
        str(form.get("subject_id", ""))[:64],
        str(form.get("statement", "")).strip()[:5000],
    )
    await run_in_threadpool(file_appeal, cmd, svc=request.app.state.services)
    back = "/console/penalties" if actor.role is Role.SELLER else "/console/brand"
    return go(back, "appealed")
