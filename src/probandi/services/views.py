"""Read use cases: what one actor may see of a listing, a voucher or the queue."""

from __future__ import annotations

from dataclasses import dataclass

from probandi.domain.actors import Actor, Role
from probandi.domain.brands import Brand
from probandi.domain.errors import NotFound
from probandi.domain.listings import Listing
from probandi.domain.review import ReviewTask
from probandi.domain.sellers import Seller
from probandi.domain.statements import StatementOfReasons
from probandi.domain.vouchers import Voucher
from probandi.services.access import (
    brand_view_for,
    redact_for,
    require_role,
    visible_listing,
    visible_seller,
    visible_voucher,
)
from probandi.services.context import Services


@dataclass(frozen=True)
class ListingView:
    listing: Listing
    seller: Seller


def get_listing(listing_id: str, actor: Actor, *, svc: Services) -> ListingView:
    with svc.reader() as uow:
        listing = visible_listing(actor, uow.listings.get(listing_id), listing_id)
        seller = uow.sellers.get(listing.seller_id)
    assert seller is not None
    return ListingView(listing, seller)


def listing_vouchers(listing_id: str, actor: Actor, *, svc: Services) -> list[Voucher]:
    with svc.reader() as uow:
        visible_listing(actor, uow.listings.get(listing_id), listing_id)
        return [redact_for(actor, v) for v in uow.vouchers.for_listing(listing_id)]


def listing_statements(listing_id: str, actor: Actor, *, svc: Services) -> list[StatementOfReasons]:
    with svc.reader() as uow:
        visible_listing(actor, uow.listings.get(listing_id), listing_id)
        return uow.statements.for_listing(listing_id)


def get_voucher(voucher_id: str, actor: Actor, *, svc: Services) -> Voucher:
    """Its seller and staff see a voucher; a rights holder sees the proof of a counter-notice
    forwarded to it (E-Commerce Law Art. 43), so it can decide whether to go to court."""
    with svc.reader() as uow:
        voucher = uow.vouchers.get(voucher_id)
        if (
            actor.role is Role.RIGHTS_HOLDER
            and voucher is not None
            and uow.notices.forwarded_proof(actor.party_id or "", voucher_id)
        ):
            return redact_for(actor, voucher)
        return redact_for(actor, visible_voucher(actor, voucher, voucher_id))


def voucher_file(voucher_id: str, actor: Actor, *, svc: Services) -> tuple[Voucher, bytes]:
    voucher = get_voucher(voucher_id, actor, svc=svc)
    return voucher, svc.files.read(voucher.file.sha256)


def get_seller(seller_id: str, actor: Actor, *, svc: Services) -> Seller:
    visible_seller(actor, seller_id)
    with svc.reader() as uow:
        seller = uow.sellers.get(seller_id)
    if seller is None:
        raise NotFound("no seller %(seller_id)r", seller_id=seller_id)
    return seller


def get_task(task_id: str, actor: Actor, *, svc: Services) -> ReviewTask:
    require_role(actor, Role.REVIEWER, Role.ADMIN)
    with svc.reader() as uow:
        task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound("no review task %(task_id)r", task_id=task_id)
    return task


def list_brands(actor: Actor, *, svc: Services) -> list[Brand]:
    """Everyone may read the registry, except that rights holders see only their brands."""
    with svc.reader() as uow:
        brands = uow.brands.list_all()
    if actor.role is Role.RIGHTS_HOLDER:
        return [b for b in brands if actor.party_id in b.rights_holder_ids]
    return [brand_view_for(actor, b) for b in brands]


def get_brand(brand_id: str, actor: Actor, *, svc: Services) -> Brand:
    for brand in list_brands(actor, svc=svc):
        if brand.id == brand_id:
            return brand
    raise NotFound("no brand %(brand_id)r", brand_id=brand_id)


def my_listings(actor: Actor, *, svc: Services) -> list[Listing]:
    """A seller's own listings (the console's seller desk)."""
    require_role(actor, Role.SELLER)
    with svc.reader() as uow:
        return uow.listings.of_seller(actor.party_id or "")
