"""A brand's side of credentials in tests: a verified holder with a registered key, and
credentials prepared over the API and signed here with the brand's private key."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PIL import Image, ImageFilter

from probandi.adapters.credentials.jose import generate_key, sign_credential
from tests.support.notices import a_verified_holder, holder
from tests.support.world import World

USCC_X = "91310000MA1FL0XX1X"
USCC_Y = "91310000MA1FL0YY2Y"


@dataclass
class Brand:
    """A rights holder with a signing key registered for one brand."""

    world: World
    holder_id: str
    brand_id: str
    kid: str
    private_jwk: dict[str, str]

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        return holder(self.world, self.holder_id, method, url, **kwargs)

    def prepare(self, legal_name: str, registration_id: str, **overrides: Any) -> dict[str, Any]:
        body = {
            "kid": self.kid,
            "subject": {"legal_name": legal_name, "registration_id": registration_id},
            "brand_ids": [self.brand_id],
            "valid_until": "2027-12-31T00:00:00Z",
            **overrides,
        }
        r = self.call("POST", "/v1/credentials", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def issue(
        self, legal_name: str, registration_id: str, **overrides: Any
    ) -> tuple[str, dict[str, Any]]:
        """A credential for the subject, signed with this brand's key: (token, prepared)."""
        prepared = self.prepare(legal_name, registration_id, **overrides)
        return sign_credential(prepared["payload"], self.private_jwk, self.kid), prepared


def a_signing_brand(world: World, holder_id: str, brand_id: str, kid: str) -> Brand:
    a_verified_holder(world, holder_id, brand_id)
    private, public = generate_key()
    r = holder(
        world,
        holder_id,
        "POST",
        "/v1/credential-keys",
        json={
            "kid": kid,
            "jwk": public,
            "brand_ids": [brand_id],
            "valid_from": "2025-01-01T00:00:00Z",
        },
    )
    assert r.status_code == 201, r.text
    return Brand(world, holder_id, brand_id, kid, private)


def an_authorized_seller(world: World, seller_id: str, registration_id: str) -> str:
    """An authorized retailer with its USCC; returns its legal name."""
    legal_name = f"{seller_id} 贸易有限公司"
    world.a_seller(seller_id, kind="authorized_retailer", tax_id=registration_id)
    return legal_name


def photographed(png: bytes) -> bytes:
    """The letter as a phone photo: smaller, a little turned and soft, JPEG."""
    page = Image.open(io.BytesIO(png)).convert("RGB")
    page = page.resize((int(page.width * 0.6), int(page.height * 0.6)))
    page = page.rotate(2.0, expand=True, fillcolor="white").filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    page.save(out, "JPEG", quality=80)
    return out.getvalue()


def letter_declaration(issued: datetime) -> dict[str, Any]:
    return {"issuer": "Gucci brand office", "issued_on": issued.date().isoformat()}
