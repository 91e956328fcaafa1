"""Credentials in the console (ADR 0014): the brand desk's keys and issued credentials, with
revocation; the admin's list of every key, with suspension."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from probandi.domain.actors import Role
from probandi.domain.errors import InvalidInput
from probandi.entrypoints.console.web import ConsoleRoute, Signed, actor_of, check_csrf, go, page
from probandi.services.credentials import (
    KeySpec,
    change_credential,
    change_key,
    list_credentials,
    list_keys,
    register_key,
    signable_brands,
)

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
DESK = "/console/brand/credentials"
ADMIN_KEYS = "/console/admin/credential-keys"
CREDENTIAL_ACTIONS = ("revoke", "suspend", "reinstate")


@router.get("/brand/credentials", response_class=HTMLResponse)
def desk(request: Request, session: Signed) -> Response:
    actor = actor_of(session, Role.RIGHTS_HOLDER)
    svc = request.app.state.services
    return page(
        request,
        "brand_credentials.html",
        session,
        keys=list_keys(actor, svc=svc),
        credentials=list_credentials(actor, svc=svc),
        brands=signable_brands(actor, svc=svc),
    )


@router.post("/brand/credentials/keys")
async def add_key(request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.RIGHTS_HOLDER)
    try:
        jwk = json.loads(str(form.get("jwk", "")))
    except ValueError:
        raise InvalidInput("paste the public key as a JWK (JSON)", field="jwk") from None
    brands = tuple(b.strip() for b in str(form.get("brand_ids", "")).split(",") if b.strip())
    spec = KeySpec(str(form.get("kid", "")).strip(), jwk, brands)
    await run_in_threadpool(register_key, spec, actor, svc=request.app.state.services)
    return go(DESK, "key_added")


@router.post("/brand/credentials/keys/{kid}/{action}")
async def holder_key_action(kid: str, action: str, request: Request, session: Signed) -> Response:
    await check_csrf(request, session)
    actor = actor_of(session, Role.RIGHTS_HOLDER)
    if action not in ("retire", "compromised"):
        raise InvalidInput(
            "unknown key action %(action)r", field="action", params={"action": action}
        )
    await run_in_threadpool(change_key, kid, action, actor, svc=request.app.state.services)
    return go(DESK, f"key_{action}")


@router.post("/brand/credentials/{action}")
async def credential_action(action: str, request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.RIGHTS_HOLDER)
    if action not in CREDENTIAL_ACTIONS:
        raise InvalidInput(
            "unknown credential action %(action)r", field="action", params={"action": action}
        )
    credential_id = str(form.get("credential_id", ""))
    svc = request.app.state.services
    await run_in_threadpool(change_credential, credential_id, action, actor, svc=svc)
    return go(DESK, f"credential_{action}")


@router.get("/admin/credential-keys", response_class=HTMLResponse)
def admin_keys(request: Request, session: Signed) -> Response:
    actor = actor_of(session, Role.ADMIN)
    keys = list_keys(actor, svc=request.app.state.services)
    return page(request, "admin_credential_keys.html", session, keys=keys)


@router.post("/admin/credential-keys/{kid}/{action}")
async def admin_key_action(kid: str, action: str, request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    if action not in ("suspend", "reinstate"):
        raise InvalidInput(
            "unknown key action %(action)r", field="action", params={"action": action}
        )
    reason = str(form.get("reason", ""))
    svc = request.app.state.services
    await run_in_threadpool(change_key, kid, action, actor, svc=svc, reason=reason)
    return go(ADMIN_KEYS, f"key_{action}")
