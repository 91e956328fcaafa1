"""The webhook sender: httpx on asyncio, with a timeout per try, a cap on the answer read,
no redirects, and the SSRF rule checked on the addresses the host resolves to now."""

from __future__ import annotations

import asyncio
import socket
import time
from urllib.parse import urlsplit

import httpx

from probandi.domain.errors import InvalidInput
from probandi.domain.webhooks import EXCERPT_CHARS, WebhookPolicy, check_addresses
from probandi.services.ports import WebhookRequest, WebhookResponse

DNS_TTL_SECONDS = 30.0


class SystemResolver:
    """The host's addresses from the system resolver (getaddrinfo)."""

    def resolve(self, host: str) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return []
        return sorted({str(info[4][0]) for info in infos})


class HttpxSender:
    """One AsyncClient for every endpoint (connections kept alive per host). A receiver
    that is slow, errs, redirects or answers too much costs one try, never more."""

    def __init__(self, policy: WebhookPolicy, *, max_connections: int = 100) -> None:
        self.policy = policy
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(policy.timeout_seconds),
            follow_redirects=False,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            trust_env=False,  # no proxy from the environment: targets are checked, proxies not
        )
        self._checked: dict[str, float] = {}

    async def _check_target(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        if self.policy.allow_private_targets or self._checked.get(host, 0.0) > time.monotonic():
            return
        loop = asyncio.get_running_loop()
        addresses = await loop.run_in_executor(None, SystemResolver().resolve, host)
        check_addresses(host, addresses, self.policy)
        self._checked[host] = time.monotonic() + DNS_TTL_SECONDS

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        began = time.perf_counter()

        def took() -> int:
            return int((time.perf_counter() - began) * 1000)

        try:
            await self._check_target(request.url)
            return await asyncio.wait_for(
                self._post(request, began), timeout=self.policy.timeout_seconds
            )
        except InvalidInput as exc:
            return WebhookResponse(None, took(), "", f"refused target: {exc.message}")
        except (TimeoutError, httpx.TimeoutException):
            return WebhookResponse(None, took(), "", "timed out")
        except httpx.HTTPError as exc:
            return WebhookResponse(None, took(), "", f"{type(exc).__name__}: {exc}"[:500])

    async def _post(self, request: WebhookRequest, began: float) -> WebhookResponse:
        limit = self.policy.max_response_bytes
        async with self._client.stream(
            "POST", request.url, content=request.body, headers=dict(request.headers)
        ) as response:
            read = bytearray()
            async for chunk in response.aiter_bytes():
                read.extend(chunk)
                if len(read) > limit:
                    break
            latency = int((time.perf_counter() - began) * 1000)
            excerpt = bytes(read[: EXCERPT_CHARS * 4]).decode("utf-8", "replace")[:EXCERPT_CHARS]
            if len(read) > limit:  # read no further; the status still says what happened
                return WebhookResponse(
                    response.status_code, latency, excerpt, f"answer cut at {limit} bytes"
                )
            if response.is_redirect:
                where = response.headers.get("location", "")[:200]
                return WebhookResponse(
                    response.status_code, latency, excerpt, f"redirects are not followed: {where}"
                )
            return WebhookResponse(response.status_code, latency, excerpt)

    async def aclose(self) -> None:
        await self._client.aclose()
