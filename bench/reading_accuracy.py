"""Reading accuracy on generated vouchers of the four kinds (invoice, mall receipt, brand
authorization, price capture), drawn with a CJK font at several scales, rotations (0, 90,
180, 270 and a 2 degree skew), noise, blur and JPEG levels (tests/support/documents.py).

For each document: the reader (text layer or OCR), the pure extraction, and the comparison
of its truthful declaration and of declarations altered on one field each (number, date,
amount, issuer tax id, buyer), as a forger would re-type them.

    .venv/bin/python bench/reading_accuracy.py [--documents 256] [--seed 15]

Targets: field accuracy >= 95 % for number, date, amount and tax id; false hard
`voucher.contradicts_document` on truthful declarations <= 1 %; altered declarations
caught (any contradicts_document on the altered field) >= 95 %.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.documents import Outcome, assess, generated  # noqa: E402

from probandi.adapters.reading.ocr import OcrDocumentReader  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=256)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    reader = OcrDocumentReader()
    outcomes: list[Outcome] = []
    started, cpu = time.perf_counter(), time.process_time()
    for doc in generated(args.documents, seed=args.seed):
        outcomes.append(assess(doc, reader.read(doc.image, doc.media_type, max_pages=2)))
    report(outcomes)
    print(
        f"\n{len(outcomes)} documents in {time.perf_counter() - started:.0f} s wall, "
        f"{time.process_time() - cpu:.0f} s CPU"
    )


def _pct(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f} % ({hits}/{total})" if total else "    n/a"


def report(outcomes: list[Outcome]) -> None:
    right: dict[str, Counter[bool]] = defaultdict(Counter)
    by_kind: dict[str, Counter[bool]] = defaultdict(Counter)
    for o in outcomes:
        for name, ok in o.fields_right.items():
            right[name][ok] += 1
            by_kind[f"{o.kind.value}.{name}"][ok] += 1
    print("field accuracy (exact value read)                target >= 95 %")
    for name, count in right.items():
        print(f"  {name:10} {_pct(count[True], count.total())}")
    for name, count in sorted(by_kind.items()):
        print(f"    {name:32} {_pct(count[True], count.total())}")
    kinds_right = sum(o.kind_read is o.kind for o in outcomes)
    print(f"kind read as declared          {_pct(kinds_right, len(outcomes))}")
    false_hard = sum(bool(o.truthful_hard) for o in outcomes)
    print(
        f"false hard contradicts_document on truthful  {_pct(false_hard, len(outcomes))}"
        "   target <= 1 %"
    )
    for index, o in enumerate(outcomes):
        for detail in o.truthful_hard:
            print(f"    document {index} ({o.kind.value}): {detail}")
    kind_hard = sum(o.truthful_kind_hard for o in outcomes)
    print(f"false hard kind_mismatch on truthful         {_pct(kind_hard, len(outcomes))}")
    altered = [c for o in outcomes for c in o.altered_caught]
    caught, hard = sum(c[1] for c in altered), sum(c[2] for c in altered)
    print(
        f"altered declarations caught (any severity)   {_pct(caught, len(altered))}"
        "   target >= 95 %"
    )
    print(f"altered declarations caught as hard          {_pct(hard, len(altered))}")
    per_field: dict[str, Counter[bool]] = defaultdict(Counter)
    for field, caught, _ in altered:
        per_field[field][caught] += 1
    for field, count in per_field.items():
        print(f"    {field:16} {_pct(count[True], count.total())}")


if __name__ == "__main__":
    main()
