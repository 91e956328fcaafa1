"""The brand registry, rights holders, FX rates, policy and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from probandi.domain.actors import Role
from probandi.domain.brand_requests import DecideBrandRequest, RequestState
from probandi.domain.commands import SaveBrand, SetFxRate
from probandi.domain.errors import InvalidInput
from probandi.entrypoints.api.brand_request_schemas import BrandDecisionIn, BrandRequestOut
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.schemas import BrandIn, BrandOut, FxRateIn, RightsHolderIn
from probandi.entrypoints.brand_files import parse_brand_rows
from probandi.queries.audit import recent_entries
from probandi.services import views
from probandi.services.access import require_role
from probandi.services.brand_requests import (
    decide_brand_request,
    get_brand_request,
    list_brand_requests,
)
from probandi.services.brands import (
    BrandChange,
    ImportReport,
    delete_brand,
    import_brands,
    register_rights_holder,
    set_fx_rate,
    submit_brand,
)

router = APIRouter(prefix="/v1", tags=["registry"])
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@router.get("/brands", response_model=list[BrandOut])
def get_brands(actor: CurrentActor, svc: Svc) -> list[BrandOut]:
    return [BrandOut.from_domain(b) for b in views.list_brands(actor, svc=svc)]


PENDING = {
    "model": BrandRequestOut,
    "description": "A rights holder's change that only an admin may decide was filed as a "
    "pending brand request (Location: /v1/brand-requests/{id}).",
}


def _answer(change: BrandChange, status: int) -> Response:
    if change.request is not None:
        body = BrandRequestOut.from_domain(change.request).model_dump_json()
        location = f"/v1/brand-requests/{change.request.id}"
        return Response(body, 202, {"Location": location}, media_type="application/json")
    assert change.brand is not None
    body = BrandOut.from_domain(change.brand).model_dump_json()
    return Response(body, status, media_type="application/json")


@router.post("/brands", response_model=BrandOut, status_code=201, responses={202: PENDING})
def post_brand(body: BrandIn, actor: CurrentActor, svc: Svc) -> Response:
    """Register a brand (admin). A rights holder's new brand is a request for an admin
    (202 with the request); once approved, the holder holds the brand."""
    return _answer(submit_brand(SaveBrand(actor, body.to_fields()), svc=svc), 201)


@router.get("/brands/{brand_id}", response_model=BrandOut)
def get_brand(brand_id: str, actor: CurrentActor, svc: Svc) -> BrandOut:
    return BrandOut.from_domain(views.get_brand(brand_id, actor, svc=svc))


@router.put("/brands/{brand_id}", response_model=BrandOut, responses={202: PENDING})
def put_brand(brand_id: str, body: BrandIn, actor: CurrentActor, svc: Svc) -> Response:
    """Replace a brand: an admin any; a rights holder its own. Gating wider (gating it, or
    new names of a gated brand) needs the holder's verified marks for it, else it is
    filed as a request for an admin (202)."""
    return _answer(submit_brand(SaveBrand(actor, body.to_fields(), brand_id), svc=svc), 200)


@router.get("/brand-requests", response_model=list[BrandRequestOut])
def get_brand_requests(
    actor: CurrentActor,
    svc: Svc,
    state: RequestState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[BrandRequestOut]:
    """Brand requests, newest first: an admin sees all, a rights holder its own."""
    found = list_brand_requests(actor, svc=svc, state=state, limit=limit)
    return [BrandRequestOut.from_domain(r) for r in found]


@router.get("/brand-requests/{request_id}", response_model=BrandRequestOut)
def get_one_brand_request(request_id: str, actor: CurrentActor, svc: Svc) -> BrandRequestOut:
    return BrandRequestOut.from_domain(get_brand_request(request_id, actor, svc=svc))


@router.post("/brand-requests/{request_id}/decision", response_model=BrandRequestOut)
def post_brand_decision(
    request_id: str, body: BrandDecisionIn, actor: CurrentActor, svc: Svc
) -> BrandRequestOut:
    """An admin approves (the registry takes the brand as asked) or refuses (with a reason)
    a pending request; a decided request answers 409."""
    cmd = DecideBrandRequest(actor, request_id, body.decision, body.reason)
    return BrandRequestOut.from_domain(decide_brand_request(cmd, svc=svc))


@router.delete("/brands/{brand_id}", status_code=204)
def remove_brand(brand_id: str, actor: CurrentActor, svc: Svc) -> Response:
    delete_brand(brand_id, actor, svc=svc)
    return Response(status_code=204)


@router.post(
    "/brands/import",
    status_code=200,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "array", "items": {}}},
                "text/csv": {"schema": {"type": "string"}},
            }
        }
    },
)
async def post_brand_import(request: Request, actor: CurrentActor, svc: Svc) -> dict[str, int]:
    """Bulk upsert by name from CSV (`name,aliases,gated`) or JSON; all or nothing.
    A CSV `gated` cell is true/false, 1/0 or yes/no; anything else (an empty cell included)
    is refused naming its line; without a `gated` column every brand is gated."""
    require_role(actor, Role.ADMIN)
    raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidInput("the import is larger than 5 MB", field="body")
    rows = parse_brand_rows(request.headers.get("content-type", ""), raw)
    report: ImportReport = import_brands(rows, actor, svc=svc)
    return {"created": report.created, "updated": report.updated}


@router.post("/rights-holders", status_code=201)
def post_rights_holder(body: RightsHolderIn, actor: CurrentActor, svc: Svc) -> dict[str, str]:
    register_rights_holder(body.id, body.name, actor, svc=svc)
    return {"id": body.id, "name": body.name}


@router.get("/fx-rates")
def get_fx_rates(actor: CurrentActor, svc: Svc) -> dict[str, Any]:
    """Units of the pivot currency (USD) per one unit of each currency."""
    with svc.reader() as uow:
        table = uow.fx.table()
    return {"pivot": table.pivot, "rates": {k: str(v) for k, v in sorted(table.rates.items())}}


@router.put("/fx-rates/{currency}", status_code=200)
def put_fx_rate(currency: str, body: FxRateIn, actor: CurrentActor, svc: Svc) -> dict[str, str]:
    set_fx_rate(SetFxRate(actor, currency, body.rate), svc=svc)
    return {"currency": currency, "rate": str(body.rate)}


@router.get("/policy")
def get_policy(actor: CurrentActor, svc: Svc) -> dict[str, str]:
    p = svc.policy
    return {k: str(v) for k, v in vars(p).items()}


@router.get("/audit")
def get_audit(
    request: Request,
    actor: CurrentActor,
    subject: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """The newest audit entries (admin), optionally for one subject such as listing:L1."""
    require_role(actor, Role.ADMIN)
    with Session(request.app.state.read_engine) as session:
        entries = recent_entries(session, subject, limit)
    return [
        {
            "seq": e.seq,
            "at": e.entry.at.isoformat(),
            "actor": e.entry.actor,
            "tag": e.entry.tag,
            "subject": e.entry.subject,
            "data": e.entry.data,
            "hash": e.hash,
        }
        for e in entries
    ]
