"""OpenAPI links: which answer feeds which next call (a created listing's id into its
vouchers, an uploaded voucher's id into its reads). Clients and generators follow them;
schemathesis's stateful phase walks them as call sequences.

Declared here, in one table, rather than on each route, and added to the generated schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

Call = tuple[str, str]  # (method, path)
# source call -> ([its success statuses], [(target call, {parameter: runtime expression})])
LINKS: dict[Call, tuple[tuple[str, ...], list[tuple[Call, dict[str, str]]]]] = {
    ("put", "/v1/sellers/{seller_id}"): (
        ("200", "201"),
        [
            (("get", "/v1/sellers/{seller_id}"), {"seller_id": "$response.body#/id"}),
            (("get", "/v1/sellers/{seller_id}/penalties"), {"seller_id": "$response.body#/id"}),
        ],
    ),
    ("put", "/v1/listings/{listing_id}"): (("200", "201"), []),  # filled from LISTING_READS
    ("post", "/v1/listings"): (("200", "201"), []),
    ("post", "/v1/listings/{listing_id}/vouchers"): (
        ("201",),
        [
            (("get", "/v1/vouchers/{voucher_id}"), {"voucher_id": "$response.body#/voucher/id"}),
            (
                ("get", "/v1/vouchers/{voucher_id}/file"),
                {"voucher_id": "$response.body#/voucher/id"},
            ),
            (
                ("get", "/v1/vouchers/{voucher_id}/matches"),
                {"voucher_id": "$response.body#/voucher/id"},
            ),
            (("get", "/v1/listings/{listing_id}"), {"listing_id": "$response.body#/listing/id"}),
        ],
    ),
    ("post", "/v1/review/tasks/claim-next"): (
        ("200",),
        [
            (("get", "/v1/review/tasks/{task_id}"), {"task_id": "$response.body#/id"}),
            (("post", "/v1/review/tasks/{task_id}/release"), {"task_id": "$response.body#/id"}),
            (("post", "/v1/review/tasks/{task_id}/decision"), {"task_id": "$response.body#/id"}),
        ],
    ),
    ("post", "/v1/notices"): (
        ("201",),
        [
            (("get", "/v1/notices/{notice_id}"), {"notice_id": "$response.body#/id"}),
            (("post", "/v1/notices/{notice_id}/withdrawal"), {"notice_id": "$response.body#/id"}),
        ],
    ),
    ("post", "/v1/appeals"): (
        ("201",),
        [(("get", "/v1/appeals/{appeal_id}"), {"appeal_id": "$response.body#/id"})],
    ),
    ("post", "/v1/brands"): (
        ("201",),
        [
            (("get", "/v1/brands/{brand_id}"), {"brand_id": "$response.body#/id"}),
            (("put", "/v1/brands/{brand_id}"), {"brand_id": "$response.body#/id"}),
            (("delete", "/v1/brands/{brand_id}"), {"brand_id": "$response.body#/id"}),
        ],
    ),
    ("post", "/v1/rights-holders"): (
        ("201",),
        [
            (("get", "/v1/rights-holders/{holder_id}"), {"holder_id": "$response.body#/id"}),
            (
                ("put", "/v1/rights-holders/{holder_id}/profile"),
                {"holder_id": "$response.body#/id"},
            ),
        ],
    ),
}
LISTING_READS: list[tuple[Call, dict[str, str]]] = [
    (("get", "/v1/listings/{listing_id}"), {"listing_id": "$response.body#/id"}),
    (("post", "/v1/listings/{listing_id}/vouchers"), {"listing_id": "$response.body#/id"}),
    (("get", "/v1/listings/{listing_id}/vouchers"), {"listing_id": "$response.body#/id"}),
    (("get", "/v1/listings/{listing_id}/statements"), {"listing_id": "$response.body#/id"}),
    (("get", "/v1/sellers/{seller_id}"), {"seller_id": "$response.body#/seller_id"}),
]


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds LINKS to a generated schema in place; a call missing from it is skipped, so a
    route renamed elsewhere loses its link rather than breaking the schema."""
    paths: dict[str, dict[str, Any]] = schema.get("paths", {})
    for (method, path), (statuses, targets) in LINKS.items():
        source = paths.get(path, {}).get(method)
        if source is None:
            continue
        for status in statuses:
            response = source.get("responses", {}).get(status)
            if response is None:
                continue
            links = response.setdefault("links", {})
            for (t_method, t_path), parameters in targets or LISTING_READS:
                target = paths.get(t_path, {}).get(t_method)
                if target is None:
                    continue
                op_id = target["operationId"]
                links[op_id] = {"operationId": op_id, "parameters": dict(parameters)}
    return schema


def install(app: FastAPI) -> None:
    """Serve the schema with its links: FastAPI builds it once, then it is kept."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
