"""SQLAlchemy repositories: one per aggregate, mapping rows explicitly."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, bindparam, column, delete, insert, or_, select, table, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from probandi.adapters.db import mapping
from probandi.adapters.db.rows import (
    ApiKeyRow,
    BrandRightsHolderRow,
    BrandRow,
    CounterRow,
    FxRateRow,
    ListingRow,
    ReviewTaskRow,
    SellerRow,
    StatementRow,
    VoucherRow,
    table_of,
)
from probandi.domain.brands import Brand
from probandi.domain.checks import PriorUse
from probandi.domain.errors import Conflict
from probandi.domain.forensics.findings import PriorDocumentUse, is_copy
from probandi.domain.listing_gate import GateState
from probandi.domain.listings import Listing
from probandi.domain.money import FxTable
from probandi.domain.review import ReviewTask, TaskKind, TaskState
from probandi.domain.sellers import Seller
from probandi.domain.statements import StatementOfReasons
from probandi.domain.vouchers import Declaration, Voucher, VoucherStatus

_CONN = "probandi.connection"


def core(session: Session) -> Connection:
    """The session's connection for Core statements, looked up once per transaction.

    Session.connection() walks the session's state machine on every call; the listing
    push runs about eight statements, so the walk was a measurable share of its time.
    A connection is closed when its transaction ends, which is when a new one is due.
    """
    conn: Connection | None = session.info.get(_CONN)
    if conn is None or conn.closed:
        conn = session.info[_CONN] = session.connection()
    return conn


FX_PIVOT = "USD"
REGISTRY = "brand_registry"
COUNTERS, SELLERS = table_of(CounterRow), table_of(SellerRow)
GET_COUNTER = select(COUNTERS.c.value).where(COUNTERS.c.name == bindparam("b_name"))
GET_SELLER = select(SELLERS).where(SELLERS.c.id == bindparam("b_id"))


class RegistryVersionCache:
    """The registry version, re-read at most once a second (every listing push needs it).

    A bump in this process forgets it at commit; other processes see a registry change
    within a second.
    """

    def __init__(self, ttl: float = 1.0) -> None:
        self._ttl = ttl
        self._value: tuple[float, int] | None = None
        self.generation = 0  # moves on every local registry change

    def get(self, load: Callable[[], int]) -> int:
        cached = self._value
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        value = load()
        self._value = (time.monotonic() + self._ttl, value)
        return value

    def forget(self) -> None:
        self._value = None
        self.generation += 1


class SqlBrandRepository:
    def __init__(self, session: Session, versions: RegistryVersionCache) -> None:
        self.s = session
        self._versions = versions
        self.bumped = False

    def _holders(self, brand_ids: list[str]) -> dict[str, set[str]]:
        rows = self.s.execute(
            select(BrandRightsHolderRow).where(BrandRightsHolderRow.brand_id.in_(brand_ids))
        ).scalars()
        out: dict[str, set[str]] = {}
        for r in rows:
            out.setdefault(r.brand_id, set()).add(r.rights_holder_id)
        return out

    def get(self, brand_id: str) -> Brand | None:
        row = self.s.get(BrandRow, brand_id)
        if row is None:
            return None
        return mapping.brand_to_domain(row, frozenset(self._holders([brand_id]).get(brand_id, ())))

    def list_all(self) -> list[Brand]:
        rows = self.s.execute(select(BrandRow).order_by(BrandRow.name)).scalars().all()
        holders = self._holders([r.id for r in rows]) if rows else {}
        return [mapping.brand_to_domain(r, frozenset(holders.get(r.id, ()))) for r in rows]

    def add(self, brand: Brand) -> None:
        row = BrandRow(id=brand.id)
        mapping.brand_to_row(brand, row)
        self.s.add(row)
        self.s.flush()
        self._set_holders(brand)

    def save(self, brand: Brand) -> None:
        row = self.s.get(BrandRow, brand.id)
        assert row is not None
        mapping.brand_to_row(brand, row)
        self._set_holders(brand)

    def _set_holders(self, brand: Brand) -> None:
        self.s.execute(
            delete(BrandRightsHolderRow).where(BrandRightsHolderRow.brand_id == brand.id)
        )
        for holder in sorted(brand.rights_holder_ids):
            self.s.add(BrandRightsHolderRow(brand_id=brand.id, rights_holder_id=holder))
        self.s.flush()

    def delete(self, brand_id: str) -> None:
        self.s.execute(
            delete(BrandRightsHolderRow).where(BrandRightsHolderRow.brand_id == brand_id)
        )
        self.s.execute(delete(BrandRow).where(BrandRow.id == brand_id))

    def registry_version(self) -> int:
        return self._versions.get(self._read_version)

    def registry_version_now(self) -> int:
        return self._read_version()

    def _read_version(self) -> int:
        value = core(self.s).execute(GET_COUNTER, {"b_name": REGISTRY}).scalar_one_or_none()
        return int(value or 0)

    def bump_registry_version(self) -> None:
        self.bumped = True
        row = self.s.get(CounterRow, REGISTRY)
        if row is None:
            self.s.add(CounterRow(name=REGISTRY, value=1))
        else:
            row.value += 1


class SqlSellerRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, seller_id: str) -> Seller | None:
        row = core(self.s).execute(GET_SELLER, {"b_id": seller_id}).one_or_none()
        return mapping.seller_to_domain(row) if row else None

    def upsert(self, seller: Seller, *, now: datetime) -> bool:
        row = self.s.get(SellerRow, seller.id)
        created = row is None
        if row is None:
            row = SellerRow(id=seller.id, created_at=now)
            self.s.add(row)
        row.kind, row.legal_name, row.address = seller.kind.value, seller.legal_name, seller.address
        row.tax_id, row.display_name, row.updated_at = seller.tax_id, seller.display_name, now
        self.s.flush()
        return created

    def set_standing(
        self, seller_id: str, closed_at: datetime | None, restricted_until: datetime | None
    ) -> None:
        """Keep the shop's standing in step with its penalty ledger."""
        core(self.s).execute(
            update(SELLERS)
            .where(SELLERS.c.id == seller_id)
            .values(closed_at=closed_at, gated_restricted_until=restricted_until)
        )


