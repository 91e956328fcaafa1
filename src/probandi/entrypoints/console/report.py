"""Admin → Transparency report: the period's figures with charts, and its downloads."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from probandi.domain.actors import Role
from probandi.domain.errors import InvalidInput
from probandi.entrypoints.console.report_view import (
    FORMATS,
    period_bound,
    report_charts,
    report_response,
)
from probandi.entrypoints.console.web import ConsoleRoute, Signed, actor_of, page, services
from probandi.queries.transparency_report import transparency_report

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


@router.get("/admin/report", response_class=HTMLResponse)
def report_page(request: Request, session: Signed) -> Response:
    """The last 30 days unless a period is asked for; ?format=csv|json|html downloads."""
    actor = actor_of(session, Role.ADMIN)
    svc = services(request)
    today = svc.clock.now().date()
    start = request.query_params.get("from") or (today - timedelta(days=30)).isoformat()
    end = request.query_params.get("to") or (today + timedelta(days=1)).isoformat()
    fmt = request.query_params.get("format", "page")
    if fmt not in (*FORMATS, "page"):
        raise InvalidInput(
            "format must be one of %(FORMATS)s",
            field="format",
            params={"FORMATS": ", ".join(FORMATS)},
        )
    try:
        since, until = period_bound(start[:40], "from"), period_bound(end[:40], "to")
        with Session(request.app.state.read_engine) as s:
            report = transparency_report(
                s, actor, since, until, now=svc.clock.now(), policy=svc.policy
            )
    except InvalidInput as exc:
        return page(
            request,
            "admin_report.html",
            session,
            status_code=422,
            report=None,
            problem=exc.message,
            start=start[:40],
            end=end[:40],
        )
    if fmt != "page":
        return report_response(report, fmt, "attachment")
    return page(
        request,
        "admin_report.html",
        session,
        report=report,
        charts=report_charts(report),
        problem=None,
        start=since.date().isoformat(),
        end=until.date().isoformat(),
    )
