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
data passed), or refuses it only for constraints that pydantic does not
export (`UNEXPORTED`: a `Decimal`'s decimal places, a model's own
validators), which no stub of the export can know;
`positive_data_acceptance_as_fastapi` lets the stub refuse a schema-valid
request only with the status FastAPI answers to it. fastapi.toml
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


# pydantic's errors for constraints that its JSON Schema does not export
# (`Decimal`'s `decimal_places`, `max_digits`; a model's own validators): a
# stub reads only the export, so where FastAPI refuses for these alone, the
# stub cannot know, and its acceptance is no difference of its own
UNEXPORTED = {
    "decimal_max_places",
    "decimal_max_digits",
    "decimal_whole_digits",
    "value_error",
    "assertion_error",
}


def _fastapi_answer(case):
    """What the live FastAPI app answers to the same request (its own
    credentials are the stub's, see scripts/schemathesis): (status, JSON
    body or None), or None when it cannot be asked."""
    base = os.environ.get("FASTAPI_URL")
    if not base:
        return None
    try:
        kwargs = case.as_transport_kwargs(base_url=base)
        kwargs.setdefault("timeout", 10)
        response = requests.request(**kwargs)
    except requests.RequestException:
        return None
    try:
        body = response.json()
    except ValueError:
        body = None
    return response.status_code, body


def _refused_for_the_export(answer):
    """Whether FastAPI refused (422) for something its export does say."""
    if answer is None:
        return True
    status, body = answer
    if status != 422:
        return False
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, list) or not detail:
        return True
    return any(not isinstance(e, dict) or e.get("type") not in UNEXPORTED for e in detail)


@schemathesis.check
def negative_data_rejection_as_fastapi(ctx, response, case):
    """A schema-violating request is refused unless FastAPI accepts it too."""
    try:
        return negative_data_rejection(ctx, response, case)
    except Exception:
        if _refused_for_the_export(_fastapi_answer(case)):
            raise
        return None


@schemathesis.check
def positive_data_acceptance_as_fastapi(ctx, response, case):
    """A schema-valid request is accepted unless FastAPI refuses it alike."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Exception:
        answer = _fastapi_answer(case)
        if answer is None or answer[0] != response.status_code:
            raise
        return None
