"""Who may gate a brand, and the requests an admin decides when the caller may not.

Gating a brand holds every listing that names it, across all sellers, so it is an
admin's decision, or a verified rights holder's for a brand whose marks it holds (issue 5's
verification). Anything else a rights holder asks of the registry is a request that an
admin approves or refuses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.actors import Actor
from probandi.domain.brands import Brand
from probandi.domain.errors import InvalidInput, InvalidTransition

MAX_REASON = 2_000


class RequestState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # the registry now holds what was asked
    REFUSED = "refused"


class RequestAction(enum.StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"


TRANSITIONS: dict[tuple[RequestState, RequestAction], RequestState] = {
    (RequestState.PENDING, RequestAction.APPROVE): RequestState.APPROVED,
    (RequestState.PENDING, RequestAction.REFUSE): RequestState.REFUSED,
}


def allowed_actions(state: RequestState) -> frozenset[RequestAction]:
    return frozenset(a for (s, a) in TRANSITIONS if s is state)


def widens_gating(current: Brand | None, proposed: Brand) -> bool:
    """Would saving `proposed` hold listings that `current` does not: a new gated brand,
    gating an ungated one, or a new name or alias of a gated one."""
    if not proposed.gated:
        return False
    if current is None or not current.gated:
        return True
    return not proposed.names_folded() <= current.names_folded()


def needs_admin(current: Brand | None, proposed: Brand, *, verified: frozenset[str]) -> bool:
    """Whether a rights holder's save must go to an admin as a request.

    A new brand always does: nobody holds verified marks for a brand the registry does not
    have yet. A change to a brand it holds does when it widens gating, unless the holder's
    marks for that brand are verified (`verified`: brand ids, from `verified_brands`).
    """
    if current is None:
        return True
    return widens_gating(current, proposed) and current.id not in verified


@dataclass(frozen=True)
class BrandRequest:
    """A rights holder's request to add a brand or change one, decided by an admin."""

    id: str
    holder_id: str
    brand_id: str | None  # None: a new brand (its id is settled on approval)
    proposed: Brand  # what the registry would hold, rights holders aside
    created_at: datetime
    state: RequestState = RequestState.PENDING
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None

    def apply(
        self, action: RequestAction, *, by: Actor, at: datetime, reason: str | None = None
    ) -> BrandRequest:
        """Approve or refuse a pending request; a refusal says why."""
        target = TRANSITIONS.get((self.state, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a brand request that is %(state)s",
                state=self.state.value,
                action=action.value,
                allowed=sorted(a.value for a in allowed_actions(self.state)),
            )
        reason = (reason or "").strip() or None
        if action is RequestAction.REFUSE and reason is None:
            raise InvalidInput("a refusal says why", field="reason")
        if reason is not None and len(reason) > MAX_REASON:
            raise InvalidInput(
                "the reason is at most %(MAX_REASON)s characters",
                field="reason",
                params={"MAX_REASON": MAX_REASON},
            )
        return replace(self, state=target, decided_at=at, decided_by=by.id, reason=reason)


@dataclass(frozen=True)
class DecideBrandRequest:
    actor: Actor
    request_id: str
    action: RequestAction
    reason: str | None = None
