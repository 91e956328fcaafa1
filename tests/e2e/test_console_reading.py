"""The reading in the console, in a real browser under the console's CSP: the queue and the
case page say "reading" until the job worker has read the vouchers; then the case page draws
the lines read over the image and holds the declaration against the document, and the seller
sees which of its declared fields the document contradicts."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from probandi.config import Settings
from probandi.domain.actors import Actor, Role
from probandi.entrypoints.worker import built_in_jobs
from probandi.services.accounts import create_user
from probandi.services.clock import FrozenClock
from probandi.services.jobs import run_next
from tests.e2e.test_console_browser import (  # noqa: F401 (fixtures)
    PASSWORD,
    browser,
    playwright,
    shot,
    sign_in_as_user,
)
from tests.e2e.test_console_csp import recorded, settle  # noqa: F401 (fixture)
from tests.support.console import sign_in
from tests.support.readings import reading_settings
from tests.support.world import World, an_invoice_declaration, invoice_image


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return reading_settings(database_url, tmp_path)


def _line(amount: str) -> list[dict[str, Any]]:
    return [{"brand": "GUCCI 古驰", "item": "GG Marmont bag", "quantity": 1, "amount": amount}]


def two_vouchers_one_contradicted(world: World, clock: FrozenClock) -> None:
    """Two invoices for L1: one declares the total it prints, the other 1000.00 for 9000.00."""
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    dated = clock.now().date() - timedelta(days=5)
    for seed, printed, declared in ((7, "35000.00", "35000.00"), (9, "9000.00", "1000.00")):
        scan = invoice_image(seed, lines=("GUCCI Marmont bag x 1", f"Total CNY {printed}"))
        decl = an_invoice_declaration(
            "shop-a 贸易有限公司",
            issued_on=dated,
            document_number=f"No.{seed:08d}",
            lines=_line(declared),
        )
        up = world.upload("shop-a", "L1", scan, declaration=decl)
        assert up.status_code == 201, up.text


def read_all(world: World) -> int:
    """Run the job worker's queue dry in this process, as `probandi worker` would."""
    registry, _ = built_in_jobs(world.runtime)
    ran = 0
    while run_next(registry, "test-worker", svc=world.runtime.services) is not None:
        ran += 1
    return ran


def test_the_case_page_shows_reading_then_declared_vs_read_without_csp_violations(
    world: World,
    clock: FrozenClock,
    recorded: tuple[BrowserContext, list[Any]],  # noqa: F811
) -> None:
    two_vouchers_one_contradicted(world, clock)
    admin = Actor("test-admin", Role.ADMIN)
    create_user("rev.alice", Role.REVIEWER, PASSWORD, admin, svc=world.runtime.services)
    context, violations = recorded
    page = context.new_page()

    sign_in_as_user(page, "rev.alice")
    row = page.get_by_role("row", name=re.compile("Gucci GG Marmont"))
    expect(row).to_contain_text("reading")
    page.get_by_role("button", name="Claim the most urgent task").click()
    expect(page.get_by_role("heading", name=re.compile("^Proof: Gucci"))).to_be_visible()
    expect(page.get_by_text("reading…").first).to_be_visible()
    expect(page.locator("table.declared-vs-read")).to_have_count(0)
    expect(page.get_by_text("The documents are still being read")).to_be_visible()

    assert read_all(world) >= 2
    page.reload()
    tables = page.locator("table.declared-vs-read")
    expect(tables).to_have_count(2)
    same = tables.locator("tr.state-same", has_text="amount")
    expect(same).to_contain_text("35000.00")
    expect(same).to_contain_text("✓ same")
    differs = tables.locator("tr.state-differs", has_text="amount")
    expect(differs).to_contain_text("1000.00")
    expect(differs).to_contain_text("9000.00")
    expect(differs).to_contain_text("✗ differs")
    expect(page.get_by_text("reading…")).to_have_count(0)
    expect(page.get_by_text("The documents are still being read")).to_have_count(0)
    # The lines read, as boxes over each image, their text on hover.
    boxes = page.locator("svg.read-boxes rect")
    assert boxes.count() >= 4
    expect(page.locator("svg.read-boxes rect title", has_text="35000")).to_have_count(1)
    drawn = page.locator("svg.read-boxes").first.bounding_box()
    image = page.locator(".read-over img.voucher").first.bounding_box()
    assert drawn is not None
    assert image is not None
    assert abs(drawn["width"] - image["width"]) <= 2
    assert abs(drawn["height"] - image["height"]) <= 2
    boxes.first.hover()
    shot(page, "case-reading")
    settle(page, violations)
    assert violations == []


def test_a_seller_sees_the_declared_field_its_document_contradicts(
    world: World, clock: FrozenClock, live_url: str
) -> None:
    two_vouchers_one_contradicted(world, clock)
    world.a_seller("shop-b")
    read_all(world)
    with httpx.Client(base_url=live_url) as seller:
        assert sign_in(seller, api_key=world.key(Role.SELLER, "shop-a")).status_code in (200, 303)
        desk = seller.get("/console/listings/L1")
        assert desk.status_code == 200
        assert desk.text.count('class="contradicted"') == 1
        assert "the document reads 9000.00" in desk.text
    with httpx.Client(base_url=live_url) as other:
        sign_in(other, api_key=world.key(Role.SELLER, "shop-b"))
        assert other.get("/console/listings/L1").status_code == 404
