"""Helpers for reading tests: declarations as the API takes them, generated documents dated
for the test clock, and a worker run that reads every queued voucher in-process."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.domain.policy import Policy
from probandi.domain.vouchers import Declaration
from probandi.entrypoints.worker import Worker, built_in_jobs
from tests.support.documents import Style, invoice, receipt, styled


def reading_settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for tests that read their vouchers (the suite's default does not)."""
    return Settings(
        database_url=database_url,
        voucher_dir=tmp_path / "vouchers",
        policy=Policy(read_vouchers=True),
    )


def declaration_json(d: Declaration) -> dict[str, Any]:
    body: dict[str, Any] = {
        "issuer": d.issuer,
        "issuer_tax_id": d.issuer_tax_id,
        "buyer_name": d.buyer_name,
        "issued_on": d.issued_on.isoformat() if d.issued_on else None,
        "valid_until": d.valid_until.isoformat() if d.valid_until else None,
        "document_number": d.document_number,
        "currency": d.currency,
        "lines": [
            {
                "brand": ln.brand,
                "item": ln.item,
                "quantity": ln.quantity,
                "amount": str(ln.amount) if ln.amount is not None else None,
            }
            for ln in d.lines
        ],
    }
    return {k: v for k, v in body.items() if v not in (None, [])}


@dataclass(frozen=True)
class Drawn:
    image: Image.Image
    truth: dict[str, str]
    declaration: Declaration

    def png(self, style: Style = Style(), seed: int = 0) -> bytes:
        return styled(self.image, style, random.Random(seed))

    @property
    def brand(self) -> str:
        return self.declaration.lines[0].brand

    @property
    def item(self) -> str:
        return self.declaration.lines[0].item


def an_invoice(seed: int) -> Drawn:
    """The first invoice from `seed` on that is not issued by its own buyer."""
    while True:
        drawn = Drawn(*invoice(random.Random(seed)))
        if drawn.declaration.issuer != drawn.declaration.buyer_name:
            return drawn
        seed += 1


def a_receipt(seed: int) -> Drawn:
    return Drawn(*receipt(random.Random(seed)))


def days_after(day: date, days: int = 10) -> datetime:
    return datetime.combine(day + timedelta(days=days), time(9), tzinfo=UTC)


def read_queued(runtime: Runtime) -> int:
    """Run the job worker once in this process: every queued reading is read; how many jobs."""
    registry, _ = built_in_jobs(runtime)
    return Worker(registry, [], svc=runtime.services, name="test-reader").run_once()
