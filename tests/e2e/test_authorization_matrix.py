"""The authorization matrix: every API operation x every party, aimed at objects that belong
to party A (seller shop-a, its listings and voucher, rights holder gucci-ip and its notice).

MATRIX names, per operation, the parties allowed to act on those objects. Everyone else
must be refused (403 or 404; 401 where the route does not take that kind of key) and change
nothing (the audit log's head does not move); a request without a key gets 401. An operation
in the OpenAPI without an entry here fails the test, so a new route cannot ship without
deciding who may call it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from probandi.adapters.credentials.jose import generate_key
from probandi.config import Settings
from probandi.domain.actors import Role
from probandi.entrypoints.api.app import create_app
from tests.support.notices import a_verified_holder, file_notice, holder
from tests.support.world import World, an_invoice_declaration, invoice_image

PARTIES = (
    "platform",
    "seller_a",
    "seller_b",
    "holder_a",
    "holder_b",
    "reviewer",
    "admin",
    "none",
)
STAFF = "reviewer admin"
Objects = dict[str, str]
Request = Callable[[Objects, str], dict[str, Any]]


def no_body(_objs: Objects, _party: str) -> dict[str, Any]:
    return {}


def seller_body(_objs: Objects, _party: str) -> dict[str, Any]:
    return {"json": {"kind": "reseller", "legal_name": "shop-a 贸易有限公司", "address": "上海"}}


def listing_fields(seller_id: str = "shop-a") -> dict[str, Any]:
    """The fields A-L1 was pushed with: an allowed push changes nothing."""
    return {
        "seller_id": seller_id,
        "title": "Gucci GG Marmont 小号肩背包 黑色",
        "brand": "Gucci",
        "category": "bags",
        "price": "15800.00",
        "currency": "CNY",
        "stock": 2,
        "images": ["https://img.example/1.jpg"],
    }


def an_upload(seed: int, fields: dict[str, str]) -> dict[str, Any]:
    return {"files": {"file": ("scan.png", invoice_image(seed), "image/png")}, "data": fields}


def voucher_upload(objs: Objects, party: str) -> dict[str, Any]:
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=date.fromisoformat(objs["day"]))
    fields = {"kind": "purchase_invoice", "declaration": json.dumps(decl)}
    return an_upload(100 + PARTIES.index(party), fields)


def evidence_upload(_objs: Objects, party: str) -> dict[str, Any]:
    return an_upload(200 + PARTIES.index(party), {})


def counter_upload(objs: Objects, _party: str) -> dict[str, Any]:
    return {"data": {"statement": "bought from the distributor", "voucher_ids": objs["voucher_id"]}}


def listing_body(_objs: Objects, _party: str) -> dict[str, Any]:
    return {"json": listing_fields()}


def listing_create_body(_objs: Objects, _party: str) -> dict[str, Any]:
    return {"json": {"id": "A-L1", **listing_fields()}}


def new_brand(_objs: Objects, party: str) -> dict[str, Any]:
    return {"json": brand_body(f"Brand {party}")}


def new_holder(_objs: Objects, party: str) -> dict[str, Any]:
    return {"json": {"id": f"holder-{party}", "name": f"Holder {party}"}}


def decision_body(_objs: Objects, _party: str) -> dict[str, Any]:
    return {"json": {"decision": "approve", "reason_code": "authorized_distributor"}}


def same_gucci(objs: Objects, _party: str) -> dict[str, Any]:
    return {"json": json.loads(objs["gucci"])}


PROFILE = {
    "kind": "brand",
    "registrations": [
        {
            "brand_id": "gucci",
            "office": "CNIPA",
            "number": "TM-gucci-ip",
            "classes": [18, 25],
            "expires_on": "2035-01-01",
        }
    ],
}


def new_key(_objs: Objects, party: str) -> dict[str, Any]:
    _, public = generate_key()
    brand = "prada" if party == "holder_b" else "gucci"
    return {"json": {"kid": f"k-{party}", "jwk": public, "brand_ids": [brand]}}


def credential_body(objs: Objects, _party: str) -> dict[str, Any]:
    subject = {"legal_name": "shop-a 贸易有限公司", "registration_id": "91310000MA1FL0XX1X"}
    return {"json": {"kid": objs["kid"], "subject": subject, "brand_ids": ["gucci"]}}


def json_body(body: dict[str, Any] | list[Any]) -> Request:
    return lambda _objs, _party: {"json": body}


def brand_body(name: str) -> dict[str, Any]:
    return {"name": name, "aliases": [], "gated": True, "reference_prices": []}


@dataclass(frozen=True)
class Rule:
    """Who may call one operation on party A's objects, and what they send."""

    allowed: str  # space-separated parties
    request: Request = no_body
    path: Objects = field(default_factory=dict)  # path parameters other than the defaults
    missing: bool = False  # the object does not exist: allowed parties may get 404 too
    sees: str | None = None  # a list: who may find A's objects in it (default: allowed)
    public: bool = False  # no key needed (probes for load balancers)


