"""schemathesis hooks for a FastAPI export: FastAPI decides what its export
leaves open.

The export says less than FastAPI does: pydantic exports `Decimal` as
`anyOf: [number, string]` but refuses `""`; its lax mode takes 0 and 1 for a
boolean; a multipart part is text, so a "wrong type" arrives as a valid
string; a parameter `X | None` cannot be sent as null, so schemathesis sends
the text `null`; a service reads its raw bodies itself. schemathesis reads
the export as it is, so it would blame the stub for each.

So the two data checks ask the live FastAPI app (`FASTAPI_URL`), with the
same request: `negative_data_rejection_as_fastapi` lets the stub accept a
schema-violating request only when FastAPI accepts it too (answers anything
but 422: FastAPI validates before the endpoint runs, so its 404 means the
data passed); `positive_data_acceptance_as_fastapi` lets the stub refuse a
schema-valid request only with the status FastAPI answers to it. fastapi.toml
switches the built-in checks off in their favour. Every other check
(response schemas, statuses, content types, headers, auth, stateful
use-after-free, ...) is schemathesis's own.
"""

import os

import requests
import schemathesis
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)


def _fastapi_status(case):
    """The status the live FastAPI app answers to the same request (its own
    credentials are the stub's, see scripts/schemathesis), or None."""
    base = os.environ.get("FASTAPI_URL")
    if not base:
        return None
    try:
        kwargs = case.as_transport_kwargs(base_url=base)
        kwargs.setdefault("timeout", 10)
        return requests.request(**kwargs).status_code
    except requests.RequestException:
        return None


@schemathesis.check
def negative_data_rejection_as_fastapi(ctx, response, case):
    """A schema-violating request is refused unless FastAPI accepts it too."""
    try:
        return negative_data_rejection(ctx, response, case)
    except Exception:
        status = _fastapi_status(case)
        if status is None or status == 422:
            raise
        return None


@schemathesis.check
def positive_data_acceptance_as_fastapi(ctx, response, case):
    """A schema-valid request is accepted unless FastAPI refuses it alike."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Exception:
        if _fastapi_status(case) != response.status_code:
            raise
        return None
