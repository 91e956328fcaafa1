"""Console accounts on a real database: Argon2id passwords, sessions that expire, sign-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from probandi.adapters.db.rows import ConsoleSessionRow, UserRow
from probandi.bootstrap import Runtime
from probandi.domain.actors import Actor, Role
from probandi.domain.errors import Conflict, Forbidden, InvalidInput
from probandi.services.accounts import (
    SESSION_TTL,
    create_user,
    session_of,
    sign_in_with_key,
    sign_in_with_password,
    sign_out,
)
from probandi.services.clock import FrozenClock
from probandi.services.keys import create_api_key

ADMIN = Actor("admin-1", Role.ADMIN)
PASSWORD = "a long enough passphrase"


def test_a_user_signs_in_with_the_right_password_only(runtime: Runtime) -> None:
    svc = runtime.services
    create_user("rev.bob", Role.REVIEWER, PASSWORD, ADMIN, svc=svc)
    with runtime.writer.connect() as conn:
        stored = conn.execute(select(UserRow.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert sign_in_with_password("rev.bob", "wrong password!!", svc=svc) is None
    assert sign_in_with_password("nobody", PASSWORD, svc=svc) is None
    signed = sign_in_with_password("REV.BOB", PASSWORD, svc=svc)
    assert signed is not None
    assert signed.session.actor.role is Role.REVIEWER
    with runtime.writer.connect() as conn:
        token_hashes = list(conn.execute(select(ConsoleSessionRow.token_hash)).scalars())
    assert signed.token not in token_hashes  # only the hash of the cookie is stored


def test_users_are_staff_with_unique_names_and_long_passwords(runtime: Runtime) -> None:
    svc = runtime.services
    with pytest.raises(InvalidInput):
        create_user("x", Role.REVIEWER, PASSWORD, ADMIN, svc=svc)
    with pytest.raises(InvalidInput):
        create_user("shop.a", Role.SELLER, PASSWORD, ADMIN, svc=svc)
    with pytest.raises(InvalidInput):
        create_user("rev.c", Role.REVIEWER, "short", ADMIN, svc=svc)
    with pytest.raises(Forbidden):
        create_user("rev.c", Role.REVIEWER, PASSWORD, Actor("r", Role.REVIEWER), svc=svc)
    create_user("rev.c", Role.REVIEWER, PASSWORD, ADMIN, svc=svc)
    with pytest.raises(Conflict):
        create_user("rev.c", Role.ADMIN, PASSWORD, ADMIN, svc=svc)


def test_a_session_expires_and_ends_at_sign_out(runtime: Runtime, clock: FrozenClock) -> None:
    svc = runtime.services
    key = create_api_key(Role.REVIEWER, None, "k", svc=svc)
    signed = sign_in_with_key(key, svc=svc)
    assert signed is not None
    assert session_of(signed.token, svc=svc) is not None
    assert session_of("not-a-token", svc=svc) is None
    clock.advance(SESSION_TTL + timedelta(seconds=1))
    assert session_of(signed.token, svc=svc) is None
    again = sign_in_with_key(key, svc=svc)
    assert again is not None
    sign_out(again.token, svc=svc)
    assert session_of(again.token, svc=svc) is None
    assert sign_in_with_key("pbk_unknown", svc=svc) is None
