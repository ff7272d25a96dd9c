#!/usr/bin/env python3
"""An onboarding system written in Python with the standard library only (no SDK of ours).

It onboards a bank through the HTTP API, receives the bank.onboarded webhook on its own HTTP server, verifies
its Standard Webhooks signature, reads the credential's secret reference from the event, then rotates the
bank's credential (completing the rotation when told it waits) and waits for bank.credentials_rotated.

    API_URL=http://127.0.0.1:8080 API_KEY=prov_... WEBHOOK_SECRET=whsec_... WEBHOOK_PORT=9000 \\
        python3 onboarding_client.py <bankGuid> <email>

Prints one JSON document describing what it saw; exits non-zero on any failure.
"""

import base64
import hashlib
import hmac
import json
import os
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_URL = os.environ["API_URL"]
API_KEY = os.environ["API_KEY"]
WEBHOOK_SECRET = os.environ["WEBHOOK_SECRET"]
WEBHOOK_PORT = int(os.environ["WEBHOOK_PORT"])
TOLERANCE_SECONDS = 5 * 60


def verify_signature(headers, body: bytes) -> None:
    """Standard Webhooks: HMAC-SHA256 over "<id>.<timestamp>.<body>" with the secret after "whsec_"."""
    message_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("timestamp outside the tolerance")
    key = base64.b64decode(WEBHOOK_SECRET.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for signature in headers["webhook-signature"].split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise ValueError("no matching signature")


events: "queue.Queue[dict]" = queue.Queue()
seen_ids = set()
rejected = []


class WebhookReceiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        try:
            verify_signature(self.headers, body)
        except (KeyError, ValueError) as err:
            rejected.append(str(err))
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(204)
        self.end_headers()
        if self.headers["webhook-id"] in seen_ids:  # at least once: drop duplicates by id
            return
        seen_ids.add(self.headers["webhook-id"])
        events.put(json.loads(body))

    def log_message(self, *args):
        pass


def call(method, path, body=None, idempotent=False):
    headers = {"authorization": f"Bearer {API_KEY}", "accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    if idempotent:
        headers["idempotency-key"] = str(uuid.uuid4())
    request = urllib.request.Request(API_URL + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as err:
        problem = json.loads(err.read())
        sys.exit(f"{method} {path}: {err.code} {problem['type']}: {problem['detail']}")


def wait_for(event_type, bank_guid, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            event = events.get(timeout=1)
        except queue.Empty:
            continue
        if event["type"] == event_type and event["data"].get("bankGuid") == bank_guid:
            return event
    sys.exit(f"no {event_type} event for bank {bank_guid} within {timeout} s")


def main():
    bank_guid, email = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", WEBHOOK_PORT), WebhookReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, headers, started = call(
            "POST", f"/v1/banks/{bank_guid}/onboarding", {"users": [{"email": email}]}, idempotent=True
        )
        assert status == 202, status
        onboarded = wait_for("bank.onboarded", bank_guid)
        credential_ref = onboarded["data"]["result"]["application"]["secretRef"]
        _, _, operation = call("GET", headers["Location"])

        status, _, rotation = call(
            "POST", f"/v1/banks/{bank_guid}/rotation", {"gracePeriod": "1h"}, idempotent=True
        )
        assert status == 202, status
        waiting = wait_for("bank.credentials_rotation_waiting", bank_guid)
        call("POST", f"/v1/banks/{bank_guid}/rotation/completion")
        rotated = wait_for("bank.credentials_rotated", bank_guid)
        _, _, bank = call("GET", f"/v1/banks/{bank_guid}")
    finally:
        server.shutdown()

    print(
        json.dumps(
            {
                "onboarding": {
                    "operationId": started["operationId"],
                    "eventOperationId": onboarded["data"]["operationId"],
                    "state": operation["state"],
                    "credentialRef": credential_ref,
                    "clientId": onboarded["data"]["result"]["application"]["clientId"],
                },
                "rotation": {
                    "operationId": rotation["operationId"],
                    "waitingClientId": waiting["data"]["clientId"],
                    "completedBy": rotated["data"]["result"]["completedBy"],
                    "clientId": rotated["data"]["result"]["clientId"],
                    "credentialRef": rotated["data"]["result"]["secretRef"],
                },
                "latest": bank["latest"]["operation"],
                "eventsVerified": len(seen_ids),
                "rejected": rejected,
            }
        )
    )


if __name__ == "__main__":
    main()
