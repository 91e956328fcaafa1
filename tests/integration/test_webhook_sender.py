"""The aiohttp webhook sender against a receiver process: what it refuses before connecting
(SSRF, literal and resolved names), and what a try records when the receiver is slow,
redirects or floods."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from probandi.adapters.webhooks.http import AiohttpSender
from probandi.domain.webhooks import WebhookPolicy
from probandi.services.ports import WebhookRequest, WebhookResponse
from tests.support.receiver import ReceiverProcess, receiver
from tests.support.servers import free_port


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReceiverProcess]:
    log = tmp_path_factory.mktemp("sender") / "received.jsonl"
    with receiver(free_port(), log) as r:
        yield r


def send(policy: WebhookPolicy, *urls: str) -> list[WebhookResponse]:
    async def run() -> list[WebhookResponse]:
        sender = AiohttpSender(policy)
        try:
            return [
                await sender.send(WebhookRequest(url, {"webhook-id": "msg_1"}, b'{"a":1}'))
                for url in urls
            ]
        finally:
            await sender.aclose()

    return asyncio.run(run())


def test_loopback_targets_are_refused_by_address_and_by_name(target: ReceiverProcess) -> None:
    before = len(target.requests())
    literal, named = send(
        WebhookPolicy(allow_private_targets=False),
        target.url,
        target.url.replace("127.0.0.1", "localhost"),
    )
    for r in (literal, named):
        assert r.status_code is None
        assert r.error is not None
        assert r.error.startswith("refused target:"), r.error
        assert "loopback" in r.error
    assert len(target.requests()) == before  # nothing reached the receiver


def test_an_allowed_target_answers_and_the_body_arrives_unchanged(
    target: ReceiverProcess,
) -> None:
    target.control(status=204, delay=0, body_bytes=0, redirect=None)
    (r,) = send(
        WebhookPolicy(allow_private_targets=True), target.url.replace("127.0.0.1", "localhost")
    )
    assert (r.status_code, r.error) == (204, None)
    last = target.requests()[-1]
    assert last["body"] == '{"a":1}'
    assert last["headers"]["webhook-id"] == "msg_1"


def test_slow_redirecting_and_flooding_receivers_cost_one_failed_try(
    target: ReceiverProcess,
) -> None:
    policy = WebhookPolicy(allow_private_targets=True, timeout_seconds=0.5, max_response_bytes=1000)
    target.control(status=200, delay=2, body_bytes=0, redirect=None)
    (slow,) = send(policy, target.url)
    assert (slow.status_code, slow.error) == (None, "timed out")
    assert 400 <= slow.latency_ms < 2000

    target.control(delay=0, redirect="http://10.0.0.1/elsewhere")
    (moved,) = send(policy, target.url)
    assert moved.status_code == 302
    assert moved.error == "redirects are not followed: http://10.0.0.1/elsewhere"

    target.control(redirect=None, body_bytes=5 * 1024 * 1024)
    (flood,) = send(policy, target.url)
    assert flood.status_code == 200
    assert flood.error == "answer cut at 1000 bytes"
    assert flood.excerpt.startswith("xxx")

    target.control(body_bytes=0, status=503)
    (down,) = send(policy, target.url)
    assert (down.status_code, down.error, down.excerpt) == (503, None, "ok")


def test_a_closed_port_is_a_failed_try_not_an_exception() -> None:
    (r,) = send(WebhookPolicy(allow_private_targets=True), f"http://127.0.0.1:{free_port()}/in")
    assert r.status_code is None
    assert r.error is not None
    assert "Connect" in r.error
