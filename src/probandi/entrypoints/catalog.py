"""The message catalogs: extract every text a person reads (Python, templates, the domain's
enums), write the template (`messages.pot`), merge it into each locale's `.po`, and say
what is missing. `make locales` runs `update`; `tests/unit/test_locales.py` runs `missing`.

    .venv/bin/python -m probandi.entrypoints.catalog update [--locale zh_CN]
    .venv/bin/python -m probandi.entrypoints.catalog check
"""

from __future__ import annotations

import argparse
import enum
import importlib
import pkgutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

import probandi
import probandi.domain
from probandi.domain.locales import LOCALES, SOURCE
from probandi.entrypoints.i18n import DOMAIN, LOCALE_DIR, catalog_path, words_of

PACKAGE = Path(probandi.__file__).resolve().parent
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
ERRORS = (
    "DomainError",
    "NotFound",
    "Forbidden",
    "InvalidInput",
    "InvalidTransition",
    "Conflict",
    "PreconditionFailed",
    "UnsupportedMedia",
    "PayloadTooLarge",
    "CsrfFailed",
)
KEYWORDS = {
    **dict.fromkeys(ERRORS),  # an error's first argument is its English message
    "problem": (3,),
    "say": None,
    "Phrase": None,
    "Finding": (3,),
    "finding": (3,),
    "_finding": (3,),
    "_hard": (2,),
    "_problem": (3,),
    "HTTPException": (2,),
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**/standalone/**.html", "jinja2"),
    ("**.py", "python"),
]
JINJA = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "silent": "false"}
OPTIONS = {"**/templates/**.html": JINJA, "**/standalone/**.html": JINJA}
SKIP = ("locales", "migrations")  # no texts for readers in these
FIXED = datetime(2026, 12, 4, tzinfo=UTC)  # dates in the headers: no churn on each update
HEADER = "# probandi's messages. Translated by the probandi project; corrections welcome."


def domain_enums() -> Iterator[type[enum.Enum]]:
    """Every enum defined in `probandi.domain`: their members are shown with `label`."""
    seen: set[type[enum.Enum]] = set()
    for info in pkgutil.walk_packages(probandi.domain.__path__, "probandi.domain."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, enum.Enum)
                and value.__module__ == module.__name__
                and value not in seen
            ):
                seen.add(value)
                yield value


def extract() -> Catalog:
    """Every message of the package, with where it is used."""
    catalog = Catalog(
        project="probandi", domain=DOMAIN, fuzzy=False, creation_date=FIXED, revision_date=FIXED
    )

    def wanted(name: str) -> bool:
        return not any(part in SKIP for part in Path(name).parts)

    found = extract_from_dir(
        str(PACKAGE),
        method_map=METHODS,
        options_map=OPTIONS,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
        directory_filter=wanted,
    )
    for filename, lineno, message, comments, context in found:
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        catalog.add(
            message,
            None,
            [(f"probandi/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    for cls in domain_enums():
        for member in cls:
            where = (f"{cls.__module__.replace('.', '/')}.py", 0)
            catalog.add(words_of(member), None, [where], context=cls.__name__)
    return catalog


def _read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, sort_output=False)


def update(locales: tuple[str, ...] = LOCALES) -> dict[str, int]:
    """Writes the template and merges it into each locale's catalog (created if new).
    Returns how many entries of each locale still need a translation."""
    template = extract()
    _write(TEMPLATE, template)
    out = {}
    for locale in locales:
        if locale == SOURCE:
            continue
        path = catalog_path(locale)
        if path.exists():
            catalog = _read(path, locale)
            catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
            catalog.obsolete.clear()
        else:
            catalog = Catalog(
                locale=locale,
                project="probandi",
                domain=DOMAIN,
                fuzzy=False,
                header_comment=HEADER,
                creation_date=FIXED,
                revision_date=FIXED,
            )
            catalog.update(template)
        _write(path, catalog)
        out[locale] = len(missing(locale, template))
    return out


def missing(locale: str, template: Catalog | None = None) -> list[str]:
    """The messages used in the code with no checked translation in `locale`'s catalog."""
    template = template or extract()
    path = catalog_path(locale)
    catalog = _read(path, locale) if path.exists() else Catalog(locale=locale)
    out = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        strings = entry.string if entry is not None else None
        texts = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(texts):
            key = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
            out.append(f"{message.context}|{key}" if message.context else key)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="probandi's message catalogs")
    parser.add_argument("command", choices=("update", "check"))
    parser.add_argument("--locale", action="append", help="only this locale (repeatable)")
    args = parser.parse_args(argv)
    locales = tuple(args.locale or LOCALES)
    if args.command == "update":
        for locale, count in update(locales).items():
            print(f"{locale}: {count} messages to translate in {catalog_path(locale)}")
        return 0
    template = extract()
    bad = 0
    for locale in locales:
        if locale == SOURCE:
            continue
        gaps = missing(locale, template)
        bad += len(gaps)
        print(f"{locale}: {len(gaps)} messages without a translation")
        for gap in gaps[:50]:
            print(f"  {gap}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
