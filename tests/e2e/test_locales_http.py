"""Locales over HTTP (issue 21): an error keeps its code and status in every locale while
its title and detail follow the reader; a statement issued in English reads in Chinese with
the same facts; the caller's own setting beats Accept-Language."""

from __future__ import annotations

import re
from typing import Any

import httpx

from probandi.entrypoints import i18n
from probandi.services.clock import FrozenClock
from tests.support.world import World

CJK = re.compile(r"[\u4e00-\u9fff]")
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB"}


def _problem(r: httpx.Response) -> dict[str, Any]:
    assert r.headers["content-type"] == "application/problem+json", r.text
    body: dict[str, Any] = r.json()
    return body


def test_an_error_keeps_its_code_and_status_and_speaks_the_readers_language(
    world: World,
) -> None:
    world.a_seller("shop-a")
    english = world.seller("shop-a", "GET", "/v1/listings/NOPE-1", headers=EN)
    chinese = world.seller("shop-a", "GET", "/v1/listings/NOPE-1", headers=ZH)
    assert english.status_code == chinese.status_code == 404
    en, zh = _problem(english), _problem(chinese)
    assert en["code"] == zh["code"] == "not_found"
    assert en["type"] == zh["type"]
    assert en["title"] == "Not found"
    assert zh["title"] != en["title"]
    assert CJK.search(zh["title"])
    assert "NOPE-1" in en["detail"]
    assert "NOPE-1" in zh["detail"]
    assert CJK.search(zh["detail"])
    assert not CJK.search(en["detail"])
    # A schema error: the same code, status and field; the words change.
    bad = {"kind": "pirate", "legal_name": "x", "address": "y"}
    en422 = world.platform("PUT", "/v1/sellers/s9", json=bad, headers=EN)
    zh422 = world.platform("PUT", "/v1/sellers/s9", json=bad, headers=ZH)
    assert en422.status_code == zh422.status_code == 422
    e, z = _problem(en422), _problem(zh422)
    assert (e["code"], e["field"]) == (z["code"], z["field"]) == ("validation_error", "kind")
    assert CJK.search(z["title"])
    assert CJK.search(z["detail"])
    # Without a key, before any party is known: still in the reader's language.
    anonymous = world.http.get("/v1/listings/NOPE-1", headers=ZH)
    assert anonymous.status_code == 401
    assert _problem(anonymous)["code"] == "unauthenticated"
    assert CJK.search(_problem(anonymous)["title"])


def test_a_statement_issued_in_english_reads_in_chinese_with_the_same_facts(
    world: World, clock: FrozenClock
) -> None:
    rejected = world.a_copied_invoice(issued_on=clock.now().date(), seed=11)
    assert rejected.json()["voucher"]["status"] == "rejected"
    english = world.seller("shop-b", "GET", "/v1/listings/LB/statements", headers=EN).json()
    chinese = world.seller("shop-b", "GET", "/v1/listings/LB/statements", headers=ZH).json()
    assert [s["id"] for s in english] == [s["id"] for s in chinese]
    for en, zh in zip(english, chinese, strict=True):
        assert (en["automated"], en["voucher_id"], en["created_at"]) == (
            zh["automated"],
            zh["voucher_id"],
            zh["created_at"],
        )
        with i18n.use("zh_CN"):
            assert zh["measure"] == i18n._(en["measure"]) != en["measure"]
        assert CJK.search(zh["redress"])
        assert not CJK.search(en["redress"])
        assert len(en["facts"]) == len(zh["facts"])
        for fact_en, fact_zh in zip(en["facts"], zh["facts"], strict=True):
            # The same finding codes, brand names and ids in both.
            assert re.findall(r"\[[a-z_.]+\]", fact_en) == re.findall(r"\[[a-z_.]+\]", fact_zh)
            for value in re.findall(r"\b(?:Gucci|LB|LA)\b", fact_en):
                assert value in fact_zh
    rejection = next(s for s in chinese if s["voucher_id"] == rejected.json()["voucher"]["id"])
    assert "voucher.reused_exact" in rejection["ground"]
    # The last day to complain: the same date, written as Chinese writes dates.
    day = re.search(r"until (\d{4})-(\d{2})-(\d{2})", english[0]["redress"])
    assert day is not None
    year, month, date_ = (int(x) for x in day.groups())
    assert f"{year}年{month}月{date_}日" in chinese[0]["redress"]
    # English is exactly what was issued: rendering it again changes nothing.
    again = world.seller("shop-b", "GET", "/v1/listings/LB/statements", headers=EN).json()
    assert again == english


def test_the_readers_own_setting_comes_before_accept_language(world: World) -> None:
    world.a_seller("shop-a")
    world.a_seller("shop-b")
    assert world.seller("shop-a", "GET", "/v1/me/preferences", headers=EN).json() == {
        "locale": None,
        "effective_locale": "en",
    }
    saved = world.seller("shop-a", "PUT", "/v1/me/preferences", json={"locale": "zh-CN"})
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"locale": "zh_CN", "effective_locale": "zh_CN"}
    problem = _problem(world.seller("shop-a", "GET", "/v1/listings/NOPE-2", headers=EN))
    assert CJK.search(problem["title"])  # the setting wins over Accept-Language
    other = _problem(world.seller("shop-b", "GET", "/v1/listings/NOPE-2", headers=EN))
    assert other["title"] == "Not found"  # another party's setting is its own
    refused = world.seller("shop-a", "PUT", "/v1/me/preferences", json={"locale": "fr"})
    assert refused.status_code == 422
    assert _problem(refused)["code"] == "invalid_input"
    cleared = world.seller("shop-a", "PUT", "/v1/me/preferences", json={"locale": None})
    assert cleared.json()["locale"] is None
    problem = _problem(world.seller("shop-a", "GET", "/v1/listings/NOPE-2", headers=EN))
    assert problem["title"] == "Not found"
