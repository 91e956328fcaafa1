"""The inspector reads structure, not magic bytes alone: polyglots, trailing data, PDF image
bombs; and the decode path bounds what it holds."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from PIL import Image, PngImagePlugin

from probandi.adapters.forensics.decode import decode_image, hash_views
from probandi.adapters.forensics.inspect import UploadInspector
from probandi.adapters.forensics.metadata import read_metadata
from probandi.adapters.forensics.structure import png_without_pixels
from probandi.domain.errors import InvalidInput, PayloadTooLarge


def a_pdf_drawing_an_image(width: int, height: int) -> bytes:
    """One page drawing one grey image of width x height zeros (tiny once deflated)."""
    pixels = zlib.compress(b"\x00" * (width * height), 9)
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (width, height, len(pixels))
        + pixels
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


def a_png(size: tuple[int, int] = (64, 48), mode: str = "RGB", **info: str) -> bytes:
    text = PngImagePlugin.PngInfo()
    for key, value in info.items():
        text.add_text(key, value)
    out = io.BytesIO()
    Image.new(mode, size, 200).save(out, "PNG", pnginfo=text)
    return out.getvalue()


def a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "hello")
    return out.getvalue()


def test_a_pdf_whose_image_exceeds_the_pixel_limit_is_refused_before_rendering() -> None:
    bomb = a_pdf_drawing_an_image(8000, 6000)  # 48 MP in about 50 KB
    with pytest.raises(PayloadTooLarge, match="draws images of 48000000 pixels"):
        UploadInspector().inspect(bomb, "application/pdf")


def test_a_pdf_image_within_the_limit_is_accepted() -> None:
    stored = UploadInspector().inspect(a_pdf_drawing_an_image(200, 100), "application/pdf")
    assert stored.pages == 1


@pytest.mark.parametrize(
    "data",
    [
        a_png() + a_zip(),
        a_png() + b"\x01" * 17,
        a_png(Comment="%PDF-1.4 1 0 obj << >> endobj"),
        b"%PDF-1.4\n" + a_zip(),
    ],
)
def test_polyglots_are_refused_with_their_own_code(data: bytes) -> None:
    claimed = "application/pdf" if data.startswith(b"%PDF") else "image/png"
    with pytest.raises(InvalidInput) as refused:
        UploadInspector().inspect(data, claimed)
    assert refused.value.code == "upload.polyglot"


def test_a_newline_after_the_image_end_is_tolerated() -> None:
    UploadInspector().inspect(a_png() + b"\r\n", "image/png")


def test_png_metadata_is_read_without_decoding_the_pixels() -> None:
    data = a_png((3000, 2000), Software="Photoshop")
    light = png_without_pixels(data)
    assert len(light) < 200
    assert Image.open(io.BytesIO(light)).size == (1, 1)
    assert read_metadata(data, "image/png").software == "Photoshop"


def test_a_large_rgba_png_reads_as_its_rgb_page_reduced() -> None:
    data = a_png((4100, 1000), "RGBA")
    page = decode_image(data)
    assert (page.mode, page.size) == ("RGB", (1367, 334))
    [view] = hash_views(data, "image/png")
    assert max(view.size) == 512
