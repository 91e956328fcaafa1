"""PDQ through our one decode pipeline against Meta's conformance data (shared/data)."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from probandi.adapters.forensics.decode import hash_views
from probandi.adapters.forensics.reader import ForensicReader, pdq_of
from probandi.domain.forensics.model import FULL, hamming
from tests.conftest import shared_data

MATCH = 31  # Meta's threshold, probandi's default policy
MIN_QUALITY = 50


def conformance() -> Path:
    return shared_data() / "pdq-conformance"


def media_type(path: Path) -> str:
    return "image/png" if path.suffix.lower() == ".png" else "image/jpeg"


def full_pdq(path: Path) -> tuple[str, int]:
    [page] = hash_views(path.read_bytes(), media_type(path))
    return pdq_of(page)


def expected_rows() -> list[dict[str, str]]:
    with (conformance() / "expected.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_image_meets_its_rule_in_expected_csv() -> None:
    rows = expected_rows()
    assert len(rows) >= 20
    for row in rows:
        pdq, quality = full_pdq(conformance() / row["path"])
        rule = row["rule"]
        if rule == "within_10_bits":
            assert hamming(pdq, row["expected_pdq_hex"]) <= 10, row["path"]
        elif rule == "exact":
            assert pdq == row["expected_pdq_hex"], row["path"]
            assert quality == int(row["expected_quality"]), row["path"]
        elif rule == "low_quality":
            assert quality == int(row["expected_quality"]) < MIN_QUALITY, row["path"]
        else:
            pytest.fail(f"unknown rule {rule!r} in expected.csv")


def test_every_bridge_modification_is_within_31_bits_of_the_original() -> None:
    folder = conformance() / "images" / "bridge-mods"
    original, _ = full_pdq(folder / "aaa-orig.jpg")
    mods = sorted(p for p in folder.iterdir() if p.name != "aaa-orig.jpg")
    assert len(mods) >= 10
    for path in mods:
        assert hamming(original, full_pdq(path)[0]) <= MATCH, path.name


def test_no_two_distinct_labelme_photos_match() -> None:
    folder = conformance() / "images" / "labelme"
    hashes = {p.name: full_pdq(p) for p in sorted(folder.iterdir())}
    good = {name: pdq for name, (pdq, quality) in hashes.items() if quality >= MIN_QUALITY}
    assert len(good) >= 5
    for (a, pa), (b, pb) in itertools.combinations(good.items(), 2):
        assert hamming(pa, pb) > MATCH, (a, b)


def test_the_reader_reports_the_conformant_full_frame_hash_first() -> None:
    path = conformance() / "images" / "dih" / "bridge-1-original.jpg"
    prints = ForensicReader().fingerprints(path.read_bytes(), "image/jpeg")
    assert prints[0].variant == FULL
    assert prints[0].pdq == full_pdq(path)[0]
