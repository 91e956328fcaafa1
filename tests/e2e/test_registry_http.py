"""The brand registry: CRUD by admin and by the rights holder of the brand, bulk import."""

from __future__ import annotations

import json

from probandi.domain.actors import Role
from tests.support.world import World


def test_a_rights_holder_edits_only_its_own_brands(world: World) -> None:
    assert (
        world.admin(
            "POST", "/v1/rights-holders", json={"id": "kering", "name": "Kering SA"}
        ).status_code
        == 201
    )
    assert (
        world.admin("POST", "/v1/rights-holders", json={"id": "lvmh", "name": "LVMH"}).status_code
        == 201
    )
    gucci = world.admin(
        "POST",
        "/v1/brands",
        json={"name": "Gucci", "aliases": ["古驰"], "rights_holder_ids": ["kering"]},
    )
    assert gucci.status_code == 201, gucci.text
    assert gucci.json()["rights_holder_ids"] == ["kering"]
    dior = world.admin("POST", "/v1/brands", json={"name": "Dior", "rights_holder_ids": ["lvmh"]})
    assert dior.status_code == 201
    mine = world.call("GET", "/v1/brands", Role.RIGHTS_HOLDER, "kering").json()
    assert [b["name"] for b in mine] == ["Gucci"]
    hijack = world.call(
        "PUT",
        f"/v1/brands/{dior.json()['id']}",
        Role.RIGHTS_HOLDER,
        "kering",
        json={"name": "Dior", "gated": False},
    )
    assert hijack.status_code == 404
    edit = world.call(
        "PUT",
        "/v1/brands/gucci",
        Role.RIGHTS_HOLDER,
        "kering",
        json={"name": "Gucci", "aliases": ["古驰"], "reference_prices": []},
    )
    assert edit.status_code == 200
    assert edit.json()["aliases"] == ["古驰"]
    dup = world.admin("POST", "/v1/brands", json={"name": "GUCCI"})
    assert dup.status_code == 409


def test_a_new_alias_gates_listings_pushed_after_it(world: World) -> None:
    world.a_gated_brand(name="Maison Zetaline", aliases=[])  # not in the default catalog
    world.a_seller("shop-a")
    assert world.a_listing("L1", "shop-a", title="泽塔琳 马衔扣乐福鞋", brand=None)["publishable"]
    world.admin(
        "PUT", "/v1/brands/maison-zetaline", json={"name": "Maison Zetaline", "aliases": ["泽塔琳"]}
    )
    held = world.a_listing("L2", "shop-a", title="泽塔琳 马衔扣乐福鞋", brand=None)
    assert held["publishable"] is False
    assert held["matches"][0]["text"] == "泽塔琳"


def test_the_default_catalog_extends_a_registered_brand(world: World) -> None:
    world.a_gated_brand(aliases=[])  # Gucci, registered without aliases
    world.a_seller("shop-a")
    for title in ("古驰 马衔扣乐福鞋", "G U C C I 乐福鞋", "Ｇｕｃｃｉ loafers", "gucc1 乐福鞋"):
        listing = world.a_listing("L1", "shop-a", title=title, brand=None)
        assert listing["publishable"] is False, title
        match = listing["matches"][0]
        assert title[match["start"] : match["end"]] == match["text"]


def test_bulk_import_from_csv_and_json_upserts_by_name(world: World) -> None:
    csv_body = "name,aliases,gated\nChanel,香奈儿|CC,true\nHermès,爱马仕|Hermes,true\n"
    r = world.admin(
        "POST", "/v1/brands/import", content=csv_body.encode(), headers={"Content-Type": "text/csv"}
    )
    assert r.json() == {"created": 2, "updated": 0}
    payload = [{"name": "chanel", "aliases": ["香奈儿", "小香"]}, {"name": "Prada"}]
    r = world.admin(
        "POST",
        "/v1/brands/import",
        content=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert r.json() == {"created": 1, "updated": 1}
    names = {b["name"]: b for b in world.admin("GET", "/v1/brands").json()}
    assert set(names) == {"chanel", "Hermès", "Prada"}
    assert names["chanel"]["aliases"] == ["香奈儿", "小香"]


def test_a_bad_import_changes_nothing(world: World) -> None:
    body = json.dumps([{"name": "Celine"}, {"name": ""}]).encode()
    r = world.admin(
        "POST", "/v1/brands/import", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert world.admin("GET", "/v1/brands").json() == []
    bad_utf8 = world.admin(
        "POST",
        "/v1/brands/import",
        content=b"name\n\xff\xfe\n",
        headers={"Content-Type": "text/csv"},
    )
    assert bad_utf8.status_code == 422


def test_sellers_do_not_see_distributors(world: World) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    seen = world.seller("shop-a", "GET", "/v1/brands").json()
    assert seen[0]["name"] == "Gucci"
    assert seen[0]["distributors"] == []
    assert world.admin("GET", "/v1/brands").json()[0]["distributors"] != []


def test_a_rights_holder_cannot_change_who_holds_a_brand(world: World) -> None:
    for holder in ("kering", "agent-1", "other"):
        world.admin("POST", "/v1/rights-holders", json={"id": holder, "name": holder})
    made = world.admin(
        "POST", "/v1/brands", json={"name": "Gucci", "rights_holder_ids": ["kering", "agent-1"]}
    )
    assert made.status_code == 201
    edit = world.call(
        "PUT",
        "/v1/brands/gucci",
        Role.RIGHTS_HOLDER,
        "kering",
        json={"name": "Gucci", "rights_holder_ids": ["other"]},
    )
    assert edit.status_code == 200, edit.text
    assert edit.json()["rights_holder_ids"] == ["agent-1", "kering"]


def test_aliases_must_be_unique_and_not_plain_product_words(world: World) -> None:
    world.a_gated_brand()
    clash = world.admin("POST", "/v1/brands", json={"name": "Fake Gucci", "aliases": ["古驰"]})
    assert clash.status_code == 409
    common = world.admin("POST", "/v1/brands", json={"name": "Zeta", "aliases": ["bag"]})
    assert common.status_code == 422
    assert common.json()["code"] == "invalid_input"
