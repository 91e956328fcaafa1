"""The orphan sweeper: stored files no row names, and temp files of interrupted puts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from probandi.domain.actors import SYSTEM, Actor
from probandi.domain.errors import InvalidInput
from probandi.services.context import Services
from probandi.services.events import record

MIN_AGE = timedelta(minutes=5)  # an upload's put and its row's commit are seconds apart


@dataclass(frozen=True)
class OrphanSweep:
    """What a sweep found (dry run) or removed."""

    blobs: tuple[str, ...]
    temp_files: tuple[str, ...]
    dry_run: bool

    @property
    def count(self) -> int:
        return len(self.blobs) + len(self.temp_files)


def sweep_orphans(
    older_than: timedelta, *, svc: Services, dry_run: bool = False, actor: Actor = SYSTEM
) -> OrphanSweep:
    """Remove blobs without a voucher or evidence row, and stale temp files; audit once."""
    if older_than < MIN_AGE:
        raise InvalidInput(
            "orphans are at least %(MIN_AGE)s old", field="older_than", params={"MIN_AGE": MIN_AGE}
        )
    now = svc.clock.now()
    before = now - older_than
    # The directory walk runs outside the transaction: SQLite's one writer must not wait on it.
    stale = svc.files.stale_blobs(before)
    temps = svc.files.stale_temp_files(before)
    if dry_run:
        with svc.reader() as reader:
            orphans = sorted(set(stale) - reader.blob_refs.referenced(stale))
        return OrphanSweep(tuple(orphans), tuple(temps), dry_run=True)
    with svc.uow() as uow:
        orphans = sorted(set(stale) - uow.blob_refs.referenced(stale))
        # A blob a new row names after this read was refreshed by its put, so it is no
        # longer stale and remove_stale keeps it.
        blobs = tuple(sha for sha in orphans if svc.files.remove_stale(sha, before))
        temp_files = tuple(name for name in temps if svc.files.remove_temp(name))
        if blobs or temp_files:
            record(
                uow,
                actor,
                "storage:orphans:removed",
                "storage:vouchers",
                now,
                count=len(blobs) + len(temp_files),
                digests=list(blobs),
                temp_files=list(temp_files),
                older_than_seconds=int(older_than.total_seconds()),
            )
            uow.commit()
    return OrphanSweep(blobs, temp_files, dry_run=False)
