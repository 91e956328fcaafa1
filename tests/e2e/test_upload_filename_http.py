"""A client's file name is stored cleaned: no NUL or other control characters, no path."""

from __future__ import annotations

import json

from probandi.domain.vouchers import clean_filename
from probandi.services.clock import FrozenClock
from tests.support.world import World, an_invoice_declaration, invoice_image


def test_clean_filename_drops_controls_and_paths() -> None:
    assert clean_filename("in\x00voice\x07.png") == "invoice.png"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("C:\\scans\\发票.pdf") == "发票.pdf"
    assert clean_filename("\x00\x01") == "upload"
    assert len(clean_filename("a" * 500, limit=200)) == 200


def test_an_upload_whose_file_name_holds_a_nul_is_stored_with_the_name_cleaned(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    # Written by hand: an HTTP client would percent-encode the NUL; an attacker need not.
    boundary = "b0undary"
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="scan\x00\x1b[31m.png"\r\n',
            b"Content-Type: image/png\r\n\r\n",
            invoice_image(77),
            f"\r\n--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="kind"\r\n\r\npurchase_invoice',
            f"\r\n--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="declaration"\r\n\r\n',
            json.dumps(decl).encode(),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    r = world.seller(
        "shop-a",
        "POST",
        "/v1/listings/L1/vouchers",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["voucher"]["filename"] == "scan[31m.png"
