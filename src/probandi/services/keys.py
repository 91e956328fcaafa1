"""API keys: created for one party and role, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from probandi.domain.actors import SYSTEM, Actor, Role
from probandi.domain.errors import InvalidInput
from probandi.services.context import Services
from probandi.services.events import record

PREFIX = "pbk_"
PARTY_ROLES = frozenset({Role.SELLER, Role.RIGHTS_HOLDER})


def hash_key(raw: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough; passwords use a slow one.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(role: Role, party_id: str | None, label: str, *, svc: Services) -> str:
    """Return the raw key once; only its hash is stored."""
    if role in PARTY_ROLES and not party_id:
        raise InvalidInput(
            "a %(role)s key needs the party it acts for",
            field="party_id",
            params={"role": role.value},
        )
    raw = PREFIX + secrets.token_urlsafe(32)
    key_id = uuid.uuid4().hex[:16]
    with svc.uow() as uow:
        now = svc.clock.now()
        if role is Role.SELLER and party_id and uow.sellers.get(party_id) is None:
            raise InvalidInput(
                "unknown seller %(party_id)r", field="party_id", params={"party_id": party_id}
            )
        if role is Role.RIGHTS_HOLDER and party_id and not uow.rights_holders.exists(party_id):
            raise InvalidInput(
                "unknown rights holder %(party_id)r",
                field="party_id",
                params={"party_id": party_id},
            )
        uow.api_keys.add(key_id, hash_key(raw), role.value, party_id, label, now)
        record(
            uow,
            SYSTEM,
            "api_key:created",
            f"api_key:{key_id}",
            now,
            role=role.value,
            party_id=party_id,
            label=label,
        )
        uow.commit()
    return raw


def authenticate(raw: str, *, svc: Services) -> Actor | None:
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    with svc.reader() as uow:
        found = uow.api_keys.find(hash_key(raw))
    if found is None:
        return None
    key_id, role, party_id = found
    return Actor(id=key_id, role=Role(role), party_id=party_id)


def revoke_api_key(key_or_id: str, *, svc: Services) -> str | None:
    """Revoke a key given the key itself or its id (the `api_key:<id>` audit subject);
    returns the revoked key's id, or None when no active key matched.
    Its console sessions end in the same transaction; API servers stop accepting it
    within their actor cache's lifetime (about a second)."""
    with svc.uow() as uow:
        now = svc.clock.now()
        key_id = key_or_id
        if key_or_id.startswith(PREFIX):
            found = uow.api_keys.find(hash_key(key_or_id))
            key_id = found[0] if found else ""
        done = bool(key_id) and uow.api_keys.revoke(key_id, now)
        if done:
            ended = uow.console_sessions.end_for(key_id)
            record(uow, SYSTEM, "api_key:revoked", f"api_key:{key_id}", now, sessions=ended)
            uow.commit()
    return key_id if done else None
