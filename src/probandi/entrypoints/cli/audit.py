"""`probandi audit verify|checkpoint|keygen`: the hash chain and its signed checkpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from probandi.adapters.security.checkpoints import (
    DirectoryArchive,
    Ed25519CheckpointKey,
    key_id_of,
    signature_holds,
)
from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.checkpoints import Checkpoint, parse_document, truncations
from probandi.domain.errors import DomainError
from probandi.entrypoints.cli.consoles import cli_console
from probandi.queries.audit import VerifyReport, lanes_now, verify_audit
from probandi.services.checkpoints import write_checkpoint

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
console = cli_console(stderr=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(message)
    return typer.Exit(code)


def _signed_checkpoint(path: Path, public_key: str | None, settings: Settings) -> Checkpoint:
    """The checkpoint in `path` if its signature holds under the operator's public key."""
    try:
        checkpoint, signature = parse_document(json.loads(path.read_text()))
        public = public_key or Ed25519CheckpointKey.load(settings.checkpoint_key).public_hex
    except (OSError, ValueError, DomainError) as exc:
        raise _fail(f"[red]cannot read the checkpoint or key:[/red] {exc}", 2) from exc
    if key_id_of(public) != checkpoint.key_id:
        raise _fail(
            f"[red]checkpoint REFUSED[/red]: signed by key {checkpoint.key_id}, "
            f"not by the given key {key_id_of(public)}"
        )
    if not signature_holds(public, checkpoint.signed_text(), signature):
        raise _fail("[red]checkpoint REFUSED[/red]: its signature does not hold (altered file)")
    return checkpoint


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None, typer.Option(help="also prove nothing was cut since this checkpoint")
    ] = None,
    public_key: Annotated[
        str | None, typer.Option(help="hex Ed25519 public key (default: from the key file)")
    ] = None,
) -> None:
    """Recompute the hash chain; exit 1 naming the first broken entry, or, with
    --checkpoint, any lane truncated or rewound since that checkpoint."""
    settings = Settings.from_env()
    signed = _signed_checkpoint(checkpoint, public_key, settings) if checkpoint else None
    runtime = bootstrap(settings)
    try:
        with Session(runtime.reader) as session:
            report = _verify_chain(session)
            problems = truncations(signed, lanes_now(session, signed)) if signed else []
    finally:
        runtime.dispose()
    if report.broken is not None:
        raise _fail(
            f"[red]audit log BROKEN at entry {report.broken.seq}[/red]: "
            f"{report.broken.reason} ({report.verified} entries before it hold)"
        )
    if problems:
        assert signed is not None
        for problem in problems:
            console.print(f"[red]TRUNCATED[/red] {problem}")
        raise _fail(
            f"[red]audit log TRUNCATED since the checkpoint of {signed.at.isoformat()}[/red]: "
            f"{len(problems)} problem(s)"
        )
    console.print(f"[green]audit log intact[/green]: {report.verified} entries verified")
    if signed:
        console.print(f"[green]checkpoint holds[/green]: nothing cut since {signed.at.isoformat()}")


def _verify_chain(session: Session) -> VerifyReport:
    with Progress(
        TextColumn("verifying"),
        BarColumn(),
        TextColumn("{task.completed} entries"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("verify", total=None)
        return verify_audit(session, on_entry=lambda _entry: progress.advance(task))


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign every lane head into a new file under PROBANDI_CHECKPOINT_DIR (and the outbox);
    creates the key at PROBANDI_CHECKPOINT_KEY on first use."""
    settings = Settings.from_env()
    runtime = bootstrap(settings, migrate=True)
    try:
        written = write_checkpoint(
            svc=runtime.services,
            signer=Ed25519CheckpointKey.load_or_create(settings.checkpoint_key),
            archive=DirectoryArchive(settings.checkpoint_dir),
        )
    finally:
        runtime.dispose()
    typer.echo(written.location)
    console.print(
        f"checkpoint of {written.entries} entries signed by key {written.checkpoint.key_id}"
    )


@audit_app.command("keygen")
def audit_keygen(
    path: Annotated[Path | None, typer.Option(help="default: PROBANDI_CHECKPOINT_KEY")] = None,
) -> None:
    """Create the checkpoint signing key (mode 0600); prints its public key (hex)."""
    target = path or Settings.from_env().checkpoint_key
    try:
        key = Ed25519CheckpointKey.generate(target)
    except DomainError as exc:
        raise _fail(f"[red]error ({exc.code}):[/red] {exc.message}", 2) from exc
    typer.echo(key.public_hex)
    console.print(f"key {key.key_id} written to {target}; keep the public key apart from it")
