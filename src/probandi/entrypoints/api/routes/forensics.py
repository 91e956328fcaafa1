"""Voucher forensics for reviewers: template clusters and a voucher's near matches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.queries.voucher_clusters import (
    TemplateCluster,
    template_clusters,
    voucher_matches,
)

router = APIRouter(prefix="/v1", tags=["forensics"])


class ClusterMemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    voucher_id: str
    seller_id: str
    listing_id: str
    claimed_issuer: str | None
    document_number: str | None
    status: str
    created_at: datetime


class TemplateClusterOut(BaseModel):
    id: str
    sellers: list[str]
    claimed_issuers: list[str]
    listings: list[str]
    members: list[ClusterMemberOut]

    @classmethod
    def from_query(cls, c: TemplateCluster) -> TemplateClusterOut:
        return cls(
            id=c.id,
            sellers=list(c.sellers),
            claimed_issuers=list(c.claimed_issuers),
            listings=list(c.listings),
            members=[ClusterMemberOut.model_validate(m) for m in c.members],
        )


class TemplateClusterPage(BaseModel):
    items: list[TemplateClusterOut]
    total: int  # clusters in all, for paging with offset and limit


class VoucherMatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    other_voucher_id: str
    page: int
    other_page: int
    distance: int
    relation: str
    legitimate: bool
    differing_share: float | None
    reason: str


class VoucherMatchPage(BaseModel):
    items: list[VoucherMatchOut]


@router.get("/voucher-clusters", response_model=TemplateClusterPage)
def list_template_clusters(
    request: Request,
    actor: CurrentActor,
    svc: Svc,
    min_sellers: Annotated[int | None, Query(ge=2, le=1000)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TemplateClusterPage:
    """Templates shared by unrelated sellers under different claimed issuers: suspected
    forgery services, widest first (reviewers and admins)."""
    threshold = min_sellers or svc.policy.template_cluster_sellers
    with Session(request.app.state.read_engine) as session:
        clusters = template_clusters(session, actor, min_sellers=threshold)
    page = clusters[offset : offset + limit]
    return TemplateClusterPage(
        items=[TemplateClusterOut.from_query(c) for c in page], total=len(clusters)
    )


@router.get("/vouchers/{voucher_id}/matches", response_model=VoucherMatchPage)
def list_voucher_matches(
    voucher_id: str, request: Request, actor: CurrentActor
) -> VoucherMatchPage:
    """The near-duplicate vouchers of this one and what each is (reviewers and admins)."""
    with Session(request.app.state.read_engine) as session:
        found = voucher_matches(session, actor, voucher_id)
    return VoucherMatchPage(items=[VoucherMatchOut.model_validate(m) for m in found])
