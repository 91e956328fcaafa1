"""Builders for tests: parties with API keys, brands, sellers, invoice images."""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from PIL import Image, ImageDraw

from probandi.bootstrap import Runtime
from probandi.domain.actors import Role
from probandi.services.keys import create_api_key

INVOICE_ISSUER = "上海奢品供应链有限公司"
INVOICE_ISSUER_TAX_ID = "91310000MA1FL0XX7Y"


def invoice_image(seed: int, *, fmt: str = "PNG", lines: tuple[str, ...] = ()) -> bytes:
    """A believable invoice scan; different seeds give different bytes and pixels."""
    rng = random.Random(seed)
    img = Image.new("RGB", (800, 560), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 20, 780, 540), outline=(120, 60, 60), width=3)
    draw.text((40, 40), f"INVOICE No. {seed:08d}", fill=(30, 30, 30))
    for i, line in enumerate(lines or ("GUCCI Marmont bag x 2", "Total CNY 35000.00")):
        draw.text((40, 100 + 30 * i), line, fill=(20, 20, 20))
    for _ in range(200):
        x, y = rng.randrange(800), rng.randrange(560)
        draw.point((x, y), fill=(rng.randrange(256), 0, 0))
    draw.ellipse((600, 400, 740, 530), outline=(200, 20, 20), width=4)
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


@dataclass
class World:
    """One database with a key per party; `client(role)` speaks HTTP as that party."""

    runtime: Runtime
    http: httpx.Client
    keys: dict[str, str] = field(default_factory=dict)

    def key(self, role: Role, party: str | None = None) -> str:
        name = f"{role.value}:{party or ''}"
        if name not in self.keys:
            self.keys[name] = create_api_key(role, party, name, svc=self.runtime.services)
        return self.keys[name]

    def call(
        self, method: str, url: str, role: Role, party: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key(role, party)}", **kwargs.pop("headers", {})}
        return self.http.request(method, url, headers=headers, **kwargs)

    def platform(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.call(method, url, Role.PLATFORM, **kwargs)

    def admin(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.call(method, url, Role.ADMIN, **kwargs)

    def reviewer(self, method: str, url: str, name: str = "rev-1", **kwargs: Any) -> httpx.Response:
        # Each reviewer name gets its own key, so two reviewers are two principals.
        headers = {
            "Authorization": f"Bearer {self._reviewer_key(name)}",
            **kwargs.pop("headers", {}),
        }
        return self.http.request(method, url, headers=headers, **kwargs)

    def _reviewer_key(self, name: str) -> str:
        label = f"reviewer:{name}"
        if label not in self.keys:
            self.keys[label] = create_api_key(Role.REVIEWER, None, label, svc=self.runtime.services)
        return self.keys[label]

    def seller(self, seller_id: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.call(method, url, Role.SELLER, seller_id, **kwargs)

    # --- builders -------------------------------------------------------------------------
    def a_gated_brand(self, **overrides: Any) -> dict[str, Any]:
        body = {
            "name": "Gucci",
            "aliases": ["古驰", "古奇"],
            "gated": True,
            "reference_prices": [{"scope": "*", "amount": "12000", "currency": "CNY"}],
            "distributors": [{"name": INVOICE_ISSUER, "tax_id": INVOICE_ISSUER_TAX_ID}],
            **overrides,
        }
        r = self.admin("POST", "/v1/brands", json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def a_seller(self, seller_id: str, kind: str = "reseller", **overrides: Any) -> None:
        body = {
            "kind": kind,
            "legal_name": f"{seller_id} 贸易有限公司",
            "address": "上海市黄浦区南京东路1号",
            **overrides,
        }
        r = self.platform("PUT", f"/v1/sellers/{seller_id}", json=body)
        assert r.status_code in (200, 201), r.text

    def a_listing(self, listing_id: str, seller_id: str, **overrides: Any) -> dict[str, Any]:
        body = {
            "seller_id": seller_id,
            "title": "Gucci GG Marmont 小号肩背包 黑色",
            "brand": "Gucci",
            "category": "bags",
            "price": "15800.00",
            "currency": "CNY",
            "stock": 2,
            "images": ["https://img.example/1.jpg"],
            **overrides,
        }
        r = self.platform("PUT", f"/v1/listings/{listing_id}", json=body)
        assert r.status_code in (200, 201), r.text
        return dict(r.json())

    def a_copied_invoice(self, *, issued_on: date, seed: int) -> httpx.Response:
        """Two shops, a gated brand, listings LA (shop-a) and LB (shop-b); both upload the
        same invoice file, shop-a first. Returns shop-b's upload (rejected as a copy)."""
        self.a_gated_brand()
        for shop in ("shop-a", "shop-b"):
            self.a_seller(shop)
        self.a_listing("LA", "shop-a")
        self.a_listing("LB", "shop-b")
        scan = invoice_image(seed)
        for shop, listing in (("shop-a", "LA"), ("shop-b", "LB")):
            declaration = an_invoice_declaration(f"{shop} 贸易有限公司", issued_on=issued_on)
            answer = self.upload(shop, listing, scan, declaration=declaration)
        return answer

    def upload(
        self,
        seller_id: str,
        listing_id: str,
        data: bytes,
        *,
        kind: str = "purchase_invoice",
        declaration: dict[str, Any] | None = None,
        media_type: str = "image/png",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return self.seller(
            seller_id,
            "POST",
            f"/v1/listings/{listing_id}/vouchers",
            files={"file": ("invoice.png", data, media_type)},
            data={"kind": kind, "declaration": json.dumps(declaration or {})},
            headers=headers or {},
        )


def an_invoice_declaration(
    buyer: str, *, issued_on: date, quantity: int = 2, **overrides: Any
) -> dict[str, Any]:
    return {
        "issuer": INVOICE_ISSUER,
        "issuer_tax_id": INVOICE_ISSUER_TAX_ID,
        "buyer_name": buyer,
        "issued_on": issued_on.isoformat(),
        "document_number": "No.33207675",
        "currency": "CNY",
        "lines": [
            {
                "brand": "GUCCI 古驰",
                "item": "GG Marmont bag",
                "quantity": quantity,
                "amount": "30000.00",
            }
        ],
        **overrides,
    }
