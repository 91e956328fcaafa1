"""Brand-signed credentials over HTTP, on SQLite and PostgreSQL: a brand registers a key and
issues a credential; the seller it names gets through the gate on the pasted token and on a
photographed letter; everyone else, and every altered, foreign or expired credential, gets a
hard finding; revocation holds the listings again at the next tick."""

from __future__ import annotations

import base64
import gzip
import io
import json
from datetime import timedelta
from typing import Any

import jwt as pyjwt
import pytest
import segno

from probandi.adapters.credentials.jose import generate_key, sign_credential
from probandi.adapters.credentials.letter import render_png
from probandi.services.clock import FrozenClock
from probandi.services.deadlines import apply_deadlines
from probandi.services.deliveries import relay_outbox
from tests.support.credentials import (
    USCC_X,
    USCC_Y,
    Brand,
    a_signing_brand,
    an_authorized_seller,
    letter_declaration,
    photographed,
)
from tests.support.world import World


@pytest.fixture
def brand(world: World) -> Brand:
    gucci = world.a_gated_brand()
    return a_signing_brand(world, "gucci-ip", gucci["id"], "gucci-2026-1")


def present(world: World, seller_id: str, listing_id: str, token: str) -> Any:
    return world.seller(
        seller_id, "POST", f"/v1/listings/{listing_id}/credentials", json={"credential": token}
    )


def codes(answer: dict[str, Any]) -> set[str]:
    return {f["code"] for f in answer["voucher"]["findings"]}


def test_the_named_seller_is_approved_on_the_token_and_on_a_photographed_letter(
    world: World, brand: Brand, clock: FrozenClock
) -> None:
    legal_name = an_authorized_seller(world, "shop-x", USCC_X)
    world.a_listing("X1", "shop-x")
    world.a_listing("X2", "shop-x", title="Gucci Dionysus 链条包")
    token, prepared = brand.issue(legal_name, USCC_X)

    r = present(world, "shop-x", "X1", token)
    assert r.status_code == 201, r.text
    body = r.json()
    assert codes(body) == {"credential.verified"}
    assert body["voucher"]["status"] == "approved"
    assert body["listing"]["gate"]["state"] == "approved"
    assert body["statement"]["automated"] is True

    letter = photographed(render_png(token, prepared["payload"]))
    r = world.upload(
        "shop-x",
        "X2",
        letter,
        kind="brand_authorization",
        declaration=letter_declaration(clock.now()),
        media_type="image/jpeg",
    )
    assert r.status_code == 201, r.text
    assert "credential.verified" in codes(r.json())
    assert r.json()["listing"]["gate"]["state"] == "approved"


def test_another_seller_with_the_letter_is_refused_hard(
    world: World, brand: Brand, clock: FrozenClock
) -> None:
    legal_name = an_authorized_seller(world, "shop-x", USCC_X)
    an_authorized_seller(world, "shop-y", USCC_Y)
    world.a_listing("Y1", "shop-y")
    token, prepared = brand.issue(legal_name, USCC_X)
    letter = photographed(render_png(token, prepared["payload"]))
    r = world.upload(
        "shop-y",
        "Y1",
        letter,
        kind="brand_authorization",
        declaration=letter_declaration(clock.now()),
        media_type="image/jpeg",
    )
    assert r.status_code == 201, r.text
    assert "credential.not_for_this_seller" in codes(r.json())
    assert r.json()["voucher"]["status"] == "rejected"
    assert r.json()["listing"]["gate"]["state"] == "rejected"
    r = present(world, "shop-y", "Y1", token)  # the token itself, pasted
    assert codes(r.json()) == {"credential.not_for_this_seller"}


