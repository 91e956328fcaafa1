"""The one decode pipeline every fingerprint, QR read and image comparison goes through.

Images: EXIF orientation applied, converted to RGB, and only when the longer side exceeds
`MAX_SIDE` reduced by a whole factor (a phone photo; conformance-sized images are hashed as
they are). PDFs: the first `max_pages` pages rendered by PDFium at 150 dpi, capped the same way.
Indexing and querying call the same function, so the same file always gives the same pixels.
"""

from __future__ import annotations

import io
import math
import threading
import warnings

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from probandi.domain.errors import UnsupportedMedia

PDF = "application/pdf"
MAX_SIDE = 2048
PDF_DPI = 150
DEFAULT_MAX_PAGES = 5

# PDFium is not thread-safe: one document at a time in this process.
PDFIUM_LOCK = threading.Lock()


def _capped(image: Image.Image) -> Image.Image:
    longest = max(image.size)
    if longest <= MAX_SIDE:
        return image
    return image.reduce(math.ceil(longest / MAX_SIDE))


def decode_image(data: bytes) -> Image.Image:
    """A JPEG or PNG as upright RGB pixels (the inspector has already bounded its size)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
        if image.format == "JPEG" and max(image.size) > 2 * MAX_SIDE:
            image.draft("RGB", (image.size[0] // 2, image.size[1] // 2))
        upright = ImageOps.exif_transpose(image)
    return _capped(upright.convert("RGB"))


def render_pdf(data: bytes, max_pages: int = DEFAULT_MAX_PAGES) -> list[Image.Image]:
    """The first pages of a PDF, rendered at 150 dpi."""
    pages: list[Image.Image] = []
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise UnsupportedMedia(f"the PDF cannot be rendered: {exc}", field="file") from exc
        try:
            for index in range(min(len(document), max_pages)):
                page = document[index]
                try:
                    width, height = page.get_size()
                    scale = min(PDF_DPI / 72, MAX_SIDE / max(width, height, 1))
                    bitmap = page.render(scale=scale)
                    pages.append(bitmap.to_pil().convert("RGB"))
                finally:
                    page.close()
        finally:
            document.close()
    return pages


def decode_pages(
    data: bytes, media_type: str, max_pages: int = DEFAULT_MAX_PAGES
) -> list[Image.Image]:
    if media_type == PDF:
        return render_pdf(data, max_pages)
    return [decode_image(data)]
