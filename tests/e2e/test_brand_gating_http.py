"""Who may gate a brand: an admin, or a verified rights holder for marks it holds; other
asks of a rights holder are brand requests that an admin approves or refuses."""

from __future__ import annotations

import json
from typing import Any

import httpx

from probandi.config import Settings
from probandi.domain.actors import Role
from tests.e2e.test_audit_cli import run_cli
from tests.support.console import form_token, sign_in
from tests.support.notices import a_verified_holder
from tests.support.world import World

NIKE = {"name": "Nike", "aliases": ["耐克"], "gated": True}


def _holder(world: World, holder_id: str, method: str, url: str, **kw: Any) -> httpx.Response:
    return world.call(method, url, Role.RIGHTS_HOLDER, holder_id, **kw)


def _registered(world: World, *holders: str) -> None:
    for h in holders:
        r = world.admin("POST", "/v1/rights-holders", json={"id": h, "name": h})
        assert r.status_code == 201, r.text


def _nike_listing(world: World, listing_id: str) -> dict[str, Any]:
    return world.a_listing(listing_id, "shop-a", title="耐克 Air Max 90 运动鞋", brand="Nike")


def _audit_tags(world: World, subject: str) -> list[str]:
    entries = world.admin("GET", f"/v1/audit?subject={subject}").json()
    return sorted(e["tag"] for e in entries)


def test_a_rights_holder_cannot_gate_a_brand_it_does_not_hold(world: World) -> None:
    _registered(world, "kering")
    world.a_seller("shop-a")
    r = _holder(world, "kering", "POST", "/v1/brands", json=NIKE)
    assert r.status_code == 202, r.text
    request = r.json()
    assert request["state"] == "pending"
    assert r.headers["Location"] == f"/v1/brand-requests/{request['id']}"
    assert "Nike" not in [b["name"] for b in world.admin("GET", "/v1/brands").json()]
    assert _nike_listing(world, "L1")["publishable"] is True  # nothing was gated
    assert _audit_tags(world, f"brand_request:{request['id']}") == ["brand:request:filed"]


