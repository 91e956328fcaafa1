"""`probandi notice|holder|penalties|appeal`: the notice flow from a terminal.

Each command acts as the party of an API key (`--key`, or `PROBANDI_API_KEY`), with the
same authorization as the HTTP API, and prints the result as one JSON document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel
from rich.markup import escape

from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.actors import Actor
from probandi.domain.appeals import AppealSubject
from probandi.domain.commands import (
    FileAppeal,
    FileCounterNotice,
    FileNotice,
    ReportAction,
    SubmitVoucher,
)
from probandi.domain.errors import DomainError
from probandi.domain.locales import negotiate
from probandi.domain.notices import ActionKind, NoticeReason
from probandi.domain.sellers import VoucherKind
from probandi.entrypoints import i18n
from probandi.entrypoints.api.notice_schemas import (
    AppealOut,
    CounterResultOut,
    EvidenceOut,
    HolderOut,
    HolderProfileIn,
    LedgerOut,
    NoticeItemOut,
    NoticeOut,
)
from probandi.entrypoints.api.routes.vouchers import parse_declaration
from probandi.entrypoints.api.schemas import VoucherOut
from probandi.entrypoints.cli.consoles import cli_console
from probandi.entrypoints.i18n import _
from probandi.services import appeals, holders, notice_views, notices, penalties
from probandi.services.context import Services
from probandi.services.keys import authenticate
from probandi.services.preferences import locale_of

notice_app = typer.Typer(help="Notices against listings (rights holders, sellers).")
holder_app = typer.Typer(help="Rights holders: profile, verification, trusted flaggers.")
penalties_app = typer.Typer(help="A seller's penalty ledger.")
appeal_app = typer.Typer(help="Appeals against removals, ledger entries and refusals.")
for _app in (notice_app, holder_app, penalties_app, appeal_app):
    _app.info.no_args_is_help = True
console = cli_console(stderr=True)
T = TypeVar("T")
Key = Annotated[
    str,
    typer.Option(
        "--key", envvar="PROBANDI_API_KEY", help="the API key to act with", show_default=False
    ),
]
NoticeId = Annotated[str, typer.Argument(help="the notice id")]
ListingId = Annotated[str, typer.Argument(help="the listing id")]
HolderId = Annotated[str, typer.Argument(help="the rights holder id")]
SellerId = Annotated[str, typer.Argument(help="the seller id")]


@contextmanager
def acting(key: str) -> Iterator[tuple[Services, Actor]]:
    """Services and the key's actor; a domain error exits 2 with its code."""
    runtime = bootstrap(Settings.from_env(), migrate=True)
    svc = runtime.services
    language = i18n.environment_language()  # the shell's: LC_ALL, LC_MESSAGES, LANG
    i18n.set_locale(negotiate(None, language, svc.policy.default_locale))
    try:
        actor = authenticate(key, svc=svc)
        if actor is None:
            error, unknown = _("error:"), _("unknown or revoked API key")
            console.print(f"[red]{error}[/red] {unknown}")
            raise typer.Exit(2)
        # The party's own setting comes before the shell's language.
        i18n.set_locale(negotiate(locale_of(actor, svc=svc), language, svc.policy.default_locale))
        yield svc, actor
    except DomainError as exc:
        error, message = _("error"), i18n.error_text(exc)
        console.print(f"[red]{error} ({exc.code}):[/red] {escape(message)}")
        raise typer.Exit(2) from exc
    finally:
        runtime.dispose()


def emit(model: BaseModel | list[BaseModel]) -> None:
    if isinstance(model, list):
        typer.echo(json.dumps([m.model_dump(mode="json") for m in model], ensure_ascii=False))
    else:
        typer.echo(model.model_dump_json())


def _run(key: str, use: Callable[[Services, Actor], T]) -> T:
    with acting(key) as (svc, actor):
        return use(svc, actor)


@notice_app.command("evidence")
def notice_evidence(
    path: Annotated[Path, typer.Argument(help="PDF, JPEG or PNG", exists=True, dir_okay=False)],
    key: Key,
) -> None:
    """Upload a file to attach to notices; prints its id."""
    data = path.read_bytes()
    evidence = _run(key, lambda svc, a: notices.upload_evidence(a, path.name, data, None, svc=svc))
    emit(EvidenceOut.from_domain(evidence))


