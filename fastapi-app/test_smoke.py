"""Smoke test of the Coverage API: every route once, through FastAPI's
TestClient (in process, no network). No pytest needed:

    target/fastapi-venv/bin/python fastapi-app/test_smoke.py
    scripts/fastapi-app python fastapi-app/test_smoke.py

Prints `N passed, M failed` last and exits non-zero when anything failed.
"""

from __future__ import annotations

import hashlib
import json
import sys
import traceback
import warnings
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Starlette 1.x prefers the `httpx2` fork for its TestClient and warns when it
# finds only `httpx`; the pinned `httpx` works, so keep the output clean.
warnings.filterwarnings("ignore", message=".*httpx2.*")

from fastapi.testclient import TestClient  # noqa: E402

import app as app_module  # noqa: E402

API_KEY = app_module.API_KEY
KEY = {"X-API-Key": API_KEY}

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


HIT: set[tuple[str, str]] = set()  # (method, path template) of every routed request


async def recording_app(scope, receive, send):
    """The app, noting which route served each request (FastAPI puts the
    matched route into the scope)."""
    try:
        await app_module.app(scope, receive, send)
    finally:
        route = scope.get("route")
        if scope["type"] == "http" and route is not None:
            HIT.add((scope["method"], route.path))


def client() -> TestClient:
    c = TestClient(recording_app)
    assert c.post("/reset").status_code == 204
    return c


def expect(response, code: int):
    assert response.status_code == code, (
        f"{response.request.method} {response.request.url}: "
        f"expected {code}, got {response.status_code}: {response.text[:300]}"
    )
    return response


def login(c: TestClient, username: str = "alice", password: str = "secret") -> str:
    r = expect(c.post("/auth/token", data={"username": username, "password": password}), 200)
    body = r.json()
    assert body["token_type"] == "bearer"
    return body["access_token"]


ITEM = {
    "name": "Widget",
    "sku": "AB-123",
    "price": "10.00",
    "tax": 20,
    "tags": ["tools", "blue"],
    "dimensions": [2.5, 4.0],
    "location": [7, "C"],
    "stock": {"north": 3, "east": 1},
    "release_date": "2024-03-01",
}


def create_item(c: TestClient, **changes) -> dict:
    return expect(c.post("/items", json={**ITEM, **changes}, headers=KEY), 201).json()


# ---- auth, users (OAuth2 password) ----------------------------------------


@test
def test_login_form_and_users():
    c = client()
    expect(c.post("/auth/token", data={"username": "alice", "password": "wrong"}), 401)
    expect(c.post("/auth/token", json={"username": "alice", "password": "secret"}), 422)
    token = login(c)
    auth = {"Authorization": f"Bearer {token}"}
    me = expect(c.get("/users/me", headers=auth), 200).json()
    assert me["username"] == "alice" and me["birthday"] == "1990-05-04"
    assert expect(c.get("/users/2", headers=auth), 200).json()["username"] == "bob"
    expect(c.get("/users/99", headers=auth), 404)
    expect(c.get("/users/0", headers=auth), 422)
    expect(c.get("/users/me"), 401)
    expect(c.get("/users/me", headers={"Authorization": "Bearer nope"}), 401)


# ---- session (HTTP basic, cookie API key) ---------------------------------


@test
def test_basic_login_and_cookie_session():
    c = client()
    expect(c.post("/session", auth=("alice", "bad")), 401)
    expect(c.post("/session"), 401)
    r = expect(c.post("/session", auth=("bob", "hunter2")), 200)
    session = r.json()["session"]
    assert r.cookies.get("session") == session
    c.cookies.set("session", session)
    assert expect(c.get("/session"), 200).json()["username"] == "bob"
    expect(c.delete("/session"), 204)
    expect(c.get("/session"), 401)


# ---- items CRUD (X-API-Key header), query parameters -----------------------


