"""The transparency report drawn for people (HTML with server-side SVG charts) and for
spreadsheets (CSV in the harmonised template's layout): one rendering for the console page,
the API and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import Response

from probandi.domain.errors import InvalidInput
from probandi.domain.locales import N_
from probandi.domain.reporting import CSV_HEADER, TransparencyReport, csv_rows
from probandi.entrypoints import i18n
from probandi.entrypoints.console.charts import charts
from probandi.entrypoints.console.web import HERE
from probandi.queries.dashboard import Series

FORMATS = ("json", "csv", "html")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "html": "text/html"}


def rendered(report: TransparencyReport, fmt: str) -> tuple[str, str]:
    """(body, media type) of the report in `fmt` (json, csv or html)."""
    if fmt == "csv":
        body = report_csv(report)
    elif fmt == "html":
        body = report_html(report)
    else:
        body = json.dumps(report.as_json(), ensure_ascii=False, indent=2)
    return body, MEDIA_TYPES[fmt]


def report_response(report: TransparencyReport, fmt: str, disposition: str) -> Response:
    """The report in `fmt` as an HTTP answer, named after its period, never cached."""
    body, media_type = rendered(report, fmt)
    name = f"transparency-{report.start:%Y%m%d}-{report.end:%Y%m%d}.{fmt}"
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def report_csv(report: TransparencyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(report))
    return out.getvalue()


def report_charts(report: TransparencyReport) -> list[tuple[str, Markup]]:
    """(caption, SVG) of each chart; the SVGs are built from escaped parts."""
    r = report
    series = [
        Series(
            N_("Notices received, by source"), N_("notices"), tuple(r.notices_by_source.items())
        ),
        Series(
            N_("Actions taken, by measure"), N_("statements"), tuple(r.actions_by_measure().items())
        ),
        Series(
            N_("Notified listings, by outcome"), N_("listings"), tuple(r.notice_outcomes.items())
        ),
        Series(
            N_("Proof decisions and deadline removals"),
            N_("vouchers or listings"),
            (*r.proof_decisions.items(), ("removed at deadline", r.removed_at_deadline)),
        ),
        Series(
            N_("Internal complaints"),
            "complaints",
            (
                ("received", r.appeals_received),
                ("decided", r.appeals_decided),
                ("reversed", r.appeals_reversed),
            ),
        ),
        Series(
            N_("Suspensions (Art. 23) and closures"),
            N_("parties"),
            (("notifiers", r.notifiers_suspended), ("sellers", r.sellers_suspended)),
        ),
    ]
    return charts(series)


# A file to keep or send, not a console page: its style is inline, so it stays out of the
# console's templates (served under a CSP without inline styles) and has its own loader.
STANDALONE = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(HERE / "standalone"), FileSystemLoader(HERE / "templates")]
    ),
    autoescape=select_autoescape(["html"]),
)
i18n.install(STANDALONE)


def report_html(report: TransparencyReport) -> str:
    """A standalone HTML document: inline style, no script, charts as inline SVG."""
    return STANDALONE.get_template("transparency_report.html").render(
        report=report, charts=report_charts(report)
    )


def period_bound(text: str, name: str) -> datetime:
    """A report period's bound: a date (midnight UTC) or an ISO date-time with its zone."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "%(field)s must be a date (YYYY-MM-DD) or an ISO date-time with a zone", field=name
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput("%(field)s needs a time zone, e.g. 2026-12-01T00:00:00Z", field=name)
    return moment.astimezone(UTC)
