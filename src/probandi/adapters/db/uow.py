"""The unit of work: one transaction with its audit entries and outbox messages."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Insert, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from probandi.adapters.db import request_tx
from probandi.adapters.db.accounts import SqlConsoleSessionRepository, SqlUserRepository
from probandi.adapters.db.brand_requests import SqlBrandRequestRepository
from probandi.adapters.db.credentials import SqlCredentialRepository
from probandi.adapters.db.forensics import SqlFingerprintRepository
from probandi.adapters.db.integrity import SqlAuditHeadRepository, SqlBlobReferenceRepository
from probandi.adapters.db.jobs import SqlJobRepository
from probandi.adapters.db.notices import (
    SqlAppealRepository,
    SqlNoticeRepository,
    SqlPenaltyRepository,
    SqlRightsHolderRepository,
)
from probandi.adapters.db.preferences import SqlPreferenceRepository
from probandi.adapters.db.readings import SqlReadingRepository
from probandi.adapters.db.repositories import (
    RegistryVersionCache,
    SqlApiKeyRepository,
    SqlBrandRepository,
    SqlFxRepository,
    SqlListingRepository,
    SqlSellerRepository,
    SqlStatementRepository,
    SqlTaskRepository,
    SqlVoucherRepository,
    core,
)
from probandi.adapters.db.rows import AuditHeadRow, AuditRow, OutboxRow, table_of
from probandi.adapters.db.signin import SqlSignInThrottleRepository
from probandi.adapters.db.transparency import SqlTransparencySource
from probandi.adapters.db.webhooks import SqlWebhookRepository
from probandi.domain.audit import AuditEntry, chain_hash
from probandi.services.ports import Clock

AUDIT_LANES = 64  # as created by migrations 0001 and 0002
HEAD = table_of(AuditHeadRow)
LOCK_HEAD = (
    select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == bindparam("b_lane")).with_for_update()
)
MOVE_HEAD = update(HEAD).where(HEAD.c.id == bindparam("b_lane"))


def lane_of(subject: str) -> int:
    """A subject's entries always go to one lane, so its history is one ordered chain."""
    return zlib.crc32(subject.encode()) % AUDIT_LANES


AUDIT, OUTBOX = table_of(AuditRow), table_of(OutboxRow)
INSERT_AUDIT = insert(AUDIT)
INSERT_OUTBOX = insert(OUTBOX)
AUDIT_COLUMNS = ("lane", "lane_seq", "at", "actor", "tag", "subject", "prev_hash", "hash", "data")
OUTBOX_COLUMNS = ("topic", "payload", "attempts", "created_at")


def _row(table: Table, columns: tuple[str, ...], prefix: str) -> dict[str, Any]:
    return {c: bindparam(f"{prefix}{c}", type_=table.c[c].type) for c in columns}


def _sealing_statement(with_outbox: bool) -> Insert:
    # One row per table: SQLAlchemy caches the compiled form of a single-row VALUES, not of
    # a multi-row one, and compiling costs more than the round trip it saves.
    moved = (
        update(HEAD)
        .where(HEAD.c.id == bindparam("b_lane"))
        .values(seq=bindparam("b_seq"), hash=bindparam("b_hash"))
    )
    stmt = insert(AUDIT).values(_row(AUDIT, AUDIT_COLUMNS, "a_")).add_cte(moved.cte("moved_head"))
    if with_outbox:
        published = insert(OUTBOX).values(_row(OUTBOX, OUTBOX_COLUMNS, "o_"))
        stmt = stmt.add_cte(published.cte("published"))
    return stmt


# PostgreSQL: a push's one audit entry, the head move and its one outbox message in one
# round trip. Data-modifying CTEs always run to completion, referenced or not.
SEAL_ONE = {False: _sealing_statement(False), True: _sealing_statement(True)}


