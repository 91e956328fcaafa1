"""The notice flow from the terminal: `probandi notice`, `tick` and `penalties`, run as a
user runs them, acting with an API key."""

from __future__ import annotations

import json
import os
import re
from unittest.mock import patch

from probandi.config import Settings
from probandi.domain.actors import Role
from tests.e2e.test_audit_cli import run_cli
from tests.support.notices import a_verified_holder, file_notice, item_state
from tests.support.world import World


def test_a_notice_filed_and_a_deadline_applied_from_the_cli(
    world: World, settings: Settings
) -> None:
    gucci = world.a_gated_brand()
    a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    world.a_listing("L2", "shop-a", title="Gucci Dionysus 酒神包")
    # Filed through HTTP on the test's clock (early November): long overdue by now.
    old = file_notice(world, "gucci-ip", ["L2"]).json()
    holder_key = world.key(Role.RIGHTS_HOLDER, "gucci-ip")

    filed = run_cli(
        settings,
        "notice",
        "file",
        "--key",
        holder_key,
        "--reason",
        "counterfeit",
        "--listing",
        "L1",
        "--listing",
        "nope",
        "--good-faith",
        "--text",
        "test buy",
    )
    assert filed.returncode == 0, filed.stderr
    notice = json.loads(filed.stdout)
    assert [(i["listing_id"], i["state"]) for i in notice["items"]] == [("L1", "suspended")]
    assert [r["code"] for r in notice["refused"]] == ["listing_not_found"]

    ticked = run_cli(settings, "tick")
    assert ticked.returncode == 0, ticked.stderr
    assert "1 notice item(s) upheld" in ticked.stderr
    assert item_state(world, old["id"], "L2")["state"] == "upheld"
    assert item_state(world, notice["id"], "L1")["state"] == "suspended"

    seller_key = world.key(Role.SELLER, "shop-a")
    ledger = run_cli(settings, "penalties", "show", "shop-a", "--key", seller_key)
    assert ledger.returncode == 0, ledger.stderr
    assert [e["kind"] for e in json.loads(ledger.stdout)["entries"]] == ["proof_deadline_missed"]
    # Another seller's ledger is not there for this key; a made-up key is refused.
    other = run_cli(settings, "penalties", "show", "shop-b", "--key", seller_key)
    assert other.returncode == 2
    assert "not_found" in other.stderr
    bad = run_cli(settings, "notice", "show", notice["id"], "--key", "pbk_nope")
    assert bad.returncode == 2
    assert "unknown or revoked" in bad.stderr


def test_the_cli_speaks_the_shells_language_unless_the_party_chose(
    world: World, settings: Settings
) -> None:
    world.a_seller("shop-a")
    world.a_seller("shop-b")
    key = world.key(Role.SELLER, "shop-a")

    def refused(lang: str) -> str:
        env = {**os.environ, "LC_ALL": "", "LC_MESSAGES": "", "LANG": lang}
        with patch.dict(os.environ, env):
            done = run_cli(settings, "penalties", "show", "shop-b", "--key", key)
        assert done.returncode == 2
        return " ".join(done.stderr.split())

    english, chinese = refused("C.UTF-8"), refused("zh_CN.UTF-8")
    assert "error (not_found)" in english
    assert "(not_found)" in chinese
    assert re.search(r"[\u4e00-\u9fff]", chinese)
    assert not re.search(r"[\u4e00-\u9fff]", english)
    # The party's own setting beats the shell's.
    assert world.seller("shop-a", "PUT", "/v1/me/preferences", json={"locale": "en"}).is_success
    assert not re.search(r"[\u4e00-\u9fff]", refused("zh_CN.UTF-8"))