NOTICE_ITEM = {"listing_id": "A-L2"}
KEYED = "platform seller_a seller_b holder_a holder_b reviewer admin"
A_READERS = "platform seller_a reviewer admin"  # who may read shop-a's listings and proof
ENDPOINT = {"url": "https://93.184.216.34/in", "event_types": ["*"]}  # public; no DNS needed
NOTICE = {"reason": "counterfeit", "listing_ids": ["A-L1"], "text": "test buy", "good_faith": True}
# In the order they run: reads first, then writes, the ones that end a state last.
MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/v1/sellers/{seller_id}"): Rule(A_READERS),
    ("GET", "/v1/sellers/{seller_id}/penalties"): Rule(A_READERS),
    ("GET", "/v1/listings"): Rule(KEYED.replace(" holder_a holder_b", ""), sees=A_READERS),
    ("GET", "/v1/listings/{listing_id}"): Rule(A_READERS),
    ("GET", "/v1/listings/{listing_id}/vouchers"): Rule(A_READERS),
    ("GET", "/v1/listings/{listing_id}/statements"): Rule(A_READERS),
    ("GET", "/v1/vouchers/{voucher_id}"): Rule(A_READERS),
    ("GET", "/v1/vouchers/{voucher_id}/file"): Rule(A_READERS),
    ("GET", "/v1/vouchers/{voucher_id}/reading"): Rule(A_READERS),
    ("GET", "/v1/vouchers/{voucher_id}/matches"): Rule(STAFF),
    ("GET", "/v1/voucher-clusters"): Rule(STAFF),
    ("GET", "/v1/review/tasks"): Rule(STAFF),
    ("GET", "/v1/review/tasks/{task_id}"): Rule(STAFF),
    ("GET", "/v1/notices"): Rule(KEYED, sees="platform seller_a holder_a reviewer admin"),
    ("GET", "/v1/notices/{notice_id}"): Rule("platform seller_a holder_a reviewer admin"),
    ("GET", "/v1/rights-holders/{holder_id}"): Rule("platform holder_a reviewer admin"),
    ("GET", "/v1/appeals"): Rule("seller_a seller_b holder_a holder_b"),
    ("GET", "/v1/appeals/{appeal_id}"): Rule("seller_a", missing=True),
    ("GET", "/v1/brands"): Rule(KEYED),
    ("GET", "/v1/brands/{brand_id}"): Rule(KEYED.replace(" holder_b", "")),
    ("GET", "/v1/brand-requests"): Rule("holder_a holder_b admin", sees="holder_a admin"),
    ("GET", "/v1/brand-requests/{request_id}"): Rule("holder_a admin"),
    ("GET", "/v1/fx-rates"): Rule(KEYED),
    ("GET", "/v1/policy"): Rule(KEYED),
    ("GET", "/v1/me/preferences"): Rule(KEYED),  # one's own settings: any key
    ("PUT", "/v1/me/preferences"): Rule(KEYED, request=lambda _o, _p: {"json": {"locale": None}}),
    ("GET", "/v1/audit"): Rule("admin"),
    ("GET", "/v1/reports/transparency"): Rule(
        "admin", request=lambda _o, _p: {"params": {"from": "2026-01-01", "to": "2026-02-01"}}
    ),
    ("GET", "/healthz"): Rule(KEYED, public=True),
    ("GET", "/readyz"): Rule(KEYED, public=True),
    ("GET", "/metrics"): Rule("admin"),  # or the metrics token
    ("GET", "/v1/events"): Rule("platform admin"),
    ("GET", "/v1/webhooks/metrics"): Rule("platform admin"),
    ("GET", "/v1/webhooks/endpoints"): Rule("admin"),
    ("GET", "/v1/webhooks/endpoints/{endpoint_id}"): Rule("admin"),
    ("GET", "/v1/webhooks/endpoints/{endpoint_id}/attempts"): Rule("admin"),
    ("GET", "/v1/credential-keys"): Rule("holder_a holder_b admin", sees="holder_a admin"),
    ("GET", "/v1/credentials"): Rule("holder_a holder_b", sees="holder_a"),
    ("GET", "/v1/status-lists/{holder_id}/{purpose}"): Rule(
        KEYED, path={"purpose": "revocation"}, public=True
    ),
    ("POST", "/v1/screen"): Rule(KEYED, json_body({"items": [{"id": "1", "title": "Gucci 高仿"}]})),
    ("PUT", "/v1/sellers/{seller_id}"): Rule("platform admin", seller_body),
    ("PUT", "/v1/listings/{listing_id}"): Rule("platform admin", listing_body),
    ("POST", "/v1/listings"): Rule("platform admin", listing_create_body),
    ("POST", "/v1/listings/{listing_id}/vouchers"): Rule("seller_a", voucher_upload),
    ("POST", "/v1/notice-evidence"): Rule("holder_a holder_b", evidence_upload),
    ("POST", "/v1/notices"): Rule("holder_a holder_b", json_body(NOTICE)),
    ("POST", "/v1/notices/{notice_id}/items/{listing_id}/counter-notice"): Rule(
        "seller_a", counter_upload, NOTICE_ITEM
    ),
    ("POST", "/v1/notices/{notice_id}/items/{listing_id}/action-report"): Rule(
        "holder_a",
        json_body({"kind": "complaint", "authority": "AIC", "reference": "R-1"}),
        NOTICE_ITEM,
    ),
    ("POST", "/v1/notices/{notice_id}/items/{listing_id}/extension"): Rule(
        "holder_a", no_body, NOTICE_ITEM
    ),
    ("POST", "/v1/notices/{notice_id}/items/{listing_id}/outcome"): Rule(
        STAFF, json_body({"upheld": True, "note": "ruled"}), NOTICE_ITEM
    ),
    ("PUT", "/v1/rights-holders/{holder_id}/profile"): Rule("holder_a admin", json_body(PROFILE)),
    ("POST", "/v1/rights-holders/{holder_id}/verification"): Rule("admin"),
    ("PUT", "/v1/rights-holders/{holder_id}/trusted-flagger"): Rule(
        "admin", json_body({"enrolled": True})
    ),
    ("POST", "/v1/rights-holders"): Rule("admin", new_holder),
    ("POST", "/v1/sellers/{seller_id}/penalties/{entry_id}/reversal"): Rule(
        "admin", json_body({"reason": "mistake"}), missing=True
    ),
    ("POST", "/v1/appeals"): Rule(
        "seller_a seller_b holder_a holder_b",
        json_body({"subject": "penalty", "subject_id": "no-such-entry", "statement": "wrong"}),
        missing=True,
    ),
    ("POST", "/v1/brands"): Rule("holder_a holder_b admin", new_brand),
    ("PUT", "/v1/brands/{brand_id}"): Rule("holder_a admin", same_gucci),
    ("POST", "/v1/brands/import"): Rule("admin", json_body([])),
    ("PUT", "/v1/fx-rates/{currency}"): Rule("admin", json_body({"rate": "0.14"})),
    ("POST", "/v1/review/tasks/claim-next"): Rule(STAFF),
    ("POST", "/v1/review/tasks/{task_id}/claim"): Rule(STAFF),
    ("POST", "/v1/review/tasks/{task_id}/release"): Rule(STAFF),
    ("POST", "/v1/review/tasks/{task_id}/decision"): Rule(STAFF, decision_body),
    ("POST", "/v1/brand-requests/{request_id}/decision"): Rule(
        "admin", json_body({"decision": "refuse", "reason": "no"})
    ),
    ("POST", "/v1/notices/{notice_id}/withdrawal"): Rule(
        "holder_a admin", json_body({"note": "settled"})
    ),
    ("POST", "/v1/webhooks/endpoints"): Rule("admin", json_body(ENDPOINT)),
    ("PATCH", "/v1/webhooks/endpoints/{endpoint_id}"): Rule(
        "admin", json_body({"description": "changed"})
    ),
    ("POST", "/v1/webhooks/endpoints/{endpoint_id}/secret"): Rule(
        "admin", json_body({"overlap_seconds": 60})
    ),
    ("POST", "/v1/webhooks/endpoints/{endpoint_id}/test"): Rule("admin"),
    ("POST", "/v1/webhooks/endpoints/{endpoint_id}/redeliveries"): Rule(
        "admin",
        json_body({"since": "2026-01-01T00:00:00Z", "until": "2027-01-01T00:00:00Z"}),
    ),
    ("POST", "/v1/listings/{listing_id}/credentials"): Rule(
        "seller_a", json_body({"credential": "eyJhbGciOiJFZERTQSJ9.e30.AAAA"})
    ),
    ("POST", "/v1/credentials"): Rule("holder_a", credential_body),
    ("POST", "/v1/credentials/{credential_id}/suspend"): Rule("holder_a"),
    ("POST", "/v1/credentials/{credential_id}/reinstate"): Rule("holder_a"),
    ("POST", "/v1/credentials/{credential_id}/revoke"): Rule("holder_a"),
    ("POST", "/v1/credential-keys"): Rule("holder_a holder_b", new_key),
    ("POST", "/v1/credential-keys/{kid}/suspend"): Rule("admin", json_body({"reason": "checking"})),
    ("POST", "/v1/credential-keys/{kid}/reinstate"): Rule("admin"),
    ("POST", "/v1/credential-keys/{kid}/retire"): Rule("holder_a"),
    ("POST", "/v1/credential-keys/{kid}/compromised"): Rule("holder_a"),
    ("DELETE", "/v1/brands/{brand_id}"): Rule("admin", path={"brand_id": "zeta"}),
}
PRIVATE = ("listing_id", "notice_id", "voucher_id", "task_id", "request_id", "credential_id", "kid")


