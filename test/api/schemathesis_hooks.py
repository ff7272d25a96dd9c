"""Schemathesis hooks of test/api/schemathesis.test.ts (loaded through SCHEMATHESIS_HOOKS).

A client sends a new Idempotency-Key with each new request, as the API asks; Schemathesis draws keys from
the header's schema and so sends the same short ones ("0") with different bodies, which the API rightly
refuses with 422 (idempotency.test.ts tests that). A generated key that is valid is therefore replaced by a
fresh one; a missing or invalid key is sent as generated, so its refusal is still checked.
"""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and VALID_KEY.match(headers[name]):
            headers[name] = f"st-{uuid.uuid4()}"
