"""The `probandi` command: serve, migrate, demo, keys, tick, audit."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from probandi.adapters.db.migrate import upgrade
from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.actors import SYSTEM, Role
from probandi.domain.errors import DomainError
from probandi.entrypoints.brand_files import parse_brand_rows
from probandi.entrypoints.cli.audit import audit_app
from probandi.entrypoints.cli.brand_requests import requests_app
from probandi.entrypoints.cli.consoles import cli_console
from probandi.entrypoints.cli.credentials import credential_app
from probandi.entrypoints.cli.dsa import dsa_app
from probandi.entrypoints.cli.jobs import jobs_app, worker
from probandi.entrypoints.cli.notices import appeal_app, holder_app, notice_app, penalties_app
from probandi.entrypoints.cli.report import report
from probandi.entrypoints.cli.screen import screen
from probandi.entrypoints.cli.storage import storage_app
from probandi.entrypoints.cli.system import with_services
from probandi.entrypoints.cli.voucher import voucher_app
from probandi.entrypoints.cli.webhooks import webhooks_app
from probandi.entrypoints.sweep.cli import sweep_app
from probandi.services.accounts import create_user, disable_user, enable_user
from probandi.services.brands import import_brands
from probandi.services.deadlines import apply_deadlines
from probandi.services.keys import create_api_key, revoke_api_key

# Typer's Rich help shows a type placeholder (`<bool>`) after every flag, `--help` included:
# its Rich renderer asks every option for a type, where the plain renderer skips flags.
# The plain renderer is also what reads well when piped; sub-apps inherit the root's mode.
app = typer.Typer(
    help="probandi: the burden of proof on the seller.", no_args_is_help=True, rich_markup_mode=None
)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
brands_app = typer.Typer(help="The brand registry.", no_args_is_help=True)
users_app = typer.Typer(help="Console users: reviewers and admins.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(brands_app, name="brands")
brands_app.add_typer(requests_app, name="requests")
app.add_typer(users_app, name="users")
app.add_typer(voucher_app, name="voucher")
app.add_typer(notice_app, name="notice")
app.add_typer(holder_app, name="holder")
app.add_typer(penalties_app, name="penalties")
app.add_typer(appeal_app, name="appeal")
app.command(name="screen")(screen)
app.add_typer(sweep_app, name="sweep")
app.add_typer(jobs_app, name="jobs")
app.add_typer(storage_app, name="storage")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(credential_app, name="credential")
app.add_typer(dsa_app, name="dsa")
app.command(name="worker")(worker)
app.command(name="report")(report)
console = cli_console(stderr=True)
Username = Annotated[str, typer.Argument(help="the user's name")]


class UserRole(StrEnum):
    """The roles a console user may have (parties use API keys instead)."""

    REVIEWER = Role.REVIEWER.value
    ADMIN = Role.ADMIN.value


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic)."""
    settings = Settings.from_env()
    runtime = bootstrap(settings)
    upgrade(runtime.writer)
    runtime.dispose()
    console.print(f"migrated {settings.redacted_database_url()}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="the address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="the port to listen on")] = 8000,
    demo: Annotated[bool, typer.Option(help="Load the demo data once before serving.")] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="API processes (each with its own ticker and job threads).")
    ] = 1,
) -> None:
    """Migrate, optionally load demo data, and serve the API (with the deadline ticker)."""
    from probandi.entrypoints.cli.serving import serve_api

    if demo:  # a local evaluation: webhooks may go to a receiver on this machine
        os.environ.setdefault("PROBANDI_WEBHOOK_ALLOW_PRIVATE", "1")
    settings = Settings.from_env()
    runtime = bootstrap(settings, migrate=True)
    if demo:
        from probandi.entrypoints.cli.demo import load_demo

        keys = load_demo(runtime.services, out=console.print)
        _print_demo_keys(keys)
    where = f"http://{host}:{port} (database {settings.redacted_database_url()})"
    if settings.log_format != "json":  # JSON logs: every line of output is JSON
        console.print(f"serving on {where}, {workers} process(es)")
    serve_api(settings, runtime, host=host, port=port, workers=workers)


