"""The truth for `dropshot_codegen_runtime::security`: what FastAPI 0.165's
security classes (and the services' own checks behind them) answer for
missing, malformed, wrong and right credentials.

Sends every request of CASES through FastAPI's `TestClient` (in-process) to
the Coverage API (`fastapi-app/app.py`, one scheme per operation) and to the
small `extra` app below (alternatives, a requirement of two schemes, the
empty requirement, a document-wide requirement, HTTP digest, OpenID Connect,
the authorization-code flow, and FastAPI's own "two security dependencies"
export), and records FastAPI's status, `{"detail": ...}` body and
`WWW-Authenticate` header.

    scripts/fastapi-app python dropshot-codegen-runtime/tests/security/corpus.py --write
    scripts/fastapi-app python dropshot-codegen-runtime/tests/security/corpus.py --check

`--check` exits 1 with a diff when golden.json is not what FastAPI answers
today. The golden file also holds the extra app's OpenAPI export and the
credentials each app's own checks accept (`accept`, by scheme name), which
the Rust test (`tests/security_agreement.rs`) configures its policy with.
"""

from __future__ import annotations

import base64
import difflib
import json
import sys
import warnings
from pathlib import Path
from typing import Annotated

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "fastapi-app"))

import fastapi  # noqa: E402
from fastapi import Depends, FastAPI, HTTPException, Request  # noqa: E402
from fastapi.security import (  # noqa: E402
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBearer,
    HTTPDigest,
    OAuth2AuthorizationCodeBearer,
    OpenIdConnect,
)
from fastapi.testclient import TestClient  # noqa: E402

import app as coverage  # noqa: E402

GOLDEN = Path(__file__).with_name("golden.json")

# --------------------------------------------------------------------------
# The extra app: combinations the Coverage API does not have
# --------------------------------------------------------------------------

EXTRA_TOKEN = "extra-token"
EXTRA_KEY = "extra-key"

extra = FastAPI(title="Security extra", version="1.0.0")

bearer = HTTPBearer()
bearer_optional = HTTPBearer(auto_error=False)
key_header = APIKeyHeader(name="X-API-Key")
key_header_optional = APIKeyHeader(name="X-API-Key", auto_error=False)
key_query = APIKeyQuery(name="api_key")
digest = HTTPDigest()
oidc = OpenIdConnect(openIdConnectUrl="https://example.com/.well-known/openid-configuration")
code = OAuth2AuthorizationCodeBearer(authorizationUrl="authorize", tokenUrl="token")


def invalid_token() -> HTTPException:
    return HTTPException(401, "Invalid token", headers={"WWW-Authenticate": "Bearer"})


def invalid_key() -> HTTPException:
    return HTTPException(401, "Invalid API key")


def check_token(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> None:
    if credentials.credentials != EXTRA_TOKEN:
        raise invalid_token()


def check_key(key: Annotated[str, Depends(key_header)]) -> None:
    if key != EXTRA_KEY:
        raise invalid_key()


def either(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_optional)],
    key: Annotated[str | None, Depends(key_header_optional)],
) -> None:
    """`[{"HTTPBearer": []}, {"APIKeyHeader": []}]`, an alternative: the first
    alternative presented and accepted wins; else the first one presented but
    refused by the service says why; else the first one's own error."""
    refusals = []
    if credentials is not None:
        if credentials.credentials == EXTRA_TOKEN:
            return
        refusals.append(invalid_token())
    if key is not None:
        if key == EXTRA_KEY:
            return
        refusals.append(invalid_key())
    if refusals:
        raise refusals[0]
    raise bearer.make_not_authenticated_error()


async def both(request: Request) -> None:
    """`[{"HTTPBearer": [], "APIKeyHeader": []}]`: each scheme in order, each
    checked by the service before the next is read."""
    credentials = await bearer(request)
    if credentials.credentials != EXTRA_TOKEN:
        raise invalid_token()
    if await key_header(request) != EXTRA_KEY:
        raise invalid_key()