@dataclass
class Probe:
    world: World
    objs: Objects

    def send(self, party: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        w = self.world
        if party == "none":
            return w.http.request(method, url, **kwargs)
        if party == "reviewer":
            return w.reviewer(method, url, name="rev-1", **kwargs)
        role, who = {
            "platform": (Role.PLATFORM, None),
            "admin": (Role.ADMIN, None),
            "seller_a": (Role.SELLER, "shop-a"),
            "seller_b": (Role.SELLER, "shop-b"),
            "holder_a": (Role.RIGHTS_HOLDER, "gucci-ip"),
            "holder_b": (Role.RIGHTS_HOLDER, "prada-ip"),
        }[party]
        return w.call(method, url, role, who, **kwargs)

    def audit_head(self) -> int:
        entries = self.world.admin("GET", "/v1/audit", params={"limit": 1}).json()
        return int(entries[0]["seq"]) if entries else 0

    def check(self, method: str, path: str, rule: Rule) -> list[str]:
        """Every party once, the refused ones first; returns what broke the rule."""
        url = path.format(**(self.objs | rule.path))
        allowed = set(rule.allowed.split())
        sees = set((rule.sees if rule.sees is not None else rule.allowed).split())
        broken = []
        for party in sorted(PARTIES, key=lambda p: (p in allowed, PARTIES.index(p))):
            before = self.audit_head() if party not in allowed else 0
            r = self.send(party, method, url, **rule.request(self.objs, party))
            got = f"{method} {path} as {party}: {r.status_code} {r.text[:200]}"
            if party == "none" and not rule.public:
                ok = r.status_code == 401
            elif party == "none":
                ok = r.status_code < 400
            elif party in allowed:
                refused = (401, 403) if rule.missing else (401, 403, 404)
                ok = r.status_code < 500 and r.status_code not in refused
            else:
                after = self.audit_head()
                ok = r.status_code in (401, 403, 404) and after == before
                got += f" (audit head {before} -> {after})"
            if ok and r.status_code == 200 and party not in sees:
                ok = not any(self.objs[k] in r.text for k in PRIVATE)
            if not ok:
                broken.append(got)
        return broken


def a_world_of_two_tenants(world: World) -> Objects:
    """Two sellers, two verified rights holders; shop-a's listings, voucher and task,
    gucci-ip's notice against shop-a and its pending brand request."""
    day = world.runtime.services.clock.now().date() - timedelta(days=5)
    gucci = world.a_gated_brand()
    world.a_gated_brand(name="Prada", aliases=["普拉达"], distributors=[])
    world.a_gated_brand(name="Zeta", aliases=[], distributors=[])
    a_verified_holder(world, "gucci-ip", "gucci", trusted=True)
    a_verified_holder(world, "prada-ip", "prada", trusted=True)
    world.a_seller("shop-a")
    world.a_seller("shop-b")
    world.a_listing("A-L1", "shop-a")
    world.a_listing("A-L2", "shop-a", title="Gucci Dionysus 链条包")
    world.a_listing("B-L1", "shop-b")
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=day)
    up = world.upload("shop-a", "A-L1", invoice_image(1), declaration=decl)
    assert up.status_code == 201, up.text
    notice = file_notice(world, "gucci-ip", ["A-L2"])
    assert notice.status_code == 201, notice.text
    tasks = world.admin("GET", "/v1/review/tasks", params={"listing_id": "A-L1"}).json()
    request = holder(world, "gucci-ip", "POST", "/v1/brands", json=brand_body("Gucci Vintage"))
    assert request.status_code == 202, request.text
    gucci = world.admin("GET", "/v1/brands/gucci").json()
    endpoint = world.admin("POST", "/v1/webhooks/endpoints", json=ENDPOINT)
    assert endpoint.status_code == 201, endpoint.text
    key = new_key({}, "holder_a")["json"] | {"kid": "gucci-k1"}
    assert holder(world, "gucci-ip", "POST", "/v1/credential-keys", json=key).status_code == 201
    objs = {"kid": "gucci-k1"}
    credential = holder(world, "gucci-ip", "POST", "/v1/credentials", **credential_body(objs, ""))
    assert credential.status_code == 201, credential.text
    return {
        "kid": "gucci-k1",
        "credential_id": credential.json()["credential"]["id"],
        "day": day.isoformat(),
        "gucci": json.dumps({k: v for k, v in gucci.items() if k != "id"}),
        "seller_id": "shop-a",
        "listing_id": "A-L1",
        "voucher_id": up.json()["voucher"]["id"],
        "task_id": tasks["items"][0]["id"],
        "notice_id": notice.json()["id"],
        "holder_id": "gucci-ip",
        "brand_id": "gucci",
        "request_id": request.json()["id"],
        "entry_id": "no-such-entry",
        "appeal_id": "no-such-appeal",
        "currency": "CNY",
        "endpoint_id": endpoint.json()["id"],
    }


def test_every_api_operation_has_an_entry_in_the_matrix(settings: Settings) -> None:
    app = create_app(settings)
    operations = {
        (method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops
    }
    assert operations - MATRIX.keys() == set(), "add these operations to MATRIX"
    assert MATRIX.keys() - operations == set(), "these MATRIX entries name no operation"


def test_no_party_reads_or_writes_another_partys_objects(world: World) -> None:
    probe = Probe(world, a_world_of_two_tenants(world))
    for party in PARTIES:  # each key is made (and audited) before the audit head is watched
        probe.send(party, "GET", "/v1/policy")
    broken = [line for op, rule in MATRIX.items() for line in probe.check(*op, rule)]
    assert broken == [], "\n".join(broken)
    # The refused writes changed nothing of shop-a's.
    listing = world.platform("GET", "/v1/listings/A-L1").json()
    assert listing["seller_id"] == "shop-a"
    assert world.admin("GET", "/v1/sellers/shop-a").json()["legal_name"] == "shop-a 贸易有限公司"
