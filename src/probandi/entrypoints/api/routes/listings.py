"""Listings and sellers: pushed by the platform, read by their seller and staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from sqlalchemy.orm import Session

from probandi.domain.actors import Actor
from probandi.domain.commands import UpsertListing, UpsertSeller
from probandi.domain.listing_gate import GateState
from probandi.domain.listings import IfMatch
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.etags import etag, parse_if_match
from probandi.entrypoints.api.problems import PROBLEM
from probandi.entrypoints.api.schemas import (
    ListingCreateIn,
    ListingIn,
    ListingOut,
    ListingPage,
    SellerIn,
    SellerOut,
    StatementOut,
    VoucherOut,
)
from probandi.entrypoints.api.writes import run_write
from probandi.queries.listings import ListingFilter, list_listings
from probandi.services import views
from probandi.services.context import Services
from probandi.services.listings import upsert_listing, upsert_seller

router = APIRouter(prefix="/v1", tags=["listings"])


@router.put(
    "/sellers/{seller_id}",
    response_model=SellerOut,
    responses={201: {"model": SellerOut, "description": "Created"}},
)
def put_seller(
    seller_id: str, body: SellerIn, actor: CurrentActor, svc: Svc, response: Response
) -> SellerOut:
    """Create or update a seller with its verified legal name (platform, admin)."""
    seller, created = upsert_seller(
        UpsertSeller(
            actor=actor,
            seller_id=seller_id,
            kind=body.kind,
            legal_name=body.legal_name,
            address=body.address,
            tax_id=body.tax_id,
            display_name=body.display_name,
        ),
        svc=svc,
    )
    response.status_code = 201 if created else 200
    return SellerOut.from_domain(seller)


@router.get("/sellers/{seller_id}", response_model=SellerOut)
def get_seller(seller_id: str, actor: CurrentActor, svc: Svc) -> SellerOut:
    return SellerOut.from_domain(views.get_seller(seller_id, actor, svc=svc))


def _upsert_write(
    listing_id: str, body: ListingIn, actor: Actor, svc: Services, if_match: IfMatch | None
) -> Response:
    result = upsert_listing(
        UpsertListing(actor, listing_id, body.seller_id, body.to_content(), if_match), svc=svc
    )
    out = ListingOut.from_domain(result.listing, result.seller, result.changed_aspects)
    # Serialized here: the model is built from our own domain object, so FastAPI's second
    # validation against response_model would only cost time.
    return Response(
        out.model_dump_json(),
        status_code=201 if result.created else 200,
        media_type="application/json",
        headers={"ETag": etag(result.listing)},
    )


async def _upsert(
    request: Request, listing_id: str, body: ListingIn, actor: Actor, if_match: IfMatch | None
) -> Response:
    # The platform's hot path: the whole use case in one call; run_write picks where it
    # runs, and with which wiring of the services.
    return await run_write(
        request, lambda svc: _upsert_write(listing_id, body, actor, svc, if_match)
    )


PRECONDITION_FAILED = {
    "description": "If-Match named a version the listing is no longer at (or it does not "
    "exist); read it again (GET answers its ETag) and decide.",
    "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


@router.put(
    "/listings/{listing_id}",
    response_model=ListingOut,
    responses={201: {"model": ListingOut, "description": "Created"}, 412: PRECONDITION_FAILED},
)
async def put_listing(
    request: Request,
    listing_id: str,
    body: ListingIn,
    actor: CurrentActor,
    if_match: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Create or edit a listing; the answer says whether it is publishable and why not.

    Without If-Match the last push wins. With If-Match (the ETag of a GET or PUT), the
    push applies only if the listing is still at that version, else 412."""
    return await _upsert(request, listing_id, body, actor, parse_if_match(if_match))


@router.post(
    "/listings",
    response_model=ListingOut,
    status_code=201,
    responses={200: {"model": ListingOut, "description": "Updated: the id was known"}},
)
async def post_listing(request: Request, body: ListingCreateIn, actor: CurrentActor) -> Response:
    """The same upsert with the listing id in the body."""
    fields = body.model_dump(exclude={"id"})
    return await _upsert(request, body.id, ListingIn.model_validate(fields), actor, None)


@router.get("/listings", response_model=ListingPage)
def get_listings(
    request: Request,
    actor: CurrentActor,
    seller_id: str | None = None,
    state: GateState | None = None,
    publishable: bool | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ListingPage:
    """Listings the caller may see (a seller: its own), by id, 50 a page."""
    with Session(request.app.state.read_engine) as session:
        page, next_cursor = list_listings(
            session, actor, ListingFilter(seller_id, state, publishable, limit, cursor)
        )
    return ListingPage(
        items=[ListingOut.from_domain(lst, s) for lst, s in page], next_cursor=next_cursor
    )


@router.get("/listings/{listing_id}", response_model=ListingOut)
def get_listing(listing_id: str, actor: CurrentActor, svc: Svc, response: Response) -> ListingOut:
    """One listing; its ETag is what a conditional push names in If-Match."""
    view = views.get_listing(listing_id, actor, svc=svc)
    response.headers["ETag"] = etag(view.listing)
    return ListingOut.from_domain(view.listing, view.seller)


@router.get("/listings/{listing_id}/vouchers", response_model=list[VoucherOut])
def get_listing_vouchers(listing_id: str, actor: CurrentActor, svc: Svc) -> list[VoucherOut]:
    return [VoucherOut.from_domain(v) for v in views.listing_vouchers(listing_id, actor, svc=svc)]


@router.get("/listings/{listing_id}/statements", response_model=list[StatementOut])
def get_listing_statements(listing_id: str, actor: CurrentActor, svc: Svc) -> list[StatementOut]:
    """Statements of reasons for every restriction of this listing."""
    return [
        StatementOut.from_domain(s) for s in views.listing_statements(listing_id, actor, svc=svc)
    ]
