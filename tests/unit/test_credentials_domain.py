"""The pure rules of brand-signed credentials: key transitions, the status list's encoding and
bit order (W3C Bitstring Status List), the payload's shape, and one finding per failed check."""

from __future__ import annotations

import base64
import gzip
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from probandi.domain.credentials import (
    KEY_TRANSITIONS,
    STATUS_LIST_BITS,
    CredentialClaims,
    GateSubject,
    IssuerKey,
    KeyAction,
    KeyState,
    Presented,
    SignatureCheck,
    StatusEntry,
    StatusPurpose,
    bit_at,
    check_public_jwk,
    claims_from_payload,
    credential_payload,
    decode_status_list,
    encode_status_list,
    looks_like_token,
    status_list_of,
    verify_presented,
)
from probandi.domain.errors import InvalidInput, InvalidTransition

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
X = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
KEY = IssuerKey(
    kid="k1",
    holder_id="gucci-ip",
    public_jwk={"kty": "OKP", "crv": "Ed25519", "x": X},
    brand_ids=("gucci",),
    valid_from=T0 - timedelta(days=30),
    valid_until=T0 + timedelta(days=365),
    created_at=T0 - timedelta(days=30),
)
SUBJECT = GateSubject("上海锦华名品商贸有限公司", "91310000MA1FL0XX1X", ("gucci",), T0)


def claims(**overrides: object) -> CredentialClaims:
    base = CredentialClaims(
        id="urn:uuid:1",
        issuer="urn:probandi:holder:gucci-ip",
        subject_legal_name="上海锦华名品商贸有限公司",
        subject_registration_id="91310000MA1FL0XX1X",
        brand_ids=("gucci",),
        valid_from=T0 - timedelta(days=1),
        valid_until=T0 + timedelta(days=30),
        status=(StatusEntry(StatusPurpose.REVOCATION, 7, "https://p/rev"),),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def verdict(
    c: CredentialClaims | None = None,
    *,
    signature: SignatureCheck = SignatureCheck.VALID,
    key: IssuerKey | None = KEY,
    held: frozenset[str] = frozenset({"gucci"}),
    bits: dict[StatusPurpose, bool] | None = None,
    subject: GateSubject = SUBJECT,
) -> set[str]:
    presented = Presented(signature, "k1", c or claims())
    found = verify_presented(
        presented, subject, key=key, holder_brands=held, status_bits=bits or {}
    )
    return {f.code for f in found}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (verdict, {"credential.verified"}),
        (lambda: verdict(signature=SignatureCheck.INVALID), {"credential.bad_signature"}),
        (lambda: verdict(signature=SignatureCheck.MALFORMED), {"credential.bad_signature"}),
        (
            lambda: verdict(key=None, signature=SignatureCheck.UNKNOWN_KEY),
            {"credential.unknown_key"},
        ),
        (lambda: verdict(key=replace(KEY, holder_id="prada-ip")), {"credential.unknown_key"}),
        (
            lambda: verdict(claims(subject_registration_id="91440300X")),
            {"credential.not_for_this_seller"},
        ),
        (
            lambda: verdict(claims(subject_legal_name="另一家公司")),
            {"credential.not_for_this_seller"},
        ),
        (lambda: verdict(held=frozenset()), {"credential.brand_not_covered"}),
        (lambda: verdict(claims(brand_ids=("prada",))), {"credential.brand_not_covered"}),
        (lambda: verdict(claims(valid_until=T0)), {"credential.expired"}),
        (lambda: verdict(claims(valid_from=T0 + timedelta(hours=1))), {"credential.expired"}),
        (lambda: verdict(bits={StatusPurpose.REVOCATION: True}), {"credential.revoked"}),
        (lambda: verdict(bits={StatusPurpose.SUSPENSION: True}), {"credential.revoked"}),
        (lambda: verdict(claims(status=())), {"credential.revoked"}),
        (
            lambda: verdict(key=KEY.report_compromised(at=T0 - timedelta(days=2))),
            {"credential.revoked"},
        ),
        (lambda: verdict(key=KEY.suspend("stolen", at=T0)), {"credential.revoked"}),
        (
            lambda: verdict(key=KEY.retire(at=T0 - timedelta(days=2))),
            {"credential.unknown_key"},  # retired before this credential was issued
        ),
        (lambda: verdict(key=KEY.retire(at=T0)), {"credential.verified"}),  # issued before
    ],
)
def test_each_check_has_its_finding(case: object, expected: set[str]) -> None:
    assert callable(case)
    assert case() == expected


