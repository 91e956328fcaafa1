"""The one place that picks concrete adapters and wires them to the use cases."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import holidays as holiday_data
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import sessionmaker

from probandi.adapters.credentials.jose import JoseCredentialReader
from probandi.adapters.db.engine import make_engine
from probandi.adapters.db.migrate import upgrade
from probandi.adapters.db.repositories import RegistryVersionCache
from probandi.adapters.db.uow import SqlUnitOfWork
from probandi.adapters.db.write_lock import WriteLock
from probandi.adapters.forensics.decode import MB, DecodeBudget
from probandi.adapters.forensics.fingerprint_index import FingerprintIndex
from probandi.adapters.forensics.inspect import UploadInspector
from probandi.adapters.forensics.reader import ForensicReader
from probandi.adapters.reading.ocr import OcrDocumentReader
from probandi.adapters.screening.cache import AliasScreenerCache
from probandi.adapters.screening.screener import EngineScreener
from probandi.adapters.security.passwords import Argon2Passwords
from probandi.adapters.storage.files import LocalFileStore
from probandi.config import Settings
from probandi.domain.calendar import WorkingCalendar
from probandi.services.clock import SystemClock
from probandi.services.context import Services
from probandi.services.ports import Clock


@dataclass(frozen=True)
class Runtime:
    """The wired services plus the engines to dispose of at shutdown."""

    settings: Settings
    services: Services
    writer: Engine
    reader: Engine
    write_lock: WriteLock | None = None  # SQLite only: its one writer, queued in-process
    # PostgreSQL only: the same services over an asyncio engine, for short writes run on
    # the event loop in a greenlet (ADR 0004); None on SQLite.
    loop_services: Services | None = None
    loop_writer: AsyncEngine | None = None

    def dispose(self) -> None:
        self.writer.dispose()
        self.reader.dispose()
        if self.loop_writer is not None:
            # Connections of an asyncio pool are closed by `aclose()` on the server's loop;
            # here only the pool itself is dropped.
            self.loop_writer.sync_engine.dispose(close=False)

    async def aclose(self) -> None:
        if self.loop_writer is not None:
            await self.loop_writer.dispose()


def working_calendar(settings: Settings) -> WorkingCalendar:
    days = set(settings.holidays)
    if settings.holiday_country:
        years = range(2015, 2041)
        days |= set(holiday_data.country_holidays(settings.holiday_country, years=years))
    return WorkingCalendar(
        holidays=frozenset(days), extra_working_days=frozenset(settings.extra_working_days)
    )


def bootstrap(settings: Settings, *, clock: Clock | None = None, migrate: bool = False) -> Runtime:
    writer = make_engine(settings.database_url, writer=True)
    reader = make_engine(settings.database_url, writer=False)
    if migrate:
        upgrade(writer)
    clock = clock or SystemClock()
    write_sessions = sessionmaker(writer, expire_on_commit=False)
    read_sessions = sessionmaker(reader, expire_on_commit=False)
    lock = WriteLock() if writer.dialect.name == "sqlite" else None
    versions = RegistryVersionCache()
    budget = DecodeBudget(settings.decode_slots, settings.decode_memory_mb * MB)
    services = Services(
        uow=lambda: SqlUnitOfWork(write_sessions, clock, lock, versions),
        reader=lambda: SqlUnitOfWork(read_sessions, clock, versions=versions, reads_only=True),
        clock=clock,
        policy=settings.policy,
        calendar=working_calendar(settings),
        screeners=AliasScreenerCache(
            partial(EngineScreener, tiers=settings.policy.screening_tiers()), versions
        ),
        files=LocalFileStore(settings.voucher_dir),
        inspector=UploadInspector(
            settings.max_upload_bytes, settings.max_pixels, settings.max_pdf_pages, budget
        ),
        forensics=ForensicReader(settings.max_fingerprint_pages, budget),
        near_index=FingerprintIndex(settings.index_shard_size),
        passwords=Argon2Passwords(),
        document_reader=OcrDocumentReader(budget),
        credential_reader=JoseCredentialReader(),
    )
    if writer.dialect.name != "postgresql":
        return Runtime(settings, services, writer, reader, lock)
    loop_writer = create_async_engine(
        settings.database_url, pool_size=20, max_overflow=10, pool_recycle=1800
    )
    loop_sessions = sessionmaker(loop_writer.sync_engine, expire_on_commit=False)
    loop_services = replace(
        services,
        uow=lambda: SqlUnitOfWork(loop_sessions, clock, None, versions, async_bound=True),
    )
    return Runtime(settings, services, writer, reader, None, loop_services, loop_writer)
