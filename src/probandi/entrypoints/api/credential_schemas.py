"""API models of issuer keys, issued credentials and a presented credential (ADR 0014)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from probandi.domain.credentials import MAX_TOKEN_CHARS, IssuedCredential, IssuerKey, Scope
from probandi.entrypoints.api.schemas import Strict
from probandi.services.credentials import CredentialSpec, KeySpec, PreparedCredential

BrandId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class KeyIn(Strict):
    kid: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="The key's id, as the credentials' JOSE header will name it"
    )
    jwk: dict[str, Any] = Field(
        description="The public key as a JWK: kty OKP, crv Ed25519, x. Never the private part"
    )
    brand_ids: list[BrandId] = Field(min_length=1, max_length=50)
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    def to_spec(self) -> KeySpec:
        return KeySpec(self.kid, self.jwk, tuple(self.brand_ids), self.valid_from, self.valid_until)


class KeySuspendIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class KeyOut(BaseModel):
    kid: str
    holder_id: str
    jwk: dict[str, str]
    brand_ids: list[str]
    valid_from: datetime
    valid_until: datetime | None
    state: str = Field(description="active, retired or compromised")
    can_sign: bool
    created_at: datetime
    retired_at: datetime | None
    compromised_at: datetime | None
    suspended_at: datetime | None
    suspended_reason: str | None

    @classmethod
    def from_domain(cls, k: IssuerKey) -> KeyOut:
        return cls(
            kid=k.kid,
            holder_id=k.holder_id,
            jwk=dict(k.public_jwk),
            brand_ids=list(k.brand_ids),
            valid_from=k.valid_from,
            valid_until=k.valid_until,
            state=k.state.value,
            can_sign=k.can_sign,
            created_at=k.created_at,
            retired_at=k.retired_at,
            compromised_at=k.compromised_at,
            suspended_at=k.suspended_at,
            suspended_reason=k.suspended_reason,
        )


class SubjectIn(Strict):
    legal_name: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    registration_id: Text = Field(description="USCC or another registration id")


class ScopeIn(Strict):
    categories: list[Text] = Field(default_factory=list, max_length=50)
    channels: list[Text] = Field(default_factory=list, max_length=50)
    quantity_cap: int | None = Field(default=None, ge=0)


class CredentialIn(Strict):
    kid: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    subject: SubjectIn
    brand_ids: list[BrandId] = Field(min_length=1, max_length=50)
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    scope: ScopeIn | None = None

    def to_spec(self) -> CredentialSpec:
        scope = self.scope or ScopeIn()
        return CredentialSpec(
            kid=self.kid,
            legal_name=self.subject.legal_name,
            registration_id=self.subject.registration_id,
            brand_ids=tuple(self.brand_ids),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            scope=Scope(tuple(scope.categories), tuple(scope.channels), scope.quantity_cap),
        )


class CredentialOut(BaseModel):
    id: str
    holder_id: str
    kid: str
    status_index: int
    brand_ids: list[str]
    subject_registration_id: str
    valid_from: datetime
    valid_until: datetime | None
    state: str = Field(description="active, suspended or revoked")
    created_at: datetime
    revoked_at: datetime | None
    suspended_at: datetime | None

    @classmethod
    def from_domain(cls, c: IssuedCredential) -> CredentialOut:
        return cls(
            id=c.id,
            holder_id=c.holder_id,
            kid=c.kid,
            status_index=c.status_index,
            brand_ids=list(c.brand_ids),
            subject_registration_id=c.subject_registration_id,
            valid_from=c.valid_from,
            valid_until=c.valid_until,
            state=c.state,
            created_at=c.created_at,
            revoked_at=c.revoked_at,
            suspended_at=c.suspended_at,
        )


class PreparedOut(BaseModel):
    credential: CredentialOut
    payload: dict[str, Any] = Field(
        description=(
            "The W3C VC 2.0 payload to sign as a compact JWS: header "
            '{"alg": "EdDSA", "typ": "vc+jwt", "kid": <your kid>}'
        )
    )

    @classmethod
    def from_prepared(cls, p: PreparedCredential) -> PreparedOut:
        return cls(credential=CredentialOut.from_domain(p.record), payload=p.payload)


class PresentIn(Strict):
    credential: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TOKEN_CHARS)] = Field(
        description="The signed credential, a compact vc+jwt"
    )