def test_an_admin_approves_a_brand_request_and_the_brand_gates(world: World) -> None:
    _registered(world, "kering")
    world.a_seller("shop-a")
    request_id = _holder(world, "kering", "POST", "/v1/brands", json=NIKE).json()["id"]
    pending = world.admin("GET", "/v1/brand-requests?state=pending").json()
    assert [p["id"] for p in pending] == [request_id]
    assert pending[0]["allowed_actions"] == ["approve", "refuse"]
    r = world.admin(
        "POST", f"/v1/brand-requests/{request_id}/decision", json={"decision": "approve"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "approved"
    assert r.json()["brand_id"] == "nike"
    brand = world.admin("GET", "/v1/brands/nike").json()
    assert brand["gated"] is True
    assert brand["rights_holder_ids"] == ["kering"]
    assert _nike_listing(world, "L1")["publishable"] is False
    assert _audit_tags(world, f"brand_request:{request_id}") == [
        "brand:request:approved",
        "brand:request:filed",
    ]
    assert _audit_tags(world, "brand:nike") == ["brand:registered"]
    again = world.admin(
        "POST", f"/v1/brand-requests/{request_id}/decision", json={"decision": "refuse"}
    )
    assert again.status_code == 409


def test_an_admin_refuses_a_brand_request_with_a_reason(world: World) -> None:
    _registered(world, "kering")
    request_id = _holder(world, "kering", "POST", "/v1/brands", json=NIKE).json()["id"]
    url = f"/v1/brand-requests/{request_id}/decision"
    silent = world.admin("POST", url, json={"decision": "refuse"})
    assert silent.status_code == 422
    r = world.admin("POST", url, json={"decision": "refuse", "reason": "Kering holds no Nike mark"})
    assert r.status_code == 200, r.text
    mine = _holder(world, "kering", "GET", f"/v1/brand-requests/{request_id}").json()
    assert mine["state"] == "refused"
    assert mine["reason"] == "Kering holds no Nike mark"
    assert mine["allowed_actions"] == []
    assert world.admin("GET", "/v1/brands/nike").status_code == 404


def test_a_holder_gates_its_own_brand_only_once_its_marks_are_verified(world: World) -> None:
    world.a_gated_brand(name="Gucci", aliases=["古驰"], gated=False)
    world.a_seller("shop-a")
    _registered(world, "kering")
    held = {"name": "Gucci", "aliases": ["古驰"], "gated": False, "rights_holder_ids": ["kering"]}
    assert world.admin("PUT", "/v1/brands/gucci", json=held).status_code == 200
    gate = {"name": "Gucci", "aliases": ["古驰"], "gated": True}
    asked = _holder(world, "kering", "PUT", "/v1/brands/gucci", json=gate)
    assert asked.status_code == 202, asked.text
    assert world.admin("GET", "/v1/brands/gucci").json()["gated"] is False
    # Verified marks for the brand: the holder's own decision, applied at once.
    world.admin("PUT", "/v1/brands/gucci", json={"name": "Gucci", "gated": False})
    a_verified_holder(world, "kering-2", "gucci")
    applied = _holder(world, "kering-2", "PUT", "/v1/brands/gucci", json=gate)
    assert applied.status_code == 200, applied.text
    assert applied.json()["gated"] is True
    assert world.a_listing("L1", "shop-a", title="古驰 双肩包")["publishable"] is False


def test_an_unverified_holder_widening_a_gated_brand_files_a_request(world: World) -> None:
    _registered(world, "kering")
    world.a_gated_brand(name="Gucci", aliases=["古驰"], rights_holder_ids=["kering"])
    wider = {"name": "Gucci", "aliases": ["古驰", "古奇"], "gated": True}
    assert _holder(world, "kering", "PUT", "/v1/brands/gucci", json=wider).status_code == 202
    assert world.admin("GET", "/v1/brands/gucci").json()["aliases"] == ["古驰"]
    # Narrowing, ungating and prices need nobody's approval: they hold nothing new.
    fewer = {"name": "Gucci", "aliases": [], "gated": True}
    assert _holder(world, "kering", "PUT", "/v1/brands/gucci", json=fewer).status_code == 200
    ungated = {"name": "Gucci", "gated": False}
    assert _holder(world, "kering", "PUT", "/v1/brands/gucci", json=ungated).status_code == 200


def test_brand_requests_are_seen_by_their_holder_and_decided_by_admins(world: World) -> None:
    _registered(world, "kering", "lvmh")
    world.a_seller("shop-a")
    request_id = _holder(world, "kering", "POST", "/v1/brands", json=NIKE).json()["id"]
    url = f"/v1/brand-requests/{request_id}"
    assert _holder(world, "lvmh", "GET", url).status_code == 404
    assert _holder(world, "lvmh", "GET", "/v1/brand-requests").json() == []
    assert [r["id"] for r in _holder(world, "kering", "GET", "/v1/brand-requests").json()] == [
        request_id
    ]
    decide = {"json": {"decision": "approve"}}
    assert _holder(world, "kering", "POST", f"{url}/decision", **decide).status_code == 403
    assert world.seller("shop-a", "GET", "/v1/brand-requests").status_code == 403
    assert world.platform("POST", f"{url}/decision", **decide).status_code == 403


def test_an_operator_decides_brand_requests_from_the_cli(world: World, settings: Settings) -> None:
    _registered(world, "kering")
    first = _holder(world, "kering", "POST", "/v1/brands", json=NIKE).json()["id"]
    adidas = {"name": "Adidas", "aliases": ["阿迪达斯"]}
    second = _holder(world, "kering", "POST", "/v1/brands", json=adidas).json()["id"]
    listed = run_cli(settings, "brands", "requests", "list", "--state", "pending")
    assert listed.returncode == 0, listed.stderr
    assert sorted(r["id"] for r in json.loads(listed.stdout)) == sorted([first, second])
    approved = run_cli(settings, "brands", "requests", "approve", first)
    assert approved.returncode == 0, approved.stderr
    assert json.loads(approved.stdout)["state"] == "approved"
    refused = run_cli(settings, "brands", "requests", "refuse", second, "--reason", "no mark")
    assert json.loads(refused.stdout)["reason"] == "no mark"
    again = run_cli(settings, "brands", "requests", "approve", second)
    assert again.returncode == 2
    assert "invalid_transition" in again.stderr
    assert world.admin("GET", "/v1/brands/nike").json()["rights_holder_ids"] == ["kering"]


def test_an_admin_decides_brand_requests_in_the_console(world: World, live_url: str) -> None:
    _registered(world, "kering")
    request_id = _holder(world, "kering", "POST", "/v1/brands", json=NIKE).json()["id"]
    with httpx.Client(base_url=live_url, timeout=30) as browser:
        assert sign_in(browser, api_key=world.key(Role.ADMIN)).status_code == 303
        assert "/console/admin/brand-requests" in browser.get("/console/admin").text
        listed = browser.get("/console/admin/brand-requests")
        assert listed.status_code == 200
        assert "Nike" in listed.text
        assert "耐克" in listed.text
        r = browser.post(
            f"/console/admin/brand-requests/{request_id}/decision",
            data={"csrf_token": form_token(listed), "decision": "approve"},
        )
        assert r.status_code == 303, r.text
        assert "No pending brand requests" in browser.get("/console/admin/brand-requests").text
    assert world.admin("GET", "/v1/brands/nike").json()["gated"] is True
    with httpx.Client(base_url=live_url, timeout=30) as browser:
        sign_in(browser, api_key=world.key(Role.RIGHTS_HOLDER, "kering"))
        desk = browser.get("/console/brand").text
        assert "My brand requests" in desk
        assert "approved" in desk
