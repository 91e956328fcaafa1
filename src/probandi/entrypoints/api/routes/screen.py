"""POST /v1/screen: screen up to 1,000 titles with the default catalog and the registry."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from probandi.adapters.screening.screener import CatalogEngineCache
from probandi.domain.screening.model import ScreenItem
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.schemas import Currency, Strict
from probandi.entrypoints.screen_io import MAX_TITLE, result_json
from probandi.services.context import Services

router = APIRouter(prefix="/v1", tags=["screening"])
MAX_ITEMS = 1_000


class ScreenItemIn(Strict):
    id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    title: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TITLE)]
    price: Annotated[Decimal, Field(ge=0, le=Decimal("1e12"))] | None = None
    currency: Currency | None = None


class ScreenIn(Strict):
    items: Annotated[list[ScreenItemIn], Field(min_length=1, max_length=MAX_ITEMS)]


def _screen(body: ScreenIn, svc: Services, cache: CatalogEngineCache) -> list[dict[str, Any]]:
    with svc.reader() as uow:
        engine = cache.get(uow.brands.registry_version(), uow.brands.list_all)
    items = [ScreenItem(i.id, i.title, i.price, i.currency) for i in body.items]
    return [result_json(r) for r in engine.screen_batch(items)]


@router.post("/screen")
async def post_screen(
    body: ScreenIn, request: Request, actor: CurrentActor, svc: Svc
) -> dict[str, list[dict[str, Any]]]:
    """Brands named in each title (also obfuscated: 古馳, Ｇｕｃｃｉ, G U C C I, gucc1) with
    offsets into the title as sent, and counterfeit signals (高仿, 1:1, replica). Each match
    has a `tier`: `named`, `likely` (a truncation, partial name or nickname the title's
    evidence makes probable; `score` and `evidence` say why) or `possible` (the same without
    enough evidence: a review signal, never a hold)."""
    cache: CatalogEngineCache = request.app.state.catalog_engines
    results = await run_in_threadpool(_screen, body, svc, cache)
    return {"results": results}
