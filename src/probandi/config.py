"""One typed settings object, read from the environment only when asked."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from probandi.domain.locales import check_locale
from probandi.domain.policy import Policy
from probandi.domain.signin import BackoffRule, SignInLimits
from probandi.domain.webhooks import WebhookPolicy


def _dates(text: str) -> tuple[date, ...]:
    return tuple(date.fromisoformat(d.strip()) for d in text.split(",") if d.strip())


def _webhook_policy(e: Mapping[str, str], base: WebhookPolicy) -> WebhookPolicy:
    """PROBANDI_WEBHOOK_*: durations in seconds (docs/configuration.md)."""

    def seconds(name: str, default: timedelta) -> timedelta:
        text = e.get(f"PROBANDI_WEBHOOK_{name}")
        return timedelta(seconds=float(text)) if text else default

    return replace(
        base,
        retry_window=seconds("RETRY_WINDOW_SECONDS", base.retry_window),
        disable_after=seconds("DISABLE_AFTER_SECONDS", base.disable_after),
        backoff_base=seconds("BACKOFF_BASE_SECONDS", base.backoff_base),
        backoff_cap=seconds("BACKOFF_CAP_SECONDS", base.backoff_cap),
        lease=seconds("LEASE_SECONDS", base.lease),
        timeout_seconds=float(e.get("PROBANDI_WEBHOOK_TIMEOUT_SECONDS") or base.timeout_seconds),
        max_response_bytes=int(
            e.get("PROBANDI_WEBHOOK_MAX_RESPONSE_BYTES") or base.max_response_bytes
        ),
        per_endpoint_concurrency=int(
            e.get("PROBANDI_WEBHOOK_CONCURRENCY") or base.per_endpoint_concurrency
        ),
        claim_window=int(e.get("PROBANDI_WEBHOOK_CLAIM_WINDOW") or base.claim_window),
        allow_private_targets=e.get("PROBANDI_WEBHOOK_ALLOW_PRIVATE") == "1",
    )


@dataclass(frozen=True)
class Settings:
    """Everything configurable; tests build their own instead of touching os.environ."""

    database_url: str = "sqlite:///./var/probandi.db"
    voucher_dir: Path = Path("./var/vouchers")
    max_upload_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_pdf_pages: int = 50
    max_fingerprint_pages: int = 5  # PDF pages rendered and fingerprinted per voucher
    decode_slots: int = 2  # image decodes at once in one process
    decode_memory_mb: int = 256  # decoded pixels held at once; a bigger decode runs alone
    index_shard_size: int = 262_144  # fingerprints per near-duplicate index shard
    holiday_country: str | None = None  # e.g. "CN": public holidays from the holidays package
    holidays: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()  # weekend days worked in lieu (e.g. China)
    tick_interval_seconds: float = 60.0
    # Threads running use cases. The listing push runs on the event loop instead (ADR 0004);
    # uploads, reviews and reads use these.
    worker_threads: int = 8
    secure_cookies: bool = False
    # Sessions and rate limits (docs/security.md). A key's lookup is cached this long per
    # process, so a revoked key stops answering within it (console sessions: every request).
    auth_cache_seconds: float = 1.0
    # API requests per key, per server process (a token bucket); 0 turns the limit off.
    api_rate_per_second: float = 2000.0
    api_rate_burst: int = 4000
    # Console sign-in: failures free of delay, per account and per client address, then
    # exponential backoff from 1 s up to the cap.
    sign_in_account_free_failures: int = 5
    sign_in_address_free_failures: int = 20
    sign_in_max_delay_seconds: float = 900.0
    # Durable jobs (ADR 0007): job threads `serve` runs (0: none, leave the jobs to
    # `probandi worker`), in a child process of its own by default (ADR 0010) or in the API
    # process itself; and how often an idle one polls.
    job_workers: int = 1
    job_process: bool = True
    job_poll_seconds: float = 1.0
    # Webhook dispatcher (ADR 0012): how often an idle one looks for work; it runs in every
    # job worker process. The retry policy itself is `policy.webhooks`.
    webhook_poll_seconds: float = 0.1
    webhooks: bool = True  # PROBANDI_WEBHOOKS=0: this deployment's workers deliver none
    # The DSA Transparency Database (issue 19): unset, nothing is submitted.
    dsa_url: str | None = None
    dsa_token: str | None = field(default=None, repr=False)
    dsa_submit_seconds: float = 60.0
    dsa_batch: int = 100  # records per call: the database takes at most 100
    # Reading vouchers (ADR 0009): pages read per document, the time one reading may take,
    # and the lease of a reading job (a worker killed mid-reading loses it after this).
    reading_max_pages: int = 5
    reading_seconds_limit: float = 120.0
    reading_lease_seconds: float = 600.0
    # Audit checkpoints: the signing key lives outside the database (docs/operations.md).
    checkpoint_key: Path = Path("./var/checkpoint.key")
    checkpoint_dir: Path = Path("./var/checkpoints")
    checkpoint_interval_seconds: float = 3600.0
    orphan_sweep_interval_seconds: float = 86400.0
    orphan_min_age_seconds: float = 3600.0
    fault_injection: bool = False  # crash tests only (entrypoints/api/faults.py)
    # An Idempotency-Key claimed by an attempt that never answered is free again after this.
    idempotency_lease_seconds: float = 60.0
    # Operations (docs/operations.md): who may scrape /metrics besides admin keys, and
    # `json` for one JSON object per log line.
    metrics_token: str | None = None
    log_format: str = "text"
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
            decode_slots=int(e.get("PROBANDI_DECODE_SLOTS", base.decode_slots)),
            decode_memory_mb=int(e.get("PROBANDI_DECODE_MEMORY_MB", base.decode_memory_mb)),
            holiday_country=e.get("PROBANDI_HOLIDAY_COUNTRY") or None,
            holidays=_dates(e.get("PROBANDI_HOLIDAYS", "")),
            extra_working_days=_dates(e.get("PROBANDI_EXTRA_WORKING_DAYS", "")),
            tick_interval_seconds=float(e.get("PROBANDI_TICK_SECONDS", base.tick_interval_seconds)),
            secure_cookies=e.get("PROBANDI_SECURE_COOKIES", "") == "1",
            fault_injection=e.get("PROBANDI_FAULT_INJECTION", "") == "1",
            idempotency_lease_seconds=float(
                e.get("PROBANDI_IDEMPOTENCY_LEASE_SECONDS") or base.idempotency_lease_seconds
            ),
            worker_threads=int(e.get("PROBANDI_WORKER_THREADS") or base.worker_threads),
            job_workers=int(e.get("PROBANDI_JOB_WORKERS") or base.job_workers),
            job_process=e.get("PROBANDI_JOB_PROCESS") != "0",
            reading_max_pages=int(e.get("PROBANDI_READING_MAX_PAGES") or base.reading_max_pages),
            reading_seconds_limit=float(
                e.get("PROBANDI_READING_SECONDS_LIMIT") or base.reading_seconds_limit
            ),
            reading_lease_seconds=float(
                e.get("PROBANDI_READING_LEASE_SECONDS") or base.reading_lease_seconds
            ),
            checkpoint_key=Path(e.get("PROBANDI_CHECKPOINT_KEY", str(base.checkpoint_key))),
            checkpoint_dir=Path(e.get("PROBANDI_CHECKPOINT_DIR", str(base.checkpoint_dir))),
            checkpoint_interval_seconds=float(
                e.get("PROBANDI_CHECKPOINT_SECONDS") or base.checkpoint_interval_seconds
            ),
            orphan_sweep_interval_seconds=float(
                e.get("PROBANDI_ORPHAN_SWEEP_SECONDS") or base.orphan_sweep_interval_seconds
            ),
            auth_cache_seconds=float(e.get("PROBANDI_AUTH_CACHE_SECONDS", base.auth_cache_seconds)),
            api_rate_per_second=float(
                e.get("PROBANDI_API_RATE_PER_SECOND", base.api_rate_per_second)
            ),
            api_rate_burst=int(e.get("PROBANDI_API_RATE_BURST", base.api_rate_burst)),
            metrics_token=e.get("PROBANDI_METRICS_TOKEN") or None,
            dsa_url=e.get("PROBANDI_DSA_URL") or None,
            dsa_token=e.get("PROBANDI_DSA_TOKEN") or None,
            dsa_submit_seconds=float(
                e.get("PROBANDI_DSA_SUBMIT_SECONDS") or base.dsa_submit_seconds
            ),
            dsa_batch=int(e.get("PROBANDI_DSA_BATCH") or base.dsa_batch),
            log_format=e.get("PROBANDI_LOG_FORMAT") or base.log_format,
            policy=replace(
                base.policy,
                read_vouchers=e.get("PROBANDI_READ_VOUCHERS") != "0",
                reading_attempts=int(
                    e.get("PROBANDI_READING_ATTEMPTS") or base.policy.reading_attempts
                ),
                webhooks=_webhook_policy(e, base.policy.webhooks),
                auto_approve_signed_credentials=e.get("PROBANDI_AUTO_APPROVE_CREDENTIALS") != "0",
                public_base_url=(
                    e.get("PROBANDI_PUBLIC_URL") or base.policy.public_base_url
                ).rstrip("/"),
                provider_name=e.get("PROBANDI_PROVIDER_NAME") or base.policy.provider_name,
                default_locale=check_locale(
                    e.get("PROBANDI_DEFAULT_LOCALE") or base.policy.default_locale
                ),
                screening_likely=float(
                    e.get("PROBANDI_SCREENING_LIKELY") or base.policy.screening_likely
                ),
                screening_possible=float(
                    e.get("PROBANDI_SCREENING_POSSIBLE") or base.policy.screening_possible
                ),
            ),
            webhooks=e.get("PROBANDI_WEBHOOKS") != "0",
            webhook_poll_seconds=float(
                e.get("PROBANDI_WEBHOOK_POLL_SECONDS") or base.webhook_poll_seconds
            ),
        )

    def sign_in_limits(self) -> SignInLimits:
        cap = timedelta(seconds=self.sign_in_max_delay_seconds)
        return SignInLimits(
            account=BackoffRule(free=self.sign_in_account_free_failures, cap=cap),
            address=BackoffRule(free=self.sign_in_address_free_failures, cap=cap),
        )

    def redacted_database_url(self) -> str:
        """The URL without its password, for logs."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)
