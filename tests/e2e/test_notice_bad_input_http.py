"""The notice flow refuses bad input clearly, keeps nothing of it, and applies a retried
notice once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import NoticeEvidenceRow, NoticeRow
from probandi.config import Settings
from tests.support.notices import (
    a_verified_holder,
    approved_listing,
    counter_notice,
    decide_next,
    file_notice,
    holder,
)
from tests.support.world import World


def _count(world: World, row: type[NoticeRow] | type[NoticeEvidenceRow]) -> int:
    with Session(world.runtime.reader) as s:
        return int(s.execute(select(func.count()).select_from(row)).scalar_one())


def _setup(world: World) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")


def test_malformed_notices_are_refused_with_a_code(world: World) -> None:
    _setup(world)
    too_many = file_notice(world, "gucci-ip", [f"L{i}" for i in range(301)])
    assert too_many.status_code == 422
    assert too_many.json()["code"] == "validation_error"
    unknown_reason = file_notice(world, "gucci-ip", ["L1"], reason="dislike")
    assert unknown_reason.status_code == 422
    no_listings = file_notice(world, "gucci-ip", [])
    assert no_listings.status_code == 422
    foreign_evidence = file_notice(world, "gucci-ip", ["L1"], evidence_ids=["not-mine"])
    assert foreign_evidence.status_code == 422
    assert foreign_evidence.json()["code"] == "invalid_input"
    extra_field = file_notice(world, "gucci-ip", ["L1"], priority="urgent")
    assert extra_field.status_code == 422
    assert _count(world, NoticeRow) == 0
    reasons = world.platform("GET", "/v1/listings/L1").json()["reasons"]
    assert not any("notice" in r for r in reasons)


def test_an_unverified_holder_cannot_file(world: World) -> None:
    world.a_gated_brand(rights_holder_ids=[])
    assert (
        world.admin("POST", "/v1/rights-holders", json={"id": "h1", "name": "H"}).status_code == 201
    )
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    r = file_notice(world, "h1", ["L1"])
    assert r.status_code == 403
    assert r.json()["code"] == "holder_not_verified"


def test_a_mislabelled_evidence_file_is_refused_and_nothing_is_stored(
    world: World, settings: Settings
) -> None:
    _setup(world)
    r = holder(
        world,
        "gucci-ip",
        "POST",
        "/v1/notice-evidence",
        files={"file": ("report.png", b"%PDF-1.4 not really a png", "image/png")},
    )
    assert r.status_code == 415, r.text
    assert r.json()["code"] == "unsupported_media"
    assert _count(world, NoticeEvidenceRow) == 0
    stored = [p for p in Path(settings.voucher_dir).rglob("*") if p.is_file()]
    assert stored == []
    seller_upload = world.seller(
        "shop-a", "POST", "/v1/notice-evidence", files={"file": ("x.png", b"x", "image/png")}
    )
    assert seller_upload.status_code in (403, 415)


def test_counter_notices_need_proof_of_the_listing(world: World) -> None:
    _setup(world)
    world.a_listing("L2", "shop-a", title="Gucci Dionysus 酒神包")
    notice = file_notice(world, "gucci-ip", ["L1", "L2"]).json()
    no_proof = counter_notice(world, "shop-a", notice["id"], "L1")
    assert no_proof.status_code == 422
    unknown = counter_notice(world, "shop-a", notice["id"], "L1", voucher_ids=("nope",))
    assert unknown.status_code == 422
    r = world.seller(
        "shop-a",
        "POST",
        f"/v1/notices/{notice['id']}/items/L1/counter-notice",
        data={"statement": "genuine"},
        files={"file": ("a.png", b"\x89PNG\r\n\x1a\n truncated", "image/png")},
    )
    assert r.status_code == 422  # a file without its kind
    item = world.admin("GET", f"/v1/notices/{notice['id']}").json()["items"][0]
    assert item["state"] == "suspended"


def test_the_window_is_extended_once_only(world: World) -> None:
    _setup(world)
    # Proof approved for L9 through the gate answers the notice.
    voucher = approved_listing(world, "shop-a", "L9", 31)
    notice = file_notice(world, "gucci-ip", ["L9"]).json()
    assert (
        counter_notice(world, "shop-a", notice["id"], "L9", voucher_ids=(voucher,)).status_code
        == 201
    )
    decide_next(world, "rev-1", "approve", "proof_sufficient", kind="counter_notice")
    url = f"/v1/notices/{notice['id']}/items/L9/extension"
    first = holder(world, "gucci-ip", "POST", url)
    assert first.status_code == 200, first.text
    assert first.json()["extended"] is True
    second = holder(world, "gucci-ip", "POST", url)
    assert second.status_code == 409
    assert second.json()["code"] == "already_extended"


def test_a_retried_notice_is_filed_once(world: World) -> None:
    _setup(world)
    key = {"Idempotency-Key": "notice-2026-11-02-1"}
    first = file_notice(world, "gucci-ip", ["L1"], headers=key)
    retry = file_notice(world, "gucci-ip", ["L1"], headers=key)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert _count(world, NoticeRow) == 1
