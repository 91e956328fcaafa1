"""Credentials as JOSE (`vc+jwt`, EdDSA on Ed25519) with `joserfc` on `cryptography`:
reading and verifying what a seller presents, and signing on the brand's side (the CLI).

Only the two Ed25519 algorithm names are accepted, whatever the header asks: `none`,
HMAC and every other algorithm are refused before any key is touched."""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey

from probandi.domain.credentials import (
    ALLOWED_ALGORITHMS,
    JWT_TYP,
    MAX_TOKEN_CHARS,
    IssuerKey,
    Presented,
    SignatureCheck,
    check_public_jwk,
    claims_from_payload,
)
from probandi.domain.errors import InvalidInput

# RFC 9864 prefers the name "Ed25519" to "EdDSA"; both mean Ed25519 here (the key's crv is
# checked), and the interop partners still write "EdDSA".
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)

TYPES = frozenset({JWT_TYP, f"application/{JWT_TYP}"})


class JoseCredentialReader:
    """The `CredentialReader` port: `read_token` below."""

    def read(self, token: str, key_for: Callable[[str], IssuerKey | None]) -> Presented:
        return read_token(token, key_for)


def read_token(token: str, key_for: Callable[[str], IssuerKey | None]) -> Presented:
    """The credential's claims and whether its signature holds under the key its `kid`
    names. Never raises for what the token holds: a bad token is a finding."""
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS:
        return Presented(
            SignatureCheck.MALFORMED, None, None, f"longer than {MAX_TOKEN_CHARS} characters"
        )
    try:
        compact = jws.extract_compact(token.encode("ascii"))
    except (JoseError, ValueError, UnicodeError) as exc:
        return Presented(SignatureCheck.MALFORMED, None, None, f"not a compact JWS ({exc})")
    header = compact.protected
    alg, kid, typ = header.get("alg"), header.get("kid"), header.get("typ")
    if alg not in ALLOWED_ALGORITHMS:
        return Presented(SignatureCheck.MALFORMED, None, None, f"algorithm {alg!r} is refused")
    if typ not in TYPES:
        return Presented(SignatureCheck.MALFORMED, None, None, f"type {typ!r} is not {JWT_TYP}")
    if not isinstance(kid, str) or not kid:
        return Presented(SignatureCheck.MALFORMED, None, None, "the header names no key (kid)")
    try:
        payload = json.loads(compact.payload)
        if not isinstance(payload, dict):
            raise InvalidInput("the payload is not a JSON object", field="credential")
        claims = claims_from_payload(payload)
    except (ValueError, InvalidInput) as exc:
        why = exc.message if isinstance(exc, InvalidInput) else "the payload is not JSON"
        return Presented(SignatureCheck.MALFORMED, kid, None, why)
    issued_at = _issued_at(payload)
    key = key_for(kid)
    if key is None:
        return Presented(SignatureCheck.UNKNOWN_KEY, kid, claims, issued_at=issued_at)
    try:
        valid = jws.validate_compact(compact, _public_key(key), algorithms=[alg])
    except (JoseError, ValueError) as exc:
        return Presented(SignatureCheck.INVALID, kid, claims, f"{type(exc).__name__}", issued_at)
    if not valid:
        return Presented(SignatureCheck.INVALID, kid, claims, "bad signature", issued_at)
    return Presented(SignatureCheck.VALID, kid, claims, issued_at=issued_at)


@functools.lru_cache(maxsize=1024)
def _imported(kty: str, crv: str, x: str) -> OKPKey:
    return OKPKey.import_key({"kty": kty, "crv": crv, "x": x})


def _public_key(key: IssuerKey) -> OKPKey:
    """The key as joserfc's object, imported once per distinct public key."""
    jwk = key.public_jwk
    return _imported(str(jwk["kty"]), str(jwk["crv"]), str(jwk["x"]))


def _issued_at(payload: Mapping[str, Any]) -> datetime | None:
    iat = payload.get("iat")
    if isinstance(iat, int) and 0 < iat < 2**33:
        return datetime.fromtimestamp(iat, UTC)
    return None


# --- the brand's side ----------------------------------------------------------------------
def generate_key() -> tuple[dict[str, str], dict[str, str]]:
    """A new Ed25519 key pair as JWKs: (private, public)."""
    key = OKPKey.generate_key("Ed25519", private=True)
    private = {k: str(v) for k, v in key.as_dict(private=True).items()}
    return private, check_public_jwk(key.as_dict(private=False))


def sign_credential(payload: Mapping[str, Any], private_jwk: Mapping[str, Any], kid: str) -> str:
    """The compact `vc+jwt` of a credential payload, signed with the brand's private key."""
    if private_jwk.get("kty") != "OKP" or private_jwk.get("crv") != "Ed25519":
        raise InvalidInput("the private key must be an Ed25519 JWK", field="key")
    if "d" not in private_jwk:
        raise InvalidInput("the JWK holds no private part ('d')", field="key")
    key = OKPKey.import_key(dict(private_jwk))
    header = {"alg": "EdDSA", "typ": JWT_TYP, "cty": "vc", "kid": kid}
    body = dict(payload)
    body.setdefault("iat", int(datetime.now(UTC).timestamp()))
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return jws.serialize_compact(header, text.encode(), key, algorithms=["EdDSA"])


def public_of(private_jwk: Mapping[str, Any]) -> dict[str, str]:
    key = OKPKey.import_key(dict(private_jwk))
    return check_public_jwk(key.as_dict(private=False))
