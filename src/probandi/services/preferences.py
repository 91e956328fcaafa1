"""A principal's own settings: the locale it reads probandi in."""

from __future__ import annotations

from probandi.domain.actors import Actor
from probandi.domain.locales import check_locale
from probandi.services.context import Services
from probandi.services.events import record


def locale_of(actor: Actor, *, svc: Services) -> str | None:
    """The locale the principal chose, or None (then Accept-Language and the default)."""
    with svc.reader() as uow:
        return uow.preferences.locale_of(actor.id)


def set_locale(actor: Actor, locale: str | None, *, svc: Services) -> str | None:
    """Saves the principal's locale (None forgets it); audited. Any principal may."""
    chosen = check_locale(locale) if locale else None
    now = svc.clock.now()
    with svc.uow() as uow:
        uow.preferences.set_locale(actor.id, chosen, now)
        record(
            uow, actor, "preferences:locale", f"{actor.role.value}:{actor.id}", now, locale=chosen
        )
        uow.commit()
    return chosen
