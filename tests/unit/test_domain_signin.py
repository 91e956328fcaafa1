"""Sign-in backoff, user status transitions, the API's token buckets: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from probandi.domain.accounts import ConsoleSession, User, UserAction, UserStatus
from probandi.domain.actors import Actor, Role
from probandi.domain.errors import InvalidTransition
from probandi.domain.signin import (
    BackoffRule,
    SignInLimits,
    Throttle,
    after_failure,
    refusal,
    throttle_key,
)
from probandi.entrypoints.api.ratelimit import TokenBuckets

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RULE = BackoffRule(free=3, cap=timedelta(seconds=60))


def failures(n: int, *, every: timedelta = timedelta(0)) -> Throttle:
    t: Throttle | None = None
    for i in range(n):
        t = after_failure(t, "account:bob", now=T0 + i * every, rule=RULE)
    assert t is not None
    return t


def test_free_failures_do_not_lock() -> None:
    assert failures(3).locked_until is None


def test_each_failure_past_the_free_ones_doubles_the_lock_up_to_the_cap() -> None:
    locks = [failures(n).retry_after(now=T0) for n in range(4, 11)]
    assert locks == [timedelta(seconds=s) for s in (1, 2, 4, 8, 16, 32, 60)]


def test_a_quiet_spell_forgets_the_failures() -> None:
    stale = failures(9)
    fresh = after_failure(stale, stale.key, now=T0 + RULE.forget_after, rule=RULE)
    assert fresh.failures == 1
    assert fresh.locked_until is None


def test_refusal_takes_the_longest_lock_in_whole_seconds() -> None:
    short = Throttle("address:1.2.3.4", 9, T0, T0 + timedelta(seconds=1.2))
    long = Throttle("account:bob", 9, T0, T0 + timedelta(seconds=30))
    refused = refusal([short, long], now=T0)
    assert refused is not None
    assert refused.retry_after == 30
    assert refusal([short], now=T0 + timedelta(seconds=2)) is None


def test_an_account_locks_sooner_than_an_address() -> None:
    limits = SignInLimits()
    assert limits.rule(throttle_key("account", "Bob")) is limits.account
    assert limits.rule(throttle_key("address", "10.0.0.1")) is limits.address
    assert limits.account.free < limits.address.free
    assert throttle_key("account", " Bob ") == "account:bob"


def test_a_user_is_disabled_and_enabled_only_from_the_other_status() -> None:
    user = User("u1", "rev.bob", Role.REVIEWER, "$argon2id$x", T0)
    off = user.apply(UserAction.DISABLE, at=T0)
    assert off.status is UserStatus.DISABLED
    assert off.disabled_at == T0
    with pytest.raises(InvalidTransition):
        off.apply(UserAction.DISABLE, at=T0)
    assert off.apply(UserAction.ENABLE, at=T0).status is UserStatus.ACTIVE
    with pytest.raises(InvalidTransition):
        user.apply(UserAction.ENABLE, at=T0)


def test_a_session_whose_principal_ended_is_not_live_before_it_expires() -> None:
    live = ConsoleSession("h", Actor("k1", Role.SELLER, "shop"), "s", "c", T0, T0 + timedelta(1))
    ended = ConsoleSession("h", live.actor, "s", "c", T0, T0 + timedelta(1), principal_ended=True)
    assert live.live(now=T0)
    assert not ended.live(now=T0)


def test_a_key_gets_its_burst_then_waits_for_the_next_token() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=3, now=lambda: now[0])
    assert [buckets.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k") == pytest.approx(0.5)
    assert buckets.take("other") == 0.0  # one bucket per key
    now[0] = 0.5
    assert buckets.take("k") == 0.0
