"""Page finding and rectification: a photo or a screenshot of a voucher, rectified, hashes close
to the original in some orientation; a clean page is left alone; an image without a page passes
through; a phone frame around a shop's own documents stops counting once rectified."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from probandi.adapters.forensics.compare import compare_pages
from probandi.adapters.forensics.decode import hash_view
from probandi.adapters.forensics.qr import read_qr_payloads
from probandi.adapters.forensics.reader import page_hashes
from probandi.adapters.forensics.rectify import find_page, rectify
from probandi.domain.forensics.einvoice import parse_einvoice_qr
from probandi.domain.forensics.model import hamming
from tests.conftest import shared_data
from tests.support.attacks import (
    GENERATED_EINVOICE,
    REAL_EINVOICE,
    RECEIPT,
    Layout,
    attacks,
    doctored,
    framed,
    photo,
    screenshot,
)
from tests.support.real_invoice import real_invoice_path
from tests.support.vouchers import (
    _day_in_2026,
    _goods,
    forged_receipts,
    paper_receipt_image,
    same_template_einvoices,
)

THRESHOLD = 31  # the near-duplicate distance of the policy
DIHEDRAL: tuple[Image.Transpose | None, ...] = (None, *Image.Transpose)
RECYCLED_SHARE = 0.01  # at most this share of differing cells reads as "the same document"


def _image(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def _hashes(image: Image.Image) -> list[str]:
    return [p.pdq for p in page_hashes(0, hash_view(image))[0]]


def _nearest_orientation(original: Image.Image, copy: Image.Image) -> int:
    """The copy's distance to the original, both as the index would hold them (today's
    hashes and the rectified page's), in the copy's nearest dihedral orientation."""
    stored = _hashes(original) + _hashes(rectify(original))
    turns = (copy if turn is None else copy.transpose(turn) for turn in DIHEDRAL)
    return min(hamming(a, b) for turned in turns for a in _hashes(turned) for b in stored)


def _real() -> bytes:
    return real_invoice_path(shared_data()).read_bytes()


def _einvoice(n: int) -> bytes:
    return same_template_einvoices(3, seed=16)[n][0]


def _receipt(n: int) -> bytes:
    return forged_receipts(3, seed=16)[n][0]


ORIGINALS: dict[str, Callable[[], bytes]] = {
    "real-einvoice": _real,
    **{f"einvoice-{n}": lambda n=n: _einvoice(n) for n in range(3)},  # type: ignore[misc]
    **{f"receipt-{n}": lambda n=n: _receipt(n) for n in range(3)},  # type: ignore[misc]
}


@pytest.mark.parametrize("attack", [photo, screenshot], ids=["photo", "screenshot"])
@pytest.mark.parametrize("original", ORIGINALS.values(), ids=ORIGINALS.keys())
def test_a_photo_or_screenshot_copy_rectified_is_near_its_original(
    original: Callable[[], bytes], attack: Callable[[bytes, int], bytes]
) -> None:
    data = original()
    copy = _image(attack(data, 7))
    assert find_page(copy) is not None
    assert _nearest_orientation(_image(data), rectify(copy)) <= THRESHOLD


@pytest.mark.parametrize("n", range(3))
def test_a_clean_generated_page_is_returned_unchanged(n: int) -> None:
    for data in (_einvoice(n), _receipt(n)):
        page = _image(data)
        assert find_page(page) is None
        assert rectify(page) is page
        turned = page.transpose(Image.Transpose.ROTATE_90)
        assert rectify(turned) is turned


def _paper_box(luma: np.ndarray) -> tuple[int, int, int, int]:
    """The paper's box inside the real invoice's grey viewer frame, read along the middle."""
    row, column = luma[luma.shape[0] // 2], luma[:, luma.shape[1] // 2]
    cols, rows = np.flatnonzero(row > 200), np.flatnonzero(column > 200)
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def test_the_real_invoice_is_cropped_to_its_paper_and_nothing_more() -> None:
    original = _image(_real())
    left, top, right, bottom = _paper_box(np.asarray(original.convert("L")))
    page = rectify(original)
    assert page.width == pytest.approx(right - left, rel=0.01)
    assert page.height == pytest.approx(bottom - top, rel=0.01)
    paper = original.crop((left, top, right, bottom))
    assert min(hamming(a, b) for a in _hashes(page) for b in _hashes(paper)) <= 8


def _noise(seed: int) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, (600, 800, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def _empty_desk(seed: int) -> Image.Image:
    """A photo of nothing: a wooden desk under uneven light, camera noise."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0.7, 1.1, 900)[None, :, None] * np.array([150.0, 110.0, 70.0])
    pixels = np.broadcast_to(ramp, (700, 900, 3)) + rng.normal(0, 8, (700, 900, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


NO_PAGE: dict[str, Callable[[], Image.Image]] = {
    "noise": lambda: _noise(1),
    "empty-desk": lambda: _empty_desk(2),
    "flat-grey": lambda: Image.new("RGB", (640, 480), (128, 128, 128)),
    "black": lambda: Image.new("L", (500, 500), 0),
    "tiny": lambda: Image.new("RGB", (12, 9), (250, 250, 250)),
    "transparent": lambda: Image.new("RGBA", (300, 200), (0, 0, 0, 0)),
}


@pytest.mark.parametrize("make", NO_PAGE.values(), ids=NO_PAGE.keys())
def test_an_image_without_a_page_is_returned_as_it_is(make: Callable[[], Image.Image]) -> None:
    image = make()
    assert find_page(image) is None
    assert rectify(image) is image


def _shop_receipts(seed: int) -> tuple[bytes, bytes]:
    """Two sales of one shop on its own receipt form."""
    rng = random.Random(seed)
    a, b = (
        paper_receipt_image(
            shop="PRADA Galleria Shanghai",
            number=f"P{rng.randrange(10**7):07d}",
            issued_on=_day_in_2026(rng),
            lines=_goods(rng, 3),
        )
        for _ in range(2)
    )
    return a, b


@pytest.mark.parametrize("seed", range(3))
def test_a_phone_frame_no_longer_dominates_a_shops_own_documents(seed: int) -> None:
    a, b = _shop_receipts(seed)
    bare = compare_pages(_image(a), _image(b)).differing_share
    pages = [rectify(_image(framed(data))) for data in (a, b)]
    for page, data in zip(pages, (a, b), strict=True):
        original = _image(data)
        assert page.width / page.height == pytest.approx(original.width / original.height, rel=0.02)
        assert page.height < framed_height(data) * 0.7  # the chrome is gone
    rectified = compare_pages(pages[0], pages[1]).differing_share
    assert rectified > RECYCLED_SHARE
    assert rectified >= 0.6 * bare


def framed_height(data: bytes) -> int:
    return _image(framed(data)).height


LAYOUTS: dict[str, tuple[Callable[[], bytes], Layout]] = {
    "real-einvoice": (_real, REAL_EINVOICE),
    "einvoice": (lambda: _einvoice(0), GENERATED_EINVOICE),
    "receipt": (lambda: _receipt(0), RECEIPT),
}


@pytest.mark.parametrize("source", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_every_attack_is_repeatable_and_changes_the_file(
    source: tuple[Callable[[], bytes], Layout],
) -> None:
    original, layout = source
    data = original()
    for name, attack in attacks(layout).items():
        copy = attack(data, 3)
        assert copy == attack(data, 3), name
        assert copy != data, name


@pytest.mark.parametrize(
    "source", [LAYOUTS["real-einvoice"], LAYOUTS["einvoice"]], ids=["real", "generated"]
)
def test_a_doctored_einvoice_carries_another_valid_qr_code(
    source: tuple[Callable[[], bytes], Layout],
) -> None:
    original, layout = source
    data = original()
    before = [parse_einvoice_qr(t) for t in read_qr_payloads(_image(data))]
    after = [
        parse_einvoice_qr(t) for t in read_qr_payloads(_image(doctored(data, 5, layout=layout)))
    ]
    assert len(after) == 1
    assert after[0] is not None
    assert after[0] not in before


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_doctored_page_differs_in_a_few_small_areas_and_another_sale_in_many(
    seed: int,
) -> None:
    """A receipt with its number and date typed over differs in 6 % of its inked cells (a
    receipt holds little ink), but in one or two places; another sale on the same template
    differs all over the page."""
    (original, _), (other, _) = forged_receipts(2, seed=seed)
    copy = doctored(original, seed, layout=RECEIPT)
    altered = compare_pages(_image(copy), _image(original))
    assert altered.barely_different, altered
    another = compare_pages(_image(other), _image(original))
    assert another.aligned
    assert another.areas > altered.areas
    assert not another.barely_different, another
