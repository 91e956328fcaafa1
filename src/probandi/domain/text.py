"""Filling a message's named placeholders, `%(name)s`, `%(name)r` or `%(name).2f`, from its
parameters. Only named placeholders are touched, so a literal "%" needs no escaping, and a
placeholder without its parameter stays as written rather than failing. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

PLACEHOLDER = re.compile(r"%\((\w+)\)([#0\- +]?\d*(?:\.\d+)?[srdifg])")


def fill(template: str, params: Mapping[str, object]) -> str:
    if not params or "%(" not in template:
        return template

    def one(match: re.Match[str]) -> str:
        name, spec = match.group(1), match.group(2)
        if name not in params:
            return match.group(0)
        try:
            return ("%" + spec) % (params[name],)
        except (TypeError, ValueError):
            return str(params[name])

    return PLACEHOLDER.sub(one, template)


Value = str | int | float | bool | None


@dataclass(frozen=True)
class Phrase:
    """One message of a statement: English with `%(name)s` placeholders, and its values.
    The English is also the message id it is translated by, so a statement is kept as
    data and rendered in its reader's locale when shown. A person's own words (a
    reviewer's note, a notice's reason) are `verbatim`: shown as written, never translated."""

    template: str
    params: Mapping[str, Value] = field(default_factory=dict)
    verbatim: bool = False

    def english(self) -> str:
        return self.template if self.verbatim else fill(self.template, self.params)


Wording = tuple[Phrase, ...]  # messages shown one after the other, a space between


def say(template: str, **params: Value) -> Wording:
    return (Phrase(template, params),)


def quote(text: str) -> Wording:
    return (Phrase(text, verbatim=True),)


def english(wording: Wording) -> str:
    return " ".join(p.english() for p in wording)
