"""Use cases of console accounts: staff users, sign-in with a password or an API key,
sessions with their CSRF token, sign-out."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from probandi.domain.accounts import ConsoleSession, User, UserAction, check_new_user
from probandi.domain.actors import Actor, Role
from probandi.domain.errors import NotFound
from probandi.domain.signin import SignInLimits
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.keys import authenticate
from probandi.services.signin import (
    DEFAULT_LIMITS,
    Attempt,
    check_throttle,
    clear_account,
    note_failure,
)

SESSION_TTL = timedelta(hours=12)


@dataclass(frozen=True)
class SignedIn:
    token: str  # the cookie's value, returned once; only its hash is stored
    session: ConsoleSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(username: str, role: Role, password: str, actor: Actor, *, svc: Services) -> User:
    """A reviewer or admin of the console (admins, or the operator's CLI)."""
    require_role(actor, Role.ADMIN)
    check_new_user(username, role, password)
    user = User(uuid.uuid4().hex, username, role, svc.passwords.hash(password), svc.clock.now())
    with svc.uow() as uow:
        uow.users.add(user)
        record(
            uow,
            actor,
            "user:created",
            f"user:{user.id}",
            user.created_at,
            username=username,
            role=role.value,
        )
        uow.commit()
    return user


def list_users(actor: Actor, *, svc: Services) -> list[User]:
    require_role(actor, Role.ADMIN)
    with svc.reader() as uow:
        return uow.users.list_all()


def _open(actor: Actor, label: str, attempt: Attempt, svc: Services) -> SignedIn:
    token = secrets.token_urlsafe(32)
    now = svc.clock.now()
    session = ConsoleSession(
        _digest(token),
        actor,
        label,
        secrets.token_urlsafe(32),
        now,
        now + SESSION_TTL,
        client=attempt.address,
    )
    with svc.uow() as uow:
        uow.console_sessions.purge(now)
        uow.console_sessions.add(session)
        clear_account(uow, attempt)
        record(
            uow,
            actor,
            "console:signed_in",
            f"{actor.role.value}:{actor.id}",
            now,
            label=label,
            address=attempt.address,
        )
        uow.commit()
    return SignedIn(token, session)


def sign_in_with_password(
    username: str,
    password: str,
    *,
    client: str = "unknown",
    limits: SignInLimits = DEFAULT_LIMITS,
    svc: Services,
) -> SignedIn | None:
    """None for a wrong name or password alike (and the same work either way); raises
    SignInThrottled while the account or the client's address is locked."""
    name = username.strip().lower()[:64]
    attempt = Attempt(name, client)
    check_throttle(attempt, svc=svc)
    with svc.reader() as uow:
        user = uow.users.by_username(name)
    ok = svc.passwords.verify(user.password_hash if user else None, password[:200])
    if user is None or not ok or user.disabled_at is not None:
        note_failure(attempt, limits=limits, svc=svc)
        return None
    return _open(user.actor, user.username, attempt, svc)


def sign_in_with_key(
    raw_key: str,
    *,
    client: str = "unknown",
    limits: SignInLimits = DEFAULT_LIMITS,
    svc: Services,
) -> SignedIn | None:
    """Throttled per address only: a wrong key names no account."""
    attempt = Attempt(None, client)
    check_throttle(attempt, svc=svc)
    actor = authenticate(raw_key.strip(), svc=svc)
    if actor is None:
        note_failure(attempt, limits=limits, svc=svc)
        return None
    label = f"{actor.role.value}" + (f" {actor.party_id}" if actor.party_id else "")
    return _open(actor, label, attempt, svc)


def session_of(token: str, *, svc: Services) -> ConsoleSession | None:
    found = session_and_locale(token, svc=svc)
    return found[0] if found else None


def session_and_locale(token: str, *, svc: Services) -> tuple[ConsoleSession, str | None] | None:
    """The live session of a cookie's token, and its principal's saved locale: one read."""
    if not token or len(token) > 100:
        return None
    with svc.reader() as uow:
        session = uow.console_sessions.get(_digest(token))
        if session is None or not session.live(now=svc.clock.now()):
            return None
        return session, uow.preferences.locale_of(session.actor.id)


def sign_out(token: str, *, svc: Services) -> None:
    with svc.uow() as uow:
        session = uow.console_sessions.get(_digest(token))
        if session is not None:
            uow.console_sessions.delete(session.token_hash)
            a = session.actor
            record(uow, a, "console:signed_out", f"{a.role.value}:{a.id}", svc.clock.now())
            uow.commit()


def _set_user_status(
    username: str, action: UserAction, actor: Actor, *, svc: Services
) -> tuple[User, int]:
    require_role(actor, Role.ADMIN)
    with svc.uow() as uow:
        user = uow.users.by_username(username.strip().lower()[:64])
        if user is None:
            raise NotFound("no user %(username)r", username=username)
        now = svc.clock.now()
        changed = user.apply(action, at=now)
        uow.users.set_disabled(changed)
        ended = uow.console_sessions.end_for(user.actor.id)
        tag = "user:disabled" if action is UserAction.DISABLE else "user:enabled"
        record(uow, actor, tag, f"user:{user.id}", now, username=user.username, sessions=ended)
        uow.commit()
    return changed, ended


def disable_user(username: str, actor: Actor, *, svc: Services) -> tuple[User, int]:
    """Disable a user and end its console sessions at once; (the user, sessions ended)."""
    return _set_user_status(username, UserAction.DISABLE, actor, svc=svc)


def enable_user(username: str, actor: Actor, *, svc: Services) -> User:
    """Let a disabled user sign in again (old sessions stay ended)."""
    return _set_user_status(username, UserAction.ENABLE, actor, svc=svc)[0]


def list_sessions(actor: Actor, *, svc: Services) -> list[ConsoleSession]:
    """Live console sessions, newest first (admins only)."""
    require_role(actor, Role.ADMIN)
    with svc.reader() as uow:
        return uow.console_sessions.list_live(svc.clock.now(), 500)


def end_session(token_hash: str, actor: Actor, *, svc: Services) -> None:
    """An admin ends someone's console session."""
    require_role(actor, Role.ADMIN)
    with svc.uow() as uow:
        session = uow.console_sessions.get(token_hash[:64])
        if session is None:
            raise NotFound("no such session (it may have ended already)")
        uow.console_sessions.delete(session.token_hash)
        a = session.actor
        now = svc.clock.now()
        record(uow, actor, "console:session:ended", f"{a.role.value}:{a.id}", now, by=actor.id)
        uow.commit()
