"""Brand-signed authorization credentials: issuer keys, the credential's claims, Bitstring
Status Lists and the gate's verdict on a presented credential (ADR 0014).

Pure: the signature itself is checked by an adapter (JOSE, on `cryptography`); this module
decides what a verified or unverified credential means for one seller and one listing."""

from __future__ import annotations

import base64
import enum
import gzip
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from probandi.domain.errors import InvalidInput, InvalidTransition
from probandi.domain.locales import N_
from probandi.domain.vouchers import Finding, Severity, finding

STATUS_LIST_BITS = 131_072  # the W3C minimum (16 KiB), for herd privacy
MAX_TOKEN_CHARS = 16_384  # a credential for a few brands is about 2 KB
MAX_KID_CHARS = 100
KID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = "AuthorizedResellerCredential"
ALLOWED_ALGORITHMS = ("EdDSA", "Ed25519")  # RFC 8037, and its fully specified RFC 9864 name
JWT_TYP = "vc+jwt"  # the protected header's typ (VC-JOSE-COSE)


class KeyState(enum.StrEnum):
    ACTIVE = "active"  # signs new credentials
    RETIRED = "retired"  # signs nothing new; what it signed before stays valid until expiry
    COMPROMISED = "compromised"  # everything it ever signed is void


class KeyAction(enum.StrEnum):
    RETIRE = "retire"
    REPORT_COMPROMISED = "report_compromised"


KEY_TRANSITIONS: dict[tuple[KeyState, KeyAction], KeyState] = {
    (KeyState.ACTIVE, KeyAction.RETIRE): KeyState.RETIRED,
    (KeyState.ACTIVE, KeyAction.REPORT_COMPROMISED): KeyState.COMPROMISED,
    (KeyState.RETIRED, KeyAction.REPORT_COMPROMISED): KeyState.COMPROMISED,
}


def check_public_jwk(jwk: Mapping[str, object]) -> dict[str, str]:
    """An Ed25519 public key as a JWK (RFC 8037): kty OKP, crv Ed25519, x; never a private
    part (`d`): a brand's private key is never sent to probandi."""
    if not isinstance(jwk, Mapping):
        raise InvalidInput("the key must be a JWK object", field="jwk")
    if "d" in jwk:
        raise InvalidInput(
            "this JWK holds a private key; send only the public part (no 'd')", field="jwk"
        )
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise InvalidInput("only Ed25519 keys are accepted (kty OKP, crv Ed25519)", field="jwk")
    x = jwk.get("x")
    if not isinstance(x, str) or len(_b64url_decode(x, field="jwk")) != 32:
        raise InvalidInput("the key's 'x' must be 32 bytes in base64url", field="jwk")
    return {"kty": "OKP", "crv": "Ed25519", "x": x}


def check_kid(kid: str) -> str:
    if not KID_PATTERN.match(kid or ""):
        raise InvalidInput("a kid is 1 to 100 letters, digits, '.', '_', ':' or '-'", field="kid")
    return kid