def test_names_compare_without_spaces_brackets_or_case() -> None:
    subject = replace(
        SUBJECT,
        seller_legal_name="上海锦华名品商贸有限公司 ",
        seller_registration_id="91310000ma1fl0xx1x",
    )
    assert verdict(subject=subject) == {"credential.verified"}
    assert verdict(subject=replace(SUBJECT, seller_registration_id=None)) == {
        "credential.not_for_this_seller"
    }


def test_key_transitions_and_what_they_refuse() -> None:
    assert KEY_TRANSITIONS[(KeyState.ACTIVE, KeyAction.RETIRE)] is KeyState.RETIRED
    compromised = KEY.retire(at=T0).report_compromised(at=T0)
    assert compromised.state is KeyState.COMPROMISED
    with pytest.raises(InvalidTransition):
        compromised.retire(at=T0)
    with pytest.raises(InvalidTransition):
        KEY.reinstate()
    assert not KEY.suspend("x", at=T0).can_sign
    assert KEY.suspend("x", at=T0).reinstate().can_sign


def test_the_status_list_follows_the_spec_bit_order_and_encoding() -> None:
    bits = status_list_of([0, 9, STATUS_LIST_BITS - 1])
    assert len(bits) == STATUS_LIST_BITS // 8 == 16_384
    assert bits[0] == 0b1000_0000  # index 0 is the left-most bit
    assert bits[1] == 0b0100_0000  # index 9
    assert bits[-1] == 0b0000_0001
    encoded = encode_status_list(bits)
    assert encoded.startswith("u")
    assert "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw == bits
    assert decode_status_list(encoded) == bits
    assert [bit_at(bits, i) for i in (0, 1, 9, STATUS_LIST_BITS - 1)] == [True, False, True, True]
    with pytest.raises(InvalidInput):
        bit_at(bits, STATUS_LIST_BITS)
    with pytest.raises(InvalidInput):
        status_list_of([STATUS_LIST_BITS])
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(10_000_000))).rstrip(b"=").decode()
    with pytest.raises(InvalidInput):
        decode_status_list(bomb)


def test_the_payload_reads_back_and_bad_shapes_are_refused() -> None:
    status = [StatusEntry(p, 42, f"https://p/{p.value}") for p in StatusPurpose]
    payload = credential_payload(
        credential_id="urn:uuid:2",
        holder_id="gucci-ip",
        holder_name="Gucci",
        legal_name="锦华",
        registration_id="9131",
        brands=[("gucci", "Gucci")],
        valid_from=T0,
        valid_until=T0 + timedelta(days=1),
        status=status,
    )
    read = claims_from_payload(payload)
    assert (read.holder_id, read.brand_ids, read.status[0].index) == ("gucci-ip", ("gucci",), 42)
    for broken in (
        {**payload, "@context": ["https://www.w3.org/2018/credentials/v1"]},
        {**payload, "type": ["VerifiableCredential"]},
        {**payload, "validFrom": "yesterday"},
        {**payload, "validFrom": "2026-12-03T09:00:00"},  # no zone
        {**payload, "credentialSubject": {"legalName": "x"}},
    ):
        with pytest.raises(InvalidInput):
            claims_from_payload(broken)


def test_jwks_and_token_shapes() -> None:
    assert check_public_jwk({"kty": "OKP", "crv": "Ed25519", "x": X})["x"] == X
    for bad in (
        {"kty": "OKP", "crv": "Ed25519", "x": X, "d": X},
        {"kty": "EC", "crv": "P-256", "x": X},
        {"kty": "OKP", "crv": "Ed25519", "x": "short"},
    ):
        with pytest.raises(InvalidInput):
            check_public_jwk(bad)
    assert looks_like_token("eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2ln")
    assert not looks_like_token("https://example.com/x.y.z")
    assert not looks_like_token(None)
