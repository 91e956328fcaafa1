"""`probandi brands requests`: an operator lists, approves and refuses rights holders'
brand requests (as the system admin, audited like the API's decisions)."""

from __future__ import annotations

import json
from typing import Annotated, TypeVar

import typer

from probandi.domain.actors import SYSTEM
from probandi.domain.brand_requests import DecideBrandRequest, RequestAction, RequestState
from probandi.entrypoints.api.brand_request_schemas import BrandRequestOut
from probandi.entrypoints.cli.consoles import cli_console
from probandi.entrypoints.cli.system import with_services
from probandi.services.brand_requests import decide_brand_request, list_brand_requests

requests_app = typer.Typer(help="Rights holders' brand requests.", no_args_is_help=True)
console = cli_console(stderr=True)
T = TypeVar("T")
RequestId = Annotated[str, typer.Argument(help="the brand request id")]


@requests_app.command("list")
def requests_list(
    state: Annotated[RequestState | None, typer.Option(help="only in this state")] = None,
) -> None:
    """Brand requests, newest first, as one JSON array."""
    found = with_services(lambda svc: list_brand_requests(SYSTEM, svc=svc, state=state, limit=200))
    out = [BrandRequestOut.from_domain(r).model_dump(mode="json") for r in found]
    typer.echo(json.dumps(out, ensure_ascii=False))


def _decide(request_id: str, action: RequestAction, reason: str | None) -> None:
    cmd = DecideBrandRequest(SYSTEM, request_id, action, reason)
    decided = with_services(lambda svc: decide_brand_request(cmd, svc=svc))
    typer.echo(BrandRequestOut.from_domain(decided).model_dump_json())


@requests_app.command("approve")
def requests_approve(request_id: RequestId) -> None:
    """Approve a pending request: the registry takes the brand as asked."""
    _decide(request_id, RequestAction.APPROVE, None)


@requests_app.command("refuse")
def requests_refuse(
    request_id: RequestId, reason: Annotated[str, typer.Option(help="why, for the holder")]
) -> None:
    """Refuse a pending request, saying why."""
    _decide(request_id, RequestAction.REFUSE, reason)