def test_altered_foreign_and_expired_credentials_get_their_findings(
    world: World, brand: Brand, clock: FrozenClock
) -> None:
    legal_name = an_authorized_seller(world, "shop-x", USCC_X)
    for i in range(4):
        world.a_listing(f"X{i}", "shop-x")
    token, _ = brand.issue(legal_name, USCC_X)

    head, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    at = raw.index(b"USCC")  # one byte of the payload changed
    raw[at] = ord("X")
    altered = ".".join(
        [head, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode(), signature]
    )
    assert codes(present(world, "shop-x", "X0", altered).json()) == {"credential.bad_signature"}

    # Another holder's key signs a credential naming Gucci's holder as issuer.
    other = a_signing_brand(
        world, "other-ip", world.a_gated_brand(name="Prada", aliases=[])["id"], "prada-1"
    )
    _, prepared = brand.issue(legal_name, USCC_X)
    forged = sign_credential(prepared["payload"], other.private_jwk, other.kid)
    found = codes(present(world, "shop-x", "X1", forged).json())
    assert found & {"credential.unknown_key", "credential.not_for_this_seller"}

    # A key nobody registered.
    stranger, _ = generate_key()
    unknown = sign_credential(prepared["payload"], stranger, "nobody-1")
    assert codes(present(world, "shop-x", "X2", unknown).json()) == {"credential.unknown_key"}

    short, _ = brand.issue(
        legal_name, USCC_X, valid_until=(clock.now() + timedelta(days=1)).isoformat()
    )
    clock.advance(timedelta(days=2))
    assert codes(present(world, "shop-x", "X3", short).json()) == {"credential.expired"}


