"""Sessions end with their key or user; failed sign-ins are throttled in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from probandi.adapters.db.rows import ApiKeyRow, AuditRow
from probandi.bootstrap import Runtime, bootstrap
from probandi.config import Settings
from probandi.domain.actors import Actor, Role
from probandi.domain.errors import InvalidTransition
from probandi.domain.signin import SignInThrottled
from probandi.services.accounts import (
    create_user,
    disable_user,
    enable_user,
    end_session,
    list_sessions,
    session_of,
    sign_in_with_key,
    sign_in_with_password,
)
from probandi.services.clock import FrozenClock
from probandi.services.keys import create_api_key, revoke_api_key
from probandi.services.signin import list_lockouts

ADMIN = Actor("admin-1", Role.ADMIN)
PASSWORD = "a long enough passphrase"
WRONG = "not the passphrase"
HERE = "192.0.2.7"


def _tags(runtime: Runtime, prefix: str) -> list[str]:
    with runtime.writer.connect() as conn:
        tags = conn.execute(select(AuditRow.tag).where(AuditRow.tag.startswith(prefix)))
        return list(tags.scalars())


def test_a_revoked_keys_console_session_is_refused_on_the_next_request(
    runtime: Runtime,
) -> None:
    svc = runtime.services
    key = create_api_key(Role.REVIEWER, None, "k", svc=svc)
    signed = sign_in_with_key(key, client=HERE, svc=svc)
    assert signed is not None
    assert session_of(signed.token, svc=svc) is not None
    assert revoke_api_key(key, svc=svc)
    assert session_of(signed.token, svc=svc) is None
    assert list_sessions(ADMIN, svc=svc) == []


def test_a_session_ends_when_its_key_is_revoked_behind_the_services_back(
    runtime: Runtime,
) -> None:
    """The session row survives an out-of-band revocation; its key's status still ends it."""
    svc = runtime.services
    key = create_api_key(Role.REVIEWER, None, "k", svc=svc)
    signed = sign_in_with_key(key, client=HERE, svc=svc)
    assert signed is not None
    with runtime.writer.begin() as conn:
        conn.execute(update(ApiKeyRow).values(revoked_at=svc.clock.now()))
    assert session_of(signed.token, svc=svc) is None


def test_disabling_a_user_ends_their_sessions_and_refuses_their_sign_in(
    runtime: Runtime,
) -> None:
    svc = runtime.services
    create_user("rev.bob", Role.REVIEWER, PASSWORD, ADMIN, svc=svc)
    signed = sign_in_with_password("rev.bob", PASSWORD, client=HERE, svc=svc)
    assert signed is not None
    user, ended = disable_user("rev.bob", ADMIN, svc=svc)
    assert ended == 1
    assert user.disabled_at is not None
    assert session_of(signed.token, svc=svc) is None
    assert sign_in_with_password("rev.bob", PASSWORD, client=HERE, svc=svc) is None
    with pytest.raises(InvalidTransition):
        disable_user("rev.bob", ADMIN, svc=svc)
    enable_user("rev.bob", ADMIN, svc=svc)
    assert sign_in_with_password("rev.bob", PASSWORD, client=HERE, svc=svc) is not None
    assert _tags(runtime, "user:") == ["user:created", "user:disabled", "user:enabled"]


def test_an_admin_ends_someone_elses_session(runtime: Runtime) -> None:
    svc = runtime.services
    key = create_api_key(Role.REVIEWER, None, "k", svc=svc)
    signed = sign_in_with_key(key, client=HERE, svc=svc)
    assert signed is not None
    [live] = list_sessions(ADMIN, svc=svc)
    assert live.client == HERE
    end_session(live.token_hash, ADMIN, svc=svc)
    assert session_of(signed.token, svc=svc) is None
    assert _tags(runtime, "console:session:") == ["console:session:ended"]


def test_wrong_passwords_lock_the_account_longer_each_time_even_for_the_right_one(
    runtime: Runtime, clock: FrozenClock
) -> None:
    svc = runtime.services
    create_user("rev.bob", Role.REVIEWER, PASSWORD, ADMIN, svc=svc)
    for _ in range(5):  # free failures
        assert sign_in_with_password("rev.bob", WRONG, client=HERE, svc=svc) is None
    waits = []
    for _ in range(4):
        assert sign_in_with_password("rev.bob", WRONG, client=HERE, svc=svc) is None
        with pytest.raises(SignInThrottled) as refused:
            sign_in_with_password("rev.bob", PASSWORD, client=HERE, svc=svc)
        waits.append(refused.value.retry_after)
        clock.advance(timedelta(seconds=refused.value.retry_after))
    assert waits == [1, 2, 4, 8]
    assert [t.key for t in list_lockouts(ADMIN, svc=svc)] == []  # the last lock has passed
    assert sign_in_with_password("rev.bob", WRONG, client=HERE, svc=svc) is None
    assert [t.key for t in list_lockouts(ADMIN, svc=svc)] == ["account:rev.bob"]
    assert _tags(runtime, "console:sign_in:failed").count("console:sign_in:failed") == 10
    assert len(_tags(runtime, "console:sign_in:locked")) == 5
    clock.advance(timedelta(seconds=16))
    assert sign_in_with_password("rev.bob", PASSWORD, client=HERE, svc=svc) is not None
    # the right password forgets the account's failures: the next one costs nothing
    assert sign_in_with_password("rev.bob", WRONG, client=HERE, svc=svc) is None
    assert sign_in_with_password("rev.bob", PASSWORD, client=HERE, svc=svc) is not None


def test_one_address_guessing_many_accounts_is_locked(runtime: Runtime) -> None:
    svc = runtime.services
    for i in range(20):
        assert sign_in_with_password(f"guess{i}", WRONG, client=HERE, svc=svc) is None
    assert sign_in_with_password("guess99", WRONG, client=HERE, svc=svc) is None
    with pytest.raises(SignInThrottled):
        sign_in_with_key("pbk_wrong", client=HERE, svc=svc)
    assert sign_in_with_key("pbk_wrong", client="198.51.100.1", svc=svc) is None


def test_a_lock_survives_a_restart(
    runtime: Runtime, settings: Settings, clock: FrozenClock
) -> None:
    svc = runtime.services
    create_user("rev.bob", Role.REVIEWER, PASSWORD, ADMIN, svc=svc)
    for _ in range(6):
        sign_in_with_password("rev.bob", WRONG, client=HERE, svc=svc)
    restarted = bootstrap(settings, clock=clock)
    try:
        with pytest.raises(SignInThrottled):
            sign_in_with_password("rev.bob", PASSWORD, client="203.0.113.9", svc=restarted.services)
    finally:
        restarted.dispose()
