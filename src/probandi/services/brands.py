"""Use cases of the brand registry, rights holders and the FX table."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from probandi.domain.actors import Actor, Role
from probandi.domain.brand_requests import BrandRequest, RequestState, needs_admin
from probandi.domain.brands import Brand, fold
from probandi.domain.commands import BrandFields, SaveBrand, SetFxRate
from probandi.domain.errors import Conflict, InvalidInput, NotFound
from probandi.domain.listings import check_id
from probandi.domain.money import check_currency
from probandi.domain.screening.lexicon import CONTEXT_WORDS
from probandi.services.access import require_brand_steward, require_role
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.holders import held_brands
from probandi.services.ports import UnitOfWork

MAX_IMPORT = 5_000
MAX_PENDING_REQUESTS = 20  # per rights holder


def brand_slug(name: str) -> str:
    """A readable id from the name (ASCII names) or a random one (other scripts)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]
    return slug or f"brand-{uuid.uuid4().hex[:12]}"


def _build(brand_id: str, fields: BrandFields, actor: Actor, current: Brand | None = None) -> Brand:
    holders = set(fields.rights_holder_ids)
    if actor.role is Role.RIGHTS_HOLDER and actor.party_id:
        # Only admins say who holds a brand: a holder cannot add or drop co-holders.
        holders = set(current.rights_holder_ids) if current else {actor.party_id}
    aliases = tuple(dict.fromkeys(a.strip() for a in fields.aliases if a.strip()))
    return Brand(
        id=brand_id,
        name=fields.name.strip(),
        aliases=aliases,
        gated=fields.gated,
        reference_prices=fields.reference_prices,
        distributors=fields.distributors,
        rights_holder_ids=frozenset(holders),
    )


def _check_name_free(uow: UnitOfWork, brand: Brand) -> None:
    """Names and aliases are unique across brands, and no alias is a plain product word
    (an alias "bag" would hold every bag on the marketplace)."""
    mine = {_key(n): n for n in brand.all_names}
    for key, name in mine.items():
        if len(key) < MIN_ALIAS or key in PRODUCT_WORDS:
            raise InvalidInput(
                "%(name)r is too short or too common to be a brand alias",
                field="aliases",
                params={"name": name},
            )
    for other in uow.brands.list_all():
        if other.id == brand.id:
            continue
        clash = next((mine[_key(n)] for n in other.all_names if _key(n) in mine), None)
        if clash is not None:
            raise Conflict(
                "%(clash)r already names the brand %(name)r",
                brand_id=other.id,
                params={"clash": clash, "name": other.name},
            )


MIN_ALIAS = 2
PRODUCT_WORDS = frozenset(fold(w) for w in CONTEXT_WORDS)


def _key(name: str) -> str:
    return "".join(fold(name).split())


def _check_holders(uow: UnitOfWork, brand: Brand) -> None:
    for holder in brand.rights_holder_ids:
        if not uow.rights_holders.exists(holder):
            raise InvalidInput(
                "unknown rights holder %(holder)r",
                field="rights_holder_ids",
                params={"holder": holder},
            )


@dataclass(frozen=True)
class BrandChange:
    """What saving a brand did: the brand as saved, or the request filed for an admin."""

    brand: Brand | None = None
    request: BrandRequest | None = None


def submit_brand(cmd: SaveBrand, *, svc: Services) -> BrandChange:
    """Create (brand_id None) or replace a brand. An admin saves any; a rights holder saves
    its own, except what only an admin may decide (`needs_admin`: a new brand, or gating
    wider without verified marks), which is filed as a pending request."""
    require_role(cmd.actor, Role.ADMIN, Role.RIGHTS_HOLDER)
    with svc.uow() as uow:
        now = svc.clock.now()
        current = _current(uow, cmd)
        brand_id = current.id if current else free_brand_id(uow, cmd.fields.name)
        proposed = _build(brand_id, cmd.fields, cmd.actor, current)
        if cmd.actor.role is Role.RIGHTS_HOLDER and needs_admin(
            current, proposed, verified=_verified_brands(uow, cmd.actor, now)
        ):
            request = _file_request(uow, cmd.actor, current, proposed, now)
            uow.commit()
            return BrandChange(request=request)
        brand = store_brand(uow, cmd.actor, current, proposed, now)
        uow.commit()
    return BrandChange(brand=brand)


def save_brand(cmd: SaveBrand, *, svc: Services) -> Brand:
    """An admin creates (brand_id None) or replaces a brand."""
    require_role(cmd.actor, Role.ADMIN)
    change = submit_brand(cmd, svc=svc)
    assert change.brand is not None
    return change.brand


def _current(uow: UnitOfWork, cmd: SaveBrand) -> Brand | None:
    if cmd.brand_id is None:
        return None
    current = uow.brands.get(cmd.brand_id)
    if current is None:
        raise NotFound("no brand %(brand_id)r", brand_id=cmd.brand_id)
    require_brand_steward(cmd.actor, current)
    return current


def free_brand_id(uow: UnitOfWork, name: str) -> str:
    brand_id = brand_slug(name)
    while uow.brands.get(brand_id) is not None:
        brand_id = f"{brand_slug(name)[:60]}-{uuid.uuid4().hex[:6]}"
    return brand_id


