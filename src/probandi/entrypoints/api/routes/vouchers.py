"""Vouchers: multipart upload by the seller, reads by the seller and staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from probandi.domain.commands import SubmitVoucher
from probandi.domain.credentials import MAX_TOKEN_CHARS, looks_like_token
from probandi.domain.errors import InvalidInput, PayloadTooLarge
from probandi.domain.sellers import VoucherKind
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.routes import credentials
from probandi.entrypoints.api.schemas import (
    DeclarationIn,
    ListingOut,
    StatementOut,
    VoucherOut,
    VoucherSubmitOut,
)
from probandi.services import views
from probandi.services.credential_gate import PresentCredential
from probandi.services.vouchers import check_upload_target, submit_voucher

router = APIRouter(prefix="/v1", tags=["vouchers"])


CREDENTIAL_TYPES = frozenset({"application/jwt", "application/vc+jwt"})


def is_credential_file(filename: str | None, media_type: str | None, data: bytes) -> bool:
    """A `.jwt` file (or one sent as a JWT type) is a signed credential, read as text; one
    that holds no token is refused rather than read as a picture."""
    named = (filename or "").lower().endswith(".jwt") or (media_type or "") in CREDENTIAL_TYPES
    if not named:
        return False
    if not looks_like_token(data[: MAX_TOKEN_CHARS + 1].decode("utf-8", "replace")):
        raise InvalidInput("this .jwt file holds no signed credential", field="file")
    return True


def parse_declaration(text: str) -> DeclarationIn:
    try:
        return DeclarationIn.model_validate_json(text or "{}")
    except ValidationError as exc:
        # the path inside the declaration; none for JSON that does not parse
        first = exc.errors()[0]
        field = ".".join(["declaration", *(str(p) for p in first.get("loc", ()))])
        raise InvalidInput(
            "%(field)s: %(problem)s", field=field, params={"problem": first.get("msg")}
        ) from exc


async def upload_target(listing_id: str, request: Request, actor: CurrentActor, svc: Svc) -> None:
    """Runs before the form fields are validated: first whose listing it is (404 for
    another seller's, as for none), then that the body carries one file, not several."""
    await run_in_threadpool(check_upload_target, actor, listing_id, svc=svc)
    form = await request.form()
    if len(form.getlist("file")) > 1:
        raise InvalidInput(
            "send one file per upload: the body has several `file` parts",
            code="upload.multiple_files",
            field="file",
        )


@router.post(
    "/listings/{listing_id}/vouchers",
    response_model=VoucherSubmitOut,
    status_code=201,
    dependencies=[Depends(upload_target)],
)
async def post_voucher(
    listing_id: str,
    request: Request,
    actor: CurrentActor,
    svc: Svc,
    file: Annotated[
        UploadFile,
        File(description="PDF, JPEG or PNG, at most 10 MB; or a signed credential as a .jwt file"),
    ],
    kind: Annotated[VoucherKind, Form()],
    declaration: Annotated[
        str,
        Form(
            max_length=100_000,
            description=(
                "JSON object of the declared fields: issuer, issuer_tax_id, buyer_name, issued_on, "
                "valid_until, document_number, currency, lines [{brand, item, quantity, amount}], "
                "site_url, price, captured_at"
            ),
        ),
    ] = "{}",
) -> VoucherSubmitOut:
    """Upload proof for a held listing; it is stored, checked, and queued or rejected."""
    decl = parse_declaration(declaration).to_domain()
    limit: int = request.app.state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge("the file is larger than %(limit)s bytes", params={"limit": limit})
    if is_credential_file(file.filename, file.content_type, data):
        token = data.decode("utf-8", "replace")
        present = PresentCredential(actor, listing_id, token, file.filename or "credential.jwt")
        return await credentials.answer(present, listing_id, svc)
    cmd = SubmitVoucher(
        actor, listing_id, kind, decl, file.filename or "upload", data, file.content_type
    )
    result = await run_in_threadpool(submit_voucher, cmd, svc=svc)
    view = await run_in_threadpool(views.get_listing, listing_id, actor, svc=svc)
    return VoucherSubmitOut(
        voucher=VoucherOut.from_domain(result.voucher),
        listing=ListingOut.from_domain(view.listing, view.seller),
        statement=StatementOut.from_domain(result.statement) if result.statement else None,
    )


@router.get("/vouchers/{voucher_id}", response_model=VoucherOut)
def get_voucher(voucher_id: str, actor: CurrentActor, svc: Svc) -> VoucherOut:
    return VoucherOut.from_domain(views.get_voucher(voucher_id, actor, svc=svc))


@router.get(
    "/vouchers/{voucher_id}/file",
    response_class=Response,
    responses={
        200: {
            "description": "The stored bytes, as uploaded",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("application/pdf", "image/jpeg", "image/png", "application/vc+jwt")
            },
        }
    },
)
def get_voucher_file(voucher_id: str, actor: CurrentActor, svc: Svc) -> Response:
    """The stored bytes, served with their verified type and as an attachment."""
    voucher, data = views.voucher_file(voucher_id, actor, svc=svc)
    return Response(
        data,
        media_type=voucher.file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{voucher.id}"',
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{voucher.file.sha256}"',
        },
    )
