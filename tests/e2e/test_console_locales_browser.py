"""The console in Simplified Chinese and in English, in Chromium (issue 21): a seller reads
its held listing, the proof required, the deadline and a rejected voucher's reasons in its
language; a reviewer's case page renders in Chinese; the header's switch saves the choice.
Screenshots of each page in each locale go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from probandi.domain.actors import Actor, Role
from probandi.domain.sellers import REQUIRED_EVIDENCE, SellerKind
from probandi.domain.statements import VOUCHER_REJECTED
from probandi.entrypoints import i18n
from probandi.services.accounts import create_user
from probandi.services.clock import FrozenClock
from tests.e2e.test_console_browser import ARTIFACTS, PASSWORD, browser, playwright
from tests.support.world import World, an_invoice_declaration, invoice_image

__all__ = ["browser", "playwright"]  # the Chromium fixtures, shared with the console tests
LOCALES = {"zh_CN": "zh-CN", "en": "en-US"}
REUSED = "this exact file was already submitted as proof by another seller"


def t(locale: str, message: str, **params: object) -> str:
    """What the page should say, from the catalog the console renders with."""
    with i18n.use(locale):
        return i18n._(message, **params)


@pytest.fixture
def context(
    browser: Browser, live_url: str, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    locale = LOCALES[request.param]
    ctx = browser.new_context(
        base_url=live_url, viewport={"width": 1280, "height": 900}, locale=locale
    )
    yield ctx
    ctx.close()


def shot(page: Page, name: str, locale: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{locale}-{name}.png"), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")


def sign_in_with_key(page: Page, key: str, locale: str) -> None:
    page.goto("/console/login")
    expect(page.get_by_role("heading", name=t(locale, "Sign in"), exact=True)).to_be_visible()
    page.get_by_label(t(locale, "API key")).fill(key)
    page.get_by_role("button", name=t(locale, "Sign in with the key")).click()


def a_rejected_copy(world: World, clock: FrozenClock) -> None:
    """shop-b's listing LB is held, and its voucher rejected: shop-a used the file first."""
    up = world.a_copied_invoice(issued_on=clock.now().date() - timedelta(days=2), seed=21)
    assert up.json()["voucher"]["status"] == "rejected", up.text


@pytest.mark.parametrize("context", ["zh_CN", "en"], indirect=True)
def test_a_seller_reads_its_held_listing_and_rejected_proof_in_its_language(
    world: World, clock: FrozenClock, context: BrowserContext
) -> None:
    page = context.new_page()
    locale = "zh_CN" if page.evaluate("navigator.language") == "zh-CN" else "en"
    a_rejected_copy(world, clock)
    listing = world.platform("GET", "/v1/listings/LB").json()
    due = listing["proof_due_at"]
    assert due is not None

    sign_in_with_key(page, world.key(Role.SELLER, "shop-b"), locale)
    expect(page.get_by_role("heading", name=t(locale, "My listings"))).to_be_visible()
    shot(page, "seller-listings", locale)
    page.get_by_role("link", name=re.compile("Gucci GG Marmont")).click()
    expect(page.locator("html")).to_have_attribute("lang", locale.replace("_", "-"))
    # Held: not publishable, and why.
    expect(page.get_by_role("heading", name=t(locale, "Not publishable"))).to_be_visible()
    status = page.locator("section[aria-labelledby=h-status]")
    expect(status).to_contain_text(t(locale, REQUIRED_EVIDENCE[SellerKind.RESELLER].summary))
    # The deadline, written as the locale writes dates.
    with i18n.use(locale):
        when = i18n.moment(datetime.fromisoformat(due.replace("Z", "+00:00")))
    expect(status).to_contain_text(when)
    # The rejected voucher's reasons and its statement.
    findings = page.locator("li.sev-hard")
    expect(findings.filter(has_text="voucher.reused_exact")).to_contain_text(t(locale, REUSED))
    expect(page.get_by_text(t(locale, VOUCHER_REJECTED)).first).to_be_visible()
    body = page.locator("main").inner_text()
    if locale == "zh_CN":
        assert "2026年" in when
        assert t(locale, REUSED) != REUSED
        for english in ("Not publishable", "Upload proof", "Proof submitted", REUSED):
            assert english not in body, english
    shot(page, "seller-listing-held", locale)


@pytest.mark.parametrize("context", ["zh_CN"], indirect=True)
def test_a_reviewers_case_page_renders_in_chinese(
    world: World, clock: FrozenClock, context: BrowserContext
) -> None:
    locale = "zh_CN"
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    decl = an_invoice_declaration(
        "shop-a 贸易有限公司", issued_on=clock.now().date() - timedelta(days=5)
    )
    assert world.upload("shop-a", "L1", invoice_image(22), declaration=decl).status_code == 201
    create_user(
        "rev.li", Role.REVIEWER, PASSWORD, Actor("t-admin", Role.ADMIN), svc=world.runtime.services
    )
    page = context.new_page()
    page.goto("/console/login")
    page.get_by_label(t(locale, "User name")).fill("rev.li")
    page.get_by_label(t(locale, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=t(locale, "Sign in"), exact=True).click()
    expect(page.get_by_role("heading", name=t(locale, "Review queue"))).to_be_visible()
    shot(page, "queue", locale)
    page.get_by_role("button", name=t(locale, "Claim the most urgent task")).click()
    expect(page.get_by_role("heading", name=re.compile("Gucci GG Marmont"))).to_be_visible()
    expect(page.get_by_text("voucher.issuer_authorized")).to_be_visible()  # codes stay codes
    body = page.locator("main").inner_text()
    assert (
        re.search(r"[\u4e00-\u9fff]{20,}", body.replace("\n", ""))
        or len(re.findall(r"[\u4e00-\u9fff]", body)) > 60
    )
    for english in ("Approve", "Reject", "Send the decision", "Findings"):
        assert english not in body, english
    shot(page, "case", locale)


@pytest.mark.parametrize("context", ["en"], indirect=True)
def test_the_header_switch_saves_the_sellers_choice(
    world: World, context: BrowserContext, browser: Browser, live_url: str
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    page = context.new_page()
    sign_in_with_key(page, world.key(Role.SELLER, "shop-a"), "en")
    expect(page.get_by_role("heading", name="My listings")).to_be_visible()
    page.get_by_label("Language").select_option("zh_CN")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name=t("zh_CN", "My listings"))).to_be_visible()
    shot(page, "switched", "zh_CN")
    # Saved for the seller: a new browser asking for English still gets Chinese.
    other = browser.new_context(base_url=live_url, locale="en-US")
    try:
        again = other.new_page()
        sign_in_with_key(again, world.key(Role.SELLER, "shop-a"), "en")
        expect(again.get_by_role("heading", name=t("zh_CN", "My listings"))).to_be_visible()
    finally:
        other.close()
