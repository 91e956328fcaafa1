"""The collaborators every use case gets, built once by bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from probandi.domain.calendar import WorkingCalendar
from probandi.domain.policy import Policy
from probandi.services.ports import (
    Clock,
    CredentialReader,
    DocumentReader,
    FileStore,
    NearDuplicateIndex,
    PasswordHasher,
    ScreenerCache,
    UnitOfWork,
    UploadInspector,
    VoucherForensics,
)


@dataclass(frozen=True)
class Services:
    """Ports and policy shared by the use cases; `uow()` opens a new transaction."""

    uow: Callable[[], UnitOfWork]
    reader: Callable[[], UnitOfWork]  # read-only: never commits, never takes the write lock
    clock: Clock
    policy: Policy
    calendar: WorkingCalendar
    screeners: ScreenerCache
    files: FileStore
    inspector: UploadInspector
    forensics: VoucherForensics
    near_index: NearDuplicateIndex
    passwords: PasswordHasher
    document_reader: DocumentReader
    credential_reader: CredentialReader
