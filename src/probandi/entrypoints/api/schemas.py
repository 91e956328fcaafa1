"""API models (`*In` / `*Out`), mapped explicitly from and to the domain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from probandi.domain.brands import Brand, Distributor, ReferencePrice
from probandi.domain.commands import BrandFields
from probandi.domain.listing_gate import allowed_actions
from probandi.domain.listings import Listing, ListingContent, publishability
from probandi.domain.money import Money
from probandi.domain.review import ReviewTask, allowed_task_actions
from probandi.domain.sellers import Seller, SellerKind
from probandi.domain.statements import StatementOfReasons
from probandi.domain.vouchers import Declaration, DeclaredLine, Voucher
from probandi.entrypoints.i18n import finding_text, shown

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Text120 = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Text300 = Annotated[str, StringConstraints(max_length=300)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), max_digits=16, decimal_places=2)]


def has_nul(value: object) -> bool:
    """Whether a NUL character hides anywhere in decoded JSON (keys included)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        # No text field has a use for U+0000, and PostgreSQL cannot store it: refused here
        # (422) rather than failing in the database (500).
        if has_nul(data):
            raise ValueError("text may not contain the NUL character (U+0000)")
        return data


class MoneyIn(Strict):
    amount: Amount
    currency: Currency


class ReferencePriceIn(Strict):
    scope: Annotated[str, StringConstraints(min_length=1, max_length=120)] = "*"
    amount: Amount
    currency: Currency


class DistributorIn(Strict):
    name: Text120
    tax_id: Annotated[str, StringConstraints(max_length=64)] | None = None


class BrandIn(Strict):
    name: Text120
    aliases: Annotated[list[Text120], Field(max_length=200)] = []
    gated: bool = True
    reference_prices: Annotated[list[ReferencePriceIn], Field(max_length=100)] = []
    distributors: Annotated[list[DistributorIn], Field(max_length=500)] = []
    rights_holder_ids: Annotated[list[str], Field(max_length=20)] = []

    def to_fields(self) -> BrandFields:
        return BrandFields(
            name=self.name,
            aliases=tuple(self.aliases),
            gated=self.gated,
            reference_prices=tuple(
                ReferencePrice(r.scope, Money(r.amount, r.currency)) for r in self.reference_prices
            ),
            distributors=tuple(Distributor(d.name, d.tax_id) for d in self.distributors),
            rights_holder_ids=frozenset(self.rights_holder_ids),
        )


class BrandOut(BaseModel):
    id: str
    name: str
    aliases: list[str]
    gated: bool
    reference_prices: list[ReferencePriceIn]
    distributors: list[DistributorIn]
    rights_holder_ids: list[str]

    @classmethod
    def from_domain(cls, b: Brand) -> BrandOut:
        return cls(
            id=b.id,
            name=b.name,
            aliases=list(b.aliases),
            gated=b.gated,
            reference_prices=[
                ReferencePriceIn(scope=r.scope, amount=r.price.amount, currency=r.price.currency)
                for r in b.reference_prices
            ],
            distributors=[DistributorIn(name=d.name, tax_id=d.tax_id) for d in b.distributors],
            rights_holder_ids=sorted(b.rights_holder_ids),
        )


