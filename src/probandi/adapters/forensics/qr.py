"""Read QR codes from page pixels with zxing-cpp."""

from __future__ import annotations

import zxingcpp
from PIL import Image


def read_qr_payloads(image: Image.Image) -> list[str]:
    """The text of every QR code zxing-cpp decodes on the page, in reading order, once each."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    # Built per call: a module-level zxing-cpp object outlives the interpreter's teardown
    # and nanobind reports it as leaked at every exit.
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    return list(dict.fromkeys(b.text for b in found if b.valid and b.text))