def maybe_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_optional)],
) -> str | None:
    """`[{"HTTPBearer": []}, {}]`: optional; a bad token is anonymous."""
    if credentials is not None and credentials.credentials == EXTRA_TOKEN:
        return "alice"
    return None


async def global_key(request: Request) -> None:
    """The document's `security: [{"APIKeyQuery": []}]`."""
    if await key_query(request) != EXTRA_KEY:
        raise invalid_key()


@extra.get("/or", dependencies=[Depends(either)])
def or_route() -> dict:
    return {"ok": True}


@extra.get(
    "/and",
    dependencies=[Depends(both)],
    openapi_extra={"security": [{"HTTPBearer": [], "APIKeyHeader": []}]},
)
def and_route() -> dict:
    return {"ok": True}


@extra.get("/optional", openapi_extra={"security": [{}]})
def optional_route(user: Annotated[str | None, Depends(maybe_user)]) -> dict:
    return {"user": user}


@extra.get("/global", dependencies=[Depends(global_key)])
def global_route() -> dict:
    return {"ok": True}


@extra.get("/public", openapi_extra={"security": []})
def public_route() -> dict:
    return {"ok": True}


@extra.get("/two-dependencies", dependencies=[Depends(check_token), Depends(check_key)])
def two_dependencies() -> dict:
    """FastAPI exports two security dependencies as two alternatives
    (`[{"HTTPBearer": []}, {"APIKeyHeader": []}]`) but requires both."""
    return {"ok": True}


@extra.get("/digest")
def digest_route(credentials: Annotated[HTTPAuthorizationCredentials, Depends(digest)]) -> dict:
    return {"scheme": credentials.scheme}


@extra.get("/oidc")
def oidc_route(authorization: Annotated[str, Depends(oidc)]) -> dict:
    return {"authorization": authorization}


@extra.get("/code")
def code_route(token: Annotated[str, Depends(code)]) -> dict:
    return {"token": token}


def extra_openapi() -> dict:
    schema = extra.openapi()
    # FastAPI never writes a document-wide requirement; this app enforces one
    # on /global (and /public opts out with `security: []`)
    schema["security"] = [{"APIKeyQuery": []}]
    schema["components"]["securitySchemes"]["APIKeyQuery"] = {
        "type": "apiKey", "in": "query", "name": "api_key"}
    return schema


# --------------------------------------------------------------------------
# The cases: (name, app, method, path template, url, headers, semantics)
# --------------------------------------------------------------------------


def b64(text: bytes) -> str:
    return base64.b64encode(text).decode()


JOB = ("GET", "/jobs/{job_id}", "/jobs/999")
ME = ("GET", "/users/me", "/users/me")
NOTE = ("DELETE", "/items/{item_id}/notes/{note_id}",
        "/items/00000000-0000-0000-0000-000000000000/notes/1")
CSV = ("GET", "/files/items.csv", "/files/items.csv")
SESSION = ("GET", "/session", "/session")
LOGIN = ("POST", "/session", "/session")

# filled in by build(): the token and session the Coverage API issues
TOKEN = "{token}"
SESSION_ID = "{session}"
ALICE = b64(b"alice:secret")