@notice_app.command("file")
def notice_file(
    key: Key,
    reason: Annotated[NoticeReason, typer.Option(help="why the listings infringe")],
    listing: Annotated[list[str], typer.Option(help="a listing id (repeat, up to 300)")],
    good_faith: Annotated[
        bool, typer.Option("--good-faith", help="declare the notice accurate, in good faith")
    ] = False,
    text: Annotated[str, typer.Option(help="the notice's explanation, in your words")] = "",
    evidence: Annotated[list[str] | None, typer.Option(help="an evidence id (repeat)")] = None,
) -> None:
    """File a notice: its listings are suspended at once, the others refused one by one."""

    def use(svc: Services, actor: Actor) -> notices.NoticeResult:
        cmd = FileNotice(actor, reason, tuple(listing), text, tuple(evidence or ()), good_faith)
        return notices.file_notice(cmd, svc=svc)

    result = _run(key, use)
    emit(NoticeOut.from_view(notice_views.NoticeView(result.notice, result.items, result.refusals)))


@notice_app.command("show")
def notice_show(notice_id: NoticeId, key: Key) -> None:
    """A notice with its items (a seller sees only its own listings)."""
    emit(
        NoticeOut.from_view(
            _run(key, lambda svc, a: notice_views.get_notice(notice_id, a, svc=svc))
        )
    )


@notice_app.command("withdraw")
def notice_withdraw(
    notice_id: NoticeId,
    key: Key,
    listing: Annotated[list[str] | None, typer.Option(help="only these listings")] = None,
    note: Annotated[str, typer.Option(help="why the notice is withdrawn")] = "",
) -> None:
    """Withdraw the notice (or some listings): they are restored."""
    items = _run(
        key,
        lambda svc, a: notices.withdraw_notice(notice_id, tuple(listing or ()), note, a, svc=svc),
    )
    emit([NoticeItemOut.from_domain(i) for i in items])


@notice_app.command("counter")
def notice_counter(
    notice_id: NoticeId,
    listing_id: ListingId,
    key: Key,
    statement: Annotated[str, typer.Option(help="why the goods are genuine")],
    voucher: Annotated[
        list[str] | None, typer.Option(help="a voucher approved for the listing (repeat)")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="a new voucher to upload (PDF, JPEG or PNG)"
        ),
    ] = None,
    kind: Annotated[
        VoucherKind | None, typer.Option(help="the new voucher's kind (with --file)")
    ] = None,
    declaration: Annotated[str, typer.Option(help="the declared fields, as JSON")] = "{}",
) -> None:
    """The seller's counter-notice with proof (approved vouchers and/or a new file)."""

    def use(svc: Services, actor: Actor) -> notices.CounterResult:
        upload = None
        if file is not None:
            if kind is None:
                raise typer.BadParameter("--kind is needed with --file")
            decl = parse_declaration(declaration).to_domain()
            upload = SubmitVoucher(actor, listing_id, kind, decl, file.name, file.read_bytes())
        cmd = FileCounterNotice(
            actor, notice_id, listing_id, statement, tuple(voucher or ()), upload
        )
        return notices.file_counter_notice(cmd, svc=svc)

    result = _run(key, use)
    emit(
        CounterResultOut(
            item=NoticeItemOut.from_domain(result.item),
            voucher=VoucherOut.from_domain(result.voucher) if result.voucher else None,
        )
    )


@notice_app.command("report-action")
def notice_report_action(
    notice_id: NoticeId,
    listing_id: ListingId,
    key: Key,
    kind: Annotated[ActionKind, typer.Option(help="a complaint or a lawsuit")],
    authority: Annotated[str, typer.Option(help="the authority or court it was filed with")],
    reference: Annotated[str, typer.Option(help="its case or file number")],
) -> None:
    """The rights holder reports a complaint or lawsuit in its window."""
    item = _run(
        key,
        lambda svc, a: notices.report_action(
            ReportAction(a, notice_id, listing_id, kind, authority, reference), svc=svc
        ),
    )
    emit(NoticeItemOut.from_domain(item))


@notice_app.command("extend")
def notice_extend(notice_id: NoticeId, listing_id: ListingId, key: Key) -> None:
    """Extend the rights holder's window once (to 20 working days after forwarding)."""
    item = _run(key, lambda svc, a: notices.extend_window(notice_id, listing_id, a, svc=svc))
    emit(NoticeItemOut.from_domain(item))


