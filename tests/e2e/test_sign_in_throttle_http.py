"""Console sign-in over HTTP: growing locks answered 429 with Retry-After, seen by admins."""

from __future__ import annotations

from datetime import timedelta

import httpx

from probandi.domain.actors import Actor, Role
from probandi.services.accounts import create_user
from probandi.services.clock import FrozenClock
from tests.support.console import form_token, sign_in
from tests.support.world import World

PASSWORD = "a long enough passphrase"
ADMIN = Actor("test-admin", Role.ADMIN)


def test_wrong_passwords_get_growing_429s_and_admins_see_the_lockout(
    world: World, live_url: str, clock: FrozenClock
) -> None:
    svc = world.runtime.services
    create_user("rev.bob", Role.REVIEWER, PASSWORD, ADMIN, svc=svc)
    with httpx.Client(base_url=live_url) as attacker:
        answers = [
            sign_in(attacker, username="rev.bob", password="guess").status_code for _ in range(6)
        ]
        assert answers == [401] * 6
        waits = []
        for _ in range(3):
            refused = sign_in(attacker, username="rev.bob", password=PASSWORD)
            assert refused.status_code == 429
            assert "too many failed sign-ins" in refused.text
            waits.append(int(refused.headers["Retry-After"]))
            clock.advance(timedelta(seconds=waits[-1]))
            assert sign_in(attacker, username="rev.bob", password="guess").status_code == 401
        assert waits == [1, 2, 4]

    admin_key = world.key(Role.ADMIN)
    with httpx.Client(base_url=live_url) as admin:
        assert sign_in(admin, api_key=admin_key).status_code == 303
        home = admin.get("/console/admin")
        assert "Sign-in lockout" in home.text
        assert "account:rev.bob" in home.text
        sessions = admin.get("/console/admin/sessions")
        assert "account:rev.bob" in sessions.text
        assert "this session" in sessions.text  # the admin's own live session is listed


def test_an_admin_disables_a_user_in_the_console_and_their_session_ends(
    world: World, live_url: str
) -> None:
    svc = world.runtime.services
    create_user("rev.bob", Role.REVIEWER, PASSWORD, ADMIN, svc=svc)
    with httpx.Client(base_url=live_url) as bob, httpx.Client(base_url=live_url) as admin:
        assert sign_in(bob, username="rev.bob", password=PASSWORD).status_code == 303
        assert bob.get("/console/queue").status_code == 200
        assert sign_in(admin, api_key=world.key(Role.ADMIN)).status_code == 303
        page = admin.get("/console/admin/sessions")
        assert "rev.bob" in page.text
        done = admin.post(
            "/console/admin/users/rev.bob/disable", data={"csrf_token": form_token(page)}
        )
        assert done.status_code == 303
        gone = bob.get("/console/queue")
        assert gone.status_code == 303
        assert gone.headers["location"] == "/console/login"
