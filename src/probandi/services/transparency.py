"""Use case: statements of reasons as DSA Transparency Database records, for a period
(`probandi dsa export`, a manual upload's JSON lines)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from probandi.domain.actors import Actor, Role
from probandi.domain.errors import InvalidInput
from probandi.services.access import require_role
from probandi.services.context import Services

PAGE = 1000
MAX_PERIOD = timedelta(days=366)


def check_period(since: datetime, until: datetime) -> None:
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidInput("give the period with a time zone", field="since")
    if until <= since:
        raise InvalidInput("the period ends before it begins", field="until")
    if until - since > MAX_PERIOD:
        raise InvalidInput(f"a period is at most {MAX_PERIOD.days} days", field="until")


def export_records(
    since: datetime, until: datetime, actor: Actor, *, svc: Services
) -> Iterator[dict[str, object]]:
    """Every restriction's record issued in [since, until), oldest first, read a page at a
    time; statements that restrict nothing have none."""
    require_role(actor, Role.ADMIN)
    check_period(since, until)
    after: tuple[datetime, str] | None = None
    while True:
        with svc.reader() as uow:
            page = uow.transparency.statements_between(since, until, after=after, limit=PAGE)
        for facts in page:
            record = facts.record()
            if record is not None:
                yield record
        if len(page) < PAGE:
            return
        last = page[-1].statement
        after = (last.created_at, last.id)
