"""The one decode pipeline every fingerprint, QR read and image comparison goes through.

Pages (`decode_pages`, for QR codes and comparison): EXIF orientation applied, RGB, and
only when the longer side exceeds `MAX_SIDE` reduced by a whole factor; PDFs: the first
`max_pages` pages rendered by PDFium at 150 dpi, capped the same way. Fingerprints
(`hash_views`): the same page at most 512 pixels on its longer side, box-filtered, as Meta's
reference PDQ hasher does before its own filters. Indexing and querying call the same
functions, so the same file always gives the same pixels.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from probandi.domain.errors import UnsupportedMedia

PDF = "application/pdf"
MAX_SIDE = 2048
PDF_DPI = 150
HASH_SIDE = 512
ORIENTATION = 0x0112
DEFAULT_MAX_PAGES = 5

# PDFium is not thread-safe: one document at a time in this process.
PDFIUM_LOCK = threading.Lock()


def _upright(image: Image.Image) -> Image.Image:
    """EXIF orientation applied; no copy when there is nothing to turn."""
    if image.getexif().get(ORIENTATION, 1) in (None, 1):
        return image
    return ImageOps.exif_transpose(image)


def _rgb(image: Image.Image) -> Image.Image:
    """RGB pixels; an RGB image as it is (convert would copy it)."""
    if image.mode == "RGB":
        image.load()
        return image
    return image.convert("RGB")


def _capped(image: Image.Image) -> Image.Image:
    longest = max(image.size)
    if longest <= MAX_SIDE:
        return image
    return image.reduce(math.ceil(longest / MAX_SIDE))


def _opened(data: bytes, draft: Callable[[int, int], tuple[int, int] | None]) -> Image.Image:
    """A JPEG or PNG as upright RGB pixels; a JPEG decoded at the smallest DCT size no
    smaller than `draft(width, height)`, if it names one. The inspector has bounded its size."""
    image = Image.open(io.BytesIO(data))
    size = draft(*image.size) if image.format == "JPEG" else None
    if size is not None:
        image.draft("RGB", size)
    return _rgb(_upright(image))


def _halved_when_huge(width: int, height: int) -> tuple[int, int] | None:
    return (width // 2, height // 2) if max(width, height) > 2 * MAX_SIDE else None


def decode_image(data: bytes) -> Image.Image:
    """A JPEG or PNG as upright RGB pixels at reading resolution."""
    return _capped(_opened(data, _halved_when_huge))


def render_pdf(
    data: bytes, max_pages: int = DEFAULT_MAX_PAGES, longest: int = MAX_SIDE, *, luma: bool = False
) -> list[Image.Image]:
    """The first pages of a PDF, rendered at 150 dpi or `longest` pixels, whichever is less;
    in RGB, or as luma only (all PDQ reads, and a quarter faster)."""
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
                    scale = min(PDF_DPI / 72, longest / max(width, height, 1))
                    bitmap = page.render(scale=scale, grayscale=luma)
                    pixels = bitmap.to_pil()
                    pages.append(pixels.convert("L") if luma else _rgb(pixels))
                finally:
                    page.close()
        finally:
            document.close()
    return pages


def decode_pages(
    data: bytes, media_type: str, max_pages: int = DEFAULT_MAX_PAGES
) -> list[Image.Image]:
    """Pages at reading resolution: for QR codes and region comparison."""
    if media_type == PDF:
        return render_pdf(data, max_pages)
    return [decode_image(data)]


def _hash_size(width: int, height: int) -> tuple[int, int]:
    longest = max(width, height)
    if longest <= HASH_SIDE:
        return width, height
    return max(1, round(width * HASH_SIDE / longest)), max(1, round(height * HASH_SIDE / longest))


def hash_view(image: Image.Image) -> Image.Image:
    """What PDQ sees: at most 512 pixels on the longer side, box-filtered, as Meta's
    reference hasher downsamples before its Jarosz filters. PDQ reads luma only, so a page
    to shrink is shrunk as luma (a third of the work, the same hash on the conformance set)."""
    size = _hash_size(*image.size)
    if size == image.size:
        return image
    return image.convert("L").resize(size, Image.Resampling.BOX)


def hash_views(
    data: bytes, media_type: str, max_pages: int = DEFAULT_MAX_PAGES
) -> list[Image.Image]:
    """The fixed fingerprint pipeline, the same for indexing and querying. A large JPEG is
    decoded at a DCT-reduced size (draft) no smaller than its hash view, then box-filtered."""
    if media_type == PDF:
        return [hash_view(page) for page in render_pdf(data, max_pages, HASH_SIDE, luma=True)]
    return [hash_view(_opened(data, _hash_size))]
