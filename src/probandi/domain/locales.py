"""The locales probandi speaks, and the marker for texts written in the domain.

English is the source language: a text's English form is its message id, and the
catalogs (`probandi/locales/<locale>/LC_MESSAGES/messages.po`) give it in other locales.
The domain only marks texts (`N_`) so that extraction finds them; rendering happens at the
edges, in the reader's locale. Placeholders are named, `%(name)s`, as Jinja writes them.
Pure."""

from __future__ import annotations

from probandi.domain.errors import InvalidInput

SOURCE = "en"
LOCALES = ("en", "zh_CN")  # the order a locale switch offers them in
NAMES = {"en": "English", "zh_CN": "简体中文"}  # each in its own language


def N_(message: str) -> str:  # noqa: N802 - gettext's name for a marker
    """Marks a text for translation without translating it (gettext's convention)."""
    return message


def check_locale(locale: str) -> str:
    """A supported locale, from its own form or a BCP 47 tag (zh-CN, zh-Hans, en-GB)."""
    found = match(locale)
    if found is None:
        raise InvalidInput(
            "unsupported locale %(locale)r; supported: %(supported)s",
            field="locale",
            locale=locale,
            supported=", ".join(LOCALES),
        )
    return found


def match(tag: str) -> str | None:
    """The supported locale a language tag asks for, or None. Any Chinese tag reads the
    Simplified catalog, the only Chinese one; any English tag reads English."""
    parts = tag.strip().replace("_", "-").lower().split("-")
    if not parts or not parts[0]:
        return None
    if parts[0] == "zh":
        return "zh_CN"
    if parts[0] == "en":
        return "en"
    return None


def negotiate(setting: str | None, accept_language: str | None, default: str) -> str:
    """The reader's locale: their own setting, then the best of `Accept-Language` (by
    quality, then order), then the deployment's default."""
    if setting and match(setting):
        return match(setting) or default
    for tag in preferred(accept_language or ""):
        found = match(tag)
        if found:
            return found
    return default


MAX_TAGS = 20  # a longer Accept-Language header is read only this far


def preferred(header: str) -> list[str]:
    """The tags of an Accept-Language header, best first (RFC 9110 12.5.4); q=0 excluded."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:MAX_TAGS]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]
