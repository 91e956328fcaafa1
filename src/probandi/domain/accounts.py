"""Console accounts: reviewers and admins with passwords, and signed-in sessions."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.actors import Actor, Role
from probandi.domain.errors import InvalidInput, InvalidTransition

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 200
USER_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})
USER_PRINCIPAL = "user-"  # a user's actor id is this prefix and the user's id


class UserStatus(enum.StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class UserAction(enum.StrEnum):
    DISABLE = "disable"
    ENABLE = "enable"


USER_TRANSITIONS: dict[tuple[UserStatus, UserAction], UserStatus] = {
    (UserStatus.ACTIVE, UserAction.DISABLE): UserStatus.DISABLED,
    (UserStatus.DISABLED, UserAction.ENABLE): UserStatus.ACTIVE,
}


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
        return Actor(id=f"{USER_PRINCIPAL}{self.id}", role=self.role)

    @property
    def status(self) -> UserStatus:
        return UserStatus.ACTIVE if self.disabled_at is None else UserStatus.DISABLED

    def apply(self, action: UserAction, *, at: datetime) -> User:
        """The user after `action`; disabling an active user or enabling a disabled one."""
        target = USER_TRANSITIONS.get((self.status, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a user who is %(status)s",
                status=self.status.value,
                action=action.value,
            )
        return replace(self, disabled_at=at if target is UserStatus.DISABLED else None)


def check_new_user(username: str, role: Role, password: str) -> None:
    if not USERNAME.match(username):
        raise InvalidInput("username: 2-64 lower-case letters, digits and . _ -", field="username")
    if role not in USER_ROLES:
        raise InvalidInput("users are reviewers or admins; parties use API keys", field="role")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            "the password must be %(MIN_PASSWORD)s-%(MAX_PASSWORD)s characters",
            field="password",
            params={"MIN_PASSWORD": MIN_PASSWORD, "MAX_PASSWORD": MAX_PASSWORD},
        )


@dataclass(frozen=True)
class ConsoleSession:
    """Who signed in, until when, and the token its forms must carry (CSRF).

    `principal_ended` is true once the key it signed in with is revoked or its user is
    disabled: such a session is over whatever its expiry says."""

    token_hash: str
    actor: Actor
    label: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    client: str | None = None
    principal_ended: bool = False

    def live(self, *, now: datetime) -> bool:
        return not self.principal_ended and self.expires_at > now
