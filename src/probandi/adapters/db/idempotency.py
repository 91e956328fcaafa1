"""Stored responses for Idempotency-Key retries."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from probandi.adapters.db.rows import IdempotencyRow
from probandi.services.ports import Clock


class Claim(enum.Enum):
    NEW = "new"
    REPLAY = "replay"
    MISMATCH = "mismatch"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    content_type: str
    body: bytes


# A claim with no answer after this long is taken to be a crashed attempt: its retry runs.
# Its effect was never committed, since an effect commits with its answer (request_tx.py).
CLAIM_LEASE = timedelta(seconds=60)
KEEP_FOR = timedelta(hours=24)


class SqlIdempotencyStore:
    """First writer of (scope, key) wins; later requests replay or are refused."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Clock, lease: timedelta = CLAIM_LEASE
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.lease = lease

    def begin(self, scope: str, key: str, request_hash: str) -> tuple[Claim, StoredResponse | None]:
        with self._sessions() as s:
            row = s.execute(
                select(IdempotencyRow).where(
                    IdempotencyRow.scope == scope, IdempotencyRow.key == key
                )
            ).scalar_one_or_none()
            if row is None:
                s.add(
                    IdempotencyRow(
                        scope=scope,
                        key=key,
                        request_hash=request_hash,
                        created_at=self._clock.now(),
                    )
                )
                try:
                    s.commit()
                    return Claim.NEW, None
                except IntegrityError:
                    s.rollback()
                    return Claim.IN_PROGRESS, None
            if row.request_hash != request_hash:
                return Claim.MISMATCH, None
            if row.status_code is None:
                if row.created_at > self._clock.now() - self.lease:
                    return Claim.IN_PROGRESS, None
                row.created_at = self._clock.now()  # the first attempt died: this one runs
                s.commit()
                return Claim.NEW, None
            return Claim.REPLAY, StoredResponse(
                row.status_code, row.content_type or "", row.body or b""
            )

    @staticmethod
    def answer_in(session: Session, scope: str, key: str, response: StoredResponse) -> None:
        """Store the answer in the caller's transaction: the one that holds its effect."""
        session.execute(
            update(IdempotencyRow)
            .where(IdempotencyRow.scope == scope, IdempotencyRow.key == key)
            .values(
                status_code=response.status,
                content_type=response.content_type,
                body=response.body,
            )
        )

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._sessions() as s:
            row = s.get(IdempotencyRow, (scope, key))
            if row is not None:
                row.status_code, row.content_type = response.status, response.content_type
                row.body = response.body
                s.commit()

    def abandon(self, scope: str, key: str) -> None:
        with self._sessions() as s:
            s.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.scope == scope, IdempotencyRow.key == key
                )
            )
            s.commit()

    def purge(self) -> int:
        """Forget answers older than a day: a retry comes within minutes, not days."""
        with self._sessions() as s:
            result = s.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.created_at < self._clock.now() - KEEP_FOR
                )
            )
            s.commit()
            return int(getattr(result, "rowcount", 0) or 0)
