"""Each principal's own settings (today: the locale it reads probandi in)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from probandi.adapters.db.rows import Base
from probandi.adapters.db.types import UtcDateTime


class PreferenceRow(Base):
    __tablename__ = "preferences"
    actor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SqlPreferenceRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def locale_of(self, actor_id: str) -> str | None:
        return self.s.execute(
            select(PreferenceRow.locale).where(PreferenceRow.actor_id == actor_id)
        ).scalar_one_or_none()

    def set_locale(self, actor_id: str, locale: str | None, now: datetime) -> None:
        row = self.s.get(PreferenceRow, actor_id)
        if row is None:
            self.s.add(PreferenceRow(actor_id=actor_id, locale=locale, updated_at=now))
        else:
            row.locale = locale
            row.updated_at = now