@test
def test_item_crud():
    c = client()
    expect(c.post("/items", json=ITEM), 401)
    expect(c.post("/items", json=ITEM, headers={"X-API-Key": "wrong"}), 401)
    item = create_item(c)
    assert item["price_with_tax"] == "12.00", item
    assert item["stock"] == {"north": 3, "east": 1}
    assert item["created_at"] == "2024-01-01T00:01:00Z"
    item_id = item["id"]

    assert expect(c.get(f"/items/{item_id}"), 200).json() == item
    expect(c.get("/items/00000000-0000-0000-0000-000000000000"), 404)
    expect(c.get("/items/not-a-uuid"), 422)

    replaced = expect(
        c.put(f"/items/{item_id}", json={**ITEM, "name": "Gadget", "tax": None}, headers=KEY), 200
    ).json()
    assert replaced["name"] == "Gadget" and replaced["price_with_tax"] == "10.00"
    assert replaced["updated_at"] is not None

    patched = expect(c.patch(f"/items/{item_id}", json={"status": "published"}, headers=KEY), 200)
    patched = patched.json()
    assert patched["status"] == "published" and patched["name"] == "Gadget"
    assert patched["tags"] == ["tools", "blue"]  # untouched: exclude_unset merge
    expect(c.patch(f"/items/{item_id}", json={"sku": "bad"}, headers=KEY), 422)

    expect(c.delete(f"/items/{item_id}", headers=KEY), 204)
    expect(c.get(f"/items/{item_id}"), 404)
    expect(c.delete(f"/items/{item_id}", headers=KEY), 404)


@test
def test_item_validation_and_list_query():
    c = client()
    expect(c.post("/items", json={**ITEM, "sku": "A-1"}, headers=KEY), 422)
    expect(c.post("/items", json={**ITEM, "price": 0}, headers=KEY), 422)
    expect(c.post("/items", json={**ITEM, "stock": {"west": 1}}, headers=KEY), 422)
    expect(c.post("/items", json={**ITEM, "location": [1, "A", 2]}, headers=KEY), 422)
    valid = expect(c.post("/items/validate", json=ITEM), 200).json()
    assert valid["price_with_tax"] == "12.00" and "id" not in valid

    create_item(c, name="Alpha", tags=["a", "x"], price="5")
    create_item(c, name="Beta", tags=["b", "x"], price="50", status="published")
    create_item(c, name="Gamma", tags=["a"], price="500")

    def names(**params):
        return [i["name"] for i in expect(c.get("/items", params=params), 200).json()["items"]]

    assert names() == ["Alpha", "Beta", "Gamma"]
    assert names(tags=["a"]) == ["Alpha", "Gamma"]
    assert names(tags=["a", "x"]) == ["Alpha"]
    assert names(status="published") == ["Beta"]
    assert names(q="amm") == ["Gamma"]
    assert names(min_price=10, max_price=500) == ["Beta"]
    assert names(sort="desc", limit=2) == ["Gamma", "Beta"]
    assert names(offset=2) == ["Gamma"]
    page = expect(c.get("/items", params={"limit": 1}), 200).json()
    assert page["total"] == 3 and page["limit"] == 1
    expect(c.get("/items", params={"limit": 0}), 422)
    expect(c.get("/items", params={"limit": 101}), 422)
    expect(c.get("/items", params={"offset": -1}), 422)
    expect(c.get("/items", params={"q": "a"}), 422)
    expect(c.get("/items", params={"sort": "sideways"}), 422)
    expect(c.get("/items", params={"max_price": 1000000}), 422)

    legacy = expect(c.get("/legacy/items", params={"limit": 2}), 200).json()
    assert [i["title"] for i in legacy] == ["Alpha", "Beta"] and legacy[0]["cost"] == 5.0


# ---- raw bodies, binary 200/204, HTML -------------------------------------


@test
def test_text_plain_and_octet_stream_bodies():
    c = client()
    item_id = create_item(c)["id"]
    r = c.put(
        f"/items/{item_id}/description",
        content="A very fine widget",
        headers={**KEY, "Content-Type": "text/plain; charset=utf-8"},
    )
    assert expect(r, 200).json()["words"] == 4
    assert c.get(f"/items/{item_id}").json()["description"] == "A very fine widget"
    expect(
        c.put(f"/items/{item_id}/description", json="x", headers=KEY),
        415,
    )

    expect(c.get(f"/items/{item_id}/image"), 204)
    data = bytes(range(256)) * 4
    r = c.put(
        f"/items/{item_id}/image",
        content=data,
        headers={**KEY, "Content-Type": "application/octet-stream"},
    )
    info = expect(r, 200).json()
    assert info["size"] == 1024 and info["sha256"] == hashlib.sha256(data).hexdigest()
    r = expect(c.get(f"/items/{item_id}/image"), 200)
    assert r.content == data and r.headers["content-type"] == "application/octet-stream"
    assert c.get(f"/items/{item_id}").json()["has_image"] is True

    r = expect(c.get(f"/items/{item_id}/card"), 200)
    assert r.headers["content-type"].startswith("text/html") and "<h1>Widget</h1>" in r.text
    expect(c.get("/items/00000000-0000-0000-0000-000000000000/card"), 404)


# ---- nested resource -------------------------------------------------------


