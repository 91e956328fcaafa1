"""Read side: template clusters, the vouchers of unrelated sellers that share one layout
that is not a legitimate template (suspected forgery services), and near matches of one
voucher for the review screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import VoucherMatchRow, VoucherRow
from probandi.domain.actors import Actor, Role
from probandi.domain.errors import NotFound
from probandi.domain.forensics.model import Relation
from probandi.services.access import require_role

MAX_EDGES = 200_000


@dataclass(frozen=True)
class ClusterMember:
    voucher_id: str
    seller_id: str
    listing_id: str
    claimed_issuer: str | None
    document_number: str | None
    status: str
    created_at: datetime


@dataclass(frozen=True)
class TemplateCluster:
    id: str  # "tpl-" + the earliest member's voucher id: stable while the cluster grows
    sellers: tuple[str, ...]
    claimed_issuers: tuple[str, ...]
    listings: tuple[str, ...]
    members: tuple[ClusterMember, ...]


def _components(edges: list[tuple[str, str]]) -> list[set[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, set[str]] = {}
    for node in parent:
        groups.setdefault(find(node), set()).add(node)
    return list(groups.values())


def template_clusters(
    session: Session, actor: Actor, *, min_sellers: int = 3
) -> list[TemplateCluster]:
    """Clusters of at least `min_sellers` sellers, the widest first."""
    require_role(actor, Role.REVIEWER, Role.ADMIN)
    edges = [
        (r.voucher_id, r.other_voucher_id)
        for r in session.execute(
            select(VoucherMatchRow.voucher_id, VoucherMatchRow.other_voucher_id)
            .where(
                VoucherMatchRow.relation == Relation.SAME_TEMPLATE.value,
                VoucherMatchRow.legitimate.is_(False),
            )
            .order_by(VoucherMatchRow.id.desc())  # the newest edges when there are too many
            .limit(MAX_EDGES)
        )
    ]
    clusters = []
    for group in _components(edges):
        rows = session.execute(select(VoucherRow).where(VoucherRow.id.in_(sorted(group)))).scalars()
        members = sorted(
            (
                ClusterMember(
                    r.id,
                    r.seller_id,
                    r.listing_id,
                    r.declaration.get("issuer"),
                    r.declaration.get("document_number"),
                    r.status,
                    r.created_at,
                )
                for r in rows
            ),
            key=lambda m: (m.created_at, m.voucher_id),
        )
        sellers = sorted({m.seller_id for m in members})
        if len(sellers) < min_sellers:
            continue
        clusters.append(
            TemplateCluster(
                id=f"tpl-{members[0].voucher_id}",
                sellers=tuple(sellers),
                claimed_issuers=tuple(
                    sorted({m.claimed_issuer for m in members if m.claimed_issuer})
                ),
                listings=tuple(sorted({m.listing_id for m in members})),
                members=tuple(members),
            )
        )
    return sorted(clusters, key=lambda c: (-len(c.sellers), c.id))


@dataclass(frozen=True)
class VoucherMatch:
    other_voucher_id: str
    page: int
    other_page: int
    distance: int
    relation: str
    legitimate: bool
    differing_share: float | None
    reason: str


def voucher_matches(session: Session, actor: Actor, voucher_id: str) -> list[VoucherMatch]:
    """The decided near matches of one voucher, both directions, nearest first. 403 before
    404: the answer names other sellers, so only staff learn whether the voucher exists."""
    require_role(actor, Role.REVIEWER, Role.ADMIN)
    if session.get(VoucherRow, voucher_id) is None:
        raise NotFound("no voucher %(voucher_id)r", voucher_id=voucher_id)
    rows = session.execute(
        select(VoucherMatchRow).where(
            (VoucherMatchRow.voucher_id == voucher_id)
            | (VoucherMatchRow.other_voucher_id == voucher_id)
        )
    ).scalars()
    found = [
        VoucherMatch(
            r.other_voucher_id if r.voucher_id == voucher_id else r.voucher_id,
            r.page if r.voucher_id == voucher_id else r.other_page,
            r.other_page if r.voucher_id == voucher_id else r.page,
            r.distance,
            r.relation,
            r.legitimate,
            r.differing_share,
            r.reason,
        )
        for r in rows
    ]
    return sorted(found, key=lambda m: (m.distance, m.other_voucher_id))
