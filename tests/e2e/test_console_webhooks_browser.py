"""The console's webhook pages in a real browser (Chromium via Playwright), against a
receiver in its own process on 127.0.0.1 and the dispatcher the worker runs: an admin adds
an endpoint, sees its secret once, sends an example, sees the attempt answered 200 and
disables the endpoint; a reviewer is refused. No page raises a CSP violation. Screenshots
go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from probandi.config import Settings
from probandi.domain.actors import Actor, Role
from probandi.entrypoints.dispatcher import Dispatcher
from probandi.services.accounts import create_user
from tests.e2e.test_console_browser import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    PASSWORD,
    browser,
    playwright,
    sign_in_as_user,
)
from tests.e2e.test_console_csp import RECORD_VIOLATIONS, settle
from tests.support.receiver import ReceiverProcess
from tests.support.webhooks import loopback_settings, verified
from tests.support.world import World

ADMIN = Actor("test-admin", Role.ADMIN)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Loopback targets allowed: the receiver listens on 127.0.0.1."""
    return loopback_settings(database_url, tmp_path)


@pytest.fixture
def watched(browser: Browser, live_url: str) -> Iterator[tuple[Page, list[Any]]]:  # noqa: F811
    """A page, and the CSP violations any page of its context raised."""
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    violations: list[Any] = []
    context.expose_binding("__cspViolation", lambda _source, v: violations.append(v))
    context.add_init_script(RECORD_VIOLATIONS)
    yield context.new_page(), violations
    context.close()


def shot(page: Page, name: str) -> None:
    """A full-page screenshot that keeps the caret: hiding it leaves `style=""` on every
    input, which htmx then copies onto the inputs it swaps in, a CSP violation no person
    would cause."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True, caret="initial")
    page.evaluate("window.scrollTo(0, 0)")


def add_endpoint(page: Page, url: str) -> str:
    """Fill in and post the add form; the secret shown once."""
    page.get_by_label(re.compile("^URL")).fill(url)
    page.get_by_label("All (and any added later)").check()
    page.get_by_label("Description").fill("the marketplace's receiver")
    shot(page, "webhooks-add")
    page.get_by_role("button", name="Add the endpoint").click()
    shown = page.locator("#new-secret")
    expect(shown).to_contain_text("It will not be shown again")
    secret = shown.locator("code").inner_text()
    assert secret.startswith("whsec_")
    return secret


def test_an_admin_adds_an_endpoint_sends_an_example_and_disables_it(
    world: World,
    hooks: ReceiverProcess,
    idle_dispatcher: Dispatcher,
    watched: tuple[Page, list[Any]],
) -> None:
    page, violations = watched
    create_user("root.admin", Role.ADMIN, PASSWORD, ADMIN, svc=world.runtime.services)
    sign_in_as_user(page, "root.admin")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    expect(page.get_by_text("No endpoints yet.")).to_be_visible()
    page.get_by_label(re.compile("^URL")).fill("ftp://127.0.0.1/hooks")
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.get_by_role("alert")).to_contain_text("only http and https URLs are allowed")
    expect(page.get_by_label(re.compile("^URL"))).to_have_value("ftp://127.0.0.1/hooks")

    secret = add_endpoint(page, hooks.url)
    expect(page).to_have_url(re.compile(r"/console/admin/webhooks/[0-9a-f]{32}$"))
    shot(page, "webhook-secret-once")
    page.reload()  # the address is the endpoint's page: a reload asks for it, posts nothing
    expect(page.get_by_role("heading", name="Webhook endpoint")).to_be_visible()
    assert secret not in page.content()
    assert "whsec_" not in page.content()
    assert len(world.admin("GET", "/v1/webhooks/endpoints").json()) == 1

    page.get_by_role("button", name="Send an example event").click()
    expect(page.get_by_role("status")).to_contain_text("Example event queued")
    expect(page.get_by_text("this log refreshes itself")).to_be_visible()
    idle_dispatcher.start()  # now it is sent; the page, not reloaded, shows the attempt
    newest = page.locator("#attempts tbody tr").first
    expect(newest.locator("td").nth(2)).to_have_text("200", timeout=30_000)
    (got,) = verified(hooks, secret)  # the receiver verified it with the secret shown
    assert got["event"]["type"] == "webhook.test"
    expect(newest.locator("td").nth(1)).to_have_text(got["event"]["id"])
    expect(newest.locator("td").nth(5)).to_have_text("ok")  # what the receiver answered
    shot(page, "webhook-attempt-log")

    page.get_by_role("button", name="Disable the endpoint").click()
    expect(page.get_by_role("status")).to_contain_text("Endpoint disabled")
    expect(page.get_by_role("alert")).to_contain_text("Disabled: disabled by an admin")
    expect(page.get_by_role("button", name="Enable the endpoint")).to_be_visible()
    page.get_by_role("link", name="All webhook endpoints").click()
    expect(page.get_by_role("alert")).to_contain_text("1 endpoint(s) need attention")
    row = page.locator("tbody tr", has_text=hooks.url)
    expect(row).to_contain_text("disabled")
    expect(page.get_by_label("Delivery metrics")).to_contain_text("0 undelivered")
    shot(page, "webhooks-list")
    settle(page, violations)
    assert violations == []


def test_a_reviewer_is_refused_the_webhook_pages(
    world: World, watched: tuple[Page, list[Any]]
) -> None:
    page, violations = watched
    create_user("rev.alice", Role.REVIEWER, PASSWORD, ADMIN, svc=world.runtime.services)
    sign_in_as_user(page, "rev.alice")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    expect(page.get_by_role("link", name="Webhooks")).to_have_count(0)
    response = page.goto("/console/admin/webhooks")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    shot(page, "webhooks-refused")
    settle(page, violations)
    assert violations == []
