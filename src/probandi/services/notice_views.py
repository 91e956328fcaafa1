"""Read use cases of notices: each party sees only its part."""

from __future__ import annotations

from dataclasses import dataclass

from probandi.domain.actors import Actor, Role
from probandi.domain.errors import NotFound
from probandi.domain.notices import Notice, NoticeItem, NoticeRefusal
from probandi.services.access import STAFF
from probandi.services.context import Services


@dataclass(frozen=True)
class NoticeView:
    notice: Notice
    items: list[NoticeItem]
    refusals: list[NoticeRefusal]  # only for its holder and staff


@dataclass(frozen=True)
class NoticePage:
    notices: list[Notice]
    total: int


def get_notice(notice_id: str, actor: Actor, *, svc: Services) -> NoticeView:
    """The holder and staff see it whole; a seller sees only the items of its listings
    (and a notice without any is not there for it)."""
    with svc.reader() as uow:
        notice = uow.notices.get(notice_id)
        items = uow.notices.items(notice_id) if notice else []
        refusals = uow.notices.refusals(notice_id) if notice else []
    if notice is not None:
        if actor.role in STAFF or (
            actor.role is Role.RIGHTS_HOLDER and actor.party_id == notice.holder_id
        ):
            return NoticeView(notice, items, refusals)
        if actor.role is Role.SELLER:
            mine = [i for i in items if i.seller_id == actor.party_id]
            if mine:
                return NoticeView(notice, mine, [])
    raise NotFound("no notice %(notice_id)r", notice_id=notice_id)


def list_notices(actor: Actor, *, svc: Services, limit: int, offset: int) -> NoticePage:
    holder = actor.party_id if actor.role is Role.RIGHTS_HOLDER else None
    seller = actor.party_id if actor.role is Role.SELLER else None
    if actor.role not in STAFF and holder is None and seller is None:
        return NoticePage([], 0)
    with svc.reader() as uow:
        notices, total = uow.notices.page(
            holder_id=holder, seller_id=seller, limit=limit, offset=offset
        )
    return NoticePage(notices, total)
