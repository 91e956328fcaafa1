"""Use cases of the brand registry, rights holders and the FX table."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from decimal import Decimal

from probandi.domain.actors import Actor, Role
from probandi.domain.brands import Brand, fold
from probandi.domain.commands import BrandFields, SaveBrand, SetFxRate
from probandi.domain.errors import Conflict, InvalidInput, NotFound
from probandi.domain.listings import check_id
from probandi.domain.money import check_currency
from probandi.domain.screening.lexicon import CONTEXT_WORDS
from probandi.services.access import require_brand_steward, require_role
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import UnitOfWork

MAX_IMPORT = 5_000


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
                f"{name!r} is too short or too common to be a brand alias", field="aliases"
            )
    for other in uow.brands.list_all():
        if other.id == brand.id:
            continue
        clash = next((mine[_key(n)] for n in other.all_names if _key(n) in mine), None)
        if clash is not None:
            raise Conflict(f"{clash!r} already names the brand {other.name!r}", brand_id=other.id)


MIN_ALIAS = 2
PRODUCT_WORDS = frozenset(fold(w) for w in CONTEXT_WORDS)


def _key(name: str) -> str:
    return "".join(fold(name).split())


def _check_holders(uow: UnitOfWork, brand: Brand) -> None:
    for holder in brand.rights_holder_ids:
        if not uow.rights_holders.exists(holder):
            raise InvalidInput(f"unknown rights holder {holder!r}", field="rights_holder_ids")


def save_brand(cmd: SaveBrand, *, svc: Services) -> Brand:
    """Create (brand_id None) or replace a brand; rights holders only their own."""
    require_role(cmd.actor, Role.ADMIN, Role.RIGHTS_HOLDER)
    with svc.uow() as uow:
        now = svc.clock.now()
        if cmd.brand_id is None:
            brand = _build(brand_slug(cmd.fields.name), cmd.fields, cmd.actor)
            if uow.brands.get(brand.id) is not None:
                brand = _build(f"{brand.id}-{uuid.uuid4().hex[:6]}", cmd.fields, cmd.actor)
            _check_name_free(uow, brand)
            _check_holders(uow, brand)
            uow.brands.add(brand)
            tag = "brand:registered"
        else:
            current = uow.brands.get(cmd.brand_id)
            if current is None:
                raise NotFound(f"no brand {cmd.brand_id!r}", brand_id=cmd.brand_id)
            require_brand_steward(cmd.actor, current)
            brand = _build(current.id, cmd.fields, cmd.actor, current)
            _check_name_free(uow, brand)
            _check_holders(uow, brand)
            uow.brands.save(brand)
            tag = "brand:updated"
        uow.brands.bump_registry_version()
        record(
            uow,
            cmd.actor,
            tag,
            f"brand:{brand.id}",
            now,
            name=brand.name,
            aliases=list(brand.aliases),
            gated=brand.gated,
        )
        uow.commit()
    return brand


def delete_brand(brand_id: str, actor: Actor, *, svc: Services) -> None:
    require_role(actor, Role.ADMIN)
    with svc.uow() as uow:
        if uow.brands.get(brand_id) is None:
            raise NotFound(f"no brand {brand_id!r}", brand_id=brand_id)
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
        raise InvalidInput(f"at most {MAX_IMPORT} brands per import", field="brands")
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
            raise Conflict(f"rights holder {holder_id!r} exists", rights_holder_id=holder_id)
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
