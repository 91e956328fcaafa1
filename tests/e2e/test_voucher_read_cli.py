"""`probandi voucher read`, run as a user runs it, with the real OCR."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw

from probandi.config import Settings
from tests.conftest import shared_data
from tests.e2e.test_audit_cli import run_cli


def test_read_prints_the_invoice_fields_and_reports_bad_files_on_stderr(
    settings: Settings, tmp_path: Path
) -> None:
    real = shared_data() / "invoices" / "e-invoice-real.png"
    liar = tmp_path / "liar.png"
    liar.write_bytes(b"not an image at all")
    missing = tmp_path / "missing.pdf"
    done = run_cli(settings, "voucher", "read", str(liar), str(real), str(missing))
    assert done.returncode == 1  # two files failed; the good one is still printed
    [line] = [json.loads(text) for text in done.stdout.splitlines()]
    assert line["path"] == str(real)
    assert line["kind_guess"] == "purchase_invoice"
    assert line["pages"] == 1
    fields = line["fields"]
    assert {name: fields[name]["value"] for name in ("code", "number", "date", "amount")} == {
        "code": "012001800311",
        "number": "33207675",
        "date": "2019-05-08",
        "amount": "46.62",
    }
    assert fields["seller_tax_id"]["value"] == "91120222079642398Y"
    assert fields["seller_tax_id"]["confidence"] >= 0.9
    left, top, right, bottom = fields["number"]["box"]
    assert left < right
    assert top < bottom
    assert "天津瑞佳讯贸易有限公司" in line["text"]
    errors = [json.loads(text) for text in done.stderr.splitlines() if text.startswith("{")]
    assert [e["path"] for e in errors] == [str(liar), str(missing)]
    assert errors[0]["error"] == "file is not a PDF, JPEG or PNG"


def test_read_reads_only_the_first_pages_of_a_long_pdf_and_says_so(
    settings: Settings, tmp_path: Path
) -> None:
    pages = []
    for number in range(1, 201):
        page = Image.new("RGB", (400, 300), "white")
        ImageDraw.Draw(page).text((20, 20), f"Page {number} Total CNY 12.50", fill="black")
        pages.append(page)
    long_pdf = tmp_path / "long.pdf"
    pages[0].save(long_pdf, save_all=True, append_images=pages[1:])
    done = run_cli(settings, "voucher", "read", "--max-pages", "2", str(long_pdf))
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    assert line["pages"] == 2
    assert line["note"] == "read the first 2 of 200 pages"
    assert line["text"].count("12.50") == 2  # one line a page, two pages read