def coverage_cases() -> list:
    a = "Authorization"
    return [
        # HTTPBearer
        ("bearer-missing", JOB, []),
        ("bearer-valid", JOB, [(a, f"Bearer {TOKEN}")]),
        ("bearer-lowercase-scheme", JOB, [(a, f"bearer {TOKEN}")]),
        ("bearer-basic-scheme", JOB, [(a, f"Basic {ALICE}")]),
        ("bearer-scheme-only", JOB, [(a, "Bearer")]),
        ("bearer-scheme-and-space", JOB, [(a, "Bearer ")]),
        ("bearer-unknown-token", JOB, [(a, "Bearer wrong")]),
        ("bearer-double-space", JOB, [(a, f"Bearer  {TOKEN}")]),
        ("bearer-other-scheme", JOB, [(a, f"Token {TOKEN}")]),
        ("bearer-empty-header", JOB, [(a, "")]),
        ("bearer-no-scheme", JOB, [(a, TOKEN)]),
        ("bearer-token-with-space", JOB, [(a, f"Bearer {TOKEN} extra")]),
        ("bearer-tab-separator", JOB, [(a, f"Bearer\t{TOKEN}")]),
        ("bearer-lowercase-header-name", JOB, [("authorization", f"Bearer {TOKEN}")]),
        # OAuth2PasswordBearer
        ("oauth2-missing", ME, []),
        ("oauth2-valid", ME, [(a, f"Bearer {TOKEN}")]),
        ("oauth2-basic-scheme", ME, [(a, f"Basic {ALICE}")]),
        ("oauth2-scheme-and-space", ME, [(a, "Bearer ")]),
        ("oauth2-scheme-only", ME, [(a, "Bearer")]),
        ("oauth2-uppercase-scheme", ME, [(a, f"BEARER {TOKEN}")]),
        ("oauth2-unknown-token", ME, [(a, "Bearer nope")]),
        ("oauth2-tab-separator", ME, [(a, f"Bearer\t{TOKEN}")]),
        ("oauth2-empty-header", ME, [(a, "")]),
        # APIKeyHeader
        ("header-key-missing", NOTE, []),
        ("header-key-valid", NOTE, [("X-API-Key", "coverage-api-key")]),
        ("header-key-lowercase-name", NOTE, [("x-api-key", "coverage-api-key")]),
        ("header-key-empty", NOTE, [("X-API-Key", "")]),
        ("header-key-wrong", NOTE, [("X-API-Key", "wrong")]),
        ("header-key-in-authorization", NOTE, [(a, "Bearer coverage-api-key")]),
        ("header-key-twice-first-counts", NOTE,
         [("X-API-Key", "coverage-api-key"), ("X-API-Key", "wrong")]),
        # APIKeyQuery
        ("query-key-missing", CSV, []),
        ("query-key-valid", CSV, [], "api_key=coverage-api-key"),
        ("query-key-empty", CSV, [], "api_key="),
        ("query-key-bare-name", CSV, [], "api_key"),
        ("query-key-wrong", CSV, [], "api_key=wrong"),
        ("query-key-percent-encoded", CSV, [], "api_key=coverage%2Dapi%2dkey"),
        ("query-key-last-wins", CSV, [], "api_key=wrong&api_key=coverage-api-key"),
        ("query-key-last-wins-wrong", CSV, [], "api_key=coverage-api-key&api_key=wrong"),
        ("query-key-name-case", CSV, [], "API_KEY=coverage-api-key"),
        ("query-key-plus-is-space", CSV, [], "api_key=coverage+api+key"),
        ("query-key-in-header", CSV, [("X-API-Key", "coverage-api-key")]),
        ("query-key-among-others", CSV, [], "x=1&&api_key=coverage-api-key&y"),
        # APIKeyCookie
        ("cookie-missing", SESSION, []),
        ("cookie-valid", SESSION, [("Cookie", f"session={SESSION_ID}")]),
        ("cookie-among-others", SESSION, [("Cookie", f"theme=dark; session={SESSION_ID}; x=1")]),
        ("cookie-empty", SESSION, [("Cookie", "session=")]),
        ("cookie-unknown", SESSION, [("Cookie", "session=bogus")]),
        ("cookie-quoted", SESSION, [("Cookie", f'session="{SESSION_ID}"')]),
        ("cookie-name-case", SESSION, [("Cookie", f"Session={SESSION_ID}")]),
        ("cookie-spaces", SESSION, [("Cookie", f" session = {SESSION_ID} ;")]),
        ("cookie-last-wins", SESSION, [("Cookie", f"session={SESSION_ID}; session=bogus")]),
        ("cookie-as-header", SESSION, [("session", SESSION_ID)]),
        # HTTPBasic
        ("basic-missing", LOGIN, []),
        ("basic-valid", LOGIN, [(a, f"Basic {ALICE}")]),
        ("basic-lowercase-scheme", LOGIN, [(a, f"basic {ALICE}")]),
        ("basic-wrong-password", LOGIN, [(a, f"Basic {b64(b'alice:wrong')}")]),
        ("basic-unknown-user", LOGIN, [(a, f"Basic {b64(b'mallory:secret')}")]),
        ("basic-bearer-scheme", LOGIN, [(a, f"Bearer {TOKEN}")]),
        ("basic-scheme-only", LOGIN, [(a, "Basic")]),
        ("basic-not-base64", LOGIN, [(a, "Basic !!!")]),
        ("basic-missing-padding", LOGIN, [(a, "Basic " + b64(b"bob:hunter2").rstrip("="))]),
        ("basic-one-extra-character", LOGIN, [(a, f"Basic {ALICE}A")]),
        ("basic-no-colon", LOGIN, [(a, f"Basic {b64(b'alice')}")]),
        ("basic-noise-ignored", LOGIN, [(a, f"Basic {ALICE[:4]}*{ALICE[4:]}")]),
        ("basic-not-ascii", LOGIN, [(a, f"Basic {b64(bytes([0xff]) + b'alice:secret')}")]),
        ("basic-empty-user-and-password", LOGIN, [(a, f"Basic {b64(b':')}")]),
        ("basic-excess-padding", LOGIN, [(a, f"Basic {ALICE}==")]),
        ("basic-data-after-padding", LOGIN, [(a, f"Basic {b64(b'bob:hunter2')}QUFB")]),
        ("basic-double-space", LOGIN, [(a, f"Basic  {ALICE}")]),
        ("basic-colon-in-password", LOGIN, [(a, f"Basic {b64(b'alice:sec:ret')}")]),
    ]


