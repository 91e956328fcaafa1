"""The unit of work: one transaction with its audit entries and outbox messages."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC
from types import TracebackType
from typing import Self

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from probandi.adapters.db.repositories import (
    RegistryVersionCache,
    SqlApiKeyRepository,
    SqlBrandRepository,
    SqlFxRepository,
    SqlListingRepository,
    SqlRightsHolderRepository,
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


INSERT_AUDIT = insert(table_of(AuditRow))
INSERT_OUTBOX = insert(table_of(OutboxRow))


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
        if self._outbox:
            # Core statements on the session's connection: no ORM bookkeeping for
            # append-only rows nobody reads back in this transaction.
            core(self.session).execute(INSERT_OUTBOX, self._outbox)
        if self._audit:
            self._seal()
        self.session.commit()
        self._committed = True
        if self.brands.bumped:
            self._versions.forget()
        self._audit.clear()
        self._outbox.clear()

    def _seal(self) -> None:
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
        conn.execute(INSERT_AUDIT, rows)
        conn.execute(MOVE_HEAD, {"b_lane": lane, "seq": seq, "hash": prev})
