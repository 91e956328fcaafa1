"""Rights holders' brand requests: rows, explicit mapping and the repository."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from probandi.adapters.db.rows import Base, Json
from probandi.adapters.db.types import UtcDateTime
from probandi.domain.brand_requests import BrandRequest, RequestState
from probandi.domain.brands import Brand, Distributor, ReferencePrice
from probandi.domain.errors import Conflict
from probandi.domain.money import Money


class BrandRequestRow(Base):
    __tablename__ = "brand_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("rights_holders.id"), index=True)
    brand_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    proposed: Mapped[dict[str, Any]] = mapped_column(Json)
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


def brand_to_json(brand: Brand) -> dict[str, Any]:
    """The proposed brand, rights holders aside (an admin settles those)."""
    return {
        "id": brand.id,
        "name": brand.name,
        "aliases": list(brand.aliases),
        "gated": brand.gated,
        "reference_prices": [
            {"scope": r.scope, "amount": str(r.price.amount), "currency": r.price.currency}
            for r in brand.reference_prices
        ],
        "distributors": [{"name": d.name, "tax_id": d.tax_id} for d in brand.distributors],
    }


def brand_from_json(data: dict[str, Any]) -> Brand:
    return Brand(
        id=data["id"],
        name=data["name"],
        aliases=tuple(data["aliases"]),
        gated=data["gated"],
        reference_prices=tuple(
            ReferencePrice(r["scope"], Money(Decimal(r["amount"]), r["currency"]))
            for r in data["reference_prices"]
        ),
        distributors=tuple(Distributor(d["name"], d.get("tax_id")) for d in data["distributors"]),
    )


def request_to_domain(row: BrandRequestRow) -> BrandRequest:
    return BrandRequest(
        id=row.id,
        holder_id=row.holder_id,
        brand_id=row.brand_id,
        proposed=brand_from_json(row.proposed),
        created_at=row.created_at,
        state=RequestState(row.state),
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        reason=row.reason,
    )


def _to_row(request: BrandRequest, row: BrandRequestRow) -> None:
    row.holder_id, row.brand_id = request.holder_id, request.brand_id
    row.proposed = brand_to_json(request.proposed)
    row.state, row.created_at = request.state.value, request.created_at
    row.decided_at, row.decided_by, row.reason = (
        request.decided_at,
        request.decided_by,
        request.reason,
    )


class SqlBrandRequestRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, request_id: str, *, for_update: bool = False) -> BrandRequest | None:
        stmt = select(BrandRequestRow).where(BrandRequestRow.id == request_id)
        if for_update:
            # Two admins deciding at once: the second reads the first's decision.
            stmt = stmt.with_for_update()
        row = self.s.execute(stmt).scalar_one_or_none()
        return request_to_domain(row) if row else None

    def add(self, request: BrandRequest) -> None:
        row = BrandRequestRow(id=request.id)
        _to_row(request, row)
        self.s.add(row)
        self.s.flush()

    def save(self, request: BrandRequest) -> None:
        row = self.s.get(BrandRequestRow, request.id)
        if row is None:
            raise Conflict("brand request %(id)r is gone", params={"id": request.id})
        _to_row(request, row)
        self.s.flush()

    def listed(
        self, *, holder_id: str | None, state: RequestState | None, limit: int
    ) -> list[BrandRequest]:
        """Newest first; of one holder when `holder_id` is given."""
        stmt = select(BrandRequestRow)
        if holder_id is not None:
            stmt = stmt.where(BrandRequestRow.holder_id == holder_id)
        if state is not None:
            stmt = stmt.where(BrandRequestRow.state == state.value)
        stmt = stmt.order_by(BrandRequestRow.created_at.desc(), BrandRequestRow.id).limit(limit)
        return [request_to_domain(r) for r in self.s.execute(stmt).scalars()]