def _flush_or_conflict(session: Session, what: str) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "the %(what)s was changed by someone else; retry", params={"what": what}
        ) from exc


LISTINGS = table_of(ListingRow)
# Built once: the platform pushes listings all day, and building a statement costs more
# than running it on SQLite.
GET_LISTING = select(LISTINGS).where(LISTINGS.c.id == bindparam("b_id"))
INSERT_LISTING = insert(LISTINGS)
# The push reads its seller and the listing in one round trip (PostgreSQL: one fewer).
GET_FOR_PUSH = (
    select(*(c.label(f"s_{c.name}") for c in SELLERS.c), *LISTINGS.c)
    .select_from(SELLERS.outerjoin(LISTINGS, LISTINGS.c.id == bindparam("b_listing")))
    .where(SELLERS.c.id == bindparam("b_seller"))
)
LOCK_LISTING = select(LISTINGS.c.id).where(LISTINGS.c.id == bindparam("b_id")).with_for_update()
UPDATE_LISTING = update(LISTINGS).where(
    LISTINGS.c.id == bindparam("b_id"), LISTINGS.c.version == bindparam("b_version")
)


class SqlListingRepository:
    """Core statements: no ORM bookkeeping on the hottest path."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, listing_id: str) -> Listing | None:
        row = core(self.s).execute(GET_LISTING, {"b_id": listing_id}).one_or_none()
        return mapping.listing_to_domain(row) if row else None

    def get_with_seller(
        self, listing_id: str, seller_id: str, *, for_update: bool = False
    ) -> tuple[Listing | None, Seller | None]:
        params = {"b_listing": listing_id, "b_seller": seller_id}
        conn = core(self.s)
        if for_update and conn.dialect.name == "postgresql":
            # Writers of one listing queue on its row until commit, so each applies over
            # the last (a row lock cannot sit on the nullable side of the outer join below).
            conn.execute(LOCK_LISTING, {"b_id": listing_id})
        row = conn.execute(GET_FOR_PUSH, params).one_or_none()
        if row is None:
            return None, None
        seller = mapping.prefixed_seller_to_domain(row)
        return (mapping.listing_to_domain(row) if row.id is not None else None), seller

    def add(self, listing: Listing) -> None:
        values = {"id": listing.id, "version": 1, **mapping.listing_values(listing)}
        try:
            core(self.s).execute(INSERT_LISTING, values)
        except IntegrityError as exc:
            raise Conflict("the listing was created by someone else; retry") from exc

    def save(self, listing: Listing) -> None:
        """Versioned update: it applies only if nobody changed the row since it was read."""
        params = {
            "b_id": listing.id,
            "b_version": listing.version,
            "version": listing.version + 1,
            **mapping.listing_values(listing),
        }
        if core(self.s).execute(UPDATE_LISTING, params).rowcount != 1:
            raise Conflict("the listing was changed by someone else; retry")

    def get_many(self, listing_ids: Collection[str]) -> dict[str, Listing]:
        if not listing_ids:
            return {}
        rows = core(self.s).execute(select(LISTINGS).where(LISTINGS.c.id.in_(listing_ids)))
        return {r.id: mapping.listing_to_domain(r) for r in rows}

    def of_seller(self, seller_id: str) -> list[Listing]:
        rows = core(self.s).execute(
            select(LISTINGS).where(LISTINGS.c.seller_id == seller_id).order_by(LISTINGS.c.id)
        )
        return [mapping.listing_to_domain(r) for r in rows]

    def proof_overdue(self, now: datetime, limit: int) -> list[Listing]:
        rows = core(self.s).execute(
            select(LISTINGS)
            .where(
                LISTINGS.c.gate_state.in_(
                    [GateState.AWAITING_PROOF.value, GateState.REJECTED.value]
                ),
                LISTINGS.c.proof_due_at < now,
            )
            .order_by(LISTINGS.c.proof_due_at)
            .limit(limit)
        )
        return [mapping.listing_to_domain(r) for r in rows]


class SqlVoucherRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, voucher_id: str) -> Voucher | None:
        row = self.s.get(VoucherRow, voucher_id)
        return mapping.voucher_to_domain(row) if row else None

    def add(self, voucher: Voucher) -> None:
        row = VoucherRow(id=voucher.id)
        mapping.voucher_to_row(voucher, row)
        self.s.add(row)
        self.s.flush()

    def save(self, voucher: Voucher) -> None:
        row = self.s.get(VoucherRow, voucher.id)
        assert row is not None
        mapping.voucher_to_row(voucher, row)
        self.s.flush()

    def for_listing(self, listing_id: str) -> list[Voucher]:
        rows = self.s.execute(
            select(VoucherRow)
            .where(VoucherRow.listing_id == listing_id)
            .order_by(VoucherRow.created_at, VoucherRow.id)
        ).scalars()
        return [mapping.voucher_to_domain(r) for r in rows]

    def uses_of_file(self, sha256: str) -> list[PriorUse]:
        """Earlier vouchers of the same bytes, leaving out those rejected as copies."""
        rows = self.s.execute(
            select(VoucherRow).where(VoucherRow.sha256 == sha256).order_by(VoucherRow.created_at)
        ).scalars()
        found = (mapping.voucher_to_domain(r) for r in rows)
        return [PriorUse(v.id, v.seller_id, v.listing_id) for v in found if not is_copy(v)]

    def get_many(self, voucher_ids: Collection[str]) -> dict[str, Voucher]:
        if not voucher_ids:
            return {}
        rows = self.s.execute(select(VoucherRow).where(VoucherRow.id.in_(voucher_ids))).scalars()
        return {r.id: mapping.voucher_to_domain(r) for r in rows}

    def same_document(
        self, declaration: Declaration, qr_payload: str | None = None
    ) -> list[PriorDocumentUse]:
        """Vouchers of the same document (QR code, else issuer and number), oldest first;
        also those whose document as read has the declared issuer and number: an original
        keyed by its QR code is found by a copy whose QR code did not survive (a photo)."""
        keys = {
            k
            for k in (
                mapping.document_key_text(declaration, qr_payload),
                mapping.document_key_text(declaration),
            )
            if k
        }
        return same_document_uses(self.s, keys)


MAX_SAME_DOCUMENT = 100
# The readings' document keys (adapters/db/readings.py maps the table, and imports this one).
READINGS = table("voucher_readings", column("voucher_id"), column("document_key"))
# Vouchers whose units count against a document's quantity: not rejected, not withdrawn.
COVERING_STATUSES = (VoucherStatus.PENDING_REVIEW.value, VoucherStatus.APPROVED.value)
LIVE = (TaskState.OPEN.value, TaskState.CLAIMED.value)


class SqlTaskRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, task_id: str) -> ReviewTask | None:
        row = self.s.get(ReviewTaskRow, task_id)
        return mapping.task_to_domain(row) if row else None

    def add(self, task: ReviewTask) -> None:
        row = ReviewTaskRow(id=task.id)
        mapping.task_to_row(task, row)
        self.s.add(row)
        self.s.flush()

    def save(self, task: ReviewTask) -> ReviewTask:
        row = self.s.get(ReviewTaskRow, task.id)
        assert row is not None
        if row.version != task.version:
            raise Conflict("the task was changed by someone else", version=row.version)
        mapping.task_to_row(task, row)
        _flush_or_conflict(self.s, "review task")
        return mapping.task_to_domain(row)

    def open_for_listing(self, listing_id: str) -> ReviewTask | None:
        row = self.s.execute(
            select(ReviewTaskRow)
            .where(
                ReviewTaskRow.listing_id == listing_id,
                ReviewTaskRow.state.in_(LIVE),
                ReviewTaskRow.kind == TaskKind.PROOF.value,
            )
            .limit(1)
        ).scalar_one_or_none()
        return mapping.task_to_domain(row) if row else None

    def next_claimable(self, now: datetime, reviewer: str | None = None) -> ReviewTask | None:
        row = self.s.execute(
            select(ReviewTaskRow)
            .where(
                (ReviewTaskRow.state == TaskState.OPEN.value)
                | (
                    (ReviewTaskRow.state == TaskState.CLAIMED.value)
                    & (ReviewTaskRow.lease_expires_at <= now)
                ),
                ReviewTaskRow.excluded_reviewer.is_(None)
                | (ReviewTaskRow.excluded_reviewer != (reviewer or "")),
            )
            .order_by(ReviewTaskRow.due_at, ReviewTaskRow.risk.desc(), ReviewTaskRow.id)
            .limit(1)
        ).scalar_one_or_none()
        return mapping.task_to_domain(row) if row else None

    def open_for_subject(self, subject_id: str) -> ReviewTask | None:
        row = self.s.execute(
            select(ReviewTaskRow)
            .where(ReviewTaskRow.subject_id == subject_id, ReviewTaskRow.state.in_(LIVE))
            .limit(1)
        ).scalar_one_or_none()
        return mapping.task_to_domain(row) if row else None

    def newly_overdue(self, now: datetime, limit: int) -> list[ReviewTask]:
        rows = self.s.execute(
            select(ReviewTaskRow)
            .where(
                ReviewTaskRow.state.in_(LIVE),
                ReviewTaskRow.due_at < now,
                ReviewTaskRow.sla_breached.is_(False),
            )
            .order_by(ReviewTaskRow.due_at)
            .limit(limit)
        ).scalars()
        return [mapping.task_to_domain(r) for r in rows]


INSERT_STATEMENT = insert(table_of(StatementRow))


def _statement_values(st: StatementOfReasons) -> dict[str, object]:
    return {
        "id": st.id,
        "listing_id": st.listing_id,
        "seller_id": st.seller_id,
        "voucher_id": st.voucher_id,
        "measure": st.measure[:500],
        "scope": st.scope[:1000],
        "facts": list(st.facts),
        "ground": st.ground[:1000],
        "automated": st.automated,
        "redress": st.redress[:1000],
        "decided_by": st.decided_by,
        "created_at": st.created_at,
        "notice_id": st.notice_id,
        "terms": mapping.terms_to_json(st.terms) if st.terms else None,
    }


class SqlStatementRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, st: StatementOfReasons) -> None:
        # Written with every hold, so a Core insert: no ORM bookkeeping on the hot path.
        core(self.s).execute(INSERT_STATEMENT, _statement_values(st))

    def add_many(self, statements: Sequence[StatementOfReasons]) -> None:
        if statements:
            core(self.s).execute(INSERT_STATEMENT, [_statement_values(st) for st in statements])

    def for_listing(self, listing_id: str) -> list[StatementOfReasons]:
        rows = self.s.execute(
            select(StatementRow)
            .where(StatementRow.listing_id == listing_id)
            .order_by(StatementRow.created_at)
        ).scalars()
        return [
            StatementOfReasons(
                id=r.id,
                listing_id=r.listing_id,
                seller_id=r.seller_id,
                measure=r.measure,
                scope=r.scope,
                facts=tuple(r.facts),
                ground=r.ground,
                automated=r.automated,
                redress=r.redress,
                created_at=r.created_at,
                decided_by=r.decided_by,
                voucher_id=r.voucher_id,
                notice_id=r.notice_id,
                terms=mapping.terms_from_json(r.terms) if r.terms else None,
            )
            for r in rows
        ]


class SqlFxRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def table(self) -> FxTable:
        rows = self.s.execute(select(FxRateRow)).scalars()
        return FxTable(FX_PIVOT, {r.currency: Decimal(r.rate) for r in rows})

    def set_rate(self, currency: str, rate: Decimal, at: datetime) -> None:
        row = self.s.get(FxRateRow, currency)
        if row is None:
            self.s.add(FxRateRow(currency=currency, rate=rate, updated_at=at))
        else:
            row.rate, row.updated_at = rate, at
        self.s.flush()


class SqlApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self,
        key_id: str,
        key_hash: str,
        role: str,
        party_id: str | None,
        label: str,
        created_at: datetime,
    ) -> None:
        self.s.add(
            ApiKeyRow(
                id=key_id,
                key_hash=key_hash,
                role=role,
                party_id=party_id,
                label=label[:200],
                created_at=created_at,
            )
        )
        self.s.flush()

    def find(self, key_hash: str) -> tuple[str, str, str | None] | None:
        row = self.s.execute(
            select(ApiKeyRow.id, ApiKeyRow.role, ApiKeyRow.party_id).where(
                ApiKeyRow.key_hash == key_hash, ApiKeyRow.revoked_at.is_(None)
            )
        ).one_or_none()
        return (row.id, row.role, row.party_id) if row else None

    def revoke(self, key_id: str, at: datetime) -> bool:
        result = self.s.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(getattr(result, "rowcount", 0))


def same_document_uses(
    session: Session, keys: Collection[str], *, besides: str | None = None
) -> list[PriorDocumentUse]:
    """Vouchers whose declared key, or whose document as read, is one of `keys`, oldest
    first (at most `MAX_SAME_DOCUMENT`), `besides` left out."""
    if not keys:
        return []
    wanted = sorted(set(keys))
    read_as = select(READINGS.c.voucher_id).where(READINGS.c.document_key.in_(wanted))
    query = select(VoucherRow).where(
        or_(VoucherRow.document_key.in_(wanted), VoucherRow.id.in_(read_as))
    )
    if besides is not None:
        query = query.where(VoucherRow.id != besides)
    rows = session.execute(query.order_by(VoucherRow.created_at).limit(MAX_SAME_DOCUMENT)).scalars()
    return [prior_use(row) for row in rows]


def prior_use(row: VoucherRow) -> PriorDocumentUse:
    """A stored voucher as an earlier use of the same document (the quantity ledger)."""
    v = mapping.voucher_to_domain(row)
    return PriorDocumentUse(
        v.id,
        v.seller_id,
        v.listing_id,
        v.units_claimed,
        covering=v.status.value in COVERING_STATUSES,
        approved=v.status is VoucherStatus.APPROVED,
        copy=is_copy(v),
    )
