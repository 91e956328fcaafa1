"""Standard Webhooks signatures (the `standardwebhooks` package): HMAC-SHA256 over
`id.timestamp.body`, one `v1,` signature per secret in use (a rotation's overlap)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks import Webhook

from probandi.domain.events import Event
from probandi.services.ports import WebhookRequest

USER_AGENT = "probandi-webhooks/1"


def body_of(event: Event) -> bytes:
    """The envelope as compact UTF-8 JSON: the bytes signed and sent."""
    return json.dumps(event.envelope(), ensure_ascii=False, separators=(",", ":")).encode()


def signed_request(url: str, event: Event, secrets: Sequence[str], at: datetime) -> WebhookRequest:
    """The request for one try: a fresh timestamp, a signature with every live secret."""
    if not secrets:
        raise ValueError("an endpoint without a signing secret cannot be sent to")
    body = body_of(event)
    text = body.decode()
    signatures = " ".join(Webhook(s).sign(event.id, at, text) for s in secrets)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event.id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }
    return WebhookRequest(url=url, headers=headers, body=body)
