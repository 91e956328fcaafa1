"""The transparency report (issue 19): after the demo and a scripted month (gate holds,
proofs approved and rejected, a deadline removal, trusted and ordinary notices, a restored
listing, an upheld notice reversed on appeal, a shop closed for a forged voucher), the
report's figures equal those this test computes itself from the API's own data: listings,
their statements and vouchers, notices, appeals and penalty ledgers. Every statement in the
period maps to a record the Transparency Database's rules accept, and none names a party.
The HTML renders in Chromium with its charts; a bad period is a 422 problem."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from probandi.domain.actors import Actor, Role
from probandi.entrypoints.api.report_schemas import TransparencyReportOut
from probandi.entrypoints.cli.demo import DEMO_LISTINGS, RIGHTS_HOLDERS, SELLERS, load_demo
from probandi.services.accounts import create_user
from probandi.services.clock import FrozenClock
from probandi.services.deadlines import apply_deadlines
from tests.e2e.test_console_browser import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    PASSWORD,
    browser,
    page,
    playwright,
    sign_in_as_user,
)
from tests.support.notices import a_verified_holder, counter_notice, evidence, file_notice
from tests.support.servers import run_cli, server_env
from tests.support.tdb import errors
from tests.support.world import World, an_invoice_declaration, invoice_image

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
# The test's own reading of each measure text: which kind of action it is, or None when it
# restricts nothing (written out here, not imported, so a wrong table in probandi fails).
KIND = {
    "listing held: not publishable until proof is approved": "hold",
    "voucher rejected; the listing stays unpublishable until proof is approved": (
        "voucher_rejected"
    ),
    "proof rejected; the listing stays unpublishable until proof is approved": "proof_rejected",
    "listing removed": "deadline_removal",
    "listing suspended on a rights holder's notice": "notice_suspension",
    "listing removed: the rights holder's notice was upheld": "notice_upheld",
    "shop closed: none of its listings may be published": "shop_closed",
    "listing restored: the restriction on the rights holder's notice is lifted": ("notice_lifted"),
    "appeal granted: the decision is reversed": "appeal_reversal",
    "approval of proof revoked; the listing is held until new proof is approved": (
        "approval_revoked"
    ),
    "appeal dismissed: the decision stands": None,
    "counter-notice accepted: forwarded to the rights holder": None,
    "proof approved automatically: a credential signed by the rights holder": None,
    "approved proof checked again: the approval stands": None,
    "approval of one voucher revoked; the listing's other approved proof stands": None,
}
# The month's names, and every name the demo holds: sellers, shops, holders, listing titles.
PRIVATE = (
    *("shop-a", "shop-c", "贸易有限公司", "moncler-ip", "rival-ip", "Moncler Maya"),
    *(
        name
        for s in SELLERS
        for name in (s.id, s.display_name, s.party.name.zh, s.party.name.latin)
    ),
    *RIGHTS_HOLDERS,
    *RIGHTS_HOLDERS.values(),
    *(listing.title for listing in DEMO_LISTINGS),
)


def decide(world: World, listing_id: str, kind: str, decision: str, reason: str, who: str) -> None:
    """A reviewer claims the open task of `kind` on the listing and decides it."""
    tasks = world.reviewer(
        "GET", f"/v1/review/tasks?listing_id={listing_id}&kind={kind}", name=who
    ).json()["items"]
    task = next(t for t in tasks if t["state"] == "open")
    claimed = world.reviewer("POST", f"/v1/review/tasks/{task['id']}/claim", name=who)
    assert claimed.status_code == 200, claimed.text
    r = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        name=who,
        json={"decision": decision, "reason_code": reason, "version": claimed.json()["version"]},
    )
    assert r.status_code == 200, r.text


def another_layout(seed: int) -> bytes:
    """An invoice scan laid out unlike `invoice_image`'s, so another seller's copy of it is
    not taken for a recycled document."""
    rng = random.Random(seed)
    img = Image.new("RGB", (800, 560), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for _ in range(14):
        x, y = rng.randrange(760), rng.randrange(520)
        shade = rng.randrange(120)
        draw.rectangle((x, y, x + rng.randrange(40, 300), y + 30), fill=(shade, shade, shade))
    draw.text((60, 500), f"No. {seed:08d}", fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def upload(
    world: World, seller: str, listing_id: str, seed: int, days_old: int = 10, image: bytes = b""
) -> Any:
    decl = an_invoice_declaration(
        f"{seller} 贸易有限公司",
        issued_on=world.runtime.services.clock.now().date() - timedelta(days=days_old),
        document_number=f"No.{seed:08d}",
    )
    r = world.upload(seller, listing_id, image or invoice_image(seed), declaration=decl)
    assert r.status_code == 201, r.text
    return r.json()["voucher"]


def a_scripted_month(world: World, clock: FrozenClock) -> None:
    later = clock.advance
    moncler = world.a_gated_brand(name="Moncler", aliases=["盟可睐"])
    a_verified_holder(world, "moncler-ip", moncler["id"], trusted=True)
    a_verified_holder(world, "rival-ip", moncler["id"])
    for seller in ("shop-a", "shop-c"):
        world.a_seller(seller)
    for lid in ("M1", "M2", "M3", "M4", "M5", "M6"):
        world.a_listing(lid, "shop-a", title=f"Moncler Maya 羽绒服 {lid}", brand="Moncler")
    world.a_listing("C1", "shop-c", title="Moncler Maya 羽绒服 C1", brand="Moncler")

    later(timedelta(hours=3))
    m1 = upload(world, "shop-a", "M1", 301)
    later(timedelta(hours=5))
    decide(world, "M1", "proof", "approve", "authorized_distributor", "rev-1")
    stale = upload(world, "shop-a", "M2", 302, days_old=400)  # rejected at once
    assert stale["status"] == "rejected", stale
    upload(world, "shop-a", "M3", 303)
    later(timedelta(hours=30))
    decide(world, "M3", "proof", "reject", "insufficient_proof", "rev-1")
    m5 = upload(world, "shop-a", "M5", 305)
    later(timedelta(hours=2))
    decide(world, "M5", "proof", "approve", "authorized_distributor", "rev-2")
    c1 = upload(world, "shop-c", "C1", 306, image=another_layout(306))
    assert c1["status"] == "pending_review", c1["findings"]
    decide(world, "C1", "proof", "approve", "authorized_distributor", "rev-2")

    # A trusted notice on M1: answered with its approved invoice, forwarded, and restored
    # when the holder's window passes unused.
    later(timedelta(days=1))
    n1 = file_notice(world, "moncler-ip", ["M1"]).json()
    later(timedelta(hours=4))
    assert counter_notice(world, "shop-a", n1["id"], "M1", voucher_ids=(m1["id"],)).is_success
    decide(world, "M1", "counter_notice", "approve", "proof_sufficient", "rev-1")
    # An ordinary notice on M6, not answered: upheld at the seller's deadline, then
    # reversed on the seller's appeal.
    n2 = file_notice(world, "rival-ip", ["M6"], evidence_ids=[evidence(world, "rival-ip")])
    assert n2.status_code == 201, n2.text
    # A trusted notice on C1, answered with a voucher the reviewer finds forged: the shop
    # is closed (closure-level).
    later(timedelta(hours=1))
    n3 = file_notice(world, "moncler-ip", ["C1"]).json()
    assert counter_notice(world, "shop-c", n3["id"], "C1", voucher_ids=(c1["id"],)).is_success
    later(timedelta(hours=6))
    decide(world, "C1", "counter_notice", "reject", "suspected_forgery", "rev-2")
    # A trusted notice on M5, withdrawn by the holder: restored.
    n4 = file_notice(world, "moncler-ip", ["M5"]).json()
    later(timedelta(hours=20))
    withdrawn = world.call(
        "POST",
        f"/v1/notices/{n4['id']}/withdrawal",
        Role.RIGHTS_HOLDER,
        "moncler-ip",
        json={"listing_ids": [], "note": "sent in error"},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert m5["status"] == "pending_review"

    later(timedelta(days=6))
    apply_deadlines(svc=world.runtime.services)  # n2 upheld (no answer)
    item = next(
        i
        for i in world.admin("GET", f"/v1/notices/{n2.json()['id']}").json()["items"]
        if i["listing_id"] == "M6"
    )
    assert item["state"] == "upheld", item
    later(timedelta(days=2))
    appeal = world.seller(
        "shop-a",
        "POST",
        "/v1/appeals",
        json={"subject": "notice_item", "subject_id": item["id"], "statement": "genuine"},
    )
    assert appeal.status_code == 201, appeal.text
    later(timedelta(hours=26))
    decide(world, "M6", "appeal", "approve", "decision_wrong", "rev-2")

    later(timedelta(days=10))
    apply_deadlines(svc=world.runtime.services)  # M4 removed at the deadline; M1 restored
    later(timedelta(days=10))
    apply_deadlines(svc=world.runtime.services)


def _rank(values: list[float], share: float) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    return round(ordered[max(1, math.ceil(share * len(ordered))) - 1] / 3600, 2)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def independently(world: World, start: datetime, end: datetime) -> dict[str, Any]:
    """The report's figures, computed from what the API shows."""

    def within(at: datetime | None) -> bool:
        return at is not None and start <= at < end

    listings: list[dict[str, Any]] = []
    url: str | None = "/v1/listings?limit=200"
    while url:
        chunk = world.platform("GET", url).json()
        listings += chunk["items"]
        cursor = chunk["next_cursor"]
        url = f"/v1/listings?limit=200&cursor={cursor}" if cursor else None
    statements: list[dict[str, Any]] = []
    vouchers: list[dict[str, Any]] = []
    for listing in listings:
        lid = listing["id"]
        statements += world.admin("GET", f"/v1/listings/{lid}/statements").json()
        vouchers += world.admin("GET", f"/v1/listings/{lid}/vouchers").json()
    notices = [
        world.admin("GET", f"/v1/notices/{n['id']}").json()
        for n in world.admin("GET", "/v1/notices?limit=200").json()["items"]
    ]
    notices = [n for n in notices if within(_when(n["received_at"]))]
    items = [i for n in notices for i in n["items"]]
    trusted_items = [i for n in notices if n["trusted"] for i in n["items"]]
    appeals = world.seller("shop-a", "GET", "/v1/appeals").json()
    appeals += world.seller("shop-c", "GET", "/v1/appeals").json()

    kinds: Counter[str] = Counter()
    automated: Counter[str] = Counter()
    closed_sellers = set()
    for s in statements:
        if not within(_when(s["created_at"])):
            continue
        kind = KIND[s["measure"]]
        if kind is None:
            continue
        kinds[kind] += 1
        automated[kind] += s["automated"]
        if kind == "shop_closed":
            closed_sellers.add(s["scope"])
    decided = [
        v
        for v in vouchers
        if v["status"] in ("approved", "rejected") and within(_when(v["decided_at"]))
    ]
    findings: Counter[str] = Counter()
    for v in decided:
        if v["status"] == "rejected":
            findings.update({f["code"] for f in v["findings"] if f["severity"] == "hard"})
    waits = [
        (_when(v["decided_at"]) - _when(v["created_at"])).total_seconds()  # type: ignore[operator]
        for v in decided
    ]
    to_outcome = [
        (_when(i["closed_at"]) - _when(n["received_at"])).total_seconds()  # type: ignore[operator]
        for n in notices
        for i in n["items"]
        if i["closed_at"]
    ]
    decided_appeals = [
        a for a in appeals if a["state"] != "open" and within(_when(a["decided_at"]))
    ]
    appeal_waits = [
        (_when(a["decided_at"]) - _when(a["created_at"])).total_seconds()  # type: ignore[operator]
        for a in decided_appeals
    ]
    return {
        "notices_received": len(notices),
        "notices_by_source": {
            "notice": sum(not n["trusted"] for n in notices),
            "trusted_flagger": sum(n["trusted"] for n in notices),
        },
        "notified_listings": len(items),
        "notified_listings_by_brand": dict(sorted(Counter(i["brand_id"] for i in items).items())),
        "notice_outcomes": dict(sorted(Counter(i["state"] for i in items).items())),
        "actions_by_measure": dict(sorted(kinds.items())),
        "automated_actions": sum(automated.values()),
        "vouchers_received": sum(within(_when(v["created_at"])) for v in vouchers),
        "proof_decisions": {
            "approved": sum(v["status"] == "approved" for v in decided),
            "rejected": sum(v["status"] == "rejected" for v in decided),
        },
        "rejected_by_finding": dict(sorted(findings.items())),
        "removed_at_deadline": kinds["deadline_removal"],
        "upload_to_decision": (len(waits), _rank(waits, 0.5), _rank(waits, 0.9)),
        "notice_to_outcome": (len(to_outcome), _rank(to_outcome, 0.5), _rank(to_outcome, 0.9)),
        "appeals_received": sum(within(_when(a["created_at"])) for a in appeals),
        "appeals_decided": len(decided_appeals),
        "appeals_reversed": sum(a["state"] == "granted" for a in decided_appeals),
        "appeal_median": _rank(appeal_waits, 0.5),
        "sellers_suspended": len(closed_sellers),
        "trusted_notices": sum(n["trusted"] for n in notices),
        "trusted_upheld": sum(i["state"] == "upheld" for i in trusted_items),
        "trusted_not_upheld": sum(i["state"] in ("restored", "reversed") for i in trusted_items),
    }


