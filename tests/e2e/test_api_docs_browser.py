"""/docs and /redoc render in Chromium with every other host blocked: their assets are
served by probandi itself (no CDN). Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.test_console_browser import ARTIFACTS, browser, playwright

__all__ = ["browser", "playwright"]  # the fixtures, shared with the console's browser tests


@pytest.fixture
def offline_page(browser: Browser, live_url: str) -> Iterator[tuple[Page, list[str]]]:
    """A page that can reach the test server and nothing else; the list collects every
    request that tried to leave."""
    context = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def only_the_server(route: Route) -> None:
        if route.request.url.startswith(live_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_server)
    yield context.new_page(), blocked
    context.close()


def test_swagger_ui_shows_the_operations_offline(offline_page: tuple[Page, list[str]]) -> None:
    page, blocked = offline_page
    page.goto("/docs")
    upload = page.locator(".opblock-summary-path", has_text="/v1/listings/{listing_id}/vouchers")
    expect(upload.first).to_be_visible(timeout=20_000)
    assert page.locator(".opblock").count() > 20
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs-swagger-ui.png"))
    assert blocked == []


def test_redoc_shows_the_operations_offline(offline_page: tuple[Page, list[str]]) -> None:
    page, blocked = offline_page
    page.goto("/redoc")
    expect(page.get_by_role("heading", name="probandi").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/v1/listings/{listing_id}/vouchers").first).to_be_attached()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs-redoc.png"))
    assert blocked == []
