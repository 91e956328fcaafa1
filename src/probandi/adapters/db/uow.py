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
from sqlalchemy.orm import Session, sessionmaker

from probandi.adapters.db.accounts import SqlConsoleSessionRepository, SqlUserRepository
from probandi.adapters.db.forensics import SqlFingerprintRepository
from probandi.adapters.db.notices import (
    SqlAppealRepository,
    SqlNoticeRepository,
    SqlPenaltyRepository,
    SqlRightsHolderRepository,
)
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
    """Owns one session; commit() seals audit entries onto the chain, then commits."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        write_lock: AbstractContextManager[object] | None = None,
        versions: RegistryVersionCache | None = None,
    ) -> None:
        self._versions = versions or RegistryVersionCache(ttl=0.0)
        self._factory = session_factory
        self._clock = clock
        # SQLite allows one writer: queueing in-process is fairer and faster than its
        # busy handler's sleep-and-retry, which made some requests wait over a second.
        self._write_lock = write_lock or nullcontext()

    def __enter__(self) -> Self:
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
        self._audit: list[AuditEntry] = []
        self._undo: list[Callable[[], None]] = []
        self._outbox: list[dict[str, object]] = []
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
                for undo in reversed(self._undo):
                    undo()
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
        self.session.commit()
        self._committed = True
        if self.brands.bumped:
            self._versions.forget()
        self._audit.clear()
        self._outbox.clear()

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
