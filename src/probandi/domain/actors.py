"""Who is acting: every request is made by a principal of one party and role."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    PLATFORM = "platform"
    SELLER = "seller"
    RIGHTS_HOLDER = "rights_holder"
    REVIEWER = "reviewer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    """An authenticated caller; `party_id` is the seller or rights holder it acts for."""

    id: str
    role: Role
    party_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.role.value}:{self.id}"


SYSTEM = Actor(id="system", role=Role.ADMIN)
