"""Revoking a key or disabling a user ends access on every server process at once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.domain.actors import Actor, Role
from probandi.services.accounts import create_user
from probandi.services.keys import create_api_key
from tests.support.console import sign_in
from tests.support.servers import probandi_servers, run_cli, server_env

PASSWORD = "a long enough passphrase"
ADMIN = Actor("test-admin", Role.ADMIN)
REVOCATION_BOUND = 2.0  # seconds; the acceptance bound of issue 13


def _console(url: str, token: str) -> int:
    cookies = {"probandi_session": token}
    return httpx.get(f"{url}/console/queue", cookies=cookies, timeout=10).status_code


def _api(url: str, key: str) -> int:
    auth = {"Authorization": f"Bearer {key}"}
    return httpx.get(f"{url}/v1/listings", headers=auth, timeout=10).status_code


def test_a_revoked_key_stops_answering_on_two_processes_within_two_seconds(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    key = create_api_key(Role.REVIEWER, None, "two-process", svc=runtime.services)
    env = server_env(settings.database_url, settings.voucher_dir)
    with probandi_servers(env, tmp_path / "logs") as urls:
        with httpx.Client(base_url=urls[0]) as browser:
            assert sign_in(browser, api_key=key).status_code == 303
            token = browser.cookies["probandi_session"]
        assert [_api(u, key) for u in urls] == [200, 200]  # both caches now hold the key
        assert [_console(u, token) for u in urls] == [200, 200]
        revoked = run_cli(env, "keys", "revoke", key)
        assert revoked.returncode == 0, revoked.stderr
        started = time.monotonic()
        # The console reads the key's status on every request: refused at once.
        assert [_console(u, token) for u in urls] == [303, 303]
        answers = [_api(u, key) for u in urls]
        while answers != [401, 401] and time.monotonic() - started < REVOCATION_BOUND:
            time.sleep(0.05)
            answers = [_api(u, key) for u in urls]
        assert answers == [401, 401]


def test_users_disable_ends_console_sessions_on_two_processes(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    create_user("rev.bob", Role.REVIEWER, PASSWORD, ADMIN, svc=runtime.services)
    env = server_env(settings.database_url, settings.voucher_dir)
    with probandi_servers(env, tmp_path / "logs") as urls:
        with httpx.Client(base_url=urls[1]) as browser:
            assert sign_in(browser, username="rev.bob", password=PASSWORD).status_code == 303
            token = browser.cookies["probandi_session"]
        assert [_console(u, token) for u in urls] == [200, 200]
        disabled = run_cli(env, "users", "disable", "rev.bob")
        assert disabled.returncode == 0, disabled.stderr
        assert "1 console session(s) ended" in disabled.stderr
        assert [_console(u, token) for u in urls] == [303, 303]
        with httpx.Client(base_url=urls[0]) as browser:
            again = sign_in(browser, username="rev.bob", password=PASSWORD)
            assert again.status_code == 401
