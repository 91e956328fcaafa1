"""One typed settings object, read from the environment only when asked."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from probandi.domain.policy import Policy


def _dates(text: str) -> tuple[date, ...]:
    return tuple(date.fromisoformat(d.strip()) for d in text.split(",") if d.strip())


@dataclass(frozen=True)
class Settings:
    """Everything configurable; tests build their own instead of touching os.environ."""

    database_url: str = "sqlite:///./var/probandi.db"
    voucher_dir: Path = Path("./var/vouchers")
    max_upload_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_pdf_pages: int = 50
    max_fingerprint_pages: int = 5  # PDF pages rendered and fingerprinted per voucher
    index_shard_size: int = 262_144  # fingerprints per near-duplicate index shard
    holiday_country: str | None = None  # e.g. "CN": public holidays from the holidays package
    holidays: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()  # weekend days worked in lieu (e.g. China)
    tick_interval_seconds: float = 60.0
    # Threads running use cases. The listing push runs on the event loop instead (ADR 0004);
    # uploads, reviews and reads use these.
    worker_threads: int = 8
    secure_cookies: bool = False
    policy: Policy = field(default_factory=Policy)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        base = cls()
        return cls(
            database_url=e.get("PROBANDI_DATABASE_URL", base.database_url),
            voucher_dir=Path(e.get("PROBANDI_VOUCHER_DIR", str(base.voucher_dir))),
            max_upload_bytes=int(e.get("PROBANDI_MAX_UPLOAD_BYTES", base.max_upload_bytes)),
            max_pixels=int(e.get("PROBANDI_MAX_PIXELS", base.max_pixels)),
            holiday_country=e.get("PROBANDI_HOLIDAY_COUNTRY") or None,
            holidays=_dates(e.get("PROBANDI_HOLIDAYS", "")),
            extra_working_days=_dates(e.get("PROBANDI_EXTRA_WORKING_DAYS", "")),
            tick_interval_seconds=float(e.get("PROBANDI_TICK_SECONDS", base.tick_interval_seconds)),
            secure_cookies=e.get("PROBANDI_SECURE_COOKIES", "") == "1",
            worker_threads=int(e.get("PROBANDI_WORKER_THREADS") or base.worker_threads),
        )

    def redacted_database_url(self) -> str:
        """The URL without its password, for logs."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)
