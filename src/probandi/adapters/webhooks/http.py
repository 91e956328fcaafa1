"""The webhook sender: aiohttp on asyncio (ADR 0013), with a timeout per try, a cap on the
answer read, no redirects, no proxies from the environment, and the SSRF rule checked on
the addresses each connection is opened to."""

from __future__ import annotations

import ipaddress
import socket
import time
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from probandi.domain.errors import InvalidInput
from probandi.domain.webhooks import EXCERPT_CHARS, WebhookPolicy, check_addresses
from probandi.services.ports import WebhookRequest, WebhookResponse

DNS_TTL_SECONDS = 30.0
READ_CHUNK = 16 * 1024


class SystemResolver:
    """The host's addresses from the system resolver (getaddrinfo)."""

    def resolve(self, host: str) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return []
        return sorted({str(info[4][0]) for info in infos})


class RefusedTarget(OSError):
    """A connection refused by the SSRF rule (an OSError, so aiohttp reports it as a
    connection error and the try is recorded, not raised)."""


class CheckedResolver(AbstractResolver):
    """aiohttp's threaded resolver, with the SSRF rule applied to what it returns: the
    addresses connected to are the addresses checked, so a DNS answer that changes between
    the check and the connection (rebinding) cannot reach a private address."""

    def __init__(self, policy: WebhookPolicy) -> None:
        self.policy = policy
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        try:
            check_addresses(host, [r["host"] for r in found], self.policy)
        except InvalidInput as exc:
            raise RefusedTarget(f"refused target: {exc.message}") from None
        return found

    async def close(self) -> None:
        await self._inner.close()


class AiohttpSender:
    """One session for every endpoint (connections kept alive per host). A receiver that is
    slow, errs, redirects or answers too much costs one try, never more."""

    def __init__(self, policy: WebhookPolicy, *, max_connections: int = 100) -> None:
        self.policy = policy
        self._session: aiohttp.ClientSession | None = None
        self._max_connections = max_connections
        self._checked: dict[str, float] = {}

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the running loop.
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                resolver=CheckedResolver(self.policy),
                ttl_dns_cache=int(DNS_TTL_SECONDS),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.policy.timeout_seconds),
                trust_env=False,  # no proxy from the environment: targets are checked, proxies not
                auto_decompress=False,  # the cap counts the bytes on the wire, no inflating
                skip_auto_headers=("Accept-Encoding",),
            )
        return self._session

    def _check_target(self, url: str) -> None:
        """Literal addresses never reach the resolver: check them here (the resolver checks
        names). The check of a host is remembered for the DNS cache's lifetime."""
        host = urlsplit(url).hostname or ""
        if self.policy.allow_private_targets or self._checked.get(host, 0.0) > time.monotonic():
            return
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return  # a name: the connector's resolver checks what it resolves to
        check_addresses(host, [host], self.policy)
        self._checked[host] = time.monotonic() + DNS_TTL_SECONDS

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        began = time.perf_counter()

        def took() -> int:
            return int((time.perf_counter() - began) * 1000)

        try:
            self._check_target(request.url)
            return await self._post(request, began)
        except InvalidInput as exc:
            return WebhookResponse(None, took(), "", f"refused target: {exc.message}")
        except TimeoutError:
            return WebhookResponse(None, took(), "", "timed out")
        except aiohttp.ClientConnectorError as exc:
            cause = exc.os_error
            why = str(cause) if isinstance(cause, RefusedTarget) else f"{type(exc).__name__}: {exc}"
            return WebhookResponse(None, took(), "", why[:500])
        except (aiohttp.ClientError, OSError) as exc:
            return WebhookResponse(None, took(), "", f"{type(exc).__name__}: {exc}"[:500])

    async def _post(self, request: WebhookRequest, began: float) -> WebhookResponse:
        limit = self.policy.max_response_bytes
        async with self._client().post(
            request.url, data=request.body, headers=dict(request.headers), allow_redirects=False
        ) as response:
            read = bytearray()
            while len(read) <= limit:
                chunk = await response.content.read(READ_CHUNK)
                if not chunk:
                    break
                read.extend(chunk)
            latency = int((time.perf_counter() - began) * 1000)
            excerpt = bytes(read[: EXCERPT_CHARS * 4]).decode("utf-8", "replace")[:EXCERPT_CHARS]
            if len(read) > limit:  # read no further; the status still says what happened
                response.close()  # the rest is not read: the connection is not reused
                return WebhookResponse(
                    response.status, latency, excerpt, f"answer cut at {limit} bytes"
                )
            if 300 <= response.status < 400 and "location" in response.headers:
                where = response.headers.get("location", "")[:200]
                return WebhookResponse(
                    response.status, latency, excerpt, f"redirects are not followed: {where}"
                )
            return WebhookResponse(response.status, latency, excerpt)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
