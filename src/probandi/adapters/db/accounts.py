"""Console users and sessions, mapped explicitly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import ConsoleSessionRow, UserRow
from probandi.domain.accounts import ConsoleSession, User
from probandi.domain.actors import Actor, Role
from probandi.domain.errors import Conflict


def _user(row: UserRow) -> User:
    return User(
        row.id, row.username, Role(row.role), row.password_hash, row.created_at, row.disabled_at
    )


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, user: User) -> None:
        self.s.add(
            UserRow(
                id=user.id,
                username=user.username,
                role=user.role.value,
                password_hash=user.password_hash,
                created_at=user.created_at,
                disabled_at=user.disabled_at,
            )
        )
        try:
            self.s.flush()
        except IntegrityError as exc:
            raise Conflict(f"the username {user.username!r} is taken") from exc

    def by_username(self, username: str) -> User | None:
        row = self.s.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()
        return _user(row) if row else None

    def list_all(self) -> list[User]:
        rows = self.s.execute(select(UserRow).order_by(UserRow.username)).scalars()
        return [_user(r) for r in rows]


class SqlConsoleSessionRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, cs: ConsoleSession) -> None:
        a = cs.actor
        self.s.add(
            ConsoleSessionRow(
                token_hash=cs.token_hash,
                principal=a.id,
                role=a.role.value,
                party_id=a.party_id,
                label=cs.label[:200],
                csrf_token=cs.csrf_token,
                created_at=cs.created_at,
                expires_at=cs.expires_at,
            )
        )
        self.s.flush()

    def get(self, token_hash: str) -> ConsoleSession | None:
        row = self.s.get(ConsoleSessionRow, token_hash)
        if row is None:
            return None
        actor = Actor(row.principal, Role(row.role), row.party_id)
        return ConsoleSession(
            row.token_hash, actor, row.label, row.csrf_token, row.created_at, row.expires_at
        )

    def delete(self, token_hash: str) -> None:
        self.s.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == token_hash))

    def purge(self, now: datetime) -> int:
        result = self.s.execute(
            delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at <= now)
        )
        return int(getattr(result, "rowcount", 0) or 0)
