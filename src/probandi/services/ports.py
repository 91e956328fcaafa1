"""Typed ports: what the use cases need from the outside world."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from probandi.domain.audit import AuditEntry
from probandi.domain.brands import Brand
from probandi.domain.checks import PriorUse
from probandi.domain.forensics.findings import PriorDocumentUse
from probandi.domain.forensics.model import DocumentFacts, ImageDiff, NearMatch, PageFingerprint
from probandi.domain.listings import Listing
from probandi.domain.money import FxTable
from probandi.domain.review import ReviewTask
from probandi.domain.screening import BrandMatch
from probandi.domain.sellers import Seller
from probandi.domain.statements import StatementOfReasons
from probandi.domain.vouchers import Declaration, StoredFile, Voucher


class Clock(Protocol):
    def now(self) -> datetime: ...


class BrandScreener(Protocol):
    def screen(self, fields: dict[str, str | None]) -> list[BrandMatch]: ...


class ScreenerCache(Protocol):
    """Builds a screener once per registry version."""

    def get(self, version: int, load: Callable[[], list[Brand]]) -> BrandScreener: ...

    def recent(self) -> BrandScreener | None:
        """The current screener without asking the database, if it was confirmed lately
        and the registry has not changed in this process since."""
        ...


class FileStore(Protocol):
    """Content-addressed blobs: never overwritten; discard only undoes a fresh put."""

    def put(self, data: bytes) -> tuple[str, bool]: ...

    def read(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...

    def discard(self, sha256: str) -> None: ...


class UploadInspector(Protocol):
    """Checks magic bytes, decodes fully and enforces size and pixel limits."""

    def inspect(self, data: bytes, claimed_media_type: str | None) -> StoredFile: ...


class BrandRepository(Protocol):
    def get(self, brand_id: str) -> Brand | None: ...

    def list_all(self) -> list[Brand]: ...

    def add(self, brand: Brand) -> None: ...

    def save(self, brand: Brand) -> None: ...

    def delete(self, brand_id: str) -> None: ...

    def registry_version(self) -> int: ...

    def bump_registry_version(self) -> None: ...


class RightsHolderRepository(Protocol):
    def exists(self, holder_id: str) -> bool: ...

    def add(self, holder_id: str, name: str, created_at: datetime) -> None: ...


class SellerRepository(Protocol):
    def get(self, seller_id: str) -> Seller | None: ...

    def upsert(self, seller: Seller, *, now: datetime) -> bool: ...


class ListingRepository(Protocol):
    def get(self, listing_id: str) -> Listing | None: ...

    def get_with_seller(
        self, listing_id: str, seller_id: str
    ) -> tuple[Listing | None, Seller | None]:
        """Both in one read; (None, None) when the seller is unknown."""
        ...

    def add(self, listing: Listing) -> None: ...

    def save(self, listing: Listing) -> None: ...

    def proof_overdue(self, now: datetime, limit: int) -> list[Listing]: ...


class VoucherRepository(Protocol):
    def get(self, voucher_id: str) -> Voucher | None: ...

    def add(self, voucher: Voucher) -> None: ...

    def save(self, voucher: Voucher) -> None: ...

    def for_listing(self, listing_id: str) -> list[Voucher]: ...

    def uses_of_file(self, sha256: str) -> list[PriorUse]: ...

    def get_many(self, voucher_ids: Collection[str]) -> dict[str, Voucher]: ...

    def same_document(
        self, declaration: Declaration, qr_payload: str | None = None
    ) -> list[PriorDocumentUse]:
        """Vouchers of the same document: QR code and number, else issuer and number."""
        ...


class FingerprintRepository(Protocol):
    def lock_intake(self) -> None:
        """Serialize voucher intake until the transaction ends."""
        ...

    def add(self, voucher_id: str, seller_id: str, prints: Sequence[PageFingerprint]) -> None: ...

    def since(self, seq: int, min_quality: int, limit: int) -> list[tuple[int, str]]: ...

    def owners(self, seqs: Collection[int]) -> dict[int, tuple[str, int, str]]:
        """seq -> (voucher id, page, seller id)."""
        ...

    def add_matches(self, voucher_id: str, matches: Sequence[NearMatch]) -> None: ...

    def unfingerprinted(self, limit: int) -> list[str]:
        """Ids of vouchers without fingerprints (stored before forensics), oldest first."""
        ...


class NearDuplicateIndex(Protocol):
    """Matchable fingerprints of every voucher, kept in step with the database."""

    @property
    def high_water(self) -> int:
        """The highest fingerprint sequence number added."""
        ...

    def add(self, entries: Sequence[tuple[int, str]]) -> None:
        """(seq, pdq hex) in ascending seq; entries at or below the high water are skipped."""
        ...

    def search(self, pdq: str, radius: int) -> list[tuple[int, int]]:
        """(seq, distance) of every fingerprint within `radius` bits, nearest first."""
        ...


class VoucherForensics(Protocol):
    """Reads fingerprints, QR payload and metadata of a file; compares two pages."""

    def read(self, data: bytes, media_type: str) -> DocumentFacts: ...

    def compare(
        self,
        ours: bytes,
        ours_type: str,
        page: int,
        theirs: bytes,
        theirs_type: str,
        other_page: int,
        turn: int = 0,
    ) -> ImageDiff:
        """Our page, turned by PDQ's dihedral form `turn`, against theirs."""
        ...


