"""Typed ports: what the use cases need from the outside world."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self

from probandi.domain.accounts import ConsoleSession, User
from probandi.domain.appeals import Appeal, AppealSubject
from probandi.domain.audit import AuditEntry
from probandi.domain.brand_requests import BrandRequest, RequestState
from probandi.domain.brands import Brand
from probandi.domain.checkpoints import LaneHead
from probandi.domain.checks import PriorUse
from probandi.domain.credentials import IssuedCredential, IssuerKey, Presented, StatusPurpose
from probandi.domain.events import Event
from probandi.domain.forensics.findings import PriorDocumentUse
from probandi.domain.forensics.model import DocumentFacts, ImageDiff, NearMatch, PageFingerprint
from probandi.domain.jobs import Job, JobState
from probandi.domain.listings import Listing
from probandi.domain.money import FxTable
from probandi.domain.notices import Notice, NoticeEvidence, NoticeItem, NoticeRefusal
from probandi.domain.notifiers import ItemOutcome, RightsHolder
from probandi.domain.penalties import PenaltyEntry
from probandi.domain.reading.model import Reading
from probandi.domain.reading.record import ReadingStatus, VoucherReading
from probandi.domain.review import ReviewTask
from probandi.domain.screening import BrandMatch
from probandi.domain.sellers import Seller
from probandi.domain.signin import Throttle
from probandi.domain.statements import StatementOfReasons
from probandi.domain.transparency import BatchOutcome, StatementFacts, SubmissionState
from probandi.domain.vouchers import Declaration, StoredFile, Voucher
from probandi.domain.webhooks import Attempt, Delivery, DeliveryState, Endpoint


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

    def recent_versioned(self) -> tuple[BrandScreener, int] | None:
        """`recent()` with the registry version it was built from."""
        ...


class FileStore(Protocol):
    """Content-addressed blobs: never overwritten; discard only undoes a fresh put."""

    def put(self, data: bytes) -> tuple[str, bool]: ...

    def read(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...

    def discard(self, sha256: str) -> None: ...

    def stale_blobs(self, before: datetime) -> list[str]:
        """Digests of blobs last put before `before` (a reused blob counts as put again)."""
        ...

    def stale_temp_files(self, before: datetime) -> list[str]:
        """Names of temporary files left by interrupted puts, older than `before`."""
        ...

    def remove_stale(self, sha256: str, before: datetime) -> bool:
        """Delete the blob if it is still older than `before`; whether it was deleted."""
        ...

    def remove_temp(self, name: str) -> bool: ...


class UploadInspector(Protocol):
    """Checks magic bytes, decodes fully and enforces size and pixel limits."""

    def inspect(self, data: bytes, claimed_media_type: str | None) -> StoredFile: ...


class DocumentReader(Protocol):
    """Reads a voucher's text: lines with boxes and confidences, per page, pages upright.

    Only the first `max_pages` pages are read (`Reading.truncated_at` says when there were
    more); a page without text gives no lines, not an error."""

    def read(
        self, data: bytes, media_type: str, *, max_pages: int, deadline: float | None = None
    ) -> Reading:
        """`deadline` (time.monotonic()): past it, no further page is read and
        `ReadingTooLong` is raised."""
        ...


class ReadingRepository(Protocol):
    """Voucher readings; `same_document` finds vouchers declared or read as one document."""

    def get(self, voucher_id: str, *, lock: bool = False) -> VoucherReading | None: ...

    def add(self, reading: VoucherReading) -> None: ...

    def save(self, reading: VoucherReading, *, document_key: str | None = None) -> None: ...

    def statuses(self, voucher_ids: Collection[str]) -> dict[str, ReadingStatus]: ...

    def pending_by_listing(self, listing_ids: Collection[str]) -> dict[str, set[ReadingStatus]]:
        """Per listing, the reading states of its vouchers pending review."""
        ...

    def same_document(self, keys: Collection[str], *, besides: str) -> list[PriorDocumentUse]:
        """Vouchers whose declared key, or whose document as read, is one of `keys`."""
        ...

    def add_id_pieces(self, voucher_id: str, seller_id: str, pieces: Collection[str]) -> None: ...

    def unindexed_ids(self, limit: int) -> list[str]:
        """Vouchers read before their long ids were indexed, oldest first."""
        ...

    def id_pieces_of(self, voucher_id: str) -> frozenset[str]: ...

    def sharing_id_pieces(
        self, pieces: Collection[str], *, other_than_seller: str, at_least: int, limit: int
    ) -> list[tuple[str, int, int]]:
        """Other sellers' vouchers sharing at least `at_least` of `pieces`: (voucher id,
        pieces shared, pieces it has), most shared first."""
        ...


class BrandRepository(Protocol):
    def get(self, brand_id: str) -> Brand | None: ...

    def list_all(self) -> list[Brand]: ...

    def add(self, brand: Brand) -> None: ...

    def save(self, brand: Brand) -> None: ...

    def delete(self, brand_id: str) -> None: ...

    def registry_version(self) -> int: ...

    def registry_version_now(self) -> int:
        """The version as this transaction reads it, never from a cache."""
        ...

    def bump_registry_version(self) -> None: ...


class BrandRequestRepository(Protocol):
    def get(self, request_id: str, *, for_update: bool = False) -> BrandRequest | None: ...

    def add(self, request: BrandRequest) -> None: ...

    def save(self, request: BrandRequest) -> None: ...

    def listed(
        self, *, holder_id: str | None, state: RequestState | None, limit: int
    ) -> list[BrandRequest]: ...


class RightsHolderRepository(Protocol):
    def exists(self, holder_id: str) -> bool: ...

    def add(self, holder_id: str, name: str, created_at: datetime) -> None: ...

    def get(self, holder_id: str, *, for_update: bool = False) -> RightsHolder | None:
        """`for_update`: lock the holder's row until the transaction ends (PostgreSQL)."""
        ...

    def save(self, holder: RightsHolder) -> None: ...