def extra_cases() -> list:
    a = "Authorization"
    good = (a, f"Bearer {EXTRA_TOKEN}")
    bad = (a, "Bearer wrong")
    key = ("X-API-Key", EXTRA_KEY)
    bad_key = ("X-API-Key", "wrong")
    OR = ("GET", "/or", "/or")
    AND = ("GET", "/and", "/and")
    OPT = ("GET", "/optional", "/optional")
    GLOBAL = ("GET", "/global", "/global")
    PUBLIC = ("GET", "/public", "/public")
    TWO = ("GET", "/two-dependencies", "/two-dependencies")
    DIGEST = ("GET", "/digest", "/digest")
    OIDC = ("GET", "/oidc", "/oidc")
    CODE = ("GET", "/code", "/code")
    return [
        ("or-none", OR, []),
        ("or-first", OR, [good]),
        ("or-second", OR, [key]),
        ("or-bad-first-good-second", OR, [bad, key]),
        ("or-bad-first-only", OR, [bad]),
        ("or-bad-second-only", OR, [bad_key]),
        ("or-both-bad", OR, [bad, bad_key]),
        ("or-other-scheme", OR, [(a, f"Basic {ALICE}")]),
        ("or-other-scheme-good-second", OR, [(a, f"Basic {ALICE}"), key]),
        ("and-none", AND, []),
        ("and-first-only", AND, [good]),
        ("and-second-only", AND, [key]),
        ("and-both", AND, [good, key]),
        ("and-bad-second", AND, [good, bad_key]),
        ("and-bad-first", AND, [bad, key]),
        ("optional-none", OPT, []),
        ("optional-good", OPT, [good]),
        ("optional-bad", OPT, [bad]),
        ("global-none", GLOBAL, []),
        ("global-good", GLOBAL, [], f"api_key={EXTRA_KEY}"),
        ("global-bad", GLOBAL, [], "api_key=nope"),
        ("public-none", PUBLIC, []),
        ("two-dependencies-none", TWO, [], None, "fastapi"),
        ("two-dependencies-first-only", TWO, [good], None, "fastapi"),
        ("two-dependencies-second-only", TWO, [key], None, "fastapi"),
        ("two-dependencies-both", TWO, [good, key], None, "fastapi"),
        ("two-dependencies-bad-second", TWO, [good, bad_key], None, "fastapi"),
        ("digest-missing", DIGEST, []),
        ("digest-any", DIGEST, [(a, "Digest username=alice")]),
        ("digest-bearer", DIGEST, [(a, "Bearer abc")]),
        ("digest-scheme-only", DIGEST, [(a, "Digest")]),
        ("oidc-missing", OIDC, []),
        ("oidc-anything", OIDC, [(a, "whatever")]),
        ("code-missing", CODE, []),
        ("code-any", CODE, [(a, "Bearer abc")]),
        ("code-basic", CODE, [(a, f"Basic {ALICE}")]),
    ]