def _prefixed(prefix: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {f"{prefix}{k}": v for k, v in row.items()}


def normalized(entry: AuditEntry) -> AuditEntry:
    """The entry exactly as it will read back from the database (UTC, plain JSON)."""
    data = json.loads(json.dumps(dict(entry.data), default=str, ensure_ascii=False))
    return AuditEntry(entry.at.astimezone(UTC), entry.actor, entry.tag, entry.subject, data)


class SqlUnitOfWork:
    """Owns one session; commit() seals audit entries onto the chain, then commits.

    Inside an idempotent request the first commit parks instead, and later units of work
    of that request join the parked session, so the request's effect and its stored answer
    commit together (adapters/db/request_tx.py).
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        write_lock: AbstractContextManager[object] | None = None,
        versions: RegistryVersionCache | None = None,
        *,
        reads_only: bool = False,
        async_bound: bool = False,
    ) -> None:
        self.reads_only = reads_only
        # Its session runs on an asyncio driver: usable only from a greenlet on the loop.
        self.async_bound = async_bound
        self._versions = versions or RegistryVersionCache(ttl=0.0)
        self._factory = session_factory
        self._clock = clock
        # SQLite allows one writer: queueing in-process is fairer and faster than its
        # busy handler's sleep-and-retry, which made some requests wait over a second.
        self._write_lock = write_lock or nullcontext()

    def __enter__(self) -> Self:
        self._parked = False
        self._savepoint: SessionTransaction | None = None
        rt = request_tx.current()
        host = rt.host if rt is not None else None
        self._joined = host if isinstance(host, SqlUnitOfWork) and self._can_join(host) else None
        self.session: Session
        if self._joined is not None:
            self.session = self._joined.session
            if not self.reads_only:
                self._savepoint = self.session.begin_nested()
        else:
            self._write_lock.__enter__()
            self.session = self._factory()
        s = self.session
        self.brands = SqlBrandRepository(s, self._versions)
        self.rights_holders = SqlRightsHolderRepository(s)
        self.sellers = SqlSellerRepository(s)
        self.listings = SqlListingRepository(s)
        self.vouchers = SqlVoucherRepository(s)
        self.tasks = SqlTaskRepository(s)
        self.statements = SqlStatementRepository(s)
        self.fx = SqlFxRepository(s)
        self.api_keys = SqlApiKeyRepository(s)
        self.fingerprints = SqlFingerprintRepository(s)
        self.notices = SqlNoticeRepository(s)
        self.penalties = SqlPenaltyRepository(s)
        self.appeals = SqlAppealRepository(s)
        self.users = SqlUserRepository(s)
        self.console_sessions = SqlConsoleSessionRepository(s)
        self.brand_requests = SqlBrandRequestRepository(s)
        self.sign_in_throttle = SqlSignInThrottleRepository(s)
        self.preferences = SqlPreferenceRepository(s)
        self.jobs = SqlJobRepository(s)
        self.readings = SqlReadingRepository(s)
        self.audit_heads = SqlAuditHeadRepository(s)
        self.blob_refs = SqlBlobReferenceRepository(s)
        self.webhooks = SqlWebhookRepository(s)
        self.credentials = SqlCredentialRepository(s)
        self.transparency = SqlTransparencySource(s)
        self._audit: list[AuditEntry] = []
        self._undo: list[Callable[[], None]] = []
        self._outbox: list[dict[str, object]] = []
        self._committed = False
        self._bumped = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._joined is not None:
            if not self._committed:
                if self._savepoint is not None and self._savepoint.is_active:
                    self._savepoint.rollback()
                self._run_undo()
            return
        if self._parked:
            return  # its request ends it, with the answer (end())
        try:
            if not self._committed:
                self.session.rollback()
                self._run_undo()
        finally:
            self.session.close()
            self._write_lock.__exit__(None, None, None)

    def _can_join(self, host: SqlUnitOfWork) -> bool:
        # A session on an asyncio driver works only from the loop's greenlets.
        return self.async_bound or not host.async_bound

    def _run_undo(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def end(self, *, commit: bool) -> None:
        """End a parked transaction: commit it with its answer, or roll it all back."""
        try:
            if commit:
                self.session.commit()
                if self._bumped or self.brands.bumped:
                    self._versions.forget()
            else:
                self.session.rollback()
                self._run_undo()
        finally:
            self.session.close()
            self._write_lock.__exit__(None, None, None)

    def record(self, entry: AuditEntry) -> None:
        self._audit.append(normalized(entry))

    def publish(self, topic: str, payload: Mapping[str, object]) -> None:
        body = json.loads(json.dumps(dict(payload), default=str))
        self._outbox.append(
            {"topic": topic, "payload": body, "attempts": 0, "created_at": self._clock.now()}
        )

    def on_rollback(self, undo: Callable[[], None]) -> None:
        self._undo.append(undo)

    def commit(self) -> None:
        self.session.flush()
        outbox = self._outbox
        if self._audit:
            outbox = self._seal(outbox)
        if outbox:
            # Core statements on the session's connection: no ORM bookkeeping for
            # append-only rows nobody reads back in this transaction.
            core(self.session).execute(INSERT_OUTBOX, outbox)
        self._audit.clear()
        self._outbox.clear()
        if self._joined is not None:
            if self._savepoint is not None:
                self._savepoint.commit()
            self._committed = True
            self._joined.adopt(self._undo, bumped=self.brands.bumped)
            self._undo = []
            return
        rt = request_tx.current()
        if rt is not None and rt.host is None and not self.reads_only:
            rt.host, self._parked, self._committed = self, True, True
            return
        self.session.commit()
        self._committed = True
        if self.brands.bumped:
            self._versions.forget()

    def adopt(self, undo: list[Callable[[], None]], *, bumped: bool) -> None:
        """Take over a joined unit of work's compensations and registry change."""
        self._undo.extend(undo)
        self._bumped = self._bumped or bumped

    def _seal(self, outbox: list[dict[str, object]]) -> list[dict[str, object]]:
        """Chain and write the audit entries; returns the outbox rows still to write."""
        # Locking the lane's head serializes its appenders, so no chain ever forks; the lock
        # is taken last, just before commit, so it is held as briefly as possible, and
        # writers of different lanes do not wait for each other (ADR 0002).
        conn = core(self.session)
        lane = lane_of(self._audit[0].subject)
        head = conn.execute(LOCK_HEAD, {"b_lane": lane}).one()
        seq, prev = head.seq, head.hash
        rows = []
        for entry in self._audit:
            seq += 1
            digest = chain_hash(prev, entry)
            rows.append(
                {
                    "lane": lane,
                    "lane_seq": seq,
                    "at": entry.at,
                    "actor": entry.actor,
                    "tag": entry.tag,
                    "subject": entry.subject,
                    "prev_hash": prev,
                    "hash": digest,
                    "data": json.dumps(entry.data, ensure_ascii=False, sort_keys=True),
                }
            )
            prev = digest
        if conn.dialect.name == "postgresql" and len(rows) == 1 and len(outbox) <= 1:
            params = {"b_lane": lane, "b_seq": seq, "b_hash": prev} | _prefixed("a_", rows[0])
            if outbox:
                params |= _prefixed("o_", outbox[0])
            conn.execute(SEAL_ONE[bool(outbox)], params)
            return []
        conn.execute(INSERT_AUDIT, rows)
        conn.execute(MOVE_HEAD, {"b_lane": lane, "seq": seq, "hash": prev})
        return outbox
