"""Console users and sessions, mapped explicitly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, func, not_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import ApiKeyRow, ConsoleSessionRow, UserRow
from probandi.domain.accounts import USER_PRINCIPAL, ConsoleSession, User
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
            raise Conflict(
                "the username %(username)r is taken", params={"username": user.username}
            ) from exc

    def by_username(self, username: str) -> User | None:
        row = self.s.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()
        return _user(row) if row else None

    def list_all(self) -> list[User]:
        rows = self.s.execute(select(UserRow).order_by(UserRow.username)).scalars()
        return [_user(r) for r in rows]

    def set_disabled(self, user: User) -> None:
        self.s.execute(
            update(UserRow).where(UserRow.id == user.id).values(disabled_at=user.disabled_at)
        )


def _principal_active() -> ColumnElement[bool]:
    """True while the session's key is unrevoked or its user enabled (checked per request)."""
    principal = ConsoleSessionRow.principal
    key_active = exists().where(ApiKeyRow.id == principal, ApiKeyRow.revoked_at.is_(None))
    user_active = exists().where(
        principal.startswith(USER_PRINCIPAL, autoescape=True),
        UserRow.id == func.substr(principal, len(USER_PRINCIPAL) + 1),
        UserRow.disabled_at.is_(None),
    )
    return or_(key_active, user_active)


def _session(row: ConsoleSessionRow, active: bool) -> ConsoleSession:
    actor = Actor(row.principal, Role(row.role), row.party_id)
    return ConsoleSession(
        row.token_hash,
        actor,
        row.label,
        row.csrf_token,
        row.created_at,
        row.expires_at,
        client=row.client,
        principal_ended=not active,
    )


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
                client=(cs.client or "")[:64] or None,
            )
        )
        self.s.flush()

    def get(self, token_hash: str) -> ConsoleSession | None:
        """The session with its principal's standing, read in the same query."""
        found = self.s.execute(
            select(ConsoleSessionRow, _principal_active().label("active")).where(
                ConsoleSessionRow.token_hash == token_hash
            )
        ).one_or_none()
        return _session(found[0], bool(found[1])) if found else None

    def list_live(self, now: datetime, limit: int) -> list[ConsoleSession]:
        rows = self.s.execute(
            select(ConsoleSessionRow)
            .where(ConsoleSessionRow.expires_at > now, _principal_active())
            .order_by(ConsoleSessionRow.created_at.desc())
            .limit(limit)
        ).scalars()
        return [_session(r, True) for r in rows]

    def end_for(self, principal: str) -> int:
        """Delete every session of a key or user; the number deleted."""
        result = self.s.execute(
            delete(ConsoleSessionRow).where(ConsoleSessionRow.principal == principal)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def delete(self, token_hash: str) -> None:
        self.s.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == token_hash))

    def purge(self, now: datetime) -> int:
        result = self.s.execute(
            delete(ConsoleSessionRow).where(
                or_(ConsoleSessionRow.expires_at <= now, not_(_principal_active()))
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
