"""The API's per-key rate limit over HTTP: 429 problem+json with Retry-After."""

from __future__ import annotations

from pathlib import Path

import pytest

from probandi.config import Settings
from probandi.domain.actors import Role
from tests.support.world import World


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Tokens come back once every 100 s: the fourth request in a row is refused.
    return Settings(
        database_url=database_url,
        voucher_dir=tmp_path / "vouchers",
        api_rate_per_second=0.01,
        api_rate_burst=3,
    )


def test_a_key_past_its_burst_gets_429_problem_json_with_retry_after(world: World) -> None:
    answers = [world.platform("GET", "/v1/listings").status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    refused = world.platform("GET", "/v1/listings")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 100
    # another key has its own bucket
    assert world.call("GET", "/v1/listings", Role.REVIEWER).status_code == 200
    assert world.http.get("/healthz").status_code == 200  # only /v1 is limited