class RightsHolderIn(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SellerIn(Strict):
    kind: SellerKind
    legal_name: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    address: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    tax_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    display_name: Annotated[str, StringConstraints(max_length=200)] | None = None


class SellerOut(BaseModel):
    id: str
    kind: SellerKind
    legal_name: str
    address: str
    tax_id: str | None
    display_name: str | None
    required_evidence: str

    @classmethod
    def from_domain(cls, s: Seller) -> SellerOut:
        return cls(
            id=s.id,
            kind=s.kind,
            legal_name=s.legal_name,
            address=s.address,
            tax_id=s.tax_id,
            display_name=s.display_name,
            required_evidence=s.required_evidence.summary,
        )


class ListingIn(Strict):
    seller_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    description: Annotated[str, StringConstraints(max_length=20_000)] = ""
    brand: Annotated[str, StringConstraints(max_length=200)] | None = None
    category: Annotated[str, StringConstraints(max_length=200)] | None = None
    price: Amount
    currency: Currency
    stock: Annotated[int, Field(ge=0, le=1_000_000_000)] = 1
    images: Annotated[
        list[Annotated[str, StringConstraints(max_length=2000)]], Field(max_length=30)
    ] = []

    def to_content(self) -> ListingContent:
        return ListingContent(
            title=self.title,
            price=Money(self.price, self.currency),
            stock=self.stock,
            description=self.description,
            brand=self.brand,
            category=self.category,
            images=tuple(self.images),
        )


class ListingCreateIn(ListingIn):
    id: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class MatchOut(BaseModel):
    brand_id: str
    brand: str
    field: str
    text: str
    start: int
    end: int
    kind: str
    tier: str = Field(
        "named",
        description="named: the brand's name or an alias; likely: a derived alias (a "
        "truncation, partial name or nickname) the title's evidence makes probable",
    )
    score: float = Field(1.0, description="the probability that the title claims the brand")
    evidence: str = Field("", description="for a likely match: the evidence, in words")


class GateOut(BaseModel):
    state: str
    version: int
    allowed_actions: list[str]


class ListingOut(BaseModel):
    id: str
    seller_id: str
    title: str
    description: str
    brand: str | None
    category: str | None
    price: Decimal
    currency: str
    stock: int
    images: list[str]
    publishable: bool
    reasons: list[str]
    required_evidence: str | None
    proof_due_at: datetime | None
    gate: GateOut
    matches: list[MatchOut]
    changed_aspects: list[str] = []
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_domain(
        cls, listing: Listing, seller: Seller, changed: tuple[str, ...] = ()
    ) -> ListingOut:
        c, verdict = listing.content, publishability(listing, seller)
        return cls(
            id=listing.id,
            seller_id=listing.seller_id,
            title=c.title,
            description=c.description,
            brand=c.brand,
            category=c.category,
            price=c.price.amount,
            currency=c.price.currency,
            stock=c.stock,
            images=list(c.images),
            publishable=verdict.publishable,
            reasons=list(verdict.reasons),
            required_evidence=verdict.required_evidence,
            proof_due_at=verdict.proof_due_at,
            gate=GateOut(
                state=listing.gate.state.value,
                version=listing.gate.version,
                allowed_actions=sorted(a.value for a in allowed_actions(listing.gate.state)),
            ),
            matches=[
                MatchOut(
                    brand_id=m.brand_id,
                    brand=m.brand_name,
                    field=m.field,
                    text=m.text,
                    start=m.start,
                    end=m.end,
                    kind=m.kind,
                    tier=m.tier,
                    score=m.score,
                    evidence=m.evidence,
                )
                for m in listing.matches
            ],
            changed_aspects=list(changed),
            created_at=listing.created_at,
            updated_at=listing.updated_at,
        )


class LineIn(Strict):
    brand: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    item: Annotated[str, StringConstraints(max_length=300)] = ""
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]
    amount: Amount | None = None


class DeclarationIn(Strict):
    """The fields the seller declares about the document (sent as a JSON form field)."""

    issuer: Text300 | None = None
    issuer_tax_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    buyer_name: Text300 | None = None
    issued_on: date | None = None
    valid_until: date | None = None
    document_number: Annotated[str, StringConstraints(max_length=100)] | None = None
    currency: Currency | None = None
    lines: Annotated[list[LineIn], Field(max_length=200)] = []
    site_url: Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://")] | None = (
        None
    )
    price: Amount | None = None
    captured_at: datetime | None = None

    def to_domain(self) -> Declaration:
        return Declaration(
            issuer=self.issuer,
            issuer_tax_id=self.issuer_tax_id,
            buyer_name=self.buyer_name,
            issued_on=self.issued_on,
            valid_until=self.valid_until,
            document_number=self.document_number,
            currency=self.currency,
            lines=tuple(
                DeclaredLine(ln.brand, ln.item, ln.quantity, ln.amount) for ln in self.lines
            ),
            site_url=self.site_url,
            price=self.price,
            captured_at=self.captured_at,
        )


