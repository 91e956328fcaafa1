"""The console's Content-Security-Policy: sent on every console response, strict (no inline
script, handler or style), and the console still works under it in a real browser: every
`securitypolicyviolation` raised while clicking through it is recorded and there is none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from probandi.domain.actors import Actor, Role
from probandi.services.accounts import create_user
from probandi.services.clock import FrozenClock
from tests.e2e.test_console_browser import (  # noqa: F401 (fixtures)
    PASSWORD,
    a_held_listing_with_proof,
    browser,
    playwright,
    sign_in_as_user,
    sign_in_with_key,
)
from tests.support.notices import a_verified_holder
from tests.support.world import World, an_invoice_declaration, invoice_image

# Reports every violation to Python as it happens, whatever page the browser is on.
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolation({
    page: document.location.pathname, directive: e.violatedDirective,
    blocked: e.blockedURI, sample: e.sample, line: e.lineNumber,
  });
});
"""


def directives(policy: str) -> dict[str, set[str]]:
    parsed: dict[str, set[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


def test_console_pages_send_a_strict_content_security_policy(world: World, live_url: str) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    with httpx.Client(base_url=live_url) as browser_like:
        login = browser_like.get("/console/login")
        static = browser_like.get("/console/static/console.js")
        unsigned = browser_like.get("/console/listings")
    for response in (login, static, unsigned):
        policy = directives(response.headers["content-security-policy"])
        assert policy["script-src"] == {"'self'"}
        assert policy["style-src"] == {"'self'"}
        assert policy["object-src"] == {"'none'"}
        assert policy["base-uri"] == {"'none'"}
        assert policy["frame-ancestors"] == {"'none'"}
        assert policy["form-action"] == {"'self'"}
        assert not any("unsafe" in v for values in policy.values() for v in values)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    # The API is not a page: its JSON keeps its own headers.
    assert "content-security-policy" not in world.platform("GET", "/v1/listings/L1").headers


def test_console_templates_carry_no_inline_script_handler_or_style(world: World) -> None:
    from probandi.entrypoints.console.web import HERE

    inline = re.compile(
        r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:|hx-on|hx-vals=.js:"
    )
    for template in sorted((HERE / "templates").glob("*.html")):
        found = inline.findall(template.read_text())
        assert not found, f"{template.name}: {found}"


@pytest.fixture
def recorded(browser: Browser, live_url: str) -> Iterator[tuple[BrowserContext, list[Any]]]:  # noqa: F811
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    violations: list[Any] = []
    context.expose_binding("__cspViolation", lambda _source, v: violations.append(v))
    context.add_init_script(RECORD_VIOLATIONS)
    yield context, violations
    context.close()


def test_the_recorder_sees_an_injected_inline_script_blocked(
    world: World, recorded: tuple[BrowserContext, list[Any]]
) -> None:
    context, violations = recorded
    page = context.new_page()
    page.goto("/console/login")
    ran = page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true;";
                   document.body.appendChild(s); return window.injected === true; }"""
    )
    assert ran is False
    settle(page, violations)
    assert any(v["directive"].startswith("script-src") for v in violations), violations


def settle(page: Page, violations: list[Any]) -> None:
    """Violation events are dispatched after the fact: give the last ones time to arrive."""
    for _ in range(10):
        if violations:
            return
        page.wait_for_timeout(100)


def reviewer_flow(page: Page) -> None:
    sign_in_as_user(page, "rev.alice")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    page.get_by_role("button", name="Claim the most urgent task").click()
    expect(page.get_by_role("heading", name=re.compile("^Proof: Gucci"))).to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_label("Reason", exact=True).select_option("authorized_distributor")
    # htmx swaps the statement preview in: htmx works under the policy.
    expect(page.locator("#preview")).to_contain_text("authorized_distributor")
    page.get_by_role("button", name="Send the decision").click()
    expect(page.get_by_role("status")).to_contain_text("approved")
    page.get_by_role("link", name="Notices").click()
    expect(page.get_by_role("heading", name=re.compile("otices"))).to_be_visible()


def seller_flow(page: Page, world: World) -> None:
    sign_in_with_key(page, world.key(Role.SELLER, "shop-a"))
    expect(page.get_by_role("heading", name="My listings")).to_be_visible()
    page.get_by_role("link", name=re.compile("Gucci GG Marmont")).first.click()
    expect(page.locator("img.voucher").first).to_be_visible()
    page.get_by_role("link", name="Penalties and appeals").click()
    page.get_by_role("link", name="Notices against me").click()
    page.goto("/console/listings/no-such-listing")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    page.get_by_role("link", name="Go back").click()
    expect(page.get_by_role("heading", name="Notices against my listings")).to_be_visible()


def holder_and_admin_flow(page: Page, world: World) -> None:
    sign_in_with_key(page, world.key(Role.RIGHTS_HOLDER, "gucci-ip"))
    expect(page.get_by_role("heading", name="gucci-ip")).to_be_visible()
    page.get_by_role("link", name="File a notice").first.click()
    expect(page.get_by_label("What you found")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    sign_in_as_user(page, "root.admin")
    expect(page.get_by_role("img", name=re.compile("Notices received per day"))).to_be_visible()


def test_clicking_through_the_console_raises_no_csp_violation(
    world: World, clock: FrozenClock, recorded: tuple[BrowserContext, list[Any]]
) -> None:
    context, violations = recorded
    a_held_listing_with_proof(world, clock)  # registers Gucci, gated
    a_verified_holder(world, "gucci-ip", "gucci", trusted=True)
    world.a_listing("L2", "shop-a")
    issued_on = clock.now().date() - timedelta(days=5)
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=issued_on, document_number="9")
    up = world.upload("shop-a", "L2", invoice_image(11), declaration=decl)
    assert up.status_code == 201, up.text
    admin = Actor("test-admin", Role.ADMIN)
    create_user("rev.alice", Role.REVIEWER, PASSWORD, admin, svc=world.runtime.services)
    create_user("root.admin", Role.ADMIN, PASSWORD, admin, svc=world.runtime.services)

    reviewer_flow(context.new_page())
    seller_flow(context.new_page(), world)
    last = context.new_page()
    holder_and_admin_flow(last, world)
    settle(last, violations)
    assert violations == []
