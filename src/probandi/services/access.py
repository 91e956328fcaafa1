"""Authorization, decided in the service layer: who may do what to whose things."""

from __future__ import annotations

from dataclasses import replace

from probandi.domain.actors import Actor, Role
from probandi.domain.brands import Brand
from probandi.domain.errors import Forbidden, NotFound
from probandi.domain.listings import Listing
from probandi.domain.vouchers import Voucher

STAFF = frozenset({Role.PLATFORM, Role.REVIEWER, Role.ADMIN})


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        raise Forbidden(
            "this needs one of the roles: %(roles)s",
            role=actor.role.value,
            params={"roles": ", ".join(r.value for r in roles)},
        )


def visible_listing(actor: Actor, listing: Listing | None, listing_id: str) -> Listing:
    """A seller sees only its own listings; to anyone else they do not exist (404)."""
    if listing is None or not _may_see(actor, listing.seller_id):
        raise NotFound("no listing %(listing_id)r", listing_id=listing_id)
    return listing


def visible_voucher(actor: Actor, voucher: Voucher | None, voucher_id: str) -> Voucher:
    if voucher is None or not _may_see(actor, voucher.seller_id):
        raise NotFound("no voucher %(voucher_id)r", voucher_id=voucher_id)
    return voucher


def visible_seller(actor: Actor, seller_id: str) -> None:
    if not _may_see(actor, seller_id):
        raise NotFound("no seller %(seller_id)r", seller_id=seller_id)


def _may_see(actor: Actor, seller_id: str) -> bool:
    if actor.role in STAFF:
        return True
    return actor.role is Role.SELLER and actor.party_id == seller_id


def require_brand_steward(actor: Actor, brand: Brand) -> None:
    """Admins edit any brand; a rights holder only the brands it holds."""
    if actor.role is Role.ADMIN:
        return
    if actor.role is Role.RIGHTS_HOLDER and actor.party_id in brand.rights_holder_ids:
        return
    raise NotFound("no brand %(brand_id)r of yours", brand_id=brand.id)


OTHER_PARTY_EVIDENCE = ("other_",)


def redact_for(actor: Actor, voucher: Voucher) -> Voucher:
    """A seller sees its findings, never who else used the file (ids of other sellers)."""
    if actor.role in STAFF:
        return voucher
    findings = tuple(
        replace(
            f,
            evidence={
                k: v for k, v in f.evidence.items() if not k.startswith(OTHER_PARTY_EVIDENCE)
            },
        )
        for f in voucher.findings
    )
    return replace(voucher, findings=findings)


def brand_view_for(actor: Actor, brand: Brand) -> Brand:
    """Distributors and their tax ids are what a forger needs: staff and holders only."""
    if actor.role in (Role.ADMIN, Role.REVIEWER, Role.RIGHTS_HOLDER):
        return brand
    return replace(brand, distributors=(), rights_holder_ids=frozenset())
