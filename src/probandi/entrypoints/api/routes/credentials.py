"""Brand-signed credentials (ADR 0014): rights holders' keys and credentials, admins'
suspension of keys, the public status lists, and a seller presenting a credential."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from probandi.entrypoints.api.credential_schemas import (
    CredentialIn,
    CredentialOut,
    KeyIn,
    KeyOut,
    KeySuspendIn,
    PreparedOut,
    PresentIn,
)
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.schemas import ListingOut, StatementOut, VoucherOut, VoucherSubmitOut
from probandi.services import views
from probandi.services.credential_gate import PresentCredential, present_credential
from probandi.services.credentials import (
    change_credential,
    change_key,
    list_credentials,
    list_keys,
    prepare_credential,
    register_key,
    status_list_credential,
)

router = APIRouter(prefix="/v1", tags=["credentials"])


@router.post("/credential-keys", response_model=KeyOut, status_code=201)
def post_key(body: KeyIn, actor: CurrentActor, svc: Svc) -> KeyOut:
    """A verified rights holder registers a public Ed25519 key for brands it holds."""
    return KeyOut.from_domain(register_key(body.to_spec(), actor, svc=svc))


@router.get("/credential-keys", response_model=list[KeyOut])
def get_keys(actor: CurrentActor, svc: Svc) -> list[KeyOut]:
    """A rights holder's own keys; every key for an admin."""
    return [KeyOut.from_domain(k) for k in list_keys(actor, svc=svc)]


@router.post("/credential-keys/{kid}/retire", response_model=KeyOut)
def post_retire_key(kid: str, actor: CurrentActor, svc: Svc) -> KeyOut:
    """Sign nothing new with it; what it signed stays valid until it expires."""
    return KeyOut.from_domain(change_key(kid, "retire", actor, svc=svc))


@router.post("/credential-keys/{kid}/compromised", response_model=KeyOut)
def post_compromised_key(kid: str, actor: CurrentActor, svc: Svc) -> KeyOut:
    """Report the private key compromised: every credential it signed is void, and the
    listings approved on them are held again at the next tick."""
    return KeyOut.from_domain(change_key(kid, "compromised", actor, svc=svc))


@router.post("/credential-keys/{kid}/suspend", response_model=KeyOut)
def post_suspend_key(kid: str, body: KeySuspendIn, actor: CurrentActor, svc: Svc) -> KeyOut:
    """An admin suspends a key: nothing it signed passes the gate until reinstated."""
    return KeyOut.from_domain(change_key(kid, "suspend", actor, svc=svc, reason=body.reason))


@router.post("/credential-keys/{kid}/reinstate", response_model=KeyOut)
def post_reinstate_key(kid: str, actor: CurrentActor, svc: Svc) -> KeyOut:
    return KeyOut.from_domain(change_key(kid, "reinstate", actor, svc=svc))


@router.post("/credentials", response_model=PreparedOut, status_code=201)
def post_credential(body: CredentialIn, actor: CurrentActor, svc: Svc) -> PreparedOut:
    """Register a credential before signing it elsewhere: the answer is the payload to sign
    with the key `kid` names, with its status list entries filled in."""
    return PreparedOut.from_prepared(prepare_credential(body.to_spec(), actor, svc=svc))


@router.get("/credentials", response_model=list[CredentialOut])
def get_credentials(actor: CurrentActor, svc: Svc) -> list[CredentialOut]:
    return [CredentialOut.from_domain(c) for c in list_credentials(actor, svc=svc)]


@router.post("/credentials/{credential_id}/revoke", response_model=CredentialOut)
def post_revoke(credential_id: str, actor: CurrentActor, svc: Svc) -> CredentialOut:
    """Revoke for good: the status list bit is set at once; listings approved on it are
    held again at the next tick."""
    return CredentialOut.from_domain(change_credential(credential_id, "revoke", actor, svc=svc))


@router.post("/credentials/{credential_id}/suspend", response_model=CredentialOut)
def post_suspend(credential_id: str, actor: CurrentActor, svc: Svc) -> CredentialOut:
    return CredentialOut.from_domain(change_credential(credential_id, "suspend", actor, svc=svc))


@router.post("/credentials/{credential_id}/reinstate", response_model=CredentialOut)
def post_reinstate(credential_id: str, actor: CurrentActor, svc: Svc) -> CredentialOut:
    return CredentialOut.from_domain(change_credential(credential_id, "reinstate", actor, svc=svc))


@router.get("/status-lists/{holder_id}/{purpose}", response_model=dict[str, Any])
def get_status_list(holder_id: str, purpose: str, svc: Svc) -> dict[str, Any]:
    """Public, as the W3C Bitstring Status List asks: a rights holder's revocation or
    suspension list (131,072 entries, GZIP, multibase base64url). No key needed."""
    return status_list_credential(holder_id, purpose, svc=svc)


@router.post("/listings/{listing_id}/credentials", response_model=VoucherSubmitOut, status_code=201)
async def post_present(
    listing_id: str, body: PresentIn, actor: CurrentActor, svc: Svc
) -> VoucherSubmitOut:
    """A seller presents a brand-signed credential as proof for a held listing. Verified
    in full, it approves the listing at once (policy); a hard finding rejects it."""
    cmd = PresentCredential(actor, listing_id, body.credential)
    return await answer(cmd, listing_id, svc)


async def answer(cmd: PresentCredential, listing_id: str, svc: Svc) -> VoucherSubmitOut:
    result = await run_in_threadpool(present_credential, cmd, svc=svc)
    view = await run_in_threadpool(views.get_listing, listing_id, cmd.actor, svc=svc)
    return VoucherSubmitOut(
        voucher=VoucherOut.from_domain(result.voucher),
        listing=ListingOut.from_domain(view.listing, view.seller),
        statement=StatementOut.from_domain(result.statement) if result.statement else None,
    )
