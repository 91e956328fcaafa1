"""The unit of work: one transaction with its audit entries and outbox messages."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC
from types import TracebackType
from typing import Self

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from probandi.adapters.db.repositories import (
    SqlApiKeyRepository,
    SqlBrandRepository,
    SqlFxRepository,
    SqlListingRepository,
    SqlRightsHolderRepository,
    SqlSellerRepository,
    SqlStatementRepository,
    SqlTaskRepository,
    SqlVoucherRepository,
)
from probandi.adapters.db.rows import AuditHeadRow, AuditRow, OutboxRow
from probandi.domain.audit import GENESIS, AuditEntry, chain_hash
from probandi.services.ports import Clock

HEAD_ID = 1


def normalized(entry: AuditEntry) -> AuditEntry:
    """The entry exactly as it will read back from the database (UTC, plain JSON)."""
    data = json.loads(json.dumps(dict(entry.data), default=str, ensure_ascii=False))
    return AuditEntry(entry.at.astimezone(UTC), entry.actor, entry.tag, entry.subject, data)


class SqlUnitOfWork:
    """Owns one session; commit() seals audit entries onto the chain, then commits."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Clock) -> None:
        self._factory = session_factory
        self._clock = clock

    def __enter__(self) -> Self:
        self.session = self._factory()
        s = self.session
        self.brands = SqlBrandRepository(s)
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

    def record(self, entry: AuditEntry) -> None:
        self._audit.append(normalized(entry))

    def publish(self, topic: str, payload: Mapping[str, object]) -> None:
        body = json.loads(json.dumps(dict(payload), default=str))
        self.session.add(
            OutboxRow(topic=topic, payload=body, attempts=0, created_at=self._clock.now())
        )

    def on_rollback(self, undo: Callable[[], None]) -> None:
        self._undo.append(undo)

    def commit(self) -> None:
        self.session.flush()
        if self._audit:
            self._seal()
        self.session.commit()
        self._committed = True
        self._audit.clear()

    def _seal(self) -> None:
        # Locking the head row serializes appenders, so the chain never forks.
        head = self.session.execute(
            select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).with_for_update()
        ).scalar_one_or_none()
        if head is None:
            head = AuditHeadRow(id=HEAD_ID, seq=0, hash=GENESIS)
            self.session.add(head)
        seq, prev = head.seq, head.hash
        for entry in self._audit:
            seq += 1
            digest = chain_hash(prev, entry)
            self.session.add(
                AuditRow(
                    seq=seq,
                    at=entry.at,
                    actor=entry.actor,
                    tag=entry.tag,
                    subject=entry.subject,
                    data=json.dumps(entry.data, ensure_ascii=False, sort_keys=True),
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        head.seq, head.hash = seq, prev
        self.session.flush()
