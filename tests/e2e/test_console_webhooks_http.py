"""The console's webhook pages over plain HTTP: a form without its CSRF token is refused, a
refused target is a message on the page (not a 500), the secret is shown once, and the
pages are for admins alone."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from probandi.domain.actors import Role
from probandi.entrypoints.console import webhooks
from tests.support.console import form_token, sign_in
from tests.support.world import World

PAGE = "/console/admin/webhooks"


@contextmanager
def signed_in(world: World, live_url: str, role: Role) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_url, timeout=30) as http:
        assert sign_in(http, api_key=world.key(role)).status_code == 303
        yield http


@pytest.fixture
def admin(world: World, live_url: str) -> Iterator[httpx.Client]:
    with signed_in(world, live_url, Role.ADMIN) as http:
        yield http


def public_unless_literal(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return ["93.184.215.14"]


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host name resolves to a public address, as a real one would (no DNS in tests);
    an address stays itself."""
    monkeypatch.setattr(webhooks.RESOLVER, "resolve", public_unless_literal)


def endpoints(world: World) -> list[dict[str, Any]]:
    r = world.admin("GET", "/v1/webhooks/endpoints")
    assert r.status_code == 200, r.text
    return list(r.json())


def test_adding_an_endpoint_without_the_csrf_token_is_refused(
    world: World, admin: httpx.Client
) -> None:
    fields = {"url": "https://hooks.example.com/probandi", "event_types": "*"}
    missing = admin.post(PAGE, data=fields)
    assert missing.status_code == 403
    assert "csrf_failed" in missing.text
    stale = admin.post(PAGE, data={**fields, "csrf_token": "guess"})
    assert stale.status_code == 403
    assert endpoints(world) == []


@pytest.mark.usefixtures("public_dns")
def test_a_loopback_target_is_refused_with_its_reason_on_the_form(
    world: World, admin: httpx.Client
) -> None:
    token = form_token(admin.get(PAGE))
    refused = admin.post(
        PAGE,
        data={
            "csrf_token": token,
            "url": "http://127.0.0.1:9/hooks",
            "event_types": ["voucher.decided"],
            "description": "kept on the form",
        },
    )
    assert refused.status_code == 422
    assert "resolves to a loopback address" in refused.text
    assert 'value="http://127.0.0.1:9/hooks"' in refused.text  # the form keeps what was typed
    assert 'value="voucher.decided" checked' in refused.text
    assert 'value="kept on the form"' in refused.text
    nothing = admin.post(PAGE, data={"csrf_token": token, "url": "https://example.com/h"})
    assert nothing.status_code == 422
    assert "choose at least one event type" in nothing.text
    assert endpoints(world) == []


@pytest.mark.usefixtures("public_dns")
def test_the_secret_is_shown_once_and_htmx_is_sent_to_the_endpoints_own_page(
    world: World, admin: httpx.Client
) -> None:
    token = form_token(admin.get(PAGE))
    added = admin.post(
        PAGE,
        data={"csrf_token": token, "url": "https://hooks.example.com/p", "event_types": "*"},
        headers={"HX-Request": "true"},
    )
    assert added.status_code == 200, added.text
    (endpoint,) = endpoints(world)
    assert added.headers["HX-Replace-Url"] == f"{PAGE}/{endpoint['id']}"
    assert "whsec_" in added.text
    assert "It will not be shown again" in added.text
    again = admin.get(added.headers["HX-Replace-Url"])
    assert again.status_code == 200
    assert "whsec_" not in again.text
    listed = admin.get(PAGE)
    assert "https://hooks.example.com/p" in listed.text
    assert "whsec_" not in listed.text


@pytest.mark.usefixtures("public_dns")
def test_a_redelivery_of_an_unknown_event_says_so_on_the_page(
    world: World, admin: httpx.Client
) -> None:
    token = form_token(admin.get(PAGE))
    added = admin.post(
        PAGE, data={"csrf_token": token, "url": "https://hooks.example.com/p", "event_types": "*"}
    )
    assert added.status_code == 200, added.text
    url = f"{PAGE}/{endpoints(world)[0]['id']}"
    unknown = admin.post(f"{url}/redeliver", data={"csrf_token": token, "event_id": "evt_nope"})
    assert unknown.status_code == 422
    assert "no event &#39;evt_nope&#39;" in unknown.text
    backwards = admin.post(
        f"{url}/redeliver",
        data={"csrf_token": token, "since": "2026-11-02T10:00", "until": "2026-11-02T09:00"},
    )
    assert backwards.status_code == 422
    assert "until comes after since" in backwards.text
    rotated = admin.post(f"{url}/secret", data={"csrf_token": token, "overlap_hours": "999"})
    assert rotated.status_code == 422
    assert "between 0 and 168 hours" in rotated.text


def test_a_reviewer_can_neither_open_nor_post_the_webhook_pages(
    world: World, live_url: str
) -> None:
    with signed_in(world, live_url, Role.REVIEWER) as reviewer:
        listed = reviewer.get(PAGE)
        assert listed.status_code == 403
        assert "Not allowed" in listed.text
        token = form_token(reviewer.get("/console/queue"))
        added = reviewer.post(
            PAGE, data={"csrf_token": token, "url": "https://x.example/h", "event_types": "*"}
        )
        assert added.status_code == 403
        assert 'href="/console/admin/webhooks"' not in reviewer.get("/console/queue").text
    assert endpoints(world) == []


@pytest.mark.usefixtures("public_dns")
def test_settings_are_saved_and_a_rotated_secret_is_shown_once(
    world: World, admin: httpx.Client
) -> None:
    token = form_token(admin.get(PAGE))
    admin.post(
        PAGE, data={"csrf_token": token, "url": "https://hooks.example.com/p", "event_types": "*"}
    )
    url = f"{PAGE}/{endpoints(world)[0]['id']}"
    saved = admin.post(
        url,
        data={
            "csrf_token": token,
            "url": "https://hooks.example.com/v2",
            "event_types": ["voucher.decided", "notice.received"],
            "description": "moved",
        },
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "Endpoint saved." in saved.text
    (endpoint,) = endpoints(world)
    assert endpoint["url"] == "https://hooks.example.com/v2"
    assert sorted(endpoint["event_types"]) == ["notice.received", "voucher.decided"]
    assert endpoint["description"] == "moved"

    rotated = admin.post(
        f"{url}/secret",
        data={"csrf_token": token, "overlap_hours": "2"},
        headers={"HX-Request": "true"},
    )
    assert rotated.status_code == 200
    assert rotated.headers["HX-Replace-Url"] == url
    assert "whsec_" in rotated.text
    assert "The old secret keeps signing" in rotated.text
    assert "2026-11-02 11:00 UTC" in rotated.text  # the frozen clock's 09:00, and 2 hours
    assert "whsec_" not in admin.get(url).text
