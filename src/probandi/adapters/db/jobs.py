"""The durable job queue's table and repository: claims with SKIP LOCKED or SQLite's one writer."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from probandi.adapters.db.repositories import core
from probandi.adapters.db.rows import Base, Json, table_of
from probandi.adapters.db.types import UtcDateTime
from probandi.domain.errors import Conflict
from probandi.domain.jobs import CLAIMABLE, Job, JobState


class JobRow(Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    run_after: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        Index("ix_jobs_due", "state", "run_after"),
        Index("ix_jobs_lease", "state", "lease_until"),
        UniqueConstraint("dedupe_key", name="uq_jobs_dedupe_key"),
    )


JOBS = table_of(JobRow)
QUEUED_STATES = sorted(s.value for s in CLAIMABLE if s is not JobState.RUNNING)


def _job(r: Any) -> Job:
    return Job(
        id=r.id,
        kind=r.kind,
        payload=dict(r.payload or {}),
        created_at=r.created_at,
        run_after=r.run_after,
        max_attempts=r.max_attempts,
        priority=r.priority,
        dedupe_key=r.dedupe_key,
        state=JobState(r.state),
        attempts=r.attempts,
        lease_owner=r.lease_owner,
        lease_until=r.lease_until,
        last_error=r.last_error,
        finished_at=r.finished_at,
    )


def _values(job: Job) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "payload": dict(job.payload),
        "state": job.state.value,
        "priority": job.priority,
        "run_after": job.run_after,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "lease_owner": job.lease_owner,
        "lease_until": job.lease_until,
        "last_error": job.last_error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "dedupe_key": job.dedupe_key,
    }


class SqlJobRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, job: Job) -> bool:
        """Insert the job; False (and no error) when its dedupe key is already taken."""
        conn = core(self.s)
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        # ON CONFLICT DO NOTHING: a taken key must not abort the caller's transaction.
        stmt = (
            dialect.insert(JOBS)
            .values(id=job.id, **_values(job))
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(JOBS.c.id)
        )
        return conn.execute(stmt).first() is not None

    def get(self, job_id: str) -> Job | None:
        row = core(self.s).execute(select(JOBS).where(JOBS.c.id == job_id)).one_or_none()
        return _job(row) if row else None

    def next_claimable(
        self, now: datetime, kinds: Collection[str], *, lock: bool = True
    ) -> Job | None:
        """The most urgent job due or with an expired lease, locked for this transaction.

        PostgreSQL skips rows another worker has locked, so workers never wait on each
        other; SQLite's writers are serialized (BEGIN IMMEDIATE), so there is no other.
        """
        due = and_(JOBS.c.state.in_(QUEUED_STATES), JOBS.c.run_after <= now)
        expired = and_(JOBS.c.state == JobState.RUNNING.value, JOBS.c.lease_until <= now)
        stmt = (
            select(JOBS)
            .where(or_(due, expired), JOBS.c.kind.in_(list(kinds)))
            .order_by(JOBS.c.priority.desc(), JOBS.c.run_after, JOBS.c.id)
            .limit(1)
        )
        conn = core(self.s)
        if lock and conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        row = conn.execute(stmt).one_or_none()
        return _job(row) if row else None

    def save(self, job: Job, *, was: Job) -> None:
        """Write if the job is still as `was` read it (else raise Conflict: a lost lease)."""
        stmt = (
            update(JOBS)
            .where(
                JOBS.c.id == job.id,
                JOBS.c.state == was.state.value,
                JOBS.c.attempts == was.attempts,
            )
            .values(**_values(job))
        )
        if core(self.s).execute(stmt).rowcount != 1:
            raise Conflict(
                "job %(id)s changed since it was read (its lease was lost)", params={"id": job.id}
            )

    def recent(self, *, state: JobState | None, kind: str | None, limit: int) -> list[Job]:
        stmt = select(JOBS).order_by(JOBS.c.created_at.desc(), JOBS.c.id).limit(limit)
        if state is not None:
            stmt = stmt.where(JOBS.c.state == state.value)
        if kind is not None:
            stmt = stmt.where(JOBS.c.kind == kind)
        return [_job(r) for r in core(self.s).execute(stmt)]

    def purge_finished(self, before: datetime) -> int:
        """Delete done jobs finished before `before`; dead ones stay for an operator."""
        stmt = delete(JOBS).where(JOBS.c.state == JobState.DONE.value, JOBS.c.finished_at < before)
        return core(self.s).execute(stmt).rowcount