def _print_demo_keys(keys: dict[str, str] | None) -> None:
    keyfile = Path("var/demo-keys.json")
    if keys is not None:
        keyfile.parent.mkdir(parents=True, exist_ok=True)
        keyfile.write_text(json.dumps(keys, indent=2))
        keyfile.chmod(0o600)
    if not keyfile.exists():
        return
    table = Table(title=f"demo API keys (also in {keyfile})")
    table.add_column("who")
    table.add_column("key")
    for who, key in json.loads(keyfile.read_text()).items():
        if not who.startswith("listing:"):
            table.add_row(who, key)
    cli_console().print(table)


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="platform, seller, rights_holder, reviewer, admin")],
    party: Annotated[str | None, typer.Option(help="seller or rights holder id")] = None,
    label: Annotated[str, typer.Option(help="a name for the key (default: the role)")] = "",
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    runtime = bootstrap(Settings.from_env(), migrate=True)
    try:
        raw = create_api_key(role, party, label or role.value, svc=runtime.services)
    except DomainError as exc:
        console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(2) from exc
    finally:
        runtime.dispose()
    typer.echo(raw)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key, or its id")]) -> None:
    """Revoke a key: give the key itself or its id (the `api_key:<id>` audit subject)."""
    runtime = bootstrap(Settings.from_env(), migrate=True)
    try:
        revoked = revoke_api_key(key_id, svc=runtime.services)
    finally:
        runtime.dispose()
    if revoked is None:
        # never echo what was given: it may be the secret itself
        console.print("[red]error:[/red] no active key with that value or id")
        raise typer.Exit(2)
    console.print(
        f"revoked key {revoked}; its console sessions have ended, the API refuses it in 1 s"
    )


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option(help="lower-case letters, digits and . _ -")],
    role: Annotated[UserRole, typer.Option(help="what the user may do")] = UserRole.REVIEWER,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="PROBANDI_NEW_PASSWORD",
            help="asked for when not given (at least 12 characters)",
        ),
    ] = "",
) -> None:
    """Create a reviewer or admin who signs in to /console with a password (Argon2id)."""
    user = with_services(
        lambda svc: create_user(username, Role(role.value), password, SYSTEM, svc=svc)
    )
    console.print(f"created {user.role.value} {user.username}")


@users_app.command("disable")
def users_disable(username: Username) -> None:
    """Disable a user: sign-in is refused and their console sessions end at once."""
    user, ended = with_services(lambda svc: disable_user(username, SYSTEM, svc=svc))
    console.print(f"disabled {user.username}; {ended} console session(s) ended")


@users_app.command("enable")
def users_enable(username: Username) -> None:
    """Let a disabled user sign in again."""
    user = with_services(lambda svc: enable_user(username, SYSTEM, svc=svc))
    console.print(f"enabled {user.username}")


@app.command()
def tick() -> None:
    """Apply the deadlines that are due now.

    Removes listings past their proof deadline, flags review tasks past their SLA, upholds
    notice items the seller did not answer, and restores listings whose rights holder let
    its window after a counter-notice pass, and takes back approvals made on credentials
    revoked since (or whose key was compromised). `probandi serve` does this every
    PROBANDI_TICK_SECONDS (60); run `tick` from cron when no server runs.
    """
    runtime = bootstrap(Settings.from_env(), migrate=True)
    report = apply_deadlines(svc=runtime.services)
    runtime.dispose()
    console.print(
        f"removed {report.removed} listing(s); {report.sla_breached} review task(s) past their "
        f"SLA; {report.notices_upheld} notice item(s) upheld unanswered; "
        f"{report.notices_restored} listing(s) restored after the rights holder's window; "
        f"{report.credential_approvals_revoked} approval(s) taken back on void credentials"
    )


@brands_app.command("import")
def brands_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="a .csv file (name,aliases,gated; aliases separated by |) or a JSON list",
            exists=True,
            dir_okay=False,
        ),
    ],
) -> None:
    """Upsert brands from a CSV or JSON file, all or nothing.

    `gated` is true/false, 1/0 or yes/no (any case); any other value, an empty cell included,
    is refused naming its line. A file without a `gated` column gates every brand.
    """
    runtime = bootstrap(Settings.from_env(), migrate=True)
    kind = "text/csv" if path.suffix.lower() == ".csv" else "application/json"
    try:
        rows = parse_brand_rows(kind, path.read_bytes())
        report = import_brands(rows, SYSTEM, svc=runtime.services)
    except DomainError as exc:
        console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(2) from exc
    finally:
        runtime.dispose()
    console.print(f"{report.created} created, {report.updated} updated")