class TaskRepository(Protocol):
    def get(self, task_id: str) -> ReviewTask | None: ...

    def add(self, task: ReviewTask) -> None: ...

    def save(self, task: ReviewTask) -> ReviewTask:
        """Write if nobody changed it since it was read (else raise Conflict)."""
        ...

    def open_for_listing(self, listing_id: str) -> ReviewTask | None: ...

    def next_claimable(self, now: datetime) -> ReviewTask | None: ...

    def newly_overdue(self, now: datetime, limit: int) -> list[ReviewTask]: ...


class StatementRepository(Protocol):
    def add(self, statement: StatementOfReasons) -> None: ...

    def for_listing(self, listing_id: str) -> list[StatementOfReasons]: ...


class FxRepository(Protocol):
    def table(self) -> FxTable: ...

    def set_rate(self, currency: str, rate: Decimal, at: datetime) -> None: ...


class ApiKeyRepository(Protocol):
    def add(
        self,
        key_id: str,
        key_hash: str,
        role: str,
        party_id: str | None,
        label: str,
        created_at: datetime,
    ) -> None: ...

    def find(self, key_hash: str) -> tuple[str, str, str | None] | None:
        """(key id, role, party id) of an unrevoked key."""
        ...

    def revoke(self, key_id: str, at: datetime) -> bool: ...


class UnitOfWork(Protocol):
    """One use case, one transaction: repositories, the audit log and the outbox."""

    @property
    def brands(self) -> BrandRepository: ...

    @property
    def rights_holders(self) -> RightsHolderRepository: ...

    @property
    def sellers(self) -> SellerRepository: ...

    @property
    def listings(self) -> ListingRepository: ...

    @property
    def vouchers(self) -> VoucherRepository: ...

    @property
    def tasks(self) -> TaskRepository: ...

    @property
    def statements(self) -> StatementRepository: ...

    @property
    def fx(self) -> FxRepository: ...

    @property
    def api_keys(self) -> ApiKeyRepository: ...

    @property
    def fingerprints(self) -> FingerprintRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def record(self, entry: AuditEntry) -> None:
        """Append to the hash-chained audit log in this transaction."""
        ...

    def publish(self, topic: str, payload: Mapping[str, object]) -> None:
        """Queue a webhook in the outbox in this transaction."""
        ...

    def on_rollback(self, undo: Callable[[], None]) -> None: ...

    def commit(self) -> None: ...
