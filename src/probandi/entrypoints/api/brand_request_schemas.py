"""API models of brand requests (`BrandRequestOut`, `BrandDecisionIn`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from probandi.domain.brand_requests import (
    MAX_REASON,
    BrandRequest,
    RequestAction,
    RequestState,
    allowed_actions,
)
from probandi.entrypoints.api.schemas import BrandOut, Strict


class BrandRequestOut(BaseModel):
    """A rights holder's request; `brand` is what the registry would hold (its id is
    settled on approval for a new brand)."""

    id: str
    state: RequestState
    holder_id: str
    brand_id: str | None
    brand: BrandOut
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    allowed_actions: list[RequestAction]

    @classmethod
    def from_domain(cls, r: BrandRequest) -> BrandRequestOut:
        return cls(
            id=r.id,
            state=r.state,
            holder_id=r.holder_id,
            brand_id=r.brand_id,
            brand=BrandOut.from_domain(r.proposed),
            created_at=r.created_at,
            decided_at=r.decided_at,
            decided_by=r.decided_by,
            reason=r.reason,
            allowed_actions=sorted(allowed_actions(r.state)),
        )


class BrandDecisionIn(Strict):
    decision: RequestAction
    reason: Annotated[str, StringConstraints(max_length=MAX_REASON)] | None = None