class NoticeRepository(Protocol):
    def add_evidence(self, evidence: NoticeEvidence) -> None: ...

    def evidence(self, evidence_ids: Collection[str]) -> list[NoticeEvidence]: ...

    def add(self, notice: Notice) -> None: ...

    def get(self, notice_id: str) -> Notice | None: ...

    def add_items(self, items: Sequence[NoticeItem]) -> None: ...

    def add_refusals(self, refusals: Sequence[NoticeRefusal]) -> None: ...

    def items(self, notice_id: str) -> list[NoticeItem]: ...

    def item(self, notice_id: str, listing_id: str) -> NoticeItem | None: ...

    def item_by_id(self, item_id: str) -> NoticeItem | None: ...

    def save_item(self, item: NoticeItem) -> NoticeItem:
        """Write if nobody moved the item since it was read (else raise Conflict)."""
        ...

    def page(
        self, *, holder_id: str | None, seller_id: str | None, limit: int, offset: int
    ) -> tuple[list[Notice], int]: ...

    def refusals(self, notice_id: str) -> list[NoticeRefusal]: ...

    def refusal(self, refusal_id: str) -> NoticeRefusal | None: ...

    def holding(self, holder_id: str, listing_ids: Collection[str]) -> set[str]:
        """Which of these listings an open item of this holder already holds."""
        ...

    def forwarded_proof(self, holder_id: str, voucher_id: str) -> bool:
        """Whether a counter-notice naming this voucher was forwarded to this holder."""
        ...

    def seller_overdue(self, now: datetime, limit: int) -> list[NoticeItem]: ...

    def holder_overdue(self, now: datetime, limit: int) -> list[NoticeItem]: ...

    def outcomes(self, holder_id: str, since: datetime) -> tuple[list[ItemOutcome], int]:
        """The holder's items filed since `since`, and how many notices they came in."""
        ...


class PenaltyRepository(Protocol):
    def add(self, entry: PenaltyEntry) -> None: ...

    def get(self, entry_id: str) -> PenaltyEntry | None: ...

    def for_seller(self, seller_id: str) -> list[PenaltyEntry]: ...

    def for_item(self, item_id: str) -> list[PenaltyEntry]: ...


class AppealRepository(Protocol):
    def add(self, appeal: Appeal) -> None: ...

    def get(self, appeal_id: str) -> Appeal | None: ...

    def save(self, appeal: Appeal) -> None: ...

    def open_for(self, subject: AppealSubject, subject_id: str) -> Appeal | None: ...

    def of_appellant(self, appellant: str, limit: int) -> list[Appeal]: ...


