"""Sign-in throttling: refuse while locked, count failures, and tell admins about lockouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from probandi.domain.actors import SYSTEM, Actor, Role
from probandi.domain.signin import (
    ACCOUNT,
    ADDRESS,
    SignInLimits,
    Throttle,
    after_failure,
    refusal,
    throttle_key,
)
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import UnitOfWork

DEFAULT_LIMITS = SignInLimits()


@dataclass(frozen=True)
class Attempt:
    """Who tries to sign in: the account named (None for an API key) and the client address."""

    account: str | None
    address: str

    @property
    def keys(self) -> list[str]:
        keys = [throttle_key(ADDRESS, self.address or "unknown")]
        if self.account:
            keys.insert(0, throttle_key(ACCOUNT, self.account))
        return keys


def check_throttle(attempt: Attempt, *, svc: Services) -> None:
    """Raise SignInThrottled while the account or the address is locked, before any
    password is checked: a locked account refuses even the right password."""
    with svc.reader() as uow:
        throttles = uow.sign_in_throttle.get_many(attempt.keys)
    refused = refusal(throttles, now=svc.clock.now())
    if refused is not None:
        raise refused


def note_failure(attempt: Attempt, *, limits: SignInLimits, svc: Services) -> list[Throttle]:
    """Count one failed sign-in against the account and the address; audit it and any lock
    it starts. One transaction; the rows are locked so concurrent failures all count."""
    now = svc.clock.now()
    counted = []
    with svc.uow() as uow:
        for key in attempt.keys:
            throttle = after_failure(
                uow.sign_in_throttle.lock(key, now), key, now=now, rule=limits.rule(key)
            )
            uow.sign_in_throttle.save(throttle)
            counted.append(throttle)
        subject = f"sign_in:{attempt.keys[0]}"
        record(
            uow,
            SYSTEM,
            "console:sign_in:failed",
            subject,
            now,
            account=attempt.account,
            address=attempt.address,
            failures={t.key: t.failures for t in counted},
        )
        for t in counted:
            if t.locked_until is not None:
                record(
                    uow,
                    SYSTEM,
                    "console:sign_in:locked",
                    subject,
                    now,
                    key=t.key,
                    failures=t.failures,
                    locked_until=t.locked_until.isoformat(),
                )
        _forget_stale(uow, now, limits)
        uow.commit()
    return counted


def clear_account(uow: UnitOfWork, attempt: Attempt) -> None:
    """A right password forgets the account's failures (not the address's: one valid
    account must not reset the count of guesses at others)."""
    if attempt.account:
        uow.sign_in_throttle.clear(attempt.keys[0])


def _forget_stale(uow: UnitOfWork, now: datetime, limits: SignInLimits) -> None:
    longest = max(limits.account.forget_after, limits.address.forget_after)
    uow.sign_in_throttle.purge(now - longest)


def list_lockouts(actor: Actor, *, svc: Services) -> list[Throttle]:
    """Accounts and addresses locked now, for the admin's notice."""
    require_role(actor, Role.ADMIN)
    with svc.reader() as uow:
        return uow.sign_in_throttle.locked(svc.clock.now(), 200)
