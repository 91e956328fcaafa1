"""Builders for the notice flow over HTTP: verified rights holders, notices, decisions."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx

from probandi.domain.actors import Role
from tests.support.world import World, invoice_image


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
    world: World, holder_id: str, listing_ids: list[str], **overrides: Any
) -> httpx.Response:
    body = {
        "reason": "counterfeit",
        "listing_ids": listing_ids,
        "text": "test buy showed counterfeit goods",
        "good_faith": True,
        **overrides,
    }
    return holder(world, holder_id, "POST", "/v1/notices", json=body)


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
