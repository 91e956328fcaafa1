"""Locales (issue 21): the catalogs are complete, no template writes words outside them,
translations keep their placeholders, and a reader's locale is chosen as documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import nodes

from probandi.domain.errors import InvalidInput
from probandi.domain.locales import LOCALES, SOURCE, check_locale, negotiate, preferred
from probandi.entrypoints import i18n
from probandi.entrypoints.catalog import extract, missing
from probandi.entrypoints.console.web import HERE, templates

TEMPLATES = sorted([*(HERE / "templates").glob("*.html"), *(HERE / "standalone").glob("*.html")])
TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&[a-z]+;|&#\d+;")
WORDS = re.compile(r"[A-Za-z]{2,}|[\u4e00-\u9fff]")
SHOWN_ATTRIBUTES = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"{]*)"')
NOT_WORDS = {"probandi", "UTC", "PDQ", "CSV", "JSON", "HTML", "ID", "URL", "API", "HTTP"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def template() -> object:
    return extract()


@pytest.mark.parametrize("locale", [x for x in LOCALES if x != SOURCE])
def test_every_message_has_a_translation(locale: str, template: object) -> None:
    gaps = missing(locale, template)  # type: ignore[arg-type]
    assert gaps == [], f"{len(gaps)} untranslated in {locale}, e.g. {gaps[:10]}"


@pytest.mark.parametrize("locale", [x for x in LOCALES if x != SOURCE])
def test_translations_keep_their_placeholders(locale: str) -> None:
    with i18n.catalog_path(locale).open("rb") as f:
        catalog = read_po(f, locale=locale)
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = [str(x) for x in (message.id if isinstance(message.id, tuple) else (message.id,))]
        strings = [
            str(x)
            for x in (message.string if isinstance(message.string, tuple) else (message.string,))
        ]
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


TRANS = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
JINJA = re.compile(r"{#.*?#}|{{.*?}}|{%.*?%}", re.S)
NOT_TEXT = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)


def _many(value: object) -> tuple[object, ...]:
    return value if isinstance(value, tuple) else (value,)


def _visible(text: str) -> list[str]:
    shown = SHOWN_ATTRIBUTES.findall(text)
    text = ENTITY.sub(" ", TAG.sub(" ", text))
    words = WORDS.findall(" ".join([text, *shown]))
    return [w for w in words if w not in NOT_WORDS]


def _literal_outputs(source: str) -> list[str]:
    """Words a template writes outside gettext: its text and shown attributes once every
    Jinja construct is taken out (a `trans` block whole), and string constants that are
    printed (`{{ "Publishable" if x else "Not publishable" }}`)."""
    found = _visible(NOT_TEXT.sub("", JINJA.sub("", TRANS.sub("", source))))
    for output in templates.env.parse(source).find_all(nodes.Output):
        for child in output.nodes:
            branches = [child.expr1, child.expr2] if isinstance(child, nodes.CondExpr) else [child]
            for branch in branches:
                if isinstance(branch, nodes.Const) and isinstance(branch.value, str):
                    found += _visible(branch.value)
    return found


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_template_writes_words_outside_the_catalog(path: Path) -> None:
    assert _literal_outputs(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_literal_word() -> None:
    source = (
        '<p title="Hello">{{ "Due" if x else _("Late") }} Upload</p>{% trans %}Ok{% endtrans %}'
    )
    assert sorted(_literal_outputs(source)) == ["Due", "Hello", "Upload"]


def test_accept_language_is_read_by_quality_then_order() -> None:
    assert preferred("fr;q=0.9, zh-CN;q=0.8, en;q=0.95") == ["en", "fr", "zh-CN"]
    assert preferred("de, *;q=0.5, en;q=0") == ["de"]
    assert negotiate(None, "fr, zh-Hans;q=0.5, en;q=0.4", "en") == "zh_CN"
    assert negotiate(None, "fr, de", "zh_CN") == "zh_CN"  # nothing we speak: the default
    assert negotiate("en", "zh-CN", "zh_CN") == "en"  # the reader's setting first
    assert negotiate(None, None, "en") == "en"


def test_a_locale_is_checked() -> None:
    assert check_locale("zh-CN") == "zh_CN"
    assert check_locale("en_GB") == "en"
    with pytest.raises(InvalidInput):
        check_locale("fr")


def test_dates_follow_the_locale() -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)
    with i18n.use("en"):
        assert (i18n.day(when), i18n.moment(when)) == ("2026-12-04", "2026-12-04 15:30 UTC")
    with i18n.use("zh_CN"):
        assert i18n.day(when) == "2026年12月4日"
        assert i18n.moment(when) == "2026年12月4日 15:30 UTC"