@notice_app.command("outcome")
def notice_outcome(
    notice_id: NoticeId,
    listing_id: ListingId,
    key: Key,
    upheld: Annotated[
        bool,
        typer.Option("--upheld/--for-seller", help="the ruling upheld the notice, or not"),
    ],
    note: Annotated[str, typer.Option(help="cite the ruling")],
) -> None:
    """Staff record the authority's or court's ruling on a reported action."""
    item = _run(
        key, lambda svc, a: notices.rule_outcome(notice_id, listing_id, upheld, note, a, svc=svc)
    )
    emit(NoticeItemOut.from_domain(item))


@holder_app.command("show")
def holder_show(holder_id: HolderId, key: Key) -> None:
    """Profile, standing and the notifier's record."""
    emit(HolderOut.from_view(_run(key, lambda svc, a: holders.get_holder(holder_id, a, svc=svc))))


@holder_app.command("profile")
def holder_profile(
    holder_id: HolderId,
    key: Key,
    path: Annotated[Path, typer.Argument(help="JSON: {kind, registrations, authorization}")],
) -> None:
    """State the trademark registrations (and an agent's authorization)."""
    body = HolderProfileIn.model_validate_json(path.read_text())

    def use(svc: Services, actor: Actor) -> holders.HolderView:
        holders.update_holder_profile(
            body.to_command(actor, holder_id),
            svc=svc,
        )
        return holders.get_holder(holder_id, actor, svc=svc)

    emit(HolderOut.from_view(_run(key, use)))


@holder_app.command("verify")
def holder_verify(holder_id: HolderId, key: Key) -> None:
    """An admin verifies the holder: it may file from now on."""
    _run(key, lambda svc, a: holders.verify_holder(holder_id, a, svc=svc))
    emit(HolderOut.from_view(_run(key, lambda svc, a: holders.get_holder(holder_id, a, svc=svc))))


@holder_app.command("trusted")
def holder_trusted(
    holder_id: HolderId,
    key: Key,
    enrolled: Annotated[
        bool, typer.Option("--enroll/--end", help="enrol the trusted flagger, or end it")
    ] = True,
) -> None:
    """An admin enrols a trusted flagger, or ends it."""
    _run(key, lambda svc, a: holders.enroll_trusted(holder_id, enrolled, a, svc=svc))
    emit(HolderOut.from_view(_run(key, lambda svc, a: holders.get_holder(holder_id, a, svc=svc))))


@penalties_app.command("show")
def penalties_show(seller_id: SellerId, key: Key) -> None:
    """The ledger and the standing it adds up to."""
    emit(
        LedgerOut.from_ledger(
            _run(key, lambda svc, a: penalties.seller_ledger(seller_id, a, svc=svc))
        )
    )


@penalties_app.command("reverse")
def penalties_reverse(
    seller_id: SellerId,
    entry_id: Annotated[str, typer.Argument(help="the ledger entry to reverse")],
    key: Key,
    reason: Annotated[str, typer.Option(help="why the entry is wrong")],
) -> None:
    """An admin's correction: a compensating entry."""

    def use(svc: Services, actor: Actor) -> penalties.Ledger:
        penalties.reverse_penalty(seller_id, entry_id, reason, actor, svc=svc)
        return penalties.seller_ledger(seller_id, actor, svc=svc)

    emit(LedgerOut.from_ledger(_run(key, use)))


@appeal_app.command("file")
def appeal_file(
    key: Key,
    subject: Annotated[AppealSubject, typer.Option(help="what is appealed")],
    subject_id: Annotated[
        str, typer.Option("--id", help="its id: the notice item, ledger entry or refusal")
    ],
    statement: Annotated[str, typer.Option(help="why the decision is wrong")],
) -> None:
    """Appeal a removal or ledger entry (seller) or a refusal (rights holder)."""
    appeal = _run(
        key,
        lambda svc, a: appeals.file_appeal(FileAppeal(a, subject, subject_id, statement), svc=svc),
    )
    emit(AppealOut.from_domain(appeal))


@appeal_app.command("show")
def appeal_show(appeal_id: Annotated[str, typer.Argument(help="the appeal id")], key: Key) -> None:
    """An appeal and its decision (its filer, or staff)."""
    emit(AppealOut.from_domain(_run(key, lambda svc, a: appeals.get_appeal(appeal_id, a, svc=svc))))
