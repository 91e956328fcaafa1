"""Use cases of brand requests: an admin approves or refuses what a rights holder asked."""

from __future__ import annotations

from dataclasses import replace

from probandi.domain.actors import Actor, Role
from probandi.domain.brand_requests import (
    BrandRequest,
    DecideBrandRequest,
    RequestAction,
    RequestState,
)
from probandi.domain.brands import Brand
from probandi.domain.errors import InvalidInput, NotFound
from probandi.services.access import require_role
from probandi.services.brands import free_brand_id, store_brand
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import UnitOfWork

MAX_LIST = 200


def decide_brand_request(cmd: DecideBrandRequest, *, svc: Services) -> BrandRequest:
    """An admin approves a pending request (the registry takes the brand as asked, held by
    the requesting holder) or refuses it with a reason; both are audited."""
    require_role(cmd.actor, Role.ADMIN)
    with svc.uow() as uow:
        now = svc.clock.now()
        request = uow.brand_requests.get(cmd.request_id, for_update=True)
        if request is None:
            raise NotFound("no brand request %(request_id)r", request_id=cmd.request_id)
        decided = request.apply(cmd.action, by=cmd.actor, at=now, reason=cmd.reason)
        record(
            uow,
            cmd.actor,
            f"brand:request:{decided.state.value}",
            f"brand_request:{request.id}",
            now,
            holder_id=request.holder_id,
            brand_id=request.brand_id,
            reason=decided.reason,
        )
        if cmd.action is RequestAction.APPROVE:
            current, brand = _granted(uow, request)
            store_brand(uow, cmd.actor, current, brand, now)
            decided = replace(decided, brand_id=brand.id)
        uow.brand_requests.save(decided)
        uow.commit()
    return decided


def _granted(uow: UnitOfWork, request: BrandRequest) -> tuple[Brand | None, Brand]:
    """The registry's brand before and after the request (the names are checked again on
    store: another brand may have taken one since)."""
    if request.brand_id is None:
        brand_id = free_brand_id(uow, request.proposed.name)
        holders = frozenset({request.holder_id})
        return None, replace(request.proposed, id=brand_id, rights_holder_ids=holders)
    current = uow.brands.get(request.brand_id)
    if current is None:
        raise InvalidInput(
            "the brand %(brand_id)r was deleted since; refuse the request",
            field="request_id",
            params={"brand_id": request.brand_id},
        )
    return current, replace(
        request.proposed, id=current.id, rights_holder_ids=current.rights_holder_ids
    )


def list_brand_requests(
    actor: Actor, *, svc: Services, state: RequestState | None = None, limit: int = 100
) -> list[BrandRequest]:
    """Newest first: an admin sees all, a rights holder its own."""
    require_role(actor, Role.ADMIN, Role.RIGHTS_HOLDER)
    holder_id = (actor.party_id or "") if actor.role is Role.RIGHTS_HOLDER else None
    with svc.reader() as uow:
        return uow.brand_requests.listed(
            holder_id=holder_id, state=state, limit=max(1, min(limit, MAX_LIST))
        )


def get_brand_request(request_id: str, actor: Actor, *, svc: Services) -> BrandRequest:
    """An admin, or the holder who filed it; to anyone else it does not exist."""
    require_role(actor, Role.ADMIN, Role.RIGHTS_HOLDER)
    with svc.reader() as uow:
        request = uow.brand_requests.get(request_id)
    if request is None or (
        actor.role is Role.RIGHTS_HOLDER and request.holder_id != actor.party_id
    ):
        raise NotFound("no brand request %(request_id)r", request_id=request_id)
    return request
