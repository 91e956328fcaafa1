"""Every console page of the demo marketplace, read in Chinese by each kind of principal
(issue 21): no text of ours is left in English. The crawl follows the console's own links
from each home page; a page passes when none of our English messages (those whose Chinese
differs) appears in its visible text. Data (titles, names, ids, codes) may be in any script."""

from __future__ import annotations

import html
import re
from collections import deque

import httpx
from babel.messages.pofile import read_po

from probandi.entrypoints import i18n
from probandi.entrypoints.cli.demo import load_demo
from tests.support.world import World

ZH = {"Accept-Language": "zh-CN"}
LINK = re.compile(r'href="(/console/[^"#?]*)"')
SKIP = re.compile(r"/console/(static|logout|locale|vouchers/[^/]+/file)|\.(csv|json|html)$")
SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S)
TAG = re.compile(r"<[^>]+>")
PAGES_PER_PRINCIPAL = 30


def english_messages() -> list[str]:
    """Our English texts whose Chinese reads differently, long enough not to be data."""
    with i18n.catalog_path("zh_CN").open("rb") as f:
        catalog = read_po(f, locale="zh_CN")
    out = []
    for message in catalog:
        if not message.id or message.context or isinstance(message.id, tuple):
            continue
        text = str(message.id)
        if "%(" in text or len(text) < 12 or " " not in text:
            continue
        if message.string and message.string != text:
            out.append(text)
    return out


def sign_in(client: httpx.Client, **form: str) -> None:
    client.get("/console/login", headers=ZH)
    token = client.cookies.get("probandi_login_csrf", path="/console")
    done = client.post("/console/login", data={"csrf_token": token, **form}, headers=ZH)
    assert done.status_code == 303, done.text


def crawl(client: httpx.Client) -> dict[str, str]:
    """Visible text of each console page reachable from the home page."""
    seen: dict[str, str] = {}
    queue = deque(["/console"])
    while queue and len(seen) < PAGES_PER_PRINCIPAL:
        url = queue.popleft()
        if url in seen or SKIP.search(url):
            continue
        r = client.get(url, headers=ZH, follow_redirects=True)
        if r.headers.get("content-type", "").startswith("text/html"):
            seen[url] = html.unescape(TAG.sub(" ", SCRIPT.sub(" ", r.text)))
            queue.extend(u for u in LINK.findall(r.text) if u not in seen)
    return seen


def test_no_console_page_of_the_demo_has_our_english_in_chinese(
    world: World, live_url: str
) -> None:
    keys = load_demo(world.runtime.services, out=lambda _line: None)
    assert keys is not None
    english = english_messages()
    principals = [
        {"api_key": keys["seller:mingpinhui"]},
        {"api_key": keys["rights_holder:lvmh"]},
        {"username": "demo-reviewer", "password": keys["console user demo-reviewer (password)"]},
        {"username": "demo-admin", "password": keys["console user demo-admin (password)"]},
    ]
    found: list[str] = []
    pages = 0
    for form in principals:
        with httpx.Client(base_url=live_url, timeout=30) as client:
            sign_in(client, **form)
            for url, text in crawl(client).items():
                pages += 1
                flat = " ".join(text.split())
                found += [f"{url}: {m!r}" for m in english if m in flat]
    assert pages >= 12, pages
    assert found == [], "\n".join(found[:30])
