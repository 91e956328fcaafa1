"""`probandi webhooks`: endpoints, their attempts, redelivery, test events and delivery
metrics from a terminal, acting as the system admin (ADR 0012).

Results go to stdout (a signing secret only there, and only when it is made); notes and
errors go to stderr. A refused command exits 2 with the error's code on one line.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from probandi.adapters.webhooks.http import SystemResolver
from probandi.domain.actors import SYSTEM
from probandi.domain.webhooks import Attempt
from probandi.entrypoints.api.webhook_schemas import (
    AttemptOut,
    EndpointCreatedOut,
    EndpointOut,
    MetricsOut,
    SecretOut,
)
from probandi.entrypoints.cli.consoles import cli_console
from probandi.entrypoints.cli.system import with_services
from probandi.services.webhooks import (
    EndpointChange,
    EndpointSpec,
    EndpointStats,
    EndpointView,
    delivery_metrics,
    endpoint_attempts,
    get_endpoint,
    list_endpoints,
    redeliver,
    register_endpoint,
    rotate_secret,
    send_test,
    update_endpoint,
)

webhooks_app = typer.Typer(
    help="Webhook endpoints, their delivery attempts, redelivery and metrics.",
    no_args_is_help=True,
)
console = cli_console(stderr=True)
RESOLVER = SystemResolver()
EXCERPT_CELL = 60
EndpointId = Annotated[str, typer.Argument(help="the endpoint id", show_default=False)]
AsJson = Annotated[
    bool, typer.Option("--json", help="one JSON document (as the HTTP API answers) instead")
]


def _fail(message: str) -> NoReturn:
    """One line on stderr, exit 2. `message` may quote what was typed: never markup."""
    console.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(2)


def _cell(text: str | None, limit: int | None = None) -> Text:
    """Text from outside (a receiver's answer, an error, a URL) as one plain table cell:
    no markup, no control characters, cut to `limit` characters."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text or "").split())
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return Text(flat)


def _when(at: datetime | None) -> str:
    return at.isoformat(timespec="seconds") if at else ""


def _age(seconds: float | None) -> str:
    if seconds is None:
        return ""
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _instant(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time; one without an offset is UTC."""
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        _fail(f"{option} is not an ISO 8601 time (2026-11-02T09:00:00Z): {text!r}")
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _echo_json(doc: object) -> None:
    typer.echo(json.dumps(doc, ensure_ascii=False))


@webhooks_app.command("add")
def webhooks_add(
    url: Annotated[str, typer.Argument(help="http(s) URL; private and loopback hosts refused")],
    event_type: Annotated[
        list[str] | None,
        typer.Option("--type", help="an event type to send (repeat); default * (all)"),
    ] = None,
    description: Annotated[str, typer.Option(help="what the endpoint is, for admins")] = "",
    disabled: Annotated[
        bool, typer.Option("--disabled", help="add it switched off (enable it with update)")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Register an endpoint; prints its id and its signing secret, shown this once."""
    spec = EndpointSpec(url, event_type or ["*"], description, enabled=not disabled)
    endpoint, secret = with_services(lambda svc: register_endpoint(spec, SYSTEM, RESOLVER, svc=svc))
    if as_json:
        out = EndpointOut.from_view(EndpointView(endpoint, EndpointStats()))
        typer.echo(EndpointCreatedOut(**out.model_dump(), secret=secret).model_dump_json())
    else:
        typer.echo(f"endpoint {endpoint.id}")
        typer.echo(f"secret   {secret}")
    console.print(
        "The signing secret is shown this once: store it where the receiver verifies "
        f"signatures. Lost? `probandi webhooks rotate-secret {endpoint.id}` makes a new one."
    )


@webhooks_app.command("list")
def webhooks_list(as_json: AsJson = False) -> None:
    """Every endpoint with its queue: queued and dead deliveries, flag, failing streak."""
    views = with_services(lambda svc: list_endpoints(SYSTEM, svc=svc))
    if as_json:
        _echo_json([EndpointOut.from_view(v).model_dump(mode="json") for v in views])
        return
    table = Table(title=f"webhook endpoints ({len(views)})")
    for column in ("id", "url", "enabled", "types", "queued", "dead", "flagged", "failing since"):
        table.add_column(column)
    for v in views:
        e = v.endpoint
        table.add_row(
            e.id,
            _cell(e.url),
            "yes" if e.enabled else "no",
            _cell(", ".join(sorted(e.event_types))),
            str(v.stats.queued),
            str(v.stats.dead),
            _when(e.flagged_at),
            _when(e.failing_since),
        )
    cli_console().print(table)


@webhooks_app.command("show")
def webhooks_show(endpoint_id: EndpointId, as_json: AsJson = False) -> None:
    """One endpoint: its settings, why it is off, its queue and last 5 minutes."""
    view = with_services(lambda svc: get_endpoint(endpoint_id, SYSTEM, svc=svc))
    if as_json:
        typer.echo(EndpointOut.from_view(view).model_dump_json())
        return
    e, s = view.endpoint, view.stats
    table = Table("field", "value", title=f"webhook endpoint {e.id}")
    for field, value in (
        ("url", _cell(e.url)),
        ("types", _cell(", ".join(sorted(e.event_types)))),
        ("description", _cell(e.description)),
        ("enabled", "yes" if e.enabled else "no"),
        ("disabled because", _cell(e.disabled_reason)),
        ("created", _when(e.created_at)),
        ("failing since", _when(e.failing_since)),
        ("flagged (dead-lettered)", _when(e.flagged_at)),
        ("queued", str(s.queued)),
        ("oldest queued", _age(s.oldest_age_seconds)),
        ("dead", str(s.dead)),
        ("attempts (5 min)", str(s.attempts)),
        ("failures (5 min)", str(s.failures)),
    ):
        table.add_row(field, value)
    cli_console().print(table)


@webhooks_app.command("update")
def webhooks_update(
    endpoint_id: EndpointId,
    url: Annotated[str | None, typer.Option(help="a new http(s) URL")] = None,
    event_type: Annotated[
        list[str] | None,
        typer.Option("--type", help="the event types to send, replacing them (repeat; *: all)"),
    ] = None,
    description: Annotated[str | None, typer.Option(help="a new description")] = None,
    enabled: Annotated[
        bool | None,
        typer.Option(
            "--enable/--disable",
            help="switch it on (clears the failing streak and flag) or off",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Change an endpoint's URL, types or description; enable or disable it."""
    if url is None and event_type is None and description is None and enabled is None:
        _fail("nothing to change: give --url, --type, --description, --enable or --disable")
    change = EndpointChange(url, event_type, description, enabled)
    e = with_services(lambda svc: update_endpoint(endpoint_id, change, SYSTEM, RESOLVER, svc=svc))
    state = "enabled" if e.enabled else f"disabled ({e.disabled_reason})"
    console.print(
        f"updated endpoint {e.id}: {escape(e.url)}, {state}, "
        f"types {escape(', '.join(sorted(e.event_types)))}"
    )


@webhooks_app.command("rotate-secret")
def webhooks_rotate_secret(
    endpoint_id: EndpointId,
    overlap_seconds: Annotated[
        int, typer.Option(help="how long the old secret still signs, 0 to 604800 (7 days)")
    ] = 86_400,
    as_json: AsJson = False,
) -> None:
    """A new signing secret, shown this once; the old ones still sign for the overlap."""
    overlap = timedelta(seconds=overlap_seconds)
    secret, until = with_services(lambda svc: rotate_secret(endpoint_id, overlap, SYSTEM, svc=svc))
    if as_json:
        typer.echo(SecretOut(secret=secret, old_secrets_valid_until=until).model_dump_json())
    else:
        typer.echo(f"secret {secret}")
    console.print(
        f"The new secret is shown this once. Old secrets stop signing at {_when(until)}; "
        "until then each message carries both signatures."
    )


@webhooks_app.command("attempts")
def webhooks_attempts(
    endpoint_id: EndpointId,
    limit: Annotated[int, typer.Option(min=1, max=500, help="at most this many")] = 50,
    as_json: AsJson = False,
) -> None:
    """Every try at an endpoint, newest first: status, latency and the start of the answer."""
    found = with_services(
        lambda svc: endpoint_attempts(endpoint_id, SYSTEM, before=None, limit=limit, svc=svc)
    )
    if as_json:
        _echo_json([AttemptOut.from_domain(a).model_dump(mode="json") for a in found])
        return
    table = Table(title=f"attempts at {endpoint_id} ({len(found)}, newest first)")
    for column in ("at", "event id", "status", "latency ms", "error", "answer"):
        table.add_column(column)
    for a in found:
        table.add_row(*_attempt_row(a))
    cli_console().print(table)


def _attempt_row(a: Attempt) -> list[str | Text]:
    status = "no answer" if a.status_code is None else str(a.status_code)
    return [
        _when(a.at),
        a.event_id,
        status,
        str(a.latency_ms),
        _cell(a.error, EXCERPT_CELL),
        _cell(a.excerpt, EXCERPT_CELL),
    ]


@webhooks_app.command("redeliver")
def webhooks_redeliver(
    endpoint_id: EndpointId,
    event: Annotated[str | None, typer.Option(help="send this one event again")] = None,
    since: Annotated[
        str | None, typer.Option(help="or every event from this ISO 8601 time (UTC if no offset)")
    ] = None,
    until: Annotated[str | None, typer.Option(help="... up to (not including) this time")] = None,
) -> None:
    """Send one event again, or every event that occurred in [since, until)."""
    by_range = since is not None or until is not None
    if (event is not None and by_range) or (event is None and (since is None or until is None)):
        _fail("give --event EVENT_ID, or both --since and --until")
    start, end = _instant(since, "--since"), _instant(until, "--until")
    queued = with_services(
        lambda svc: redeliver(endpoint_id, SYSTEM, event_id=event, since=start, until=end, svc=svc)
    )
    typer.echo(f"queued {queued} delivery(ies) to endpoint {endpoint_id}")


@webhooks_app.command("test")
def webhooks_test(endpoint_id: EndpointId) -> None:
    """Queue a webhook.test event to this endpoint alone; prints the event's id."""
    event, view = with_services(
        lambda svc: (
            send_test(endpoint_id, SYSTEM, svc=svc),
            get_endpoint(endpoint_id, SYSTEM, svc=svc),
        )
    )
    typer.echo(event.id)
    when = "a running worker sends it" if view.endpoint.enabled else "it is sent once enabled"
    console.print(
        f"queued a webhook.test event for endpoint {endpoint_id}; {when} "
        f"(see `probandi webhooks attempts {endpoint_id}`)"
    )


@webhooks_app.command("metrics")
def webhooks_metrics(as_json: AsJson = False) -> None:
    """Queue depth, the oldest undelivered age, attempts per second, failures and dead
    deliveries, in all and per endpoint (attempts and failures: the last 5 minutes)."""
    m, views = with_services(
        lambda svc: (delivery_metrics(SYSTEM, svc=svc), list_endpoints(SYSTEM, svc=svc))
    )
    if as_json:
        typer.echo(MetricsOut.from_metrics(m).model_dump_json())
        return
    out = cli_console()
    summary = Table("metric", "value", title="webhook deliveries")
    for name, value in (
        ("queued", str(m.queued)),
        ("oldest undelivered", _age(m.oldest_age_seconds)),
        ("attempts/s (5 min)", f"{m.attempts_per_second:.2f}"),
        ("failures (5 min)", str(m.failures)),
        ("dead", str(m.dead)),
        ("outbox not yet relayed", str(m.unrelayed)),
    ):
        summary.add_row(name, value)
    out.print(summary)
    table = Table(title="per endpoint")
    for column in ("id", "url", "queued", "oldest", "attempts (5 min)", "failures", "dead"):
        table.add_column(column)
    for v in views:
        s = m.endpoints.get(v.endpoint.id, EndpointStats())
        table.add_row(
            v.endpoint.id,
            _cell(v.endpoint.url),
            str(s.queued),
            _age(s.oldest_age_seconds),
            str(s.attempts),
            str(s.failures),
            str(s.dead),
        )
    out.print(table)
