"""The service describes itself: health and an OpenAPI document other teams can code against."""

from __future__ import annotations

from tests.support.world import World


def test_health_answers_without_a_key(world: World) -> None:
    r = world.http.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_openapi_lists_every_route_with_problem_errors(world: World) -> None:
    doc = world.http.get("/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/v1/listings/{listing_id}",
        "/v1/listings/{listing_id}/vouchers",
        "/v1/review/tasks/{task_id}/decision",
        "/v1/brands/import",
        "/v1/sellers/{seller_id}",
        "/v1/fx-rates/{currency}",
    ):
        assert path in paths, path
    upload = paths["/v1/listings/{listing_id}/vouchers"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_unknown_routes_and_methods_are_problems(world: World) -> None:
    r = world.platform("GET", "/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not_found"
    r = world.platform("DELETE", "/v1/listings/L1")
    assert r.status_code == 405
    assert r.json()["code"] == "method_not_allowed"


def test_openapi_documents_errors_as_problems_and_creation_as_201(world: World) -> None:
    doc = world.http.get("/openapi.json").json()
    put = doc["paths"]["/v1/listings/{listing_id}"]["put"]["responses"]
    assert {"200", "201"} <= set(put)
    for path, method in (("/v1/sellers/{seller_id}", "put"), ("/v1/listings", "post")):
        assert {"200", "201"} <= set(doc["paths"][path][method]["responses"]), path
    for status in ("401", "404", "409", "422"):
        content = put[status]["content"]
        assert list(content) == ["application/problem+json"], status
        assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "code", "detail"} <= set(problem["required"])
    # An actual error matches what the document promises.
    r = world.platform("PUT", "/v1/listings/L1", json={"title": ""})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert set(problem["required"]) <= set(r.json())
