"""Local features with the template suppressed: a copy that a camera, a crop, a turn or a
phone frame made is the same document; another document on the same template is not."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from probandi.adapters.forensics.features import (
    PageFeatures,
    TemplateModel,
    page_features,
    same_document,
    verify,
)
from tests.support.vouchers import forged_receipts, same_template_einvoices


def _open(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int, mode: str = "RGB") -> Image.Image:
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, "JPEG", quality=quality)
    return _open(buffer.getvalue())


def _photo(image: Image.Image) -> Image.Image:
    """On a table, the far edge narrower, blurred, noisy, JPEG."""
    width, height = image.size
    table = Image.new("RGB", (round(width * 1.1), round(height * 1.1)), (120, 105, 90))
    table.paste(image, (round(width * 0.05), round(height * 0.05)))
    tw, th = table.size
    # Image.transform's PERSPECTIVE maps each output pixel back into the table: a slight pinch.
    coefficients = (1.0, 0.04, 0.0, 0.0, 1.0, 0.0, 0.00004, 0.0)
    warped = table.transform((tw, th), Image.Transform.PERSPECTIVE, coefficients)
    blurred = np.asarray(warped.filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float64)
    noise = np.random.default_rng(3).normal(0, 6, (th, tw, 1))
    return _jpeg(Image.fromarray(np.clip(blurred + noise, 0, 255).astype(np.uint8)), 80)


def _half(image: Image.Image) -> Image.Image:
    return image.crop((0, 0, image.width, image.height // 2))


def _turned(image: Image.Image) -> Image.Image:
    return image.transpose(Image.Transpose.ROTATE_90)


def _gray_q20(image: Image.Image) -> Image.Image:
    return _jpeg(image, 20, "L")


def _framed(image: Image.Image) -> Image.Image:
    """A phone screenshot: shrunk to the screen's width inside dark app chrome."""
    screen = Image.new("RGB", (720, 1560), (18, 18, 20))
    ImageDraw.Draw(screen).rectangle((0, 1440, 720, 1560), fill=(40, 40, 44))
    page = image.resize((680, round(image.height * 680 / image.width)), Image.Resampling.LANCZOS)
    screen.paste(page, (20, (1560 - page.height) // 2))
    return _jpeg(screen, 85)


COPIES = {
    "photo": _photo,
    "half": _half,
    "turn90": _turned,
    "gray_q20": _gray_q20,
    "framed": _framed,
}


@pytest.fixture(scope="module")
def template() -> TemplateModel:
    """Built only from other sellers' documents: none of the pages compared below."""
    others = [d for d, _ in same_template_einvoices(8, seed=901)]
    others += [d for d, _ in forged_receipts(8, seed=901)]
    return TemplateModel.build([page_features(_open(d)) for d in others])


@pytest.fixture(scope="module")
def einvoices() -> list[Image.Image]:
    return [_open(d) for d, _ in same_template_einvoices(4, seed=16)]


@pytest.fixture(scope="module")
def receipts() -> list[Image.Image]:
    return [_open(d) for d, _ in forged_receipts(4, seed=16)]


@pytest.mark.parametrize("copy", sorted(COPIES))
def test_a_copy_of_an_einvoice_is_the_same_document(
    copy: str, einvoices: list[Image.Image], template: TemplateModel
) -> None:
    original = einvoices[0]
    result = verify(page_features(original), page_features(COPIES[copy](original)), template)
    assert same_document(result), result.inliers


def test_different_einvoices_on_one_template_are_not_the_same_document(
    einvoices: list[Image.Image], template: TemplateModel
) -> None:
    pages = [page_features(p) for p in einvoices]
    raw = [verify(pages[i], pages[j]) for i in range(len(pages)) for j in range(i)]
    suppressed = [verify(pages[i], pages[j], template) for i in range(len(pages)) for j in range(i)]
    assert not any(same_document(v) for v in suppressed), [v.inliers for v in suppressed]
    # The shared template alone agrees on a homography: it is what suppression takes away.
    assert min(v.inliers for v in raw) > max(v.inliers for v in suppressed)


def test_receipts_from_one_forgery_template_are_not_the_same_document(
    receipts: list[Image.Image], template: TemplateModel
) -> None:
    pages = [page_features(p) for p in receipts]
    suppressed = [verify(pages[i], pages[j], template) for i in range(len(pages)) for j in range(i)]
    assert not any(same_document(v) for v in suppressed), [v.inliers for v in suppressed]


def test_a_framed_screenshot_of_another_einvoice_is_not_the_same_document(
    einvoices: list[Image.Image], template: TemplateModel
) -> None:
    result = verify(page_features(einvoices[0]), page_features(_framed(einvoices[1])), template)
    assert not same_document(result), result.inliers


def test_the_matched_region_and_pairs_locate_the_crop_on_the_original(
    einvoices: list[Image.Image], template: TemplateModel
) -> None:
    result = verify(page_features(einvoices[0]), page_features(_half(einvoices[0])), template)
    ys_on_original = [corner[1] for corner in result.region_a]
    assert max(ys_on_original) <= 0.55  # the top half of the original
    assert 0 < len(result.pairs) <= 200
    assert result.homography is not None
    for xa, ya, xb, yb in result.pairs[:20]:
        assert xb == pytest.approx(xa, abs=0.02)
        assert yb == pytest.approx(2 * ya, abs=0.04)  # the half page is twice as tall in fractions


def test_features_survive_serialization(einvoices: list[Image.Image]) -> None:
    features = page_features(einvoices[0])
    restored = PageFeatures.from_bytes(features.to_bytes())
    assert (restored.width, restored.height) == (features.width, features.height)
    assert np.array_equal(restored.descriptors, features.descriptors)
    assert np.abs(restored.points - features.points).max() <= 1 / 16
    assert verify(restored, features).inliers == verify(features, features).inliers


def test_truncated_features_are_refused(einvoices: list[Image.Image]) -> None:
    data = page_features(einvoices[0]).to_bytes()
    with pytest.raises(ValueError, match="length"):
        PageFeatures.from_bytes(data[:-1])


def test_a_blank_page_has_no_features_and_matches_nothing(
    einvoices: list[Image.Image], template: TemplateModel
) -> None:
    blank = page_features(Image.new("RGB", (1200, 800), (255, 255, 255)))
    document = page_features(einvoices[0])
    assert len(blank) == 0
    assert PageFeatures.from_bytes(blank.to_bytes()).descriptors.shape == (0, 32)
    for result in (
        verify(blank, document, template),
        verify(document, blank),
        verify(blank, blank),
    ):
        assert result.inliers == 0
        assert not same_document(result)