class SellerRepository(Protocol):
    def get(self, seller_id: str) -> Seller | None: ...

    def upsert(self, seller: Seller, *, now: datetime) -> bool: ...

    def set_standing(
        self, seller_id: str, closed_at: datetime | None, restricted_until: datetime | None
    ) -> None: ...


class ListingRepository(Protocol):
    def get(self, listing_id: str) -> Listing | None: ...

    def get_with_seller(
        self, listing_id: str, seller_id: str, *, for_update: bool = False
    ) -> tuple[Listing | None, Seller | None]:
        """Both in one read; (None, None) when the seller is unknown. `for_update` locks
        the listing's row until the transaction ends (where the database has row locks)."""
        ...

    def add(self, listing: Listing) -> None: ...

    def save(self, listing: Listing) -> None: ...

    def get_many(self, listing_ids: Collection[str]) -> dict[str, Listing]: ...

    def of_seller(self, seller_id: str) -> list[Listing]: ...

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

    def matched_at_upload(self, voucher_id: str) -> list[str]:
        """Other vouchers the upload of `voucher_id` matched image to image (aligned and
        compared), nearest first."""
        ...

    def unfingerprinted(self, limit: int) -> list[str]:
        """Ids of vouchers without fingerprints (stored before forensics), oldest first."""
        ...

    def unrectified(self, limit: int) -> list[str]:
        """Ids of vouchers fingerprinted before pages were rectified, oldest first."""
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

    def search_many(self, pdqs: Sequence[str], radius: int) -> list[list[tuple[int, int]]]:
        """`search` for each hash, in one pass over the index."""
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

    def open_for_listing(self, listing_id: str) -> ReviewTask | None:
        """The listing's live proof task (counter-notices and appeals have their own)."""
        ...

    def open_for_subject(self, subject_id: str) -> ReviewTask | None: ...

    def next_claimable(self, now: datetime, reviewer: str | None = None) -> ReviewTask | None:
        """The most urgent claimable task that `reviewer` is not excluded from."""
        ...

    def newly_overdue(self, now: datetime, limit: int) -> list[ReviewTask]: ...


class StatementRepository(Protocol):
    def add(self, statement: StatementOfReasons) -> None: ...

    def add_many(self, statements: Sequence[StatementOfReasons]) -> None: ...

    def for_listing(self, listing_id: str) -> list[StatementOfReasons]: ...


