"""The one decode pipeline every fingerprint, QR read and image comparison goes through.

Pages (`decode_pages`, for QR codes and comparison): EXIF orientation applied, RGB, and
only when the longer side exceeds `MAX_SIDE` reduced by a whole factor; PDFs: the first
`max_pages` pages rendered by PDFium at 150 dpi, capped the same way. Fingerprints
(`hash_views`): the same page at most 512 pixels on its longer side, box-filtered, as Meta's
reference PDQ hasher does before its own filters. Indexing and querying call the same
functions, so the same file always gives the same pixels.

Memory: every decode holds a share of one `DecodeBudget` for as long as it holds full-size
pixels; a large page is reduced in its own mode before any copy (RGB, EXIF turn), so one
40-megapixel PNG costs its decoded size once, and only one such decode runs at a time. After a
large decode the freed pages go back to the system (glibc `malloc_trim`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
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

MB = 1024 * 1024
# Pillow keeps 4 bytes per pixel for RGB, RGBA and CMYK; one transient copy on top.
BYTES_PER_PIXEL = 4
TRANSIENT_COPIES = 2
TRIM_AFTER = 32 * MB  # a decode this large is followed by returning freed memory


def _malloc_trim() -> Callable[[], None]:
    """glibc's malloc_trim(0), or nothing elsewhere: Pillow frees a big image into the
    malloc arenas of the thread that decoded it, where it would otherwise stay."""
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is None:
        return lambda: None

    def release() -> None:
        trim(0)

    return release


release_memory = _malloc_trim()


class DecodeBudget:
    """Bounds the decoded pixels this process holds at once: at most `slots` decodes, whose
    estimated memory stays within `memory_bytes`. A decode larger than the whole budget
    runs alone."""

    def __init__(self, slots: int = 2, memory_bytes: int = 256 * MB) -> None:
        if slots < 1 or memory_bytes < 1:
            raise ValueError("the decode budget must be positive")
        self._memory = memory_bytes
        self._free_memory = memory_bytes
        self._free_slots = slots
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, cost: int, *, trim: bool = False) -> Iterator[None]:
        """Wait for a slot and `cost` bytes of the budget, and hold them; freed memory goes
        back to the system afterwards when the cost was large (or `trim`)."""
        cost = max(0, min(cost, self._memory))
        with self._changed:
            self._changed.wait_for(lambda: self._free_slots > 0 and self._free_memory >= cost)
            self._free_slots -= 1
            self._free_memory -= cost
        try:
            yield
        finally:
            with self._changed:
                self._free_slots += 1
                self._free_memory += cost
                self._changed.notify_all()
            if trim or cost >= TRIM_AFTER:
                release_memory()


DEFAULT_BUDGET = DecodeBudget()


def pixel_cost(width: int, height: int) -> int:
    """The memory a decode of this many pixels may hold at its peak."""
    return width * height * BYTES_PER_PIXEL * TRANSIENT_COPIES


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


# Modes Image.reduce averages correctly; others (palette, bilevel) become RGB first.
_REDUCIBLE = frozenset({"L", "LA", "La", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "I", "F"})


def _capped(image: Image.Image) -> Image.Image:
    longest = max(image.size)
    if longest <= MAX_SIDE:
        return image
    if image.mode not in _REDUCIBLE:
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    factor = math.ceil(longest / MAX_SIDE)
    if image.mode in ("LA", "RGBA"):
        # Each band averaged on its own, as if alpha were dropped first (the RGB page never
        # had it): Image.reduce would premultiply alpha in a full-size copy first.
        image.load()
        return image._new(image.im.reduce((factor, factor), (0, 0, *image.size)))
    return image.reduce(factor)


def _draft_size(image: Image.Image, draft: Callable[[int, int], tuple[int, int] | None]) -> None:
    size = draft(*image.size) if image.format == "JPEG" else None
    if size is not None:
        image.draft("RGB", size)


def _halved_when_huge(width: int, height: int) -> tuple[int, int] | None:
    return (width // 2, height // 2) if max(width, height) > 2 * MAX_SIDE else None


_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def decode_image(data: bytes, budget: DecodeBudget | None = None) -> Image.Image:
    """A JPEG or PNG as upright RGB pixels at reading resolution. A page larger than that is
    reduced in its own mode first, then turned and made RGB: copies of the small page only."""
    image = Image.open(io.BytesIO(data))
    _draft_size(image, _halved_when_huge)
    with (budget or DEFAULT_BUDGET).hold(pixel_cost(*image.size)):
        if max(image.size) <= MAX_SIDE:
            return _rgb(_upright(image))
        turn = _TURNS.get(image.getexif().get(ORIENTATION, 1) or 1)
        image.load()
        small = _capped(image)
        image.close()  # the full-size pixels go now, not when the caller is done
    return _rgb(small.transpose(turn) if turn is not None else small)


MAX_FORM_DEPTH = 15  # form XObjects nested in form XObjects, as deep as PDFium looks


def image_pixels(page: pdfium.PdfPage) -> int:
    """The pixels of every image a page draws, forms included, read from their headers:
    PDFium decodes each at full size to render it, whatever the page's scale."""
    images = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=MAX_FORM_DEPTH)
    return sum(width * height for width, height in (image.get_px_size() for image in images))


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    """Call with PDFIUM_LOCK held."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnsupportedMedia(
            "the PDF cannot be rendered: %(exc)s", field="file", params={"exc": exc}
        ) from exc


def render_pdf(
    data: bytes,
    max_pages: int = DEFAULT_MAX_PAGES,
    longest: int = MAX_SIDE,
    *,
    luma: bool = False,
    budget: DecodeBudget | None = None,
) -> list[Image.Image]:
    """The first pages of a PDF, rendered at 150 dpi or `longest` pixels, whichever is less;
    in RGB, or as luma only (all PDQ reads, and a quarter faster)."""
    pages: list[Image.Image] = []
    with PDFIUM_LOCK:
        document = open_pdf(data)
        try:
            for index in range(min(len(document), max_pages)):
                page = document[index]
                try:
                    width, height = page.get_size()
                    scale = min(PDF_DPI / 72, longest / max(width, height, 1))
                    cost = pixel_cost(round(width * scale), round(height * scale))
                    with (budget or DEFAULT_BUDGET).hold(cost + pixel_cost(image_pixels(page), 1)):
                        bitmap = page.render(scale=scale, grayscale=luma)
                        pixels = bitmap.to_pil()
                        pages.append(pixels.convert("L") if luma else _rgb(pixels))
                        del bitmap, pixels
                finally:
                    page.close()
        finally:
            document.close()
    return pages


def decode_pages(
    data: bytes,
    media_type: str,
    max_pages: int = DEFAULT_MAX_PAGES,
    budget: DecodeBudget | None = None,
) -> list[Image.Image]:
    """Pages at reading resolution: for QR codes and region comparison."""
    if media_type == PDF:
        return render_pdf(data, max_pages, budget=budget)
    return [decode_image(data, budget)]


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
    data: bytes,
    media_type: str,
    max_pages: int = DEFAULT_MAX_PAGES,
    budget: DecodeBudget | None = None,
) -> list[Image.Image]:
    """The fixed fingerprint pipeline, the same for indexing and querying. A large JPEG is
    decoded at a DCT-reduced size (draft) no smaller than its hash view, then box-filtered;
    a PNG beyond reading resolution is hashed from its reduced page (`decode_image`)."""
    if media_type == PDF:
        pages = render_pdf(data, max_pages, HASH_SIDE, luma=True, budget=budget)
        return [hash_view(page) for page in pages]
    image = Image.open(io.BytesIO(data))
    _draft_size(image, _hash_size)
    if max(image.size) > MAX_SIDE:
        image.close()
        return [hash_view(decode_image(data, budget))]
    with (budget or DEFAULT_BUDGET).hold(pixel_cost(*image.size)):
        return [hash_view(_rgb(_upright(image)))]
