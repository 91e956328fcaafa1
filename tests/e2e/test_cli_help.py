"""`probandi ... --help` reads cleanly for every command: each command, argument and option
says what it is, flags show no value placeholder, and choices are the ones accepted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from probandi.domain.accounts import USER_ROLES
from probandi.entrypoints.cli.main import app

# Typer builds on its own copy of click: its groups are walked by their `commands`.
ROOT: Any = typer.main.get_command(app)


def _subcommands(command: Any) -> dict[str, Any]:
    found: dict[str, Any] = getattr(command, "commands", {})
    return found


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in _subcommands(command).items():
        yield from _commands(sub, (*path, name))


def _command(path: tuple[str, ...]) -> Any:
    command = ROOT
    for name in path:
        command = _subcommands(command)[name]
    return command


COMMANDS = list(_commands(ROOT))


def _help(*path: str) -> str:
    done = CliRunner().invoke(app, [*path, "--help"])
    assert done.exit_code == 0, done.output
    return done.output


def test_the_walk_reaches_every_command_group() -> None:
    paths = {" ".join(p) for p in COMMANDS}
    assert {"appeal show", "penalties reverse", "brands import", "brands requests"} <= paths
    assert len(COMMANDS) > 40


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "probandi")
def test_every_command_argument_and_option_has_a_description(path: tuple[str, ...]) -> None:
    command = _command(path)
    assert (command.help or "").strip(), f"`probandi {' '.join(path)}` has no description"
    missing = [
        param.name
        for param in command.params
        if not getattr(param, "hidden", False) and not (getattr(param, "help", "") or "").strip()
    ]
    assert missing == [], f"`probandi {' '.join(path)}`: no help for {missing}"


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "probandi")
def test_flags_show_no_value_placeholder(path: tuple[str, ...]) -> None:
    text = _help(*path)
    assert "<bool>" not in text
    help_line = next(line for line in text.splitlines() if line.strip().startswith("--help"))
    assert help_line.split() == ["--help", "Show", "this", "message", "and", "exit."]


def test_a_flag_with_two_spellings_shows_both_and_no_type() -> None:
    text = _help("serve")
    assert "--demo / --no-demo" in text
    assert "--host <str>" in text


def test_users_create_offers_only_the_roles_it_accepts() -> None:
    text = _help("users", "create")
    offered = text.split("--role <", 1)[1].split(">", 1)[0].split("|")
    assert set(offered) == {role.value for role in USER_ROLES}
    refused = CliRunner().invoke(
        app, ["users", "create", "--username", "bob", "--role", "platform", "--password", "x" * 12]
    )
    assert refused.exit_code == 2
    assert "Invalid value for '--role'" in refused.output


def test_tick_help_is_a_summary_then_a_paragraph() -> None:
    listing = next(line for line in _help().splitlines() if line.strip().startswith("tick "))
    assert listing.split(None, 1)[1] == "Apply the deadlines that are due now."
    text = _help("tick")
    summary, details = text.split("\n\n")[1:3]
    assert summary.strip() == "Apply the deadlines that are due now."
    assert " ".join(details.split()).startswith(
        "Removes listings past their proof deadline, flags review tasks past their SLA,"
    )
