"""A webhook receiver for probandi: verifies each request's Standard Webhooks signature, drops
duplicates, and keeps the newest state per listing by its sequence number.

    WEBHOOK_SECRET=whsec_... .venv/bin/python examples/webhook_receiver.py 9000

It prints one line per new event: `type subject seq=N publishable=...`. Standard library
plus the `standardwebhooks` package (pip install standardwebhooks). Answer 2xx fast and do
the work afterwards: probandi waits at most 10 s and retries anything else.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

WEBHOOK = Webhook(os.environ["WEBHOOK_SECRET"])
SEEN: set[str] = set()  # event ids done: deliveries are at least once
NEWEST: dict[str, int] = {}  # subject -> the highest sequence applied
APPLYING = threading.Lock()  # requests arrive in parallel (16 at once per endpoint)


class Hooks(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:  # the HMAC over id.timestamp.body, and a timestamp within 5 minutes
            event = WEBHOOK.verify(body, dict(self.headers))
        except WebhookVerificationError:
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(204)
        self.end_headers()
        with APPLYING:  # check and apply as one step, and one whole line at a time
            if event["id"] in SEEN:
                return  # a retry of something already applied
            SEEN.add(event["id"])
            subject, seq = event["subject"], event["sequence"]
            if seq <= NEWEST.get(subject, 0):
                return  # older than what this subject already shows (a redelivery)
            NEWEST[subject] = seq
            shown = json.dumps(event["data"].get("publishable"))
            sys.stdout.write(f"{event['type']} {subject} seq={seq} publishable={shown}\n")
            sys.stdout.flush()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass  # quiet: one line per event only


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hooks).serve_forever()
