"""Voucher upload latency with reading on against reading off, measured in the same run.

Reading (OCR) runs in the job worker, off the request path: an upload only queues a reading
job and a `queued` reading row in its own transaction. This measures what that costs the
upload's answer. Two servers in their own processes, one with `read_vouchers` on and one
with it off (the baseline: the upload as it was before reading existed), take the same
sequence of uploads of distinct invoice-sized JPEGs, one at a time, alternating in rounds.
Neither server runs the job worker, so no OCR competes with the uploads being timed.

    .venv/bin/python bench/voucher_upload.py [--uploads 60] [--rounds 3]

SQLite only: each round takes two fresh database files.

Target: the p50 with reading on within 1.2x of the p50 with it off.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn

from gate_api import HOST, Keys, bearer, migrate_and_key, server
from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.actors import Role
from probandi.domain.policy import Policy
from probandi.entrypoints.api.app import create_app
from probandi.services.keys import create_api_key
from voucher_ingest import generated_jpeg

GUCCI = {
    "name": "Gucci",
    "aliases": ["古驰"],
    "gated": True,
    "reference_prices": [{"scope": "*", "amount": "8000", "currency": "CNY"}],
}


def serve(settings: Settings, port: int) -> None:
    uvicorn.run(create_app(settings), host=HOST, port=port, log_level="warning")


def settings_for(url: str, voucher_dir: Path, *, reading: bool) -> Settings:
    return Settings(
        database_url=url, voucher_dir=voucher_dir, policy=replace(Policy(), read_vouchers=reading)
    )


def seller_key(settings: Settings) -> str:
    runtime = bootstrap(settings)
    try:
        return create_api_key(Role.SELLER, "shop-a", "bench", svc=runtime.services)
    finally:
        runtime.dispose()


def prepare(base_url: str, keys: Keys, uploads: int) -> list[str]:
    """A gated brand, one seller and its held listings."""
    listings = [f"L{n}" for n in range(uploads)]
    with httpx.Client(base_url=base_url, timeout=30) as http:
        http.post("/v1/brands", json=GUCCI, headers=bearer(keys.admin)).raise_for_status()
        seller = {"kind": "reseller", "legal_name": "甲贸易有限公司", "address": "上海市"}
        http.put("/v1/sellers/shop-a", json=seller, headers=bearer(keys.platform))
        for listing in listings:
            body = {
                "seller_id": "shop-a",
                "title": "Gucci 手袋",
                "price": "15800",
                "currency": "CNY",
            }
            http.put(f"/v1/listings/{listing}", json=body, headers=bearer(keys.platform))
    return listings


def upload_times(base_url: str, key: str, listings: list[str], seed: int) -> list[float]:
    decl = json.dumps(
        {
            "issuer": "上海华懋名品贸易有限公司",
            "buyer_name": "甲贸易有限公司",
            "issued_on": datetime.now(UTC).date().isoformat(),
            "document_number": "12345678",
            "currency": "CNY",
            "lines": [{"brand": "Gucci", "item": "bag", "quantity": 1, "amount": "16000"}],
        }
    )
    took = []
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for n, listing in enumerate(listings):
            data = generated_jpeg(seed + n)
            start = time.perf_counter()
            r = http.post(
                f"/v1/listings/{listing}/vouchers",
                files={"file": ("invoice.jpg", data, "image/jpeg")},
                data={"kind": "purchase_invoice", "declaration": decl},
                headers=bearer(key),
            )
            took.append(time.perf_counter() - start)
            if r.status_code != 201:
                raise RuntimeError(f"upload answered {r.status_code}: {r.text}")
    return took


def run(root: Path, uploads: int, rounds: int) -> None:
    medians: dict[str, list[float]] = {"reading off": [], "reading on": []}
    for r in range(rounds):
        for name, found in medians.items():
            folder = root / f"{name.replace(' ', '-')}-{r}"
            url = f"sqlite:///{folder / 'bench.db'}"
            settings = settings_for(url, folder / "vouchers", reading=name == "reading on")
            keys = migrate_and_key(settings)  # the schema, before the server starts
            with server(serve, settings) as base:
                listings = prepare(base, keys, uploads)
                key = seller_key(settings)
                times = upload_times(base, key, listings, seed=1000 * r)
            found.append(statistics.median(times) * 1000)
    off, on = medians["reading off"], medians["reading on"]
    ratios = [b / a for a, b in zip(off, on, strict=True)]
    print(f"SQLite: {uploads} uploads a round, {rounds} round(s), p50 in ms per round")
    print(f"  reading off (baseline): {', '.join(f'{v:.1f}' for v in off)}")
    print(f"  reading on:             {', '.join(f'{v:.1f}' for v in on)}")
    print(f"  ratio on/off: {min(ratios):.2f}x - {max(ratios):.2f}x (target <= 1.2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="probandi-upload-bench-") as tmp:
        run(Path(tmp), opts.uploads, opts.rounds)


if __name__ == "__main__":
    main()
