"""Builders for the notice flow over HTTP: verified rights holders, notices, decisions."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx

from probandi.domain.actors import Role
from tests.support.world import World, an_invoice_declaration, invoice_image


def a_verified_holder(
    world: World, holder_id: str, brand_id: str, *, trusted: bool = False
) -> None:
    """Registered by an admin, its mark stated, verified (and enrolled if `trusted`)."""
    r = world.admin("POST", "/v1/rights-holders", json={"id": holder_id, "name": holder_id})
    assert r.status_code == 201, r.text
    brand = world.admin("GET", f"/v1/brands/{brand_id}").json()
    holders = sorted({*brand["rights_holder_ids"], holder_id})
    body = {k: brand[k] for k in ("name", "aliases", "gated", "distributors")}
    body["reference_prices"] = brand["reference_prices"]
    r = world.admin("PUT", f"/v1/brands/{brand_id}", json=body | {"rights_holder_ids": holders})
    assert r.status_code == 200, r.text
    profile = {
        "kind": "brand",
        "registrations": [
            {
                "brand_id": brand_id,
                "office": "CNIPA",
                "number": f"TM-{holder_id}",
                "classes": [18, 25],
                "expires_on": date(2035, 1, 1).isoformat(),
            }
        ],
    }
    r = holder(world, holder_id, "PUT", f"/v1/rights-holders/{holder_id}/profile", json=profile)
    assert r.status_code == 200, r.text
    r = world.admin("POST", f"/v1/rights-holders/{holder_id}/verification")
    assert r.status_code == 200, r.text
    if trusted:
        r = world.admin(
            "PUT", f"/v1/rights-holders/{holder_id}/trusted-flagger", json={"enrolled": True}
        )
        assert r.status_code == 200, r.text


def holder(world: World, holder_id: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
    return world.call(method, url, Role.RIGHTS_HOLDER, holder_id, **kwargs)


def evidence(world: World, holder_id: str, seed: int = 900) -> str:
    """A test-buy report (an image) uploaded as notice evidence; returns its id."""
    r = holder(
        world,
        holder_id,
        "POST",
        "/v1/notice-evidence",
        files={"file": ("test-buy.png", invoice_image(seed), "image/png")},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def file_notice(
    world: World,
    holder_id: str,
    listing_ids: list[str],
    headers: dict[str, str] | None = None,
    **overrides: Any,
) -> httpx.Response:
    body = {
        "reason": "counterfeit",
        "listing_ids": listing_ids,
        "text": "test buy showed counterfeit goods",
        "good_faith": True,
        **overrides,
    }
    return holder(world, holder_id, "POST", "/v1/notices", json=body, headers=headers or {})


def counter_notice(
    world: World,
    seller_id: str,
    notice_id: str,
    listing_id: str,
    *,
    voucher_ids: tuple[str, ...] = (),
    upload: tuple[bytes, str, dict[str, Any]] | None = None,
) -> httpx.Response:
    data: dict[str, str] = {
        "statement": "bought from the brand's distributor; invoice attached",
        "voucher_ids": ",".join(voucher_ids),
    }
    files = None
    if upload is not None:
        content, media_type, declaration = upload
        data |= {"kind": "purchase_invoice", "declaration": json.dumps(declaration)}
        files = {"file": ("invoice", content, media_type)}
    return world.seller(
        seller_id,
        "POST",
        f"/v1/notices/{notice_id}/items/{listing_id}/counter-notice",
        data=data,
        files=files,
    )


def decide_next(
    world: World, reviewer: str, decision: str, reason_code: str, *, kind: str
) -> dict[str, Any]:
    """The reviewer claims the next task, which must be of `kind`, and decides it."""
    r = world.reviewer("POST", "/v1/review/tasks/claim-next", name=reviewer)
    assert r.status_code == 200, r.text
    task = r.json()
    assert task["kind"] == kind, task
    r = world.reviewer(
        "POST",
        f"/v1/review/tasks/{task['id']}/decision",
        name=reviewer,
        json={"decision": decision, "reason_code": reason_code, "version": task["version"]},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def item_state(world: World, notice_id: str, listing_id: str) -> dict[str, Any]:
    notice = world.admin("GET", f"/v1/notices/{notice_id}").json()
    return next(i for i in notice["items"] if i["listing_id"] == listing_id)


def approved_listing(world: World, seller_id: str, listing_id: str, seed: int) -> str:
    """A gated listing whose proof a reviewer approved; returns the voucher id."""
    world.a_listing(listing_id, seller_id, title=f"Gucci GG Marmont 肩背包 {listing_id}")
    decl = an_invoice_declaration(
        f"{seller_id} 贸易有限公司",
        issued_on=world.runtime.services.clock.now().date() - timedelta(days=10),
        document_number=f"No.{seed:08d}",
    )
    up = world.upload(seller_id, listing_id, invoice_image(seed), declaration=decl)
    assert up.status_code == 201, up.text
    assert up.json()["voucher"]["status"] == "pending_review", up.text
    decide_next(world, "gate-reviewer", "approve", "authorized_distributor", kind="proof")
    listing = world.platform("GET", f"/v1/listings/{listing_id}").json()
    assert listing["publishable"] is True, listing
    return str(up.json()["voucher"]["id"])