def test_the_report_equals_an_independent_count_of_the_apis_data(
    world: World,
    clock: FrozenClock,
    page: Page,  # noqa: F811
    tmp_path: Any,
) -> None:
    clock.set(START)
    assert load_demo(world.runtime.services, out=lambda _: None) is not None
    a_scripted_month(world, clock)
    start, end = START - timedelta(days=1), clock.now() + timedelta(hours=1)
    query = f"from={start.isoformat()}&to={end.isoformat()}".replace("+", "%2B")
    r = world.admin("GET", f"/v1/reports/transparency?{query}")
    assert r.status_code == 200, r.text
    report = r.json()
    TransparencyReportOut.model_validate(report, strict=False)  # the documented shape
    assert set(report) == set(TransparencyReportOut.model_fields)
    expected = independently(world, start, end)
    for name in (
        "notices_received",
        "notices_by_source",
        "notified_listings",
        "notified_listings_by_brand",
        "notice_outcomes",
        "actions_by_measure",
        "vouchers_received",
        "proof_decisions",
        "rejected_by_finding",
        "removed_at_deadline",
        "appeals_received",
        "appeals_decided",
        "appeals_reversed",
        "sellers_suspended",
        "trusted_notices",
        "trusted_upheld",
        "trusted_not_upheld",
    ):
        assert report[name] == expected[name], (name, report[name], expected[name])
    assert (
        sum(a["count"] for a in report["actions"] if a["automated_decision"])
        == (expected["automated_actions"])
    )
    for name in ("upload_to_decision", "notice_to_outcome"):
        d = report[name]
        assert (d["count"], d["median_hours"], d["p90_hours"]) == expected[name], name
    assert report["appeal_to_decision"]["median_hours"] == expected["appeal_median"]
    # The month held every kind of action the issue names.
    for kind in (
        "hold",
        "voucher_rejected",
        "proof_rejected",
        "deadline_removal",
        "notice_suspension",
        "notice_upheld",
        "notice_lifted",
        "shop_closed",
        "appeal_reversal",
    ):
        assert report["actions_by_measure"].get(kind, 0) >= 1, kind
    assert report["trusted_accuracy"] is not None

    # Every statement of the period is a record the database's rules accept, nameless.
    env = server_env(world.runtime.settings.database_url, world.runtime.settings.voucher_dir)
    done = run_cli(env, "dsa", "export", "--since", start.isoformat(), "--until", end.isoformat())
    assert done.returncode == 0, done.stderr
    records = [line for line in done.stdout.splitlines() if line]
    assert len(records) == sum(report["actions_by_measure"].values())
    for line in records:
        assert errors(json.loads(line)) == {}, line
    for private in PRIVATE:
        assert private not in done.stdout, private

    # The CSV follows the template's sections; the CLI prints the same figures.
    text = world.admin("GET", f"/v1/reports/transparency?{query}&format=csv").text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "section_title", "indicator", "breakdown", "value"]
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])  # in section order
    notices_row = next(r for r in rows if r[2] == "Number of notices received" and r[3] == "total")
    assert notices_row[4] == str(report["notices_received"])
    out = tmp_path / "report.csv"
    cli = run_cli(
        env,
        "report",
        "--from",
        start.isoformat(),
        "--to",
        end.isoformat(),
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert cli.returncode == 0, cli.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1:] == text.splitlines()[1:]

    # The console page draws the charts in Chromium.
    admin = Actor("test-admin", Role.ADMIN)
    create_user("root.admin", Role.ADMIN, PASSWORD, admin, svc=world.runtime.services)
    sign_in_as_user(page, "root.admin")
    page.get_by_role("link", name="Transparency report").click()
    page.get_by_label("From (inclusive)").fill(start.date().isoformat())
    page.get_by_label("To (exclusive)").fill((end.date() + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("img", name=re.compile("Actions taken, by measure"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Notices received, by source"))).to_be_visible()
    expect(page.locator("[data-figure=notices_received]")).to_have_text(
        str(report["notices_received"])
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-transparency-report.png"), full_page=True)
    html = world.admin("GET", f"/v1/reports/transparency?{query}&format=html")
    assert html.headers["content-type"].startswith("text/html")
    page.set_content(html.text)
    expect(page.get_by_role("img", name=re.compile("Internal complaints"))).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "transparency-report.png"), full_page=True)


def test_a_bad_period_is_a_problem_and_only_admins_may_ask(world: World) -> None:
    base = "/v1/reports/transparency"
    backwards = world.admin("GET", f"{base}?from=2026-12-01&to=2026-11-01")
    assert backwards.status_code == 422, backwards.text
    assert backwards.headers["content-type"].startswith("application/problem+json")
    assert "ends before it begins" in backwards.json()["detail"]
    too_long = world.admin("GET", f"{base}?from=2025-01-01&to=2026-06-01")
    assert too_long.status_code == 422, too_long.text
    assert "at most 366 days" in too_long.json()["detail"]
    naive = world.admin("GET", f"{base}?from=2026-11-01T00:00:00&to=2026-12-01")
    assert naive.status_code == 422, naive.text
    bad_format = world.admin("GET", f"{base}?from=2026-11-01&to=2026-12-01&format=xlsx")
    assert bad_format.status_code == 422, bad_format.text
    world.a_seller("shop-a")
    seller = world.seller("shop-a", "GET", f"{base}?from=2026-11-01&to=2026-12-01")
    assert seller.status_code == 403, seller.text
    empty = world.admin("GET", f"{base}?from=2026-11-01&to=2026-12-01")
    assert empty.status_code == 200, empty.text
    assert empty.json()["notices_received"] == 0
    assert empty.json()["trusted_accuracy"] is None
