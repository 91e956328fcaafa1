"""Failed sign-ins per account and per address, kept in the database so that every server
process sees them and a restart forgets nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from probandi.adapters.db.rows import Base
from probandi.adapters.db.types import UtcDateTime
from probandi.domain.signin import Throttle


class SignInThrottleRow(Base):
    __tablename__ = "sign_in_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # account:<name>, address:<ip>
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


def _throttle(row: SignInThrottleRow) -> Throttle:
    return Throttle(row.key, row.failures, row.last_failed_at, row.locked_until)


class SqlSignInThrottleRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get_many(self, keys: list[str]) -> list[Throttle]:
        rows = self.s.execute(
            select(SignInThrottleRow).where(SignInThrottleRow.key.in_(keys))
        ).scalars()
        return [_throttle(r) for r in rows]

    def lock(self, key: str, now: datetime) -> Throttle | None:
        """The key's throttle, its row locked until commit so that concurrent failures on
        other processes count one after another (created empty first if new)."""
        dialect = self.s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.s.execute(
            insert(SignInThrottleRow)
            .values(key=key, failures=0, last_failed_at=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = self.s.execute(
            select(SignInThrottleRow)
            .where(SignInThrottleRow.key == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        return _throttle(row) if row.failures else None

    def save(self, throttle: Throttle) -> None:
        row = self.s.get_one(SignInThrottleRow, throttle.key)
        row.failures = throttle.failures
        row.last_failed_at = throttle.last_failed_at
        row.locked_until = throttle.locked_until
        self.s.flush()

    def clear(self, key: str) -> None:
        self.s.execute(delete(SignInThrottleRow).where(SignInThrottleRow.key == key))

    def locked(self, now: datetime, limit: int) -> list[Throttle]:
        rows = self.s.execute(
            select(SignInThrottleRow)
            .where(SignInThrottleRow.locked_until > now)
            .order_by(SignInThrottleRow.locked_until.desc())
            .limit(limit)
        ).scalars()
        return [_throttle(r) for r in rows]

    def purge(self, before: datetime) -> int:
        result = self.s.execute(
            delete(SignInThrottleRow).where(
                SignInThrottleRow.last_failed_at < before,
                (SignInThrottleRow.locked_until.is_(None))
                | (SignInThrottleRow.locked_until < before),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