@dataclass(frozen=True)
class IssuerKey:
    """A rights holder's public signing key for some of its brands."""

    kid: str
    holder_id: str
    public_jwk: Mapping[str, str]
    brand_ids: tuple[str, ...]
    valid_from: datetime
    valid_until: datetime | None
    created_at: datetime
    state: KeyState = KeyState.ACTIVE
    retired_at: datetime | None = None
    compromised_at: datetime | None = None
    suspended_at: datetime | None = None  # by an admin: nothing it signed passes meanwhile
    suspended_reason: str | None = None

    def __post_init__(self) -> None:
        check_kid(self.kid)
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise InvalidInput("the key's validity ends before it begins", field="valid_until")
        if not self.brand_ids:
            raise InvalidInput("a key is for at least one brand", field="brand_ids")

    def _move(self, action: KeyAction) -> KeyState:
        target = KEY_TRANSITIONS.get((self.state, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a key that is %(state)s",
                state=self.state.value,
                params={"action": action.value.replace("_", " ")},
            )
        return target

    def retire(self, *, at: datetime) -> IssuerKey:
        return replace(self, state=self._move(KeyAction.RETIRE), retired_at=at)

    def report_compromised(self, *, at: datetime) -> IssuerKey:
        return replace(self, state=self._move(KeyAction.REPORT_COMPROMISED), compromised_at=at)

    def suspend(self, reason: str, *, at: datetime) -> IssuerKey:
        if not reason.strip():
            raise InvalidInput("say why the key is suspended", field="reason")
        return replace(self, suspended_at=at, suspended_reason=reason.strip()[:500])

    def reinstate(self) -> IssuerKey:
        if self.suspended_at is None:
            raise InvalidTransition("the key is not suspended", state=self.state.value)
        return replace(self, suspended_at=None, suspended_reason=None)

    def valid_at(self, at: datetime) -> bool:
        """Could it sign at `at`: inside its validity and not yet retired or compromised."""
        if at < self.valid_from or (self.valid_until is not None and at >= self.valid_until):
            return False
        ended = [t for t in (self.retired_at, self.compromised_at) if t is not None]
        return not ended or at < min(ended)

    @property
    def can_sign(self) -> bool:
        return self.state is KeyState.ACTIVE and self.suspended_at is None


# --- status lists --------------------------------------------------------------------------
class StatusPurpose(enum.StrEnum):
    REVOCATION = "revocation"  # final
    SUSPENSION = "suspension"  # may be lifted


def _b64url_decode(text: str, *, field: str = "token") -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise InvalidInput("not base64url", field=field) from None


def encode_status_list(bits: bytes) -> str:
    """The spec's `encodedList`: multibase base64url (prefix 'u', no padding) of the
    GZIP-compressed bitstring."""
    packed = base64.urlsafe_b64encode(gzip.compress(bits, mtime=0)).rstrip(b"=")
    return "u" + packed.decode()


def decode_status_list(encoded: str, *, max_bytes: int = STATUS_LIST_BITS // 8 * 16) -> bytes:
    if not encoded.startswith("u"):
        raise InvalidInput("the encoded list is not multibase base64url", field="encodedList")
    raw = _b64url_decode(encoded[1:], field="encodedList")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
            bits = f.read(max_bytes + 1)
    except (OSError, EOFError):
        raise InvalidInput("the encoded list is not gzip", field="encodedList") from None
    if len(bits) > max_bytes:
        raise InvalidInput("the status list is too long", field="encodedList")
    return bits


def bit_at(bits: bytes, index: int) -> bool:
    """The spec's order: index 0 is the left-most (most significant) bit of byte 0."""
    if not 0 <= index < len(bits) * 8:
        raise InvalidInput(
            "status list index %(index)s is outside the list (0 to %(last)s)",
            field="statusListIndex",
            params={"index": index, "last": len(bits) * 8 - 1},
        )
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


def with_bit(bits: bytes, index: int, value: bool) -> bytes:
    bit_at(bits, index)  # range check
    out = bytearray(bits)
    mask = 1 << (7 - index % 8)
    out[index // 8] = out[index // 8] | mask if value else out[index // 8] & ~mask
    return bytes(out)


def status_list_of(indexes: Iterable[int], size: int = STATUS_LIST_BITS) -> bytes:
    """A bitstring of `size` bits with the bits at `indexes` set."""
    out = bytearray(size // 8)
    for index in indexes:
        if not 0 <= index < size:
            raise InvalidInput(
                "status list index %(index)s is outside the list",
                field="index",
                params={"index": index},
            )
        out[index // 8] |= 1 << (7 - index % 8)
    return bytes(out)


# --- the credential ------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    quantity_cap: int | None = None


@dataclass(frozen=True)
class StatusEntry:
    purpose: StatusPurpose
    index: int
    list_url: str


@dataclass(frozen=True)
class CredentialClaims:
    """What a credential says, read from its payload (before its signature is trusted)."""

    id: str
    issuer: str  # urn:probandi:holder:<holder id>
    subject_legal_name: str
    subject_registration_id: str
    brand_ids: tuple[str, ...]
    valid_from: datetime
    valid_until: datetime | None
    status: tuple[StatusEntry, ...] = ()
    scope: Scope = field(default_factory=Scope)
    subject_scheme: str = "USCC"

    @property
    def holder_id(self) -> str | None:
        prefix = "urn:probandi:holder:"
        return self.issuer[len(prefix) :] if self.issuer.startswith(prefix) else None


def holder_urn(holder_id: str) -> str:
    return f"urn:probandi:holder:{holder_id}"


def _text(value: object, name: str, limit: int = 300) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidInput(
            "the credential's %(name)s is missing or not text",
            field="credential",
            params={"name": name},
        )
    return value.strip()


def _when(value: object, name: str) -> datetime:
    text = _text(value, name, 40)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            "the credential's %(name)s is not a date-time",
            field="credential",
            params={"name": name},
        ) from None
    if at.tzinfo is None:
        raise InvalidInput(
            "the credential's %(name)s has no time zone", field="credential", params={"name": name}
        )
    return at


def claims_from_payload(payload: Mapping[str, object]) -> CredentialClaims:
    """The VC 2.0 payload of an AuthorizedResellerCredential, checked for shape."""
    context = payload.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_CONTEXT:
        raise InvalidInput("not a W3C Verifiable Credential 2.0 (@context)", field="credential")
    types = payload.get("type")
    if not isinstance(types, list) or CREDENTIAL_TYPE not in types:
        raise InvalidInput(
            "not an %(CREDENTIAL_TYPE)s",
            field="credential",
            params={"CREDENTIAL_TYPE": CREDENTIAL_TYPE},
        )
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    subject = payload.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise InvalidInput("the credential has no subject", field="credential")
    brands = subject.get("brands")
    if not isinstance(brands, list) or not brands or len(brands) > 50:
        raise InvalidInput("the credential names no brands", field="credential")
    brand_ids = tuple(
        _text(b.get("id") if isinstance(b, Mapping) else b, "brand id", 100) for b in brands
    )
    raw_scope = subject.get("scope") or {}
    scope = Scope()
    if isinstance(raw_scope, Mapping):
        cap = raw_scope.get("quantityCap")
        scope = Scope(
            categories=tuple(str(c)[:100] for c in raw_scope.get("categories") or [])[:50],
            channels=tuple(str(c)[:100] for c in raw_scope.get("channels") or [])[:50],
            quantity_cap=cap if isinstance(cap, int) and cap >= 0 else None,
        )
    statuses = payload.get("credentialStatus") or []
    if isinstance(statuses, Mapping):
        statuses = [statuses]
    entries = []
    for s in statuses if isinstance(statuses, list) else []:
        if not isinstance(s, Mapping) or s.get("type") != "BitstringStatusListEntry":
            continue
        try:
            purpose = StatusPurpose(str(s.get("statusPurpose")))
            index = int(str(s.get("statusListIndex")))
        except ValueError:
            raise InvalidInput(
                "the credential's status entry is malformed", field="credential"
            ) from None
        if not 0 <= index < STATUS_LIST_BITS:
            raise InvalidInput(
                "the credential's status list index %(index)s is out of range (0 to %(last)s)",
                field="credential",
                params={"index": index, "last": STATUS_LIST_BITS - 1},
            )
        entries.append(
            StatusEntry(purpose, index, _text(s.get("statusListCredential"), "status list", 500))
        )
    valid_until = payload.get("validUntil")
    return CredentialClaims(
        id=_text(payload.get("id"), "id", 200),
        issuer=_text(issuer_id, "issuer", 200),
        subject_legal_name=_text(subject.get("legalName"), "subject's legal name"),
        subject_registration_id=_text(
            subject.get("registrationId"), "subject's registration id", 100
        ),
        subject_scheme=str(subject.get("registrationScheme") or "USCC")[:40],
        brand_ids=brand_ids,
        valid_from=_when(payload.get("validFrom"), "validFrom"),
        valid_until=_when(valid_until, "validUntil") if valid_until is not None else None,
        status=tuple(entries),
        scope=scope,
    )


def credential_payload(
    *,
    credential_id: str,
    holder_id: str,
    holder_name: str,
    legal_name: str,
    registration_id: str,
    brands: Sequence[tuple[str, str]],
    valid_from: datetime,
    valid_until: datetime | None,
    status: Sequence[StatusEntry],
    scope: Scope | None = None,
) -> dict[str, object]:
    """The VC 2.0 JSON a brand signs (the JWT's payload, VC-JOSE-COSE)."""
    subject: dict[str, object] = {
        "type": "AuthorizedReseller",
        "legalName": legal_name,
        "registrationId": registration_id,
        "registrationScheme": "USCC",
        "brands": [{"id": b, "name": n} for b, n in brands],
    }
    if scope and (scope.categories or scope.channels or scope.quantity_cap is not None):
        subject["scope"] = {
            k: v
            for k, v in {
                "categories": list(scope.categories),
                "channels": list(scope.channels),
                "quantityCap": scope.quantity_cap,
            }.items()
            if v not in ([], None)
        }
    payload: dict[str, object] = {
        "@context": [VC_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": {"id": holder_urn(holder_id), "name": holder_name},
        "validFrom": _iso(valid_from),
        "credentialSubject": subject,
        "credentialStatus": [
            {
                "id": f"{s.list_url}#{s.index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": s.purpose.value,
                "statusListIndex": str(s.index),
                "statusListCredential": s.list_url,
            }
            for s in status
        ],
    }
    if valid_until is not None:
        payload["validUntil"] = _iso(valid_until)
    return payload


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class IssuedCredential:
    """probandi's record of a credential a brand issues: its id, its place in the brand's
    status lists and what it is for. The signed token is the seller's; probandi keeps no
    copy of it here, and never any private key."""

    id: str
    holder_id: str
    kid: str
    status_index: int
    brand_ids: tuple[str, ...]
    subject_registration_id: str
    valid_from: datetime
    valid_until: datetime | None
    created_at: datetime
    revoked_at: datetime | None = None
    suspended_at: datetime | None = None

    def revoke(self, *, at: datetime) -> IssuedCredential:
        if self.revoked_at is not None:
            raise InvalidTransition("the credential is already revoked", state="revoked")
        return replace(self, revoked_at=at)

    def suspend(self, *, at: datetime) -> IssuedCredential:
        if self.revoked_at is not None or self.suspended_at is not None:
            raise InvalidTransition("the credential is %(state)s", state=self.state)
        return replace(self, suspended_at=at)

    def reinstate(self) -> IssuedCredential:
        if self.suspended_at is None or self.revoked_at is not None:
            raise InvalidTransition("the credential is %(state)s", state=self.state)
        return replace(self, suspended_at=None)

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "suspended" if self.suspended_at is not None else "active"

    def bits(self) -> dict[StatusPurpose, bool]:
        return {
            StatusPurpose.REVOCATION: self.revoked_at is not None,
            StatusPurpose.SUSPENSION: self.suspended_at is not None,
        }


def looks_like_token(text: str | None) -> bool:
    """Three base64url parts, the first a JSON header: worth reading as a credential (a QR
    payload, a paste, a .jwt file)."""
    if not text:
        return False
    parts = text.strip().split(".")
    return len(parts) == 3 and all(parts[:2]) and parts[0].startswith("eyJ")


# --- the verdict ---------------------------------------------------------------------------
class SignatureCheck(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # the bytes do not match the signature
    UNKNOWN_KEY = "unknown_key"  # no key with this kid is registered
    MALFORMED = "malformed"  # not a compact JWS, a refused algorithm or type


@dataclass(frozen=True)
class Presented:
    """A credential as the gate got it, after the adapter checked its signature."""

    signature: SignatureCheck
    kid: str | None
    claims: CredentialClaims | None
    problem: str = ""  # why the signature or the token failed, for the finding
    issued_at: datetime | None = None  # the JWT's iat, else validFrom


@dataclass(frozen=True)
class GateSubject:
    """What a credential must match: the seller, the listing's gated brands, the time."""

    seller_legal_name: str
    seller_registration_id: str | None
    gated_brand_ids: tuple[str, ...]
    now: datetime
    brand_names: Mapping[str, str] = field(default_factory=dict)


_IGNORED_IN_NAMES = re.compile(r"[\s()（）·.,，]")


def _norm(text: str) -> str:
    """A name or registration id as compared: no spaces, brackets or dots; any case."""
    return _IGNORED_IN_NAMES.sub("", text).casefold()


def _hard(
    code: str,
    message: str,
    *,
    params: Mapping[str, str | int | bool | None] | None = None,
    **evidence: str | int | bool | None,
) -> Finding:
    """`message` with `%(name)s` placeholders, filled from the evidence and `params`."""
    return finding(code, Severity.HARD, message, evidence, **(params or {}))


def verify_presented(
    presented: Presented,
    subject: GateSubject,
    *,
    key: IssuerKey | None,
    holder_brands: frozenset[str],
    status_bits: Mapping[StatusPurpose, bool],
) -> list[Finding]:
    """Every check on a presented credential; one `credential.verified` (info) when all
    pass. `holder_brands`: the brands the key's holder holds verified marks for now;
    `status_bits`: the credential's bits in its holder's lists (True: set)."""
    refused = _signature_findings(presented, key)
    if refused:
        return refused
    claims = presented.claims
    assert key is not None
    assert claims is not None
    findings = [
        *_key_findings(key, presented.issued_at or claims.valid_from),
        *_subject_findings(claims, subject),
        *_coverage_findings(claims, subject, key, holder_brands),
        *_validity_findings(claims, subject.now),
        *_status_findings(claims, status_bits),
    ]
    if findings:
        return findings
    brands = ", ".join(subject.brand_names.get(b, b) for b in sorted(subject.gated_brand_ids))
    return [
        finding(
            "credential.verified",
            Severity.INFO,
            "signed by %(issuer)s with key %(kid)s, for this seller and %(brands)s",
            {"kid": key.kid, "credential_id": claims.id},
            issuer=claims.issuer,
            kid=key.kid,
            brands=brands,
        )
    ]


def _signature_findings(presented: Presented, key: IssuerKey | None) -> list[Finding]:
    if presented.signature is SignatureCheck.MALFORMED or presented.claims is None:
        why = presented.problem or "unreadable"
        return [
            _hard(
                "credential.bad_signature",
                "not a valid signed credential: %(why)s",
                params={"why": why},
            )
        ]
    if presented.signature is SignatureCheck.UNKNOWN_KEY or key is None:
        return [
            _hard(
                "credential.unknown_key",
                (
                    "the credential is signed with key %(kid)r, which no rights holder has "
                    "registered"
                ),
                kid=presented.kid,
            )
        ]
    if presented.claims.holder_id != key.holder_id:
        return [
            _hard(
                "credential.unknown_key",
                (
                    "key %(kid)r belongs to another rights holder than the credential's "
                    "issuer (%(issuer)s)"
                ),
                kid=key.kid,
                params={"issuer": presented.claims.issuer},
            )
        ]
    if presented.signature is SignatureCheck.INVALID:
        return [
            _hard(
                "credential.bad_signature",
                "the signature does not match the credential: it was altered or forged",
                kid=key.kid,
            )
        ]
    return []


def _key_findings(key: IssuerKey, issued: datetime) -> list[Finding]:
    if key.state is KeyState.COMPROMISED:
        why = N_("the issuer reported key %(kid)r compromised: everything it signed is void")
        return [_hard("credential.revoked", why, kid=key.kid, reason="key_compromised")]
    if key.suspended_at is not None:
        why = N_("key %(kid)r is suspended by the platform: %(why)s")
        return [
            _hard(
                "credential.revoked",
                why,
                kid=key.kid,
                reason="key_suspended",
                params={"why": key.suspended_reason},
            )
        ]
    if not key.valid_at(issued):
        why = N_("key %(kid)r was not valid when the credential was issued (%(issued)s)")
        return [
            _hard(
                "credential.unknown_key",
                why,
                kid=key.kid,
                reason="key_not_valid_at_issuance",
                params={"issued": _iso(issued)},
            )
        ]
    return []


def _subject_findings(claims: CredentialClaims, subject: GateSubject) -> list[Finding]:
    registration = subject.seller_registration_id
    name_matches = _norm(claims.subject_legal_name) == _norm(subject.seller_legal_name)
    id_matches = registration is not None and _norm(claims.subject_registration_id) == _norm(
        registration
    )
    if name_matches and id_matches:
        return []
    return [
        _hard(
            "credential.not_for_this_seller",
            (
                "the credential was issued to %(subject_legal_name)s "
                "(%(subject_registration_id)s), not to this seller"
            ),
            name_matches=name_matches,
            registration_matches=id_matches,
            params={
                "subject_legal_name": claims.subject_legal_name,
                "subject_registration_id": claims.subject_registration_id,
            },
        )
    ]


def _coverage_findings(
    claims: CredentialClaims, subject: GateSubject, key: IssuerKey, holder_brands: frozenset[str]
) -> list[Finding]:
    covered = set(claims.brand_ids) & set(key.brand_ids) & holder_brands
    missing = sorted(set(subject.gated_brand_ids) - covered)
    if not missing:
        return []
    names = ", ".join(subject.brand_names.get(b, b) for b in missing)
    return [
        _hard(
            "credential.brand_not_covered",
            (
                "the credential does not cover %(names)s: the issuer must hold the marks "
                "and sign for them with a key registered for them"
            ),
            missing=",".join(missing),
            params={"names": names},
        )
    ]


def _validity_findings(claims: CredentialClaims, now: datetime) -> list[Finding]:
    if now < claims.valid_from:
        why = N_("the credential is valid only from %(valid_from)s")
        return [_hard("credential.expired", why, params={"valid_from": _iso(claims.valid_from)})]
    if claims.valid_until is not None and now >= claims.valid_until:
        return [
            _hard(
                "credential.expired",
                "the credential expired on %(valid_until)s",
                params={"valid_until": _iso(claims.valid_until)},
            )
        ]
    return []


def _status_findings(
    claims: CredentialClaims, status_bits: Mapping[StatusPurpose, bool]
) -> list[Finding]:
    if not claims.status:
        why = N_("the credential has no status entry: its revocation cannot be checked")
        return [_hard("credential.revoked", why, reason="no_status")]
    done = {StatusPurpose.REVOCATION: "revoked", StatusPurpose.SUSPENSION: "suspended"}
    return [
        _hard(
            "credential.revoked",
            "the issuer %(value)s this credential",
            reason=p.value,
            params={"value": done[p]},
        )
        for p, is_set in sorted(status_bits.items())
        if is_set
    ]
