"""Console pages in the reader's locale against the same pages with translation switched
off (issue 21: page p50 within 1.1x of the console before locales).

One process, the demo marketplace in a fresh SQLite database, the app driven in-process by
Starlette's TestClient (no network: the figure is the server's own work). A seller's listing
page (held listing, vouchers, findings, statements) and its listings page are fetched in
turn. Three arms, interleaved so that drift on this machine hits them alike:

- baseline: English with the locale machinery replaced by nothing (no setting read, no
  negotiation, identity gettext), the console as it was before locales;
- en: English as shipped (setting read, negotiation, catalog lookups of the source locale);
- zh_CN: Simplified Chinese (every text through the compiled catalog).

    .venv/bin/python bench/console_render.py [--requests 400] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import gettext
import hashlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.accounts import ConsoleSession
from probandi.entrypoints import i18n
from probandi.entrypoints.api.app import create_app
from probandi.entrypoints.cli.demo import load_demo
from probandi.entrypoints.console import web
from probandi.services import accounts
from probandi.services.context import Services

SELLER = "seller:mingpinhui"
TARGET = 1.10


@contextlib.contextmanager
def without_locales() -> Iterator[None]:
    """The console before locales: no saved setting read, no negotiation, no catalog."""
    saved = (accounts.session_and_locale, web.reader_locale, i18n.translations)
    null = gettext.NullTranslations()

    def session_only(token: str, *, svc: Services) -> tuple[ConsoleSession, None] | None:
        """`session_of` as it was: the session's row alone."""
        digest = hashlib.sha256(token.encode()).hexdigest()
        with svc.reader() as uow:
            session = uow.console_sessions.get(digest)
        if session is None or not session.live(now=svc.clock.now()):
            return None
        return session, None

    setattr(web, "session_and_locale", session_only)  # noqa: B010 - swapped for the bench
    setattr(web, "reader_locale", lambda request: "en")  # noqa: B010
    setattr(i18n, "translations", lambda locale: null)  # noqa: B010
    try:
        yield
    finally:
        setattr(web, "session_and_locale", saved[0])  # noqa: B010
        setattr(web, "reader_locale", saved[1])  # noqa: B010
        setattr(i18n, "translations", saved[2])  # noqa: B010


def sign_in(client: TestClient, key: str) -> None:
    page = client.get("/console/login")
    token = page.cookies.get("probandi_login_csrf") or client.cookies.get("probandi_login_csrf")
    r = client.post(
        "/console/login", data={"csrf_token": token, "api_key": key}, follow_redirects=False
    )
    assert r.status_code == 303, r.text


def timed(client: TestClient, urls: list[str], language: str) -> float:
    start = time.perf_counter()
    for url in urls:
        r = client.get(url, headers={"Accept-Language": language})
        assert r.status_code == 200, (url, r.status_code)
    return (time.perf_counter() - start) / len(urls) * 1000


def one_run(client: TestClient, urls: list[str], requests: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {"baseline": [], "en": [], "zh_CN": []}
    for _ in range(requests // len(urls)):
        with without_locales():
            samples["baseline"].append(timed(client, urls, "en"))
        samples["en"].append(timed(client, urls, "en"))
        samples["zh_CN"].append(timed(client, urls, "zh-CN"))
    return {arm: statistics.median(values) for arm, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="page views per arm and run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", voucher_dir=Path(tmp) / "v"
        )
        runtime = bootstrap(settings, migrate=True)
        keys = load_demo(runtime.services, out=lambda _line: None)
        assert keys is not None
        app = create_app(settings, runtime=runtime)
        with TestClient(app) as client:
            sign_in(client, keys[SELLER])
            listings = client.get("/console/listings")
            first = listings.text.split('href="/console/listings/', 1)[1].split('"', 1)[0]
            urls = [f"/console/listings/{first}", "/console/listings"]
            timed(client, urls * 5, "zh-CN")  # warm: templates compiled, catalog read
            print(f"pages: {', '.join(urls)}; {args.requests} views per arm and run")
            ratios = []
            for run in range(1, args.runs + 1):
                p50 = one_run(client, urls, args.requests)
                ratio = max(p50["en"], p50["zh_CN"]) / p50["baseline"]
                ratios.append(ratio)
                print(
                    f"run {run}: p50 per page baseline {p50['baseline']:.2f} ms, "
                    f"en {p50['en']:.2f} ms, zh_CN {p50['zh_CN']:.2f} ms; "
                    f"worse locale / baseline {ratio:.3f}x"
                )
    low, high = min(ratios), max(ratios)
    verdict = "met" if high <= TARGET else "missed" if low > TARGET else "not settled"
    print(f"range {low:.3f}x to {high:.3f}x against a target of {TARGET}x: {verdict}")


if __name__ == "__main__":
    main()
