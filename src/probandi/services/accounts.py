"""Use cases of console accounts: staff users, sign-in with a password or an API key,
sessions with their CSRF token, sign-out."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from probandi.domain.accounts import ConsoleSession, User, check_new_user
from probandi.domain.actors import Actor, Role
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.keys import authenticate

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


def _open(actor: Actor, label: str, svc: Services) -> SignedIn:
    token = secrets.token_urlsafe(32)
    now = svc.clock.now()
    session = ConsoleSession(
        _digest(token), actor, label, secrets.token_urlsafe(32), now, now + SESSION_TTL
    )
    with svc.uow() as uow:
        uow.console_sessions.purge(now)
        uow.console_sessions.add(session)
        record(uow, actor, "console:signed_in", f"{actor.role.value}:{actor.id}", now, label=label)
        uow.commit()
    return SignedIn(token, session)


def sign_in_with_password(username: str, password: str, *, svc: Services) -> SignedIn | None:
    """None for a wrong name or password alike (and the same work either way)."""
    with svc.reader() as uow:
        user = uow.users.by_username(username.strip().lower()[:64])
    ok = svc.passwords.verify(user.password_hash if user else None, password[:200])
    if user is None or not ok or user.disabled_at is not None:
        return None
    return _open(user.actor, user.username, svc)


def sign_in_with_key(raw_key: str, *, svc: Services) -> SignedIn | None:
    actor = authenticate(raw_key.strip(), svc=svc)
    if actor is None:
        return None
    label = f"{actor.role.value}" + (f" {actor.party_id}" if actor.party_id else "")
    return _open(actor, label, svc)


def session_of(token: str, *, svc: Services) -> ConsoleSession | None:
    if not token or len(token) > 100:
        return None
    with svc.reader() as uow:
        session = uow.console_sessions.get(_digest(token))
    if session is None or not session.live(now=svc.clock.now()):
        return None
    return session


def sign_out(token: str, *, svc: Services) -> None:
    with svc.uow() as uow:
        session = uow.console_sessions.get(_digest(token))
        if session is not None:
            uow.console_sessions.delete(session.token_hash)
            a = session.actor
            record(uow, a, "console:signed_out", f"{a.role.value}:{a.id}", svc.clock.now())
            uow.commit()
