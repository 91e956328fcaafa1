"""The transparency report (DSA Art. 15 and 24), for the platform's admins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.report_schemas import TransparencyReportOut
from probandi.entrypoints.console.report_view import period_bound, report_response
from probandi.queries.transparency_report import transparency_report

router = APIRouter(prefix="/v1", tags=["reports"])


@router.get(
    "/reports/transparency",
    response_model=TransparencyReportOut,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
            "description": "The report as JSON, CSV (harmonised template layout) or HTML.",
        }
    },
)
def get_transparency_report(
    request: Request,
    actor: CurrentActor,
    svc: Svc,
    start: Annotated[
        str,
        Query(
            alias="from",
            max_length=40,
            description="start, inclusive: a date (UTC midnight) or an ISO date-time with zone",
        ),
    ],
    end: Annotated[str, Query(alias="to", max_length=40, description="end, exclusive: as `from`")],
    format: Annotated[Literal["json", "csv", "html"], Query()] = "json",
) -> Response:
    """Notices, actions, proof outcomes, complaints, suspensions, trusted flaggers and
    automated means over [from, to) (admin). A period that ends before it begins, or is
    longer than the policy's `report_max_days`, is refused with a 422."""
    since, until = period_bound(start, "from"), period_bound(end, "to")
    with Session(request.app.state.read_engine) as session:
        report = transparency_report(
            session, actor, since, until, now=svc.clock.now(), policy=svc.policy
        )
    return report_response(report, format, "inline")
