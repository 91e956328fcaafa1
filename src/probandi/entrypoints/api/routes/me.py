"""The caller's own settings: the locale its problems, statements and findings are written
in (issue 21). Without a setting, `Accept-Language` decides, then the deployment default."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from probandi.domain.locales import LOCALES
from probandi.entrypoints import i18n
from probandi.entrypoints.api.deps import ActorCache, CurrentActor, Svc, raw_key
from probandi.services.preferences import locale_of, set_locale

router = APIRouter(prefix="/v1", tags=["me"])


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: str | None = Field(
        max_length=16,
        description=f"one of {', '.join(LOCALES)} (also as a language tag: zh-CN); "
        "null to follow Accept-Language",
        examples=["zh_CN"],
    )


class PreferencesOut(BaseModel):
    locale: str | None = Field(description="the caller's own choice, or null")
    effective_locale: str = Field(description="the locale this response is written in")


@router.get("/me/preferences", response_model=PreferencesOut)
async def get_preferences(actor: CurrentActor, svc: Svc) -> PreferencesOut:
    chosen = await run_in_threadpool(locale_of, actor, svc=svc)
    return PreferencesOut(locale=chosen, effective_locale=i18n.current())


@router.put("/me/preferences", response_model=PreferencesOut)
async def put_preferences(
    body: PreferencesIn, request: Request, actor: CurrentActor, svc: Svc
) -> PreferencesOut:
    chosen = await run_in_threadpool(set_locale, actor, body.locale, svc=svc)
    cache: ActorCache = request.app.state.actor_cache
    cache.forget(raw_key(request) or "")
    if chosen is not None:
        i18n.set_locale(chosen)
    return PreferencesOut(locale=chosen, effective_locale=i18n.current())
