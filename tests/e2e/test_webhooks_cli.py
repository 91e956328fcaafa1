"""`probandi webhooks`, run as an operator runs it against a fresh database: endpoints
added (a private target only when allowed), listed, changed and their secrets rotated;
test events sent by a `probandi worker` to a receiver process, verified with the
`standardwebhooks` verifier; attempts, redelivery and metrics (issue 17)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from tests.support.receiver import ReceiverProcess, receiver
from tests.support.servers import PROBANDI, free_port, run_cli, server_env
from tests.support.webhooks import delivered, wait_until

ALLOW_PRIVATE = {"PROBANDI_WEBHOOK_ALLOW_PRIVATE": "1"}


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """A fresh database, which the first command migrates; private targets refused whatever
    the runner's environment says."""
    env = server_env(database_url, tmp_path / "vouchers") | {
        "PROBANDI_CHECKPOINT_KEY": str(tmp_path / "checkpoint.key"),
        "PROBANDI_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "PROBANDI_CHECKPOINT_SECONDS": "0",
        "PROBANDI_ORPHAN_SWEEP_SECONDS": "0",
        "PROBANDI_WEBHOOK_POLL_SECONDS": "0.05",
    }
    env.pop("PROBANDI_WEBHOOK_ALLOW_PRIVATE", None)
    return env


@pytest.fixture
def hooks(tmp_path: Path) -> Iterator[ReceiverProcess]:
    with receiver(free_port(), tmp_path / "received.jsonl") as r:
        yield r


@contextmanager
def a_worker(env: dict[str, str], log: Path) -> Iterator[None]:
    """`probandi worker` (it runs the webhook dispatcher) until the block ends."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            [PROBANDI, "worker"], env=env, cwd=log.parent, stdout=out, stderr=out
        )
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def ok(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = run_cli(env, *args)
    assert done.returncode == 0, f"{args}: {done.stderr}"
    return done


def refused(env: dict[str, str], *args: str) -> str:
    """The one line a refused command prints (stderr), exit code 2, nothing on stdout."""
    done = run_cli(env, *args)
    assert done.returncode == 2, f"{args}: {done.stdout} {done.stderr}"
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def add(env: dict[str, str], url: str, *args: str) -> tuple[str, str]:
    """`webhooks add` with private targets allowed: the endpoint id and its secret."""
    done = ok(env | ALLOW_PRIVATE, "webhooks", "add", url, *args)
    lines = dict(line.split(maxsplit=1) for line in done.stdout.splitlines())
    assert set(lines) == {"endpoint", "secret"}, done.stdout
    assert "shown this once" in done.stderr
    assert lines["secret"].startswith("whsec_")
    return lines["endpoint"], lines["secret"]


def as_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(ok(env, "webhooks", *args, "--json").stdout)


def test_a_loopback_target_is_refused_unless_private_targets_are_allowed(
    env: dict[str, str],
) -> None:
    line = refused(env, "webhooks", "add", "http://127.0.0.1:9/hooks")
    assert "webhook_target_refused" in line
    assert "loopback" in line

    endpoint_id, _ = add(env, "http://127.0.0.1:9/hooks")
    [listed] = as_json(env, "list")
    assert (listed["id"], listed["url"], listed["enabled"]) == (
        endpoint_id,
        "http://127.0.0.1:9/hooks",
        True,
    )
    # Allowed for the add, not afterwards: moving it to a private address is refused again.
    moved = refused(env, "webhooks", "update", endpoint_id, "--url", "http://10.1.2.3/hooks")
    assert "private" in moved
    assert as_json(env, "show", endpoint_id)["url"] == "http://127.0.0.1:9/hooks"


def test_bad_input_is_one_clear_line_and_exit_2(env: dict[str, str]) -> None:
    private = env | ALLOW_PRIVATE
    assert "only http and https" in refused(private, "webhooks", "add", "ftp://example.org/x")
    unknown_type = refused(private, "webhooks", "add", "http://127.0.0.1:9/", "--type", "[/x]")
    assert "unknown event type(s): [/x]" in unknown_type  # quoted as typed, not as markup
    assert as_json(env, "list") == []
    assert "not_found" in refused(env, "webhooks", "show", "no-such-endpoint")

    endpoint_id, _ = add(env, "http://127.0.0.1:9/hooks")
    assert "nothing to change" in refused(env, "webhooks", "update", endpoint_id)
    unknown_event = refused(env, "webhooks", "redeliver", endpoint_id, "--event", "evt_nope")
    assert "no event 'evt_nope'" in unknown_event
    assert "--event" in refused(env, "webhooks", "redeliver", endpoint_id)
    not_a_time = refused(
        env, "webhooks", "redeliver", endpoint_id, "--since", "yesterday", "--until", "2030-01-01"
    )
    assert "--since is not an ISO 8601 time" in not_a_time
    too_long = ("--overlap-seconds", str(8 * 86_400))
    assert "7 days" in refused(env, "webhooks", "rotate-secret", endpoint_id, *too_long)


def test_an_endpoint_is_listed_disabled_and_its_secret_rotated_never_shown_again(
    env: dict[str, str],
) -> None:
    endpoint_id, secret = add(
        env, "http://127.0.0.1:9/hooks", "--type", "listing.proof_due", "--description", "ops"
    )
    ok(env, "webhooks", "update", endpoint_id, "--disable", "--type", "voucher.decided")
    table = ok(env, "webhooks", "list").stdout
    [row] = [line for line in table.splitlines() if endpoint_id in line]
    assert "voucher.decided" in row
    assert " no " in row
    shown = as_json(env, "show", endpoint_id)
    assert shown["enabled"] is False
    assert shown["disabled_reason"] == "disabled by an admin"
    assert shown["event_types"] == ["voucher.decided"]
    assert shown["description"] == "ops"

    rotated = ok(env, "webhooks", "rotate-secret", endpoint_id, "--overlap-seconds", "3600")
    [new_secret] = [line.split()[1] for line in rotated.stdout.splitlines()]
    assert new_secret.startswith("whsec_")
    assert new_secret != secret
    assert "stop signing at" in rotated.stderr
    for command in (("list", "--json"), ("show", endpoint_id), ("metrics",)):
        done = ok(env, "webhooks", *command)
        assert endpoint_id in done.stdout
        assert secret not in done.stdout + done.stderr
        assert new_secret not in done.stdout + done.stderr
    assert secret not in table + json.dumps(shown)


def _requests_of(hooks: ReceiverProcess, event_id: str) -> list[dict[str, Any]]:
    return [r for r in hooks.requests() if r["headers"].get("webhook-id") == event_id]


def settled(env: dict[str, str], endpoint_id: str, count: int) -> list[dict[str, Any]]:
    """The endpoint's attempt log (newest first) once it holds `count` tries."""
    found: list[dict[str, Any]] = []

    def enough() -> bool:
        found[:] = as_json(env, "attempts", endpoint_id)
        return len(found) >= count

    wait_until(enough, what=f"{count} attempt(s)")
    return found


