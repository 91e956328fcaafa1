"""Shared fixtures: a migrated database (SQLite, and PostgreSQL when configured), a clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from probandi.bootstrap import Runtime, bootstrap
from probandi.config import Settings
from probandi.domain.policy import Policy
from probandi.services.clock import FrozenClock

MONDAY_9AM = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
POSTGRES_URL = os.environ.get("PROBANDI_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI") == "true"


def shared_data() -> Path:
    """The real third-party data beside the project; CI must have it."""
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    path = Path(os.environ.get("PROBANDI_SHARED_DATA", default))
    if not path.is_dir():
        if IN_CI:
            pytest.fail(f"shared data missing at {path} (set PROBANDI_SHARED_DATA)")
        pytest.skip(f"shared data not found at {path}")
    return path


def _backends() -> list[object]:
    params: list[object] = ["sqlite"]
    if POSTGRES_URL or IN_CI:
        params.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    return params


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database per test: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'probandi.db'}"
        return
    if not POSTGRES_URL:
        pytest.fail("CI=true but PROBANDI_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MONDAY_9AM)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Reading vouchers (OCR, seconds a page) is on only where a test reads them.
    return Settings(
        database_url=database_url,
        voucher_dir=tmp_path / "vouchers",
        policy=Policy(read_vouchers=False),
    )


@pytest.fixture
def runtime(settings: Settings, clock: FrozenClock) -> Iterator[Runtime]:
    rt = bootstrap(settings, clock=clock, migrate=True)
    yield rt
    rt.dispose()
