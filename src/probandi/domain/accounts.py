"""Console accounts: reviewers and admins with passwords, and signed-in sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from probandi.domain.actors import Actor, Role
from probandi.domain.errors import InvalidInput

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 200
USER_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})


@dataclass(frozen=True)
class User:
    """A person on the platform's staff; parties sign in with their API keys instead."""

    id: str
    username: str
    role: Role
    password_hash: str
    created_at: datetime
    disabled_at: datetime | None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=f"user-{self.id}", role=self.role)


def check_new_user(username: str, role: Role, password: str) -> None:
    if not USERNAME.match(username):
        raise InvalidInput("username: 2-64 lower-case letters, digits and . _ -", field="username")
    if role not in USER_ROLES:
        raise InvalidInput("users are reviewers or admins; parties use API keys", field="role")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            f"the password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters", field="password"
        )


@dataclass(frozen=True)
class ConsoleSession:
    """Who signed in, until when, and the token its forms must carry (CSRF)."""

    token_hash: str
    actor: Actor
    label: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime

    def live(self, *, now: datetime) -> bool:
        return self.expires_at > now
