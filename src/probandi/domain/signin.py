"""Sign-in throttling: failures per account and per client address, exponential backoff."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from probandi.domain.errors import DomainError
from probandi.domain.locales import N_

ACCOUNT = "account"
ADDRESS = "address"
MAX_KEY = 200


@dataclass(frozen=True)
class BackoffRule:
    """`free` failures cost nothing; each one after them locks for `base` * 2^(n - free - 1),
    at most `cap`. A quiet spell of `forget_after` since the last failure starts afresh."""

    free: int
    base: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)

    def delay(self, failures: int) -> timedelta:
        over = failures - self.free
        if over <= 0:
            return timedelta(0)
        # 2**over overflows a timedelta long before it matters: stop doubling at the cap.
        seconds = self.base.total_seconds() * 2 ** min(over - 1, 40)
        return min(self.cap, timedelta(seconds=seconds))


@dataclass(frozen=True)
class SignInLimits:
    """An account is locked sooner than an address, which many honest people may share."""

    account: BackoffRule = BackoffRule(free=5)
    address: BackoffRule = BackoffRule(free=20)

    def rule(self, key: str) -> BackoffRule:
        return self.account if key.startswith(f"{ACCOUNT}:") else self.address


def throttle_key(scope: str, value: str) -> str:
    return f"{scope}:{value.strip().lower()}"[:MAX_KEY]


@dataclass(frozen=True)
class Throttle:
    """The failed sign-ins counted against one account or address, and its lock."""

    key: str
    failures: int
    last_failed_at: datetime
    locked_until: datetime | None = None

    def retry_after(self, *, now: datetime) -> timedelta | None:
        """How long sign-in stays refused, or None when it is not locked."""
        if self.locked_until is None or self.locked_until <= now:
            return None
        return self.locked_until - now


def after_failure(
    current: Throttle | None, key: str, *, now: datetime, rule: BackoffRule
) -> Throttle:
    """The throttle once one more failure is counted (a stale count is forgotten first)."""
    failures = 0
    if current is not None and now - current.last_failed_at < rule.forget_after:
        failures = current.failures
    failures += 1
    delay = rule.delay(failures)
    return Throttle(key, failures, now, now + delay if delay else None)


class SignInThrottled(DomainError):
    """Too many failed sign-ins: refused, whatever the password, until `retry_after`."""

    code = "sign_in_throttled"

    def __init__(self, wait: timedelta) -> None:
        self.retry_after = max(1, math.ceil(wait.total_seconds()))
        super().__init__(
            N_("too many failed sign-ins; try again in %(retry_after)s s"),
            retry_after=self.retry_after,
        )


def refusal(throttles: list[Throttle], *, now: datetime) -> SignInThrottled | None:
    """The longest lock among these, if any holds now."""
    waits = [w for t in throttles if (w := t.retry_after(now=now)) is not None]
    return SignInThrottled(max(waits)) if waits else None
