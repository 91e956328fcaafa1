"""Texts in the reader's locale: gettext catalogs read with Babel, one locale per request.

The catalogs are the `.po` files under `probandi/locales`; they are compiled in memory the
first time a locale is used, so there is no build step and no stale `.mo` file. Each
request, command or rendering sets its locale (`use`), and `_`, the Jinja templates and the
date formatters read it from a context variable, so concurrent requests in different
locales never see each other's."""

from __future__ import annotations

import enum
import gettext
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from probandi.domain.errors import DomainError
from probandi.domain.locales import LOCALES, SOURCE
from probandi.domain.statements import StatementOfReasons
from probandi.domain.text import Wording, fill
from probandi.domain.vouchers import Finding

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
_locale: ContextVar[str] = ContextVar("probandi_locale", default=SOURCE)


def catalog_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> gettext.NullTranslations:
    """The locale's compiled catalog; English (the source) translates nothing."""
    if locale == SOURCE or locale not in LOCALES:
        return gettext.NullTranslations()
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def environment_language() -> str | None:
    """The shell's language for the CLI, as a tag: LC_ALL, LC_MESSAGES, then LANG
    (zh_CN.UTF-8 -> zh-CN); None for C or POSIX."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").split(".", 1)[0].split("@", 1)[0]
        if value and value not in ("C", "POSIX"):
            return value.replace("_", "-")
    return None


def current() -> str:
    return _locale.get()


@contextmanager
def use(locale: str) -> Iterator[str]:
    """Renders in `locale` inside the block."""
    token = _locale.set(locale if locale in LOCALES else SOURCE)
    try:
        yield _locale.get()
    finally:
        _locale.reset(token)


def set_locale(locale: str) -> None:
    """Sets the locale for the rest of this context (a request's task)."""
    _locale.set(locale if locale in LOCALES else SOURCE)


def _(message: str, **params: Any) -> str:
    """`message` in the current locale, its `%(name)s` placeholders filled."""
    return fill(translations(_locale.get()).gettext(message), params)


def pgettext(context: str, message: str, **params: Any) -> str:
    """A short text whose translation depends on where it stands (a button, a status)."""
    return fill(translations(_locale.get()).pgettext(context, message), params)


def error_text(error: DomainError) -> str:
    """An error's message in the current locale, from its template and values."""
    return _(error.template, **error.params)


def label(value: enum.Enum | None) -> str:
    """A domain enum's member as words, in the current locale: `GateState.HELD` reads
    "held" / "已暂停". The message is the value with spaces, in the enum's own context,
    and every enum of the domain is in the catalogs (`entrypoints/catalog.py`)."""
    if value is None:
        return ""
    return pgettext(type(value).__name__, words_of(value))


def finding_text(finding: Finding) -> str:
    """A check's finding in the current locale, from its template and values; English
    findings stored before templates existed are shown as they were written."""
    gettext = translations(_locale.get()).gettext
    template = finding.template or finding.message
    return fill(gettext(template), _translated_values(finding.values, gettext))


def _translated_values(values: Mapping[str, object], gettext: Any) -> dict[str, object]:
    """A value that is itself one of our texts (a reason inside a finding) is translated;
    data (names, ids, amounts) is no message id and stays as it is."""
    return {k: gettext(v) if isinstance(v, str) and v else v for k, v in values.items()}


@dataclass(frozen=True)
class ShownStatement:
    """A statement of reasons as its reader reads it."""

    measure: str
    facts: tuple[str, ...]
    ground: str
    redress: str


def shown(statement: StatementOfReasons) -> ShownStatement:
    """The statement in the current locale, from its terms: the same facts and values in
    every locale. One issued before statements kept terms is shown as it was sent, its
    fixed texts (the measure, most grounds) translated."""
    terms = statement.terms
    if terms is None:
        gettext = translations(_locale.get()).gettext
        return ShownStatement(
            gettext(statement.measure),
            statement.facts,
            gettext(statement.ground),
            statement.redress,
        )
    return ShownStatement(
        render(terms.measure),
        tuple(render(f) for f in terms.facts),
        render(terms.ground),
        render(terms.redress),
    )


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)?$")


def _value(value: object) -> object:
    """A date or a time among a message's values, written as the locale writes it."""
    if isinstance(value, str):
        if ISO_DAY.match(value):
            return day(date.fromisoformat(value))
        if ISO_MOMENT.match(value):
            moment_value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment_value.tzinfo is None:
                moment_value = moment_value.replace(tzinfo=UTC)
            return moment(moment_value)
    return value


def render(wording: Wording) -> str:
    """A statement's text in the current locale; a person's own words as written."""
    locale = _locale.get()
    gettext = translations(locale).gettext
    parts = []
    for phrase in wording:
        if phrase.verbatim:
            parts.append(phrase.template)
        elif locale == SOURCE:
            parts.append(phrase.english())  # exactly the English that was sent
        else:
            values = {k: _value(v) for k, v in _translated_values(phrase.params, gettext).items()}
            parts.append(fill(gettext(phrase.template), values))
    return " ".join(parts)


def words_of(value: enum.Enum) -> str:
    return str(value.value).replace("_", " ")


def day(value: date | datetime | None) -> str:
    """A date as the reader's locale writes it: ISO 8601 in English (2026-12-04, no
    ambiguity between readers of different countries), 2026年12月4日 in Chinese."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    locale = _locale.get()
    if locale == SOURCE:
        return value.isoformat()
    return format_skeleton("yMMMd", value, locale=locale)


def moment(value: datetime | None) -> str:
    """A date and time, to the minute, in UTC, as the reader's locale writes it."""
    if value is None:
        return ""
    locale = _locale.get()
    if locale == SOURCE:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    when = format_skeleton("yMMMd", value, tzinfo=UTC, locale=locale)
    return f"{when} {format_skeleton('Hm', value, tzinfo=UTC, locale=locale)} UTC"


def install(env: Any) -> None:
    """Gives a Jinja environment gettext that follows the current locale, `day` and
    `moment` filters, and `locale` for `<html lang>`."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(
        lambda m: translations(_locale.get()).gettext(m),
        lambda s, p, n: translations(_locale.get()).ngettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, m: translations(_locale.get()).pgettext(c, m),
    )
    env.filters["day"] = day
    env.filters["moment"] = moment
    env.globals["label"] = label
    env.globals["finding_text"] = finding_text
    env.globals["shown"] = shown
    env.filters["render"] = render
    env.globals["locale"] = lambda: _locale.get().replace("_", "-")
