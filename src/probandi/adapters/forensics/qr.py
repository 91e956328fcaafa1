"""Read QR codes from page pixels with zxing-cpp."""

from __future__ import annotations

import zxingcpp
from PIL import Image

_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def read_qr_payloads(image: Image.Image) -> list[str]:
    """The text of every QR code zxing-cpp decodes on the page, in reading order, once each."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    found = zxingcpp.read_barcodes(image, formats=_QR)
    return list(dict.fromkeys(b.text for b in found if b.valid and b.text))