@test
def test_notes():
    c = client()
    item_id = create_item(c)["id"]
    n1 = expect(c.post(f"/items/{item_id}/notes", json={"text": "first"}, headers=KEY), 201).json()
    n2 = expect(
        c.post(
            f"/items/{item_id}/notes",
            json={"text": "second", "pinned": True, "attachment": "raw"},
            headers=KEY,
        ),
        201,
    ).json()
    assert (n1["id"], n2["id"]) == (1, 2) and n2["attachment"] == "raw"
    assert len(expect(c.get(f"/items/{item_id}/notes"), 200).json()) == 2
    pinned = expect(c.get(f"/items/{item_id}/notes", params={"pinned": True}), 200).json()
    assert [n["text"] for n in pinned] == ["second"]
    assert expect(c.get(f"/items/{item_id}/notes/1"), 200).json()["text"] == "first"
    expect(c.get(f"/items/{item_id}/notes/9"), 404)
    expect(c.delete(f"/items/{item_id}/notes/1", headers=KEY), 204)
    expect(c.get(f"/items/{item_id}/notes/1"), 404)
    expect(c.post(f"/items/{item_id}/notes", json={"text": ""}, headers=KEY), 422)


# ---- files: multipart uploads, CSV download (API key in query) -------------


@test
def test_uploads():
    c = client()
    payload = b"hello, upload\n" * 100
    r = c.post(
        "/files",
        files={"file": ("hello.txt", payload, "text/plain")},
        data={"title": "Greeting", "revision": "3"},
    )
    body = expect(r, 200).json()
    assert body["title"] == "Greeting" and body["revision"] == 3 and body["comment"] is None
    assert body["file"] == {
        "filename": "hello.txt",
        "content_type": "text/plain",
        "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    r = c.post(
        "/files",
        files={"file": ("b.bin", b"\x00\x01", "application/octet-stream")},
        data={"title": "T", "revision": "1", "comment": "binary"},
    )
    assert expect(r, 200).json()["comment"] == "binary"
    expect(c.post("/files", files={"file": ("a", b"x")}, data={"title": "T", "revision": "0"}), 422)
    expect(c.post("/files", data={"title": "T", "revision": "1"}), 422)

    r = c.post(
        "/files/batch",
        files=[
            ("files", ("a.txt", b"aaa", "text/plain")),
            ("files", ("b.png", b"\x89PNG\r\n", "image/png")),
        ],
        data={"folder": "uploads/2024"},
    )
    body = expect(r, 200).json()
    assert [f["filename"] for f in body["files"]] == ["a.txt", "b.png"]
    assert body["total_size"] == 9 and body["files"][1]["content_type"] == "image/png"
    expect(
        c.post("/files/batch", files=[("files", ("a", b"a"))], data={"folder": "Bad Folder"}), 422
    )


@test
def test_csv_file_response():
    c = client()
    create_item(c, name='Say "hi"')
    expect(c.get("/files/items.csv"), 401)
    expect(c.get("/files/items.csv", params={"api_key": "wrong"}), 401)
    r = expect(c.get("/files/items.csv", params={"api_key": API_KEY}), 200)
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="items.csv"' in r.headers["content-disposition"]
    lines = r.text.splitlines()
    assert lines[0] == "id,name,sku,price,status" and '"Say ""hi"""' in lines[1], lines


# ---- pets: discriminated union ----------------------------------------------


@test
def test_pets():
    c = client()
    cat = expect(c.post("/pets", json={"kind": "cat", "name": "Tom"}), 201).json()
    assert cat == {"kind": "cat", "name": "Tom", "lives": 9, "indoor": True}
    dog = expect(c.post("/pets", json={"kind": "dog", "name": "Rex", "breed": "boxer"}), 201)
    assert dog.json()["good_boy"] is True
    expect(c.post("/pets", json={"kind": "dog", "name": "Rex"}), 409)
    expect(c.post("/pets", json={"kind": "cow", "name": "Daisy"}), 422)
    expect(c.post("/pets", json={"kind": "cat", "name": "Kit", "lives": 10}), 422)
    assert len(expect(c.get("/pets"), 200).json()) == 2
    assert [p["name"] for p in c.get("/pets", params={"kind": "dog"}).json()] == ["Rex"]
    assert expect(c.get("/pets/Tom"), 200).json()["kind"] == "cat"
    expect(c.get("/pets/Nobody"), 404)


# ---- jobs: 202, HTTP bearer, server-sent events ----------------------------