class TransparencySource(Protocol):
    """Statements by period, with what their Transparency Database records need."""

    def statements_between(
        self, since: datetime, until: datetime, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[StatementFacts]: ...

    def unsent(self, now: datetime, limit: int) -> list[StatementFacts]: ...

    def open_submissions(self, puids: Collection[str], now: datetime) -> None: ...

    def settle(
        self,
        state: SubmissionState,
        puids: Collection[str],
        now: datetime,
        errors: Mapping[str, Mapping[str, list[str]]] | None = None,
    ) -> None: ...

    def retry_later(self, puids: Collection[str], at: datetime, error: str) -> None: ...

    def attempts_of(self, puids: Collection[str]) -> int: ...

    def resend_refused(self, puids: Collection[str] | None, now: datetime) -> int: ...

    def submission_counts(self) -> dict[str, int]: ...

    def refused(self, limit: int) -> list[tuple[str, dict[str, list[str]]]]: ...


class TransparencyDatabase(Protocol):
    """The Commission's DSA Transparency Database API: one batch of records per call.
    Never raises for what the service answers; a transport failure is `transient`."""

    def submit(self, records: Sequence[Mapping[str, object]]) -> BatchOutcome: ...


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


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...

    def by_username(self, username: str) -> User | None: ...

    def list_all(self) -> list[User]: ...

    def set_disabled(self, user: User) -> None: ...


class ConsoleSessionRepository(Protocol):
    def add(self, cs: ConsoleSession) -> None: ...

    def get(self, token_hash: str) -> ConsoleSession | None:
        """The session, `principal_ended` if its key is revoked or its user disabled."""
        ...

    def list_live(self, now: datetime, limit: int) -> list[ConsoleSession]: ...

    def end_for(self, principal: str) -> int: ...

    def delete(self, token_hash: str) -> None: ...

    def purge(self, now: datetime) -> int: ...


class PreferenceRepository(Protocol):
    def locale_of(self, actor_id: str) -> str | None: ...

    def set_locale(self, actor_id: str, locale: str | None, now: datetime) -> None: ...


class SignInThrottleRepository(Protocol):
    def get_many(self, keys: list[str]) -> list[Throttle]: ...

    def lock(self, key: str, now: datetime) -> Throttle | None:
        """The key's throttle, locked for this transaction (None if nothing is counted)."""
        ...

    def save(self, throttle: Throttle) -> None: ...

    def clear(self, key: str) -> None: ...

    def locked(self, now: datetime, limit: int) -> list[Throttle]: ...

    def purge(self, before: datetime) -> int: ...


class JobRepository(Protocol):
    """The durable job queue (ADR 0007)."""

    def add(self, job: Job) -> bool:
        """Enqueue; False (and no error) when the job's dedupe key is already taken."""
        ...

    def get(self, job_id: str) -> Job | None: ...

    def next_claimable(
        self, now: datetime, kinds: Collection[str], *, lock: bool = True
    ) -> Job | None:
        """The most urgent due job (or one with an expired lease); with `lock`, locked
        for this transaction and skipped by other claimers."""
        ...

    def save(self, job: Job, *, was: Job) -> None:
        """Write if the job is still as `was` (else raise Conflict: the lease was lost)."""
        ...

    def recent(self, *, state: JobState | None, kind: str | None, limit: int) -> list[Job]: ...

    def purge_finished(self, before: datetime) -> int: ...


class AuditHeadRepository(Protocol):
    def heads(self) -> list[LaneHead]:
        """Every audit lane's head (lane, place of its last entry, that entry's hash)."""
        ...


class BlobReferenceRepository(Protocol):
    def referenced(self, digests: Collection[str]) -> set[str]:
        """Which of these stored-file digests a voucher or notice evidence row names."""
        ...


class CheckpointSigner(Protocol):
    """Signs audit checkpoints with a key the database does not hold."""

    @property
    def key_id(self) -> str: ...

    def sign(self, data: bytes) -> str:
        """The signature of `data`, hex-encoded."""
        ...


class CheckpointArchive(Protocol):
    """Append-only storage of checkpoint documents outside the database."""

    def keep(self, name: str, content: bytes) -> str:
        """Store a new document (never overwriting one); returns where it went."""
        ...


class PasswordHasher(Protocol):
    """A memory-hard password hash; `verify` takes None for an unknown user (still slow)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str | None, password: str) -> bool: ...


class AddressResolver(Protocol):
    """A host's addresses, to refuse webhook targets in private ranges (SSRF)."""

    def resolve(self, host: str) -> list[str]: ...


@dataclass(frozen=True)
class WebhookRequest:
    """One signed POST: the body is the event's envelope, the same bytes on every try."""

    url: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class WebhookResponse:
    status_code: int | None  # None: no HTTP answer (refused, timed out, too big, redirect)
    latency_ms: int
    excerpt: str
    error: str | None = None


class WebhookSender(Protocol):
    """Sends webhook requests; never raises for what the receiver does."""

    async def send(self, request: WebhookRequest) -> WebhookResponse: ...

    async def aclose(self) -> None: ...


class CredentialReader(Protocol):
    """Reads a compact credential and checks its signature under the key its kid names
    (`key_for`); never raises for what the token holds."""

    def read(self, token: str, key_for: Callable[[str], IssuerKey | None]) -> Presented: ...


class CredentialRepository(Protocol):
    """Issuer keys, issued credentials and the vouchers that presented them (ADR 0014)."""

    def add_key(self, key: IssuerKey) -> None: ...

    def key(self, kid: str) -> IssuerKey | None: ...

    def list_keys(self, holder_id: str | None = None) -> list[IssuerKey]: ...

    def save_key(self, key: IssuerKey) -> None: ...

    def add_credential(self, credential: IssuedCredential) -> bool: ...

    def credential(self, credential_id: str) -> IssuedCredential | None: ...

    def credentials(self, holder_id: str, *, limit: int = 200) -> list[IssuedCredential]: ...

    def save_credential(self, credential: IssuedCredential) -> None: ...

    def used_indexes(self, holder_id: str) -> set[int]: ...

    def set_indexes(self, holder_id: str, purpose: StatusPurpose) -> list[int]: ...

    def add_use(
        self,
        voucher_id: str,
        credential_id: str,
        kid: str,
        listing_id: str,
        seller_id: str,
        at: datetime,
    ) -> None: ...

    def uses_of_void(self) -> list[tuple[str, str]]: ...

    def mark_voided(self, voucher_ids: Collection[str], at: datetime) -> None: ...

    def uses_by_voucher(self, voucher_ids: Collection[str]) -> dict[str, str]: ...


class WebhookRepository(Protocol):
    """Catalog events, webhook endpoints and their secrets, deliveries and attempts."""

    def add_endpoint(self, endpoint: Endpoint) -> None: ...

    def endpoint(self, endpoint_id: str) -> Endpoint | None: ...

    def endpoints(self, *, enabled_only: bool = False) -> list[Endpoint]: ...

    def save_endpoint(self, endpoint: Endpoint) -> Endpoint: ...

    def add_secret(self, endpoint_id: str, secret: str, at: datetime) -> None: ...

    def expire_secrets(self, endpoint_id: str, at: datetime) -> None: ...

    def secrets(self, endpoint_ids: Collection[str], now: datetime) -> dict[str, list[str]]: ...

    def lock_relay(self) -> bool: ...

    def unrelayed(self, limit: int) -> list[tuple[int, str, dict[str, Any], datetime]]: ...

    def has_unrelayed(self) -> bool: ...

    def mark_relayed(self, outbox_ids: Sequence[int], at: datetime) -> None: ...

    def next_sequences(self, counts: Mapping[str, int]) -> dict[str, int]: ...

    def add_events(
        self, events: Sequence[Event], relayed_at: datetime, endpoint_id: str | None = None
    ) -> None: ...

    def add_deliveries(self, pairs: Iterable[tuple[str, Event]], at: datetime) -> int: ...

    def events_after(
        self, position: int, limit: int, types: Collection[str] = ()
    ) -> list[Event]: ...

    def events_by_id(self, event_ids: Collection[str]) -> dict[str, Event]: ...

    def events_between(self, since: datetime, until: datetime, limit: int) -> list[Event]: ...

    def due_endpoints(self, now: datetime) -> list[str]: ...

    def claimable(self, endpoint_id: str, now: datetime, limit: int) -> list[Delivery]: ...

    def save_claims(self, claimed: Sequence[Delivery]) -> None: ...

    def settle(self, settled: Sequence[Delivery]) -> set[int]: ...

    def add_attempts(self, attempts: Sequence[Attempt]) -> None: ...

    def deliveries(
        self,
        endpoint_id: str,
        *,
        event_ids: Collection[str] | None = None,
        occurred: tuple[datetime, datetime] | None = None,
        state: DeliveryState | None = None,
        limit: int = 1000,
    ) -> list[Delivery]: ...

    def save_deliveries(self, changed: Sequence[Delivery]) -> None: ...

    def attempts(self, endpoint_id: str, *, before: int | None, limit: int) -> list[Attempt]: ...

    def stats(self, now: datetime, since: datetime) -> dict[str, dict[str, Any]]: ...

    def unrelayed_count(self) -> int: ...

    def purge(self, before: datetime) -> int: ...

    def purge_events(self, before: datetime) -> int: ...


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

    @property
    def notices(self) -> NoticeRepository: ...

    @property
    def penalties(self) -> PenaltyRepository: ...

    @property
    def appeals(self) -> AppealRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def console_sessions(self) -> ConsoleSessionRepository: ...

    @property
    def brand_requests(self) -> BrandRequestRepository: ...

    @property
    def sign_in_throttle(self) -> SignInThrottleRepository: ...

    @property
    def preferences(self) -> PreferenceRepository: ...

    @property
    def jobs(self) -> JobRepository: ...

    @property
    def readings(self) -> ReadingRepository: ...

    @property
    def audit_heads(self) -> AuditHeadRepository: ...

    @property
    def blob_refs(self) -> BlobReferenceRepository: ...

    @property
    def webhooks(self) -> WebhookRepository: ...

    @property
    def credentials(self) -> CredentialRepository: ...

    @property
    def transparency(self) -> TransparencySource: ...

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
