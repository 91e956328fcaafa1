"""The web console in a real browser (Debian's Chromium, driven by Playwright): a reviewer
approves a held listing, a seller uploads proof, a brand files a notice; a seller cannot
open another seller's listing; a form without its CSRF token is refused. Every page
visited is saved as a screenshot in test-artifacts/."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from probandi.domain.actors import Actor, Role
from probandi.services.accounts import create_user
from probandi.services.clock import FrozenClock
from tests.conftest import IN_CI
from tests.support.notices import a_verified_holder
from tests.support.world import World, an_invoice_declaration, invoice_image

CHROMIUM = os.environ.get("PROBANDI_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, live_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    """A full-page screenshot. Chromium lays the page out at full height to take it; the
    next click must wait for the viewport's own layout again, or it lands off target."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")


def sign_in_with_key(page: Page, key: str) -> None:
    page.goto("/console/login")
    shot(page, "login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in with the key").click()


def sign_in_as_user(page: Page, username: str) -> None:
    page.goto("/console/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def a_held_listing_with_proof(world: World, clock: FrozenClock) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    decl = an_invoice_declaration(
        "shop-a 贸易有限公司", issued_on=clock.now().date() - timedelta(days=5)
    )
    up = world.upload("shop-a", "L1", invoice_image(7), declaration=decl)
    assert up.status_code == 201, up.text


def test_a_reviewer_claims_a_held_listing_sees_its_findings_and_approves_it(
    world: World, clock: FrozenClock, page: Page
) -> None:
    a_held_listing_with_proof(world, clock)
    admin = Actor("test-admin", Role.ADMIN)
    create_user("rev.alice", Role.REVIEWER, PASSWORD, admin, svc=world.runtime.services)
    assert world.platform("GET", "/v1/listings/L1").json()["publishable"] is False

    sign_in_as_user(page, "rev.alice")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Gucci GG Marmont"))).to_be_visible()
    shot(page, "queue")
    page.get_by_role("button", name="Claim the most urgent task").click()
    expect(page.get_by_role("heading", name=re.compile("^Proof: Gucci"))).to_be_visible()
    expect(page.get_by_text("voucher.issuer_authorized")).to_be_visible()
    shot(page, "case")
    page.get_by_label("Approve").check()
    page.get_by_label("Reason", exact=True).select_option("authorized_distributor")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("proof approved")
    expect(preview).to_contain_text("authorized_distributor")
    shot(page, "case-preview")
    page.get_by_role("button", name="Send the decision").click()
    expect(page.get_by_role("status")).to_contain_text("approved")
    shot(page, "queue-after")
    assert world.platform("GET", "/v1/listings/L1").json()["publishable"] is True


