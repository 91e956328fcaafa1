"""Template clusters are retroactive: when a forgery template's cluster forms or grows, every
member gets the finding, not only the voucher that made it big enough.

A pending member's review task is reopened with its new risk. An approved member is not
revoked automatically: a `recheck` task asks a person to look again, and only that person's
decision takes the approval back (with a statement of reasons, `services.review`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from probandi.domain.actors import Actor
from probandi.domain.checks import ordered
from probandi.domain.forensics.findings import (
    TEMPLATE_CLUSTER,
    cluster_matches,
    cluster_member_finding,
)
from probandi.domain.forensics.model import NearMatch
from probandi.domain.review import TaskKind
from probandi.domain.vouchers import Voucher, VoucherStatus, risk_of
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import UnitOfWork
from probandi.services.tasks import open_task


def spread_cluster(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    voucher: Voucher,
    matches: tuple[NearMatch, ...] | list[NearMatch],
    *,
    now: datetime,
) -> list[str]:
    """Give the cluster finding to every member that lacks it, once `voucher` found the
    cluster; the ids of the members changed."""
    if not any(f.code == TEMPLATE_CLUSTER for f in voucher.findings):
        return []
    shared = cluster_matches(matches, voucher.seller_id)
    members = {m.other.voucher_id for m in shared}
    cluster = sorted(members | {voucher.id})
    sellers = len({m.other.seller_id for m in shared}) + 1
    changed = []
    for earlier in uow.vouchers.get_many(sorted(members)).values():
        if any(f.code == TEMPLATE_CLUSTER for f in earlier.findings):
            continue
        finding = cluster_member_finding(
            sellers, [v for v in cluster if v != earlier.id], found_by=voucher.id
        )
        member = replace(earlier, findings=ordered((*earlier.findings, finding)))
        uow.vouchers.save(member)
        record(
            uow,
            actor,
            "voucher:finding:added",
            f"voucher:{member.id}",
            now,
            code=TEMPLATE_CLUSTER,
            found_by=voucher.id,
            status=member.status.value,
        )
        _follow_up(uow, svc, actor, member, now=now)
        changed.append(member.id)
    return changed


def _follow_up(
    uow: UnitOfWork, svc: Services, actor: Actor, member: Voucher, *, now: datetime
) -> None:
    """A pending member's task is looked at again with its new risk; an approved one gets
    a recheck task (one live per voucher)."""
    risk = risk_of(member.findings)
    if member.status is VoucherStatus.PENDING_REVIEW:
        live = uow.tasks.open_for_listing(member.listing_id)
        if live is not None:
            open_task(
                uow,
                svc,
                actor,
                live,
                listing_id=member.listing_id,
                seller_id=member.seller_id,
                now=now,
                risk=risk,
                voucher_id=member.id,
                finding=TEMPLATE_CLUSTER,
            )
    elif member.status is VoucherStatus.APPROVED:
        open_task(
            uow,
            svc,
            actor,
            uow.tasks.open_for_subject(member.id),
            listing_id=member.listing_id,
            seller_id=member.seller_id,
            now=now,
            risk=risk,
            kind=TaskKind.RECHECK,
            subject_id=member.id,
            voucher_id=member.id,
            finding=TEMPLATE_CLUSTER,
        )
