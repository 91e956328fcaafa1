"""Credentials in the console over HTTP: a rights holder registers a key and revokes a
credential on its desk (CSRF-checked); an admin suspends a key; others cannot post."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from probandi.adapters.credentials.jose import generate_key
from probandi.domain.actors import Role
from tests.support.console import form_token, sign_in
from tests.support.credentials import USCC_X, a_signing_brand, an_authorized_seller
from tests.support.world import World


@contextmanager
def signed_in(world: World, role: Role, party: str | None = None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=str(world.http.base_url), timeout=30) as http:
        r = sign_in(http, api_key=world.key(role, party))
        assert r.status_code in (200, 303), r.text
        yield http


def test_a_holder_registers_a_key_and_revokes_a_credential_from_its_desk(world: World) -> None:
    gucci = world.a_gated_brand()
    brand = a_signing_brand(world, "gucci-ip", gucci["id"], "gucci-1")
    legal_name = an_authorized_seller(world, "shop-x", USCC_X)
    _, prepared = brand.issue(legal_name, USCC_X)
    with signed_in(world, Role.RIGHTS_HOLDER, "gucci-ip") as http:
        page = http.get("/console/brand/credentials")
        assert page.status_code == 200
        assert "gucci-1" in page.text
        assert prepared["credential"]["id"] in page.text
        _, public = generate_key()
        refused = http.post(
            "/console/brand/credentials/keys",
            data={"kid": "gucci-2", "jwk": json.dumps(public), "brand_ids": gucci["id"]},
        )
        assert refused.status_code == 403  # no CSRF token
        r = http.post(
            "/console/brand/credentials/keys",
            data={
                "csrf_token": form_token(page),
                "kid": "gucci-2",
                "jwk": json.dumps(public),
                "brand_ids": gucci["id"],
            },
            follow_redirects=True,
        )
        assert r.status_code == 200
        assert "Key registered" in r.text
        r = http.post(
            "/console/brand/credentials/revoke",
            data={"csrf_token": form_token(r), "credential_id": prepared["credential"]["id"]},
            follow_redirects=True,
        )
        assert "Credential revoked" in r.text
    credentials = brand.call("GET", "/v1/credentials").json()
    assert [c["state"] for c in credentials] == ["revoked"]
    assert {k["kid"] for k in brand.call("GET", "/v1/credential-keys").json()} == {
        "gucci-1",
        "gucci-2",
    }


def test_an_admin_suspends_a_key_and_a_seller_cannot_open_the_pages(world: World) -> None:
    gucci = world.a_gated_brand()
    a_signing_brand(world, "gucci-ip", gucci["id"], "gucci-1")
    with signed_in(world, Role.ADMIN) as http:
        page = http.get("/console/admin/credential-keys")
        assert "gucci-1" in page.text
        r = http.post(
            "/console/admin/credential-keys/gucci-1/suspend",
            data={"csrf_token": form_token(page), "reason": "reported stolen laptop"},
            follow_redirects=True,
        )
        assert "Key suspended" in r.text
        assert "reported stolen laptop" in r.text
    keys = world.admin("GET", "/v1/credential-keys").json()
    assert keys[0]["suspended_reason"] == "reported stolen laptop"
    world.a_seller("shop-x")
    with signed_in(world, Role.SELLER, "shop-x") as http:
        assert http.get("/console/brand/credentials").status_code == 403
        assert http.get("/console/admin/credential-keys").status_code == 403
