"""Credential verifications per second on one core, against raw Ed25519 verification with
`cryptography` on the same message, measured in the same run (issue 18).

A verification is what the gate does with a presented token once the registry rows are in
memory (the status list cached): parse the compact JWS, refuse a bad header, check the
signature under the key its kid names, read the VC payload, and run every check of
`verify_presented`. Run from the project root:

    .venv/bin/python bench/credentials.py [--seconds 5] [--runs 3]

Target: >= 5,000 verifications/s on one core.
"""

from __future__ import annotations

import argparse
import base64
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from probandi.adapters.credentials.jose import generate_key, read_token, sign_credential
from probandi.domain.credentials import (
    GateSubject,
    IssuedCredential,
    IssuerKey,
    StatusEntry,
    StatusPurpose,
    credential_payload,
    verify_presented,
)

TARGET = 5_000.0
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
USCC = "91310000MA1FL0XX1X"


def a_world() -> tuple[str, IssuerKey, IssuedCredential, GateSubject]:
    private, public = generate_key()
    key = IssuerKey(
        kid="bench-1",
        holder_id="gucci-ip",
        public_jwk=public,
        brand_ids=("gucci",),
        valid_from=NOW - timedelta(days=30),
        valid_until=None,
        created_at=NOW - timedelta(days=30),
    )
    url = "https://probandi.example/v1/status-lists/gucci-ip"
    payload = credential_payload(
        credential_id="urn:uuid:0b6f5e9e-2d1c-4b7a-9f3e-5a1c2b3d4e5f",
        holder_id="gucci-ip",
        holder_name="Guccio Gucci S.p.A.",
        legal_name="上海锦华名品商贸有限公司",
        registration_id=USCC,
        brands=[("gucci", "Gucci")],
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=365),
        status=[StatusEntry(p, 4242, f"{url}/{p.value}") for p in StatusPurpose],
    )
    token = sign_credential(payload, private, key.kid)
    issued = IssuedCredential(
        id=str(payload["id"]),
        holder_id="gucci-ip",
        kid=key.kid,
        status_index=4242,
        brand_ids=("gucci",),
        subject_registration_id=USCC,
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=365),
        created_at=NOW,
    )
    subject = GateSubject("上海锦华名品商贸有限公司", USCC, ("gucci",), NOW, {"gucci": "Gucci"})
    return token, key, issued, subject


def rate(work: Callable[[], object], seconds: float) -> float:
    """Calls per second of `work`, timed over about `seconds` after a warm-up."""
    for _ in range(200):
        work()
    done, began = 0, time.process_time()
    while (spent := time.process_time() - began) < seconds:
        for _ in range(100):
            work()
        done += 100
    return done / spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    token, key, issued, subject = a_world()
    holder_brands = frozenset({"gucci"})
    bits = issued.bits()

    def gate() -> object:
        presented = read_token(token, lambda kid: key if kid == key.kid else None)
        findings = verify_presented(
            presented, subject, key=key, holder_brands=holder_brands, status_bits=bits
        )
        assert findings[0].code == "credential.verified", findings
        return findings

    head, body, signature = token.split(".")
    message = f"{head}.{body}".encode()
    raw_signature = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    x = str(key.public_jwk["x"])
    raw_key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))

    def anchor() -> object:
        raw_key.verify(raw_signature, message)
        return None

    print(f"token: {len(token):,} characters; CPU time on one core, {args.seconds:.0f} s a figure")
    for run in range(1, args.runs + 1):
        base = rate(anchor, args.seconds)
        ours = rate(gate, args.seconds)
        met = "met" if ours >= TARGET else "MISSED"
        print(
            f"run {run}: gate {ours:,.0f} verifications/s (target >= {TARGET:,.0f}: {met}); "
            f"raw Ed25519 verify {base:,.0f}/s; ratio {ours / base:.2f}x"
        )


if __name__ == "__main__":
    main()