def test_test_events_reach_a_receiver_signed_and_show_in_attempts_and_metrics(
    env: dict[str, str], hooks: ReceiverProcess, tmp_path: Path
) -> None:
    endpoint_id, secret = add(env, hooks.url, "--type", "listing.proof_due")
    with a_worker(env | ALLOW_PRIVATE, tmp_path / "worker.log"):
        first = ok(env, "webhooks", "test", endpoint_id).stdout.strip()
        [attempt] = settled(env, endpoint_id, 1)
        assert (attempt["event_id"], attempt["status_code"]) == (first, 200)
        [event] = delivered(hooks, secret)
        assert (event["id"], event["type"]) == (first, "webhook.test")
        assert event["data"]["endpoint_id"] == endpoint_id

        # After a rotation each message carries both signatures until the overlap ends.
        rotated = ok(env, "webhooks", "rotate-secret", endpoint_id, "--overlap-seconds", "600")
        new_secret = rotated.stdout.split()[1]
        second = ok(env, "webhooks", "test", endpoint_id).stdout.strip()
        settled(env, endpoint_id, 2)
        [request] = _requests_of(hooks, second)
        for key in (secret, new_secret):
            assert Webhook(key).verify(request["body"], request["headers"])["id"] == second

        # A disabled endpoint keeps its test event queued; enabled again, it is sent.
        ok(env, "webhooks", "update", endpoint_id, "--disable")
        queued = ok(env, "webhooks", "test", endpoint_id)
        assert "sent once enabled" in queued.stderr
        assert as_json(env, "metrics")["endpoints"][endpoint_id]["queued"] == 1
        ok(env, "webhooks", "update", endpoint_id, "--enable")
        third = queued.stdout.strip()
        settled(env, endpoint_id, 3)

        again = ok(env, "webhooks", "redeliver", endpoint_id, "--event", first)
        assert f"queued 1 delivery(ies) to endpoint {endpoint_id}" in again.stdout
        log = settled(env, endpoint_id, 4)
        assert [(a["event_id"], a["status_code"]) for a in log] == [
            (first, 200),
            (third, 200),
            (second, 200),
            (first, 200),
        ]
        assert len(_requests_of(hooks, first)) == 2

    table = ok(env, "webhooks", "attempts", endpoint_id).stdout
    assert all(event_id in table for event_id in (first, second, third))
    metrics = as_json(env, "metrics")
    assert (metrics["queued"], metrics["dead"], metrics["failures"]) == (0, 0, 0)
    assert metrics["endpoints"][endpoint_id]["attempts"] >= 1  # the last 5 minutes
    assert metrics["attempts_per_second"] > 0
    assert endpoint_id in ok(env, "webhooks", "metrics").stdout
    assert secret not in (tmp_path / "worker.log").read_text()