@test
def test_jobs_and_events():
    c = client()
    token = login(c)
    auth = {"Authorization": f"Bearer {token}"}
    expect(c.post("/jobs", json={"action": "reindex"}), 401)
    expect(c.post("/jobs", json={"action": "reindex"}, headers={"Authorization": "Bearer x"}), 401)
    job = expect(c.post("/jobs", json={"action": "export", "priority": 2}, headers=auth), 202)
    job = job.json()
    assert job["state"] == "queued" and job["result"] is None and job["request"]["item_ids"] == []
    expect(c.post("/jobs", json={"action": "export", "priority": 11}, headers=auth), 422)
    assert expect(c.get(f"/jobs/{job['id']}", headers=auth), 200).json() == job
    expect(c.get("/jobs/42", headers=auth), 404)

    with c.stream("GET", f"/jobs/{job['id']}/events") as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [e for e in text.split("\n\n") if e]
    assert len(events) == 3, text
    last = json.loads(events[-1].splitlines()[-1].removeprefix("data: "))
    assert last == {"job_id": job["id"], "state": "done", "progress": 100}
    expect(c.get("/jobs/42/events"), 404)


# ---- headers and cookies ------------------------------------------------------


@test
def test_headers_and_cookies():
    c = client()
    c.cookies.set("tracking_id", "trk-1")
    r = c.get("/request-info", headers={"X-Request-Id": "req-1"})
    assert expect(r, 200).json() == {
        "request_id": "req-1",
        "accept_language": None,
        "retry": 0,
        "tracking_id": "trk-1",
        "theme": None,
    }
    c.cookies.set("theme", "dark")
    r = c.get(
        "/request-info",
        headers={"X-Request-Id": "req-2", "Accept-Language": "fr-CH", "X-Retry": "2"},
    )
    body = expect(r, 200).json()
    assert body["accept_language"] == "fr-CH" and body["retry"] == 2 and body["theme"] == "dark"
    expect(c.get("/request-info"), 422)  # missing x-request-id
    expect(c.get("/request-info", headers={"X-Request-Id": "r", "X-Retry": "9"}), 422)
    bare = TestClient(recording_app)
    expect(bare.get("/request-info", headers={"X-Request-Id": "r"}), 422)  # missing cookie


# ---- trees, health ------------------------------------------------------------


@test
def test_trees_and_health():
    c = client()
    sample = expect(c.get("/trees/sample"), 200).json()
    assert sample["children"][0]["children"][0]["name"] == "a1"
    summary = expect(c.post("/trees/summary", json=sample), 200).json()
    assert summary == {"nodes": 4, "depth": 3, "leaves": ["a1", "b"], "total": 10}
    expect(c.post("/trees/summary", json={"children": []}), 422)
    r = expect(c.get("/health"), 200)
    assert r.text == "ok" and r.headers["content-type"].startswith("text/plain")


@test
def test_compound_segments():
    c = client()
    assert expect(c.get("/tiles/3/4/5.png"), 200).json() == {"z": 3, "x": 4, "y": 5, "format": "png"}
    # Starlette's greedy match: the float keeps its point
    assert expect(c.get("/points/1.5,-2.25"), 200).json() == {"lon": 1.5, "lat": -2.25}
    expect(c.get("/tiles/3/4/5.gif"), 422)
    expect(c.get("/tiles/99/4/5.png"), 422)
    expect(c.get("/points/east,2"), 422)
    expect(c.get("/points/12"), 404)


# ---- the export matches the app -------------------------------------------------


@test
def test_openapi_document():
    c = client()
    doc = expect(c.get("/openapi.json"), 200).json()
    assert doc["info"] == {
        "title": "Coverage API",
        "description": doc["info"]["description"],
        "version": "1.0.0",
    }
    schemes = doc["components"]["securitySchemes"]
    assert sorted(schemes) == sorted(
        ["HTTPBearer", "OAuth2PasswordBearer", "APIKeyHeader", "APIKeyQuery", "APIKeyCookie", "HTTPBasic"]
    )
    exported = Path(__file__).resolve().parent / "openapi.json"
    if exported.exists():
        assert json.loads(exported.read_text()) == doc, "openapi.json is stale: run scripts/fastapi-app export"


def test_every_operation_was_called():
    """Runs last: every operation of the document was requested at least once."""
    doc = app_module.app.openapi()
    wanted = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    missing = sorted(wanted - HIT)
    assert not missing, f"operations never called: {missing}"


TESTS.append(test_every_operation_was_called)


def main() -> int:
    passed = failed = 0
    for fn in TESTS:
        try:
            fn()
        except Exception:  # noqa: BLE001
            failed += 1
            print(f"FAIL {fn.__name__}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {fn.__name__}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
