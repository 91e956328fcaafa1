"""Use cases: a rights holder's signing keys and the credentials it issues, their
revocation, and the public status lists (ADR 0014). The gate's side is in
services/credential_gate.py."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from probandi.domain.actors import Actor, Role
from probandi.domain.credentials import (
    STATUS_LIST_BITS,
    VC_CONTEXT,
    IssuedCredential,
    IssuerKey,
    Scope,
    StatusEntry,
    StatusPurpose,
    check_kid,
    check_public_jwk,
    credential_payload,
    encode_status_list,
    holder_urn,
    status_list_of,
)
from probandi.domain.errors import Forbidden, InvalidInput, NotFound
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.holders import held_brands, load_holder
from probandi.services.ports import UnitOfWork

MAX_KEYS_PER_HOLDER = 20
MAX_BRANDS = 50


def holder_of(actor: Actor) -> str:
    """The rights holder an actor acts for (a holder's key), else 403."""
    require_role(actor, Role.RIGHTS_HOLDER)
    if not actor.party_id:
        raise Forbidden("this key acts for no rights holder")
    return actor.party_id


def verified_brands_of(uow: UnitOfWork, holder_id: str, now: datetime) -> frozenset[str]:
    """The brands whose marks the holder holds, verified and unexpired, now."""
    holder = uow.rights_holders.get(holder_id)
    if holder is None:
        return frozenset()
    return holder.verified_brands(today=now.date(), held=held_brands(uow, holder_id))


def _check_brands(brand_ids: tuple[str, ...], verified: frozenset[str], what: str) -> None:
    if not brand_ids:
        raise InvalidInput(
            "a %(what)s is for at least one brand", field="brand_ids", params={"what": what}
        )
    if len(brand_ids) > MAX_BRANDS:
        raise InvalidInput(
            "at most %(MAX_BRANDS)s brands", field="brand_ids", params={"MAX_BRANDS": MAX_BRANDS}
        )
    foreign = sorted(set(brand_ids) - verified)
    if foreign:
        raise InvalidInput(
            (
                "you do not hold verified marks for: %(foreign)s; a %(what)s may only "
                "cover brands an admin verified you hold"
            ),
            field="brand_ids",
            code="brand_not_held",
            params={"foreign": ", ".join(foreign), "what": what},
        )


# --- keys ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeySpec:
    kid: str
    jwk: Mapping[str, object]
    brand_ids: tuple[str, ...]
    valid_from: datetime | None = None
    valid_until: datetime | None = None


def register_key(spec: KeySpec, actor: Actor, *, svc: Services) -> IssuerKey:
    holder_id = holder_of(actor)
    jwk = check_public_jwk(spec.jwk)
    check_kid(spec.kid)
    with svc.uow() as uow:
        now = svc.clock.now()
        load_holder(uow, holder_id)
        brands = tuple(sorted(set(spec.brand_ids)))
        _check_brands(brands, verified_brands_of(uow, holder_id, now), "key")
        if len(uow.credentials.list_keys(holder_id)) >= MAX_KEYS_PER_HOLDER:
            raise InvalidInput(
                "at most %(MAX_KEYS_PER_HOLDER)s keys per rights holder; retire one first",
                field="kid",
                params={"MAX_KEYS_PER_HOLDER": MAX_KEYS_PER_HOLDER},
            )
        if any(k.public_jwk["x"] == jwk["x"] for k in uow.credentials.list_keys()):
            raise InvalidInput("this public key is already registered", field="jwk")
        key = IssuerKey(
            kid=spec.kid,
            holder_id=holder_id,
            public_jwk=jwk,
            brand_ids=brands,
            valid_from=spec.valid_from or now,
            valid_until=spec.valid_until,
            created_at=now,
        )
        uow.credentials.add_key(key)
        record(uow, actor, "credential:key:registered", f"key:{key.kid}", now, brands=list(brands))
        uow.commit()
    return key


def signable_brands(actor: Actor, *, svc: Services) -> list[str]:
    """The brands a rights holder may register keys and issue credentials for, now."""
    holder_id = holder_of(actor)
    with svc.reader() as uow:
        return sorted(verified_brands_of(uow, holder_id, svc.clock.now()))


def list_keys(actor: Actor, *, svc: Services) -> list[IssuerKey]:
    """A holder sees its own keys; an admin every key."""
    require_role(actor, Role.RIGHTS_HOLDER, Role.ADMIN)
    with svc.reader() as uow:
        return uow.credentials.list_keys(None if actor.role is Role.ADMIN else holder_of(actor))


def _own_key(uow: UnitOfWork, actor: Actor, kid: str) -> IssuerKey:
    key = uow.credentials.key(kid)
    if key is None or (actor.role is not Role.ADMIN and key.holder_id != holder_of(actor)):
        raise NotFound("no key %(kid)r", kid=kid)
    return key


def change_key(
    kid: str, action: str, actor: Actor, *, svc: Services, reason: str = ""
) -> IssuerKey:
    """`retire` or `compromised` by its holder; `suspend` or `reinstate` by an admin."""
    holder_actions = ("retire", "compromised")
    admin_actions = ("suspend", "reinstate")
    if action in admin_actions:
        require_role(actor, Role.ADMIN)
    elif action in holder_actions:
        holder_of(actor)
    else:
        raise InvalidInput(
            "unknown key action %(action)r", field="action", params={"action": action}
        )
    with svc.uow() as uow:
        now = svc.clock.now()
        key = _own_key(uow, actor, kid)
        changed = {
            "retire": lambda: key.retire(at=now),
            "compromised": lambda: key.report_compromised(at=now),
            "suspend": lambda: key.suspend(reason, at=now),
            "reinstate": key.reinstate,
        }[action]()
        uow.credentials.save_key(changed)
        record(uow, actor, f"credential:key:{action}", f"key:{kid}", now, reason=reason or None)
        uow.commit()
    return changed


# --- credentials ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CredentialSpec:
    kid: str
    legal_name: str
    registration_id: str
    brand_ids: tuple[str, ...]
    valid_until: datetime | None
    valid_from: datetime | None = None
    scope: Scope = field(default_factory=Scope)


@dataclass(frozen=True)
class PreparedCredential:
    """A credential registered with probandi, and the VC payload its issuer signs."""

    record: IssuedCredential
    payload: dict[str, object]


def status_list_url(base_url: str, holder_id: str, purpose: StatusPurpose) -> str:
    return f"{base_url}/v1/status-lists/{holder_id}/{purpose.value}"


def prepare_credential(spec: CredentialSpec, actor: Actor, *, svc: Services) -> PreparedCredential:
    """Register a credential before its issuer signs it: its id and a random free index in
    the holder's status lists (random, so an index says nothing of when it was issued)."""
    holder_id = holder_of(actor)
    legal_name, registration = spec.legal_name.strip(), spec.registration_id.strip()
    if not legal_name or len(legal_name) > 300:
        raise InvalidInput("the subject's legal name is 1 to 300 characters", field="legal_name")
    if not registration or len(registration) > 100:
        raise InvalidInput("the registration id is 1 to 100 characters", field="registration_id")
    with svc.uow() as uow:
        now = svc.clock.now()
        holder = load_holder(uow, holder_id)
        key = _own_key(uow, actor, spec.kid)
        if not key.can_sign:
            raise InvalidInput(
                "key %(kid)r can no longer sign (%(state)s)",
                field="kid",
                params={"kid": key.kid, "state": key.state.value},
            )
        valid_from = spec.valid_from or now
        if not key.valid_at(valid_from):
            raise InvalidInput(
                "key %(kid)r is not valid at %(valid_from)s",
                field="kid",
                params={"kid": key.kid, "valid_from": valid_from},
            )
        if spec.valid_until is not None and spec.valid_until <= valid_from:
            raise InvalidInput("the credential ends before it begins", field="valid_until")
        brands = tuple(sorted(set(spec.brand_ids)))
        _check_brands(
            brands, verified_brands_of(uow, holder_id, now) & set(key.brand_ids), "credential"
        )
        record_ = _register(
            uow, holder_id, key.kid, brands, registration, valid_from, spec.valid_until, now
        )
        names = {b: (found.name if (found := uow.brands.get(b)) else b) for b in brands}
        base = svc.policy.public_base_url
        payload = credential_payload(
            credential_id=record_.id,
            holder_id=holder_id,
            holder_name=holder.name,
            legal_name=legal_name,
            registration_id=registration,
            brands=[(b, names[b]) for b in brands],
            valid_from=valid_from,
            valid_until=spec.valid_until,
            status=[
                StatusEntry(p, record_.status_index, status_list_url(base, holder_id, p))
                for p in StatusPurpose
            ],
            scope=spec.scope,
        )
        record(
            uow,
            actor,
            "credential:issued",
            f"credential:{record_.id}",
            now,
            kid=key.kid,
            brands=list(brands),
        )
        uow.commit()
    return PreparedCredential(record_, payload)


def _register(
    uow: UnitOfWork,
    holder_id: str,
    kid: str,
    brands: tuple[str, ...],
    registration: str,
    valid_from: datetime,
    valid_until: datetime | None,
    now: datetime,
) -> IssuedCredential:
    used = uow.credentials.used_indexes(holder_id)
    if len(used) >= STATUS_LIST_BITS // 2:
        raise InvalidInput("this rights holder's status list is full", field="kid")
    while True:
        index = secrets.randbelow(STATUS_LIST_BITS)
        if index in used:
            continue
        issued = IssuedCredential(
            id=f"urn:uuid:{uuid.uuid4()}",
            holder_id=holder_id,
            kid=kid,
            status_index=index,
            brand_ids=brands,
            subject_registration_id=registration,
            valid_from=valid_from,
            valid_until=valid_until,
            created_at=now,
        )
        if uow.credentials.add_credential(issued):
            return issued
        used.add(index)  # taken meanwhile by another transaction


def list_credentials(actor: Actor, *, svc: Services) -> list[IssuedCredential]:
    holder_id = holder_of(actor)
    with svc.reader() as uow:
        return uow.credentials.credentials(holder_id)


def change_credential(
    credential_id: str, action: str, actor: Actor, *, svc: Services
) -> IssuedCredential:
    """`revoke` (final), `suspend` or `reinstate`, by its issuer: the status list bit is
    what every verifier reads; the gate re-checks listings approved on it at the next tick."""
    holder_id = holder_of(actor)
    with svc.uow() as uow:
        now = svc.clock.now()
        found = uow.credentials.credential(credential_id)
        if found is None or found.holder_id != holder_id:
            raise NotFound("no credential %(credential_id)r", credential_id=credential_id)
        if action == "revoke":
            changed = found.revoke(at=now)
        elif action == "suspend":
            changed = found.suspend(at=now)
        elif action == "reinstate":
            changed = found.reinstate()
        else:
            raise InvalidInput(
                "unknown credential action %(action)r", field="action", params={"action": action}
            )
        uow.credentials.save_credential(changed)
        record(uow, actor, f"credential:{action}", f"credential:{credential_id}", now)
        uow.commit()
    return changed


def status_list_credential(holder_id: str, purpose: str, *, svc: Services) -> dict[str, object]:
    """The holder's BitstringStatusListCredential for `purpose`, as the W3C spec shapes it;
    public: it says only which indexes are set."""
    try:
        which = StatusPurpose(purpose)
    except ValueError:
        raise NotFound("no status list %(purpose)r", params={"purpose": purpose}) from None
    with svc.reader() as uow:
        if uow.rights_holders.get(holder_id) is None:
            raise NotFound("no rights holder %(holder_id)r", holder_id=holder_id)
        bits = status_list_of(uow.credentials.set_indexes(holder_id, which))
        now = svc.clock.now()
    url = status_list_url(svc.policy.public_base_url, holder_id, which)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": holder_urn(holder_id),
        "validFrom": now.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": which.value,
            "encodedList": encode_status_list(bits),
        },
    }
