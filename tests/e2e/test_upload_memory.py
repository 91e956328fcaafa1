"""The decode bound, measured on a real server process: six sellers upload at once the worst
image the limits allow, a 40-megapixel RGBA PNG of zeros (about 160 KB on the wire, 160 MB
decoded), and the server's job worker reads all six. The API process stays under 700 MB
through the uploads and the readings and gives the memory back afterwards; the job worker
process `serve` keeps beside it (ADR 0010), which holds the OCR models, under 800 MB.

SQLite only: the bound is in the decoder, not the database.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from PIL import Image

from probandi.bootstrap import bootstrap
from probandi.config import Settings
from tests.support.servers import child_pids, free_port
from tests.support.world import World, an_invoice_declaration, invoice_image

MB = 1024 * 1024
UPLOADS = 6
PEAK_LIMIT_MB = 700  # 600 before issue 20: the screening engine's word lists add ~85 MB at rest
WORKER_PEAK_LIMIT_MB = 800
RETURN_SLACK_MB = 100


def worst_png(max_pixels: int = Settings().max_pixels) -> bytes:
    """The largest square RGBA PNG the pixel limit allows, all zeros: tiny, and the most
    decoded bytes per uploaded byte."""
    side = math.isqrt(max_pixels)
    buffer = io.BytesIO()
    Image.new("RGBA", (side, side)).save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"{field} not in /proc/{pid}/status")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], World]]:
    """`probandi serve` in its own process, and a World speaking to it."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'probandi.db'}", voucher_dir=tmp_path / "vouchers"
    )
    runtime = bootstrap(settings, migrate=True)  # keys are made here, before it starts
    port = free_port()
    env = {
        **os.environ,
        "PROBANDI_DATABASE_URL": settings.database_url,
        "PROBANDI_VOUCHER_DIR": str(settings.voucher_dir),
        "PROBANDI_READ_VOUCHERS": "1",
    }
    exe = Path(sys.executable).parent / "probandi"
    process = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=120) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start")
                time.sleep(0.1)
            yield process, World(runtime, http)
    finally:
        process.terminate()
        process.wait(timeout=30)
        runtime.dispose()


def test_six_parallel_max_pixel_uploads_keep_the_server_bounded_and_memory_returns(
    server: tuple[subprocess.Popen[bytes], World],
) -> None:
    process, world = server
    world.a_gated_brand()
    today = datetime.now(UTC).date()
    for n in range(UPLOADS + 1):
        world.a_seller(f"shop-{n}")
        world.a_listing(f"L{n}", f"shop-{n}")
    declaration = an_invoice_declaration("shop-0 贸易有限公司", issued_on=today)
    warm = world.upload("shop-0", "L0", invoice_image(1), declaration=declaration)
    assert warm.status_code == 201, warm.text
    _wait_read(world, "shop-0", [warm.json()["voucher"]["id"]])
    # Every lazy import and cache is loaded now, the OCR models too.
    start = _status_mb(process.pid, "VmRSS")
    worker = _child(process.pid)
    for pid in (process.pid, worker):
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # peak RSS starts again here
    data = worst_png()

    def upload(n: int) -> httpx.Response:
        decl = an_invoice_declaration(f"shop-{n} 贸易有限公司", issued_on=today)
        return world.upload(f"shop-{n}", f"L{n}", data, declaration=decl)

    with ThreadPoolExecutor(UPLOADS) as pool:
        answers = list(pool.map(upload, range(1, UPLOADS + 1)))
    statuses = [r.status_code for r in answers]
    assert statuses == [201] * UPLOADS, [r.text for r in answers]
    for n, answer in enumerate(answers, start=1):
        assert _wait_read(world, f"shop-{n}", [answer.json()["voucher"]["id"]]) == ["read"]

    peak = _status_mb(process.pid, "VmHWM")
    after = _status_mb(process.pid, "VmRSS")
    worker_peak = _status_mb(worker, "VmHWM")
    print(f"API RSS start {start:.0f} MB, peak {peak:.0f} MB, after {after:.0f} MB")
    print(f"job worker RSS peak {worker_peak:.0f} MB")
    assert _child(process.pid) == worker  # the same worker read them all: none died
    assert peak < PEAK_LIMIT_MB
    assert worker_peak < WORKER_PEAK_LIMIT_MB
    assert after < start + RETURN_SLACK_MB


def _wait_read(world: World, seller: str, voucher_ids: list[str]) -> list[str]:
    """The vouchers' reading statuses once none is queued or in progress."""
    deadline = time.monotonic() + 180
    while True:
        statuses = [
            world.seller(seller, "GET", f"/v1/vouchers/{v}/reading").json()["status"]
            for v in voucher_ids
        ]
        if not {"queued", "reading"} & set(statuses):
            return statuses
        assert time.monotonic() < deadline, f"still being read: {statuses}"
        time.sleep(0.2)


def _child(pid: int) -> int:
    """The one child process of `pid`: serve's job worker."""
    children = child_pids(pid)
    assert len(children) == 1, children
    return children[0]