class FindingOut(BaseModel):
    code: str
    severity: str
    message: str
    evidence: dict[str, Any]


class VoucherOut(BaseModel):
    id: str
    seller_id: str
    listing_id: str
    kind: str
    status: str
    sha256: str
    media_type: str
    size: int
    pages: int
    filename: str
    declaration: dict[str, Any]
    findings: list[FindingOut]
    created_at: datetime
    decided_at: datetime | None

    @classmethod
    def from_domain(cls, v: Voucher) -> VoucherOut:
        from probandi.adapters.db.mapping import declaration_to_json

        return cls(
            id=v.id,
            seller_id=v.seller_id,
            listing_id=v.listing_id,
            kind=v.kind.value,
            status=v.status.value,
            sha256=v.file.sha256,
            media_type=v.file.media_type,
            size=v.file.size,
            pages=v.file.pages,
            filename=v.filename,
            declaration=declaration_to_json(v.declaration),
            findings=[
                FindingOut(
                    code=f.code,
                    severity=f.severity.value,
                    message=finding_text(f),
                    evidence=dict(f.evidence),
                )
                for f in v.findings
            ],
            created_at=v.created_at,
            decided_at=v.decided_at,
        )


class StatementOut(BaseModel):
    id: str
    listing_id: str
    voucher_id: str | None
    measure: str
    scope: str
    facts: list[str]
    ground: str
    automated: bool
    redress: str
    decided_by: str | None
    created_at: datetime

    @classmethod
    def from_domain(cls, s: StatementOfReasons) -> StatementOut:
        """The texts in the request's locale (Accept-Language or the caller's setting)."""
        texts = shown(s)
        return cls(
            id=s.id,
            listing_id=s.listing_id,
            voucher_id=s.voucher_id,
            measure=texts.measure,
            scope=s.scope,
            facts=list(texts.facts),
            ground=texts.ground,
            automated=s.automated,
            redress=texts.redress,
            decided_by=s.decided_by,
            created_at=s.created_at,
        )


class VoucherSubmitOut(BaseModel):
    voucher: VoucherOut
    listing: ListingOut
    statement: StatementOut | None


class TaskOut(BaseModel):
    id: str
    kind: str
    subject_id: str | None
    listing_id: str
    seller_id: str
    state: str
    due_at: datetime
    risk: int
    overdue: bool
    claimed_by: str | None
    lease_expires_at: datetime | None
    decision: str | None
    reason_code: str | None
    note: str | None
    decided_by: str | None
    decided_at: datetime | None
    version: int
    allowed_actions: list[str]
    reading: str = "done"  # pending while its documents are read; then done or failed

    @classmethod
    def from_domain(cls, t: ReviewTask, now: datetime, reading: str = "done") -> TaskOut:
        return cls(
            reading=reading,
            id=t.id,
            kind=t.kind.value,
            subject_id=t.subject_id,
            listing_id=t.listing_id,
            seller_id=t.seller_id,
            state=t.state.value,
            due_at=t.due_at,
            risk=t.risk,
            overdue=t.is_overdue(now=now),
            claimed_by=t.claimed_by,
            lease_expires_at=t.lease_expires_at,
            decision=t.decision.value if t.decision else None,
            reason_code=t.reason_code,
            note=t.note,
            decided_by=t.decided_by,
            decided_at=t.decided_at,
            version=t.version,
            allowed_actions=sorted(a.value for a in allowed_task_actions(t.state)),
        )


class DecisionIn(Strict):
    decision: str = Field(pattern="^(approve|reject)$")
    reason_code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    note: Annotated[str, StringConstraints(max_length=4000)] | None = None
    version: int | None = None


class DecisionOut(BaseModel):
    task: TaskOut
    listing: ListingOut
    statement: StatementOut | None


class FxRateIn(Strict):
    rate: Annotated[Decimal, Field(gt=0, le=Decimal("1e9"))]


class ListingPage(BaseModel):
    items: list[ListingOut]
    next_cursor: str | None = None


class TaskPage(BaseModel):
    items: list[TaskOut]