def test_revocation_holds_every_listing_approved_on_it_at_the_next_tick(
    world: World, brand: Brand
) -> None:
    legal_name = an_authorized_seller(world, "shop-x", USCC_X)
    token, prepared = brand.issue(legal_name, USCC_X)
    for i in range(3):
        world.a_listing(f"X{i}", "shop-x")
        assert (
            present(world, "shop-x", f"X{i}", token).json()["listing"]["gate"]["state"]
            == "approved"
        )
    credential_id = prepared["credential"]["id"]
    r = brand.call("POST", f"/v1/credentials/{credential_id}/revoke")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "revoked"
    # The public list has the bit set at once, read with nothing but gzip and base64.
    index = prepared["credential"]["status_index"]
    status = world.http.get("/v1/status-lists/gucci-ip/revocation")
    assert status.status_code == 200
    encoded = status.json()["credentialSubject"]["encodedList"]
    assert encoded[0] == "u"
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131_072
    assert bits[index // 8] >> (7 - index % 8) & 1 == 1
    assert sum(bin(b).count("1") for b in bits) == 1

    assert world.platform("GET", "/v1/listings/X0").json()["gate"]["state"] == "approved"
    report = apply_deadlines(svc=world.runtime.services)
    assert report.credential_approvals_revoked == 3
    for i in range(3):
        listing = world.platform("GET", f"/v1/listings/X{i}").json()
        assert listing["gate"]["state"] == "awaiting_proof"
        statements = world.seller("shop-x", "GET", f"/v1/listings/X{i}/statements").json()
        assert any("no longer valid" in " ".join(s["facts"]) for s in statements)
    assert apply_deadlines(svc=world.runtime.services).credential_approvals_revoked == 0
    # The marketplace hears of it: the relay turns the outbox into catalog events.
    relay_outbox(svc=world.runtime.services)
    feed = world.platform(
        "GET", "/v1/events", params={"types": "listing.publishability_changed", "limit": 1000}
    ).json()["events"]
    last = {e["subject"]: e["data"] for e in feed}
    for i in range(3):
        assert last[f"listing:X{i}"]["state"] == "awaiting_proof"
        assert last[f"listing:X{i}"]["statement_id"]
    # Presented again, the revoked credential is refused.
    assert codes(present(world, "shop-x", "X0", token).json()) == {"credential.revoked"}


def test_a_second_jose_library_verifies_what_probandi_issues(world: World, brand: Brand) -> None:
    legal_name = an_authorized_seller(world, "shop-x", USCC_X)
    token, _ = brand.issue(legal_name, USCC_X)
    keys = brand.call("GET", "/v1/credential-keys").json()
    public = pyjwt.PyJWK(keys[0]["jwk"], algorithm="EdDSA")
    header = pyjwt.get_unverified_header(token)
    assert (header["alg"], header["typ"], header["kid"]) == ("EdDSA", "vc+jwt", brand.kid)
    claims = pyjwt.decode(token, public.key, algorithms=["EdDSA"], options={"verify_aud": False})
    assert claims["credentialSubject"]["registrationId"] == USCC_X
    assert "AuthorizedResellerCredential" in claims["type"]
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(
            token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"),
            public.key,
            algorithms=["EdDSA"],
        )


def _unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


def test_bad_tokens_get_a_finding_or_a_422_never_a_500(world: World, brand: Brand) -> None:
    legal_name = an_authorized_seller(world, "shop-x", USCC_X)
    for i in range(6):
        world.a_listing(f"X{i}", "shop-x")
    _, prepared = brand.issue(legal_name, USCC_X)
    payload = prepared["payload"]
    hmac = pyjwt.encode(
        payload,
        "secret-secret-secret-secret-1234",
        algorithm="HS256",
        headers={"typ": "vc+jwt", "kid": brand.kid},
    )
    cases = {
        "X0": "eyJhbGciOiJFZERTQSJ9.not-base64!.x",
        "X1": _unsigned({"alg": "none", "typ": "vc+jwt", "kid": brand.kid}, payload),
        "X2": hmac,
    }
    for listing_id, token in cases.items():
        r = present(world, "shop-x", listing_id, token)
        assert r.status_code == 201, r.text
        assert codes(r.json()) == {"credential.bad_signature"}, token
    r = present(world, "shop-x", "X3", "eyJ" + "a" * 20_000)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    out_of_range = dict(
        payload,
        credentialStatus=[dict(payload["credentialStatus"][0], statusListIndex="999999999")],
    )
    r = present(world, "shop-x", "X4", sign_credential(out_of_range, brand.private_jwk, brand.kid))
    assert codes(r.json()) == {"credential.bad_signature"}
    assert "out of range" in r.json()["voucher"]["findings"][0]["message"]
    # A rights holder may not register a key for a brand it does not hold.
    prada = world.a_gated_brand(name="Prada", aliases=[])
    _, public = generate_key()
    r = brand.call(
        "POST",
        "/v1/credential-keys",
        json={"kid": "k-prada", "jwk": public, "brand_ids": [prada["id"]]},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "brand_not_held"
    r = brand.call(
        "POST",
        "/v1/credential-keys",
        json={"kid": "k-priv", "jwk": brand.private_jwk, "brand_ids": [brand.brand_id]},
    )
    assert r.status_code == 422


def test_a_jwt_file_uploaded_as_a_voucher_is_read_as_a_credential(
    world: World, brand: Brand
) -> None:
    legal_name = an_authorized_seller(world, "shop-x", USCC_X)
    world.a_listing("X1", "shop-x")
    token, _ = brand.issue(legal_name, USCC_X)

    def upload(name: str, data: bytes, media_type: str) -> Any:
        return world.seller(
            "shop-x",
            "POST",
            "/v1/listings/X1/vouchers",
            files={"file": (name, data, media_type)},
            data={"kind": "brand_authorization", "declaration": "{}"},
        )

    r = upload("authorization.jwt", b"this is not a token", "application/octet-stream")
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    r = upload("authorization.jwt", token.encode() + b"\n", "application/jwt")
    assert r.status_code == 201, r.text
    assert codes(r.json()) == {"credential.verified"}
    voucher = r.json()["voucher"]
    assert voucher["status"] == "approved"
    stored = world.seller("shop-x", "GET", f"/v1/vouchers/{voucher['id']}/file")
    assert stored.headers["content-type"].startswith("application/vc+jwt")
    assert stored.text == token


def test_a_letter_whose_qr_holds_something_else_is_an_ordinary_letter_or_a_bad_token(
    world: World, brand: Brand, clock: FrozenClock
) -> None:
    an_authorized_seller(world, "shop-x", USCC_X)
    world.a_listing("X1", "shop-x")
    world.a_listing("X2", "shop-x")

    def letter_with(text: str) -> bytes:
        out = io.BytesIO()
        segno.make(text, error="m").save(out, kind="png", scale=8, border=4)
        return out.getvalue()

    declaration = letter_declaration(clock.now())
    r = world.upload(
        "shop-x",
        "X1",
        letter_with("https://brand.example/verify?id=123"),
        kind="brand_authorization",
        declaration=declaration,
    )
    assert r.status_code == 201, r.text
    assert not any(c.startswith("credential.") for c in codes(r.json()))
    assert r.json()["voucher"]["status"] == "pending_review"  # a paper letter: a person decides
    r = world.upload(
        "shop-x",
        "X2",
        letter_with("eyJhbGciOiJFZERTQSJ9.eyJub3QiOiJhIFZDIn0.AAAA"),
        kind="brand_authorization",
        declaration=declaration,
    )
    assert r.status_code == 201, r.text
    assert "credential.bad_signature" in codes(r.json())
    assert r.json()["voucher"]["status"] == "rejected"