def answer(clients: dict, app: str, case: tuple, values: dict) -> dict:
    name, (method, path, url), headers, *rest = case
    query = rest[0] if rest else None
    semantics = rest[1] if len(rest) > 1 else "openapi"
    headers = [(k, v.format(**values)) for k, v in headers]
    client = clients[app]
    client.cookies.clear()
    target = url + (f"?{query}" if query is not None else "")
    body = {"action": "reindex"} if method == "POST" and path == "/jobs" else None
    response = client.request(method, target, headers=headers, json=body)
    out = {
        "name": name,
        "app": app,
        "method": method.lower(),
        "path": path,
        "query": query,
        "headers": [list(h) for h in headers],
        "semantics": semantics,
        "status": response.status_code,
    }
    if response.status_code in (401, 403):
        out["body"] = response.json()
        out["www_authenticate"] = response.headers.get("www-authenticate")
    return out


def build() -> dict:
    clients = {"coverage": TestClient(coverage.app), "extra": TestClient(extra)}
    cov = clients["coverage"]
    cov.post("/reset")
    token = cov.post("/auth/token", data={"username": "alice", "password": "secret"}).json()[
        "access_token"]
    session = cov.post("/session", auth=("alice", "secret")).json()["session"]
    values = {"token": token, "session": session}
    cases = [("coverage", c) for c in coverage_cases()] + [("extra", c) for c in extra_cases()]
    names = [c[1][0] for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"duplicate case names: {duplicates}")
    return {
        "comment": "written by corpus.py --write; do not edit by hand",
        "fastapi": fastapi.__version__,
        "accept": {
            "coverage": {
                "HTTPBearer": [token],
                "OAuth2PasswordBearer": [token],
                "APIKeyHeader": [coverage.API_KEY],
                "APIKeyQuery": [coverage.API_KEY],
                "APIKeyCookie": [session],
                "HTTPBasic": ["alice:secret", "bob:hunter2"],
            },
            "extra": {
                "HTTPBearer": [EXTRA_TOKEN],
                "APIKeyHeader": [EXTRA_KEY],
                "APIKeyQuery": [EXTRA_KEY],
            },
        },
        "extra_openapi": extra_openapi(),
        "cases": [answer(clients, app, case, values) for app, case in cases],
    }


def render(golden: dict) -> str:
    return json.dumps(golden, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    text = render(build())
    if mode == "--write":
        GOLDEN.write_text(text, encoding="utf-8")
        print(f"wrote {GOLDEN.relative_to(ROOT)}")
        return 0
    if mode == "--check":
        old = GOLDEN.read_text(encoding="utf-8") if GOLDEN.exists() else ""
        if old == text:
            return 0
        sys.stdout.writelines(difflib.unified_diff(
            old.splitlines(True), text.splitlines(True), str(GOLDEN), "FastAPI today"))
        print(f"error: {GOLDEN.relative_to(ROOT)} is not what FastAPI answers today "
              "(run corpus.py --write to update)", file=sys.stderr)
        return 1
    print("usage: corpus.py [--write|--check]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