def _verified_brands(uow: UnitOfWork, actor: Actor, now: datetime) -> frozenset[str]:
    holder = uow.rights_holders.get(actor.party_id or "")
    if holder is None:
        return frozenset()
    return holder.verified_brands(today=now.date(), held=held_brands(uow, holder.id))


def _file_request(
    uow: UnitOfWork, actor: Actor, current: Brand | None, proposed: Brand, now: datetime
) -> BrandRequest:
    holder_id = actor.party_id or ""
    _check_name_free(uow, proposed)  # said now rather than at approval
    pending = uow.brand_requests.listed(
        holder_id=holder_id, state=RequestState.PENDING, limit=MAX_PENDING_REQUESTS
    )
    if len(pending) >= MAX_PENDING_REQUESTS:
        raise Conflict(
            ("%(MAX_PENDING_REQUESTS)s brand requests are already pending; wait for a decision"),
            code="too_many_pending_requests",
            params={"MAX_PENDING_REQUESTS": MAX_PENDING_REQUESTS},
        )
    request = BrandRequest(
        id=uuid.uuid4().hex[:20],
        holder_id=holder_id,
        brand_id=current.id if current else None,
        proposed=proposed,
        created_at=now,
    )
    uow.brand_requests.add(request)
    record(
        uow,
        actor,
        "brand:request:filed",
        f"brand_request:{request.id}",
        now,
        holder_id=holder_id,
        brand_id=request.brand_id,
        name=proposed.name,
        aliases=list(proposed.aliases),
        gated=proposed.gated,
    )
    return request


def store_brand(
    uow: UnitOfWork, actor: Actor, current: Brand | None, brand: Brand, now: datetime
) -> Brand:
    """Add or replace the brand in the registry, with its audit entry."""
    _check_name_free(uow, brand)
    _check_holders(uow, brand)
    if current is None:
        uow.brands.add(brand)
    else:
        uow.brands.save(brand)
    uow.brands.bump_registry_version()
    record(
        uow,
        actor,
        "brand:registered" if current is None else "brand:updated",
        f"brand:{brand.id}",
        now,
        name=brand.name,
        aliases=list(brand.aliases),
        gated=brand.gated,
    )
    return brand


def delete_brand(brand_id: str, actor: Actor, *, svc: Services) -> None:
    require_role(actor, Role.ADMIN)
    with svc.uow() as uow:
        if uow.brands.get(brand_id) is None:
            raise NotFound("no brand %(brand_id)r", brand_id=brand_id)
        uow.brands.delete(brand_id)
        uow.brands.bump_registry_version()
        record(uow, actor, "brand:deleted", f"brand:{brand_id}", svc.clock.now())
        uow.commit()


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int


def import_brands(rows: list[BrandFields], actor: Actor, *, svc: Services) -> ImportReport:
    """Upsert many brands by folded name in one transaction (all or nothing)."""
    require_role(actor, Role.ADMIN)
    if len(rows) > MAX_IMPORT:
        raise InvalidInput(
            "at most %(MAX_IMPORT)s brands per import",
            field="brands",
            params={"MAX_IMPORT": MAX_IMPORT},
        )
    created = updated = 0
    with svc.uow() as uow:
        now = svc.clock.now()
        by_name = {fold(b.name): b for b in uow.brands.list_all()}
        for fields in rows:
            current = by_name.get(fold(fields.name.strip()))
            if current is None:
                brand = _build(brand_slug(fields.name), fields, actor)
                while uow.brands.get(brand.id) is not None:
                    brand = _build(f"{brand.id}-{uuid.uuid4().hex[:6]}", fields, actor)
                _check_holders(uow, brand)
                uow.brands.add(brand)
                created += 1
            else:
                brand = _build(current.id, fields, actor)
                _check_holders(uow, brand)
                uow.brands.save(brand)
                updated += 1
            by_name[fold(brand.name)] = brand
        uow.brands.bump_registry_version()
        record(uow, actor, "brand:imported", "registry", now, created=created, updated=updated)
        uow.commit()
    return ImportReport(created, updated)


def register_rights_holder(holder_id: str, name: str, actor: Actor, *, svc: Services) -> None:
    require_role(actor, Role.ADMIN)
    check_id(holder_id, "rights_holder_id")
    if not name.strip() or len(name) > 200:
        raise InvalidInput("name must be 1-200 characters", field="name")
    with svc.uow() as uow:
        now = svc.clock.now()
        if uow.rights_holders.exists(holder_id):
            raise Conflict("rights holder %(rights_holder_id)r exists", rights_holder_id=holder_id)
        uow.rights_holders.add(holder_id, name.strip(), now)
        record(uow, actor, "rights_holder:registered", f"rights_holder:{holder_id}", now, name=name)
        uow.commit()


def set_fx_rate(cmd: SetFxRate, *, svc: Services) -> None:
    """Admin-maintained rate: units of the pivot currency per one unit of `currency`."""
    require_role(cmd.actor, Role.ADMIN)
    check_currency(cmd.currency)
    if cmd.rate <= 0 or cmd.rate > Decimal("1e9"):
        raise InvalidInput("rate must be positive", field="rate")
    with svc.uow() as uow:
        now = svc.clock.now()
        uow.fx.set_rate(cmd.currency, cmd.rate, now)
        record(uow, cmd.actor, "fx:rate:set", f"fx:{cmd.currency}", now, rate=str(cmd.rate))
        uow.commit()