def test_a_seller_uploads_proof_through_the_form(
    world: World, clock: FrozenClock, page: Page, tmp_path: Path
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    scan = tmp_path / "invoice.png"
    scan.write_bytes(invoice_image(8))

    sign_in_with_key(page, world.key(Role.SELLER, "shop-a"))
    expect(page.get_by_role("heading", name="My listings")).to_be_visible()
    shot(page, "seller-listings")
    page.get_by_role("link", name=re.compile("Gucci GG Marmont")).click()
    expect(page.get_by_role("heading", name="Not publishable")).to_be_visible()
    page.set_input_files("#file", str(scan))
    page.get_by_label("Kind of document").select_option("purchase_invoice")
    page.get_by_label("Issuer", exact=True).fill("上海奢品供应链有限公司")
    page.get_by_label("Buyer (your legal name)").fill("shop-a 贸易有限公司")
    page.get_by_label("Issued on").fill((clock.now().date() - timedelta(days=3)).isoformat())
    page.get_by_label("Document number").fill("No.00000808")
    page.get_by_label("Line: brand").fill("GUCCI 古驰")
    page.get_by_label("Line: item").fill("GG Marmont bag")
    page.get_by_label("Line: quantity").fill("2")
    shot(page, "seller-upload-form")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Proof uploaded")
    expect(page.get_by_text("pending review")).to_be_visible()  # the status, in words
    shot(page, "seller-listing-after-upload")
    listing = world.platform("GET", "/v1/listings/L1").json()
    assert listing["gate"]["state"] == "in_review"


def test_a_brand_files_a_notice_and_the_listing_is_suspended(world: World, page: Page) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")

    sign_in_with_key(page, world.key(Role.RIGHTS_HOLDER, "gucci-ip"))
    expect(page.get_by_role("heading", name="gucci-ip")).to_be_visible()
    shot(page, "brand-desk")
    page.get_by_role("link", name="File a notice").first.click()
    page.get_by_label(re.compile("^Listing ids")).fill("L1\nno-such-listing")
    page.get_by_label("Reason", exact=True).select_option("counterfeit")
    page.get_by_label("What you found").fill("A test buy on 2026-10-30 was counterfeit.")
    page.get_by_label(re.compile("I declare in good faith")).check()
    shot(page, "brand-notice-form")
    page.get_by_role("button", name="File the notice").click()
    expect(page.get_by_role("status")).to_contain_text("Notice filed")
    expect(page.get_by_role("heading", name="Listing L1: suspended")).to_be_visible()
    expect(page.get_by_text("listing_not_found")).to_be_visible()
    shot(page, "brand-notice")
    listing = world.platform("GET", "/v1/listings/L1").json()
    assert any("suspended on notice" in r for r in listing["reasons"])

    # The seller sees the notice with its deadline and the counter-notice form.
    seller = page.context.browser.new_context(base_url=page.url.split("/console")[0])  # type: ignore[union-attr]
    other = seller.new_page()
    sign_in_with_key(other, world.key(Role.SELLER, "shop-a"))
    other.goto("/console/notices")
    expect(other.get_by_text(re.compile("answer due in"))).to_be_visible()
    other.get_by_role("link", name=re.compile("counterfeit")).click()
    expect(other.get_by_label("Why the goods are genuine")).to_be_visible()
    shot(other, "seller-notice")
    seller.close()


def test_a_seller_cannot_open_another_sellers_listing(world: World, page: Page) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_seller("shop-b")
    world.a_listing("LB", "shop-b")
    sign_in_with_key(page, world.key(Role.SELLER, "shop-a"))
    response = page.goto("/console/listings/LB")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    shot(page, "not-found")


def test_a_form_posted_without_its_csrf_token_is_refused(world: World, page: Page) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    sign_in_with_key(page, world.key(Role.SELLER, "shop-a"))
    expect(page.get_by_role("heading", name="My listings")).to_be_visible()
    # The browser's own cookies, but no token: as a forged cross-site form would post.
    refused = page.request.post(
        "/console/listings/L1/vouchers",
        multipart={
            "kind": "purchase_invoice",
            "file": {"name": "x.png", "mimeType": "image/png", "buffer": invoice_image(9)},
        },
    )
    assert refused.status == 403
    assert "csrf_failed" in refused.text()
    stale = page.request.post("/console/logout", form={"csrf_token": "guess"})
    assert stale.status == 403
    page.goto("/console/listings/L1")
    expect(page.get_by_text("No proof yet.")).to_be_visible()  # nothing was stored
    assert world.platform("GET", "/v1/listings/L1").json()["gate"]["state"] == "awaiting_proof"


def test_the_admin_dashboard_draws_its_charts(world: World, page: Page) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    admin = Actor("test-admin", Role.ADMIN)
    create_user("root.admin", Role.ADMIN, PASSWORD, admin, svc=world.runtime.services)
    sign_in_as_user(page, "root.admin")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Notices received per day"))).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("^CNIPA TM-gucci-ip"))).to_be_visible()
    shot(page, "admin")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    shot(page, "admin-phone")
