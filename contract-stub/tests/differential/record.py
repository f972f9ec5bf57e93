"""Records what the live Coverage API answers to one sequence of requests,
for the contract stub's differential test (contract-stub/tests/differential.rs).

Starts the app under uvicorn on 127.0.0.1 (a free port), sends every step of
STEPS in order with httpx, and writes each request with FastAPI's answer
(status, content type, body) to `answers.json` beside this file.

A step may refer to an earlier answer: `{s3.id}` in a path, a query or a JSON
body is field `id` of step 3's JSON answer, so that the replay can use the
stub's own server-chosen ids.

    python record.py --write    rewrite answers.json
    python record.py --check    exit 1 with a diff when answers.json is stale
Run with the Coverage API's venv: `scripts/fastapi-app python <this file> ...`.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
APP_DIR = HERE.parent.parent.parent / "fastapi-app"
OUT = HERE / "answers.json"

KEY = {"X-API-Key": "coverage-api-key"}
ITEM = {"name": "Desk lamp", "sku": "AB-1", "price": "12.50", "tags": ["home", "light"]}
ITEM2 = {"name": "Office chair", "sku": "CD-22", "price": 99, "status": "published", "tax": 20}

# (method, path, options): options may hold query, headers, json, data, content
STEPS: list[tuple[str, str, dict]] = [
    ("POST", "/reset", {}),
    # routing
    ("GET", "/nowhere", {}),
    ("DELETE", "/pets", {}),
    # items: create, list, read, update, replace, delete
    ("POST", "/items", {"headers": KEY, "json": ITEM}),
    ("GET", "/items/{s3.id}", {}),
    ("POST", "/items", {"headers": KEY, "json": ITEM2}),
    ("GET", "/items", {}),
    ("GET", "/items", {"query": {"limit": "1"}}),
    ("GET", "/items", {"query": {"offset": "1", "limit": "5"}}),
    ("GET", "/items", {"query": {"status": "published"}}),
    ("PATCH", "/items/{s3.id}", {"headers": KEY, "json": {"description": "Bright", "tax": None}}),
    ("PATCH", "/items/{s3.id}", {"headers": KEY, "json": {"name": "Lamp"}}),
    ("GET", "/items/{s3.id}", {}),
    ("PUT", "/items/{s5.id}", {"headers": KEY, "json": {"name": "Chair", "sku": "CD-23", "price": "80"}}),
    ("DELETE", "/items/{s5.id}", {"headers": KEY}),
    ("GET", "/items/{s5.id}", {}),
    ("DELETE", "/items/{s5.id}", {"headers": KEY}),
    ("GET", "/items", {}),
    # items: invalid requests
    ("POST", "/items", {"headers": KEY, "json": {"name": "", "sku": "x", "price": "high"}}),
    ("POST", "/items", {"headers": KEY, "json": {"sku": "AB-1", "price": 0}}),
    ("POST", "/items", {"headers": KEY, "json": [1, 2]}),
    ("POST", "/items", {"headers": {**KEY, "content-type": "application/json"}, "content": b'{"name": '}),
    ("POST", "/items", {"headers": KEY, "json": {**ITEM, "tax": 101, "tags": "x"}}),
    ("GET", "/items/not-a-uuid", {}),
    ("GET", "/items", {"query": {"limit": "0"}}),
    ("GET", "/items", {"query": {"limit": "many", "offset": "-1"}}),
    ("GET", "/items", {"query": {"status": "lost"}}),
    ("PATCH", "/items/{s3.id}", {"headers": KEY, "json": {"price": -1}}),
    ("GET", "/items/{s3.id}", {}),
    # nested: notes
    ("POST", "/items/{s3.id}/notes", {"headers": KEY, "json": {"text": "first"}}),
    ("POST", "/items/{s3.id}/notes", {"headers": KEY, "json": {"text": "second", "pinned": True}}),
    ("GET", "/items/{s3.id}/notes", {}),
    ("GET", "/items/{s3.id}/notes/{s30.id}", {}),
    ("DELETE", "/items/{s3.id}/notes/{s30.id}", {"headers": KEY}),
    ("GET", "/items/{s3.id}/notes", {}),
    ("GET", "/items/{s3.id}/notes/0", {}),
    ("POST", "/items/{s3.id}/notes", {"headers": KEY, "json": {"text": ""}}),
    # pets: a discriminated union with a client-chosen id
    ("POST", "/pets", {"json": {"kind": "cat", "name": "Tom"}}),
    ("POST", "/pets", {"json": {"kind": "dog", "name": "Rex", "breed": "collie"}}),
    ("GET", "/pets", {}),
    ("GET", "/pets/Tom", {}),
    ("GET", "/pets/Felix", {}),
    ("POST", "/pets", {"json": {"kind": "bird", "name": "Tweety"}}),
    ("POST", "/pets", {"json": {"name": "Nobody"}}),
    ("POST", "/pets", {"json": {"kind": "cat", "name": "Tom", "lives": 12}}),
    # plain validation and trees
    ("POST", "/items/validate", {"json": ITEM}),
    ("POST", "/items/validate", {"json": {"name": "x"}}),
    ("POST", "/trees/summary", {"json": {"name": "root", "value": 1, "children": [{"name": "leaf", "value": 2}]}}),
    ("POST", "/trees/summary", {"json": {"name": "root", "children": [{"value": "x"}]}}),
    # headers and cookies
    ("GET", "/request-info", {"headers": {"x-request-id": "abc", "cookie": "tracking_id=t1"}}),
    ("GET", "/request-info", {"headers": {"cookie": "tracking_id=t1"}}),
    ("GET", "/request-info", {"headers": {"x-request-id": "abc", "x-retry": "9", "cookie": "theme=neon"}}),
    # the rest
    ("GET", "/health", {}),
    ("GET", "/legacy/items", {"query": {"limit": "x"}}),
]

STEP_REF = re.compile(r"\{s(\d+)\.([A-Za-z_]+)\}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def substitute(value, answers):
    """Replaces `{sN.field}` with field of step N's JSON answer."""
    if isinstance(value, str):
        return STEP_REF.sub(lambda m: str(answers[int(m.group(1))]["json"][m.group(2)]), value)
    if isinstance(value, dict):
        return {k: substitute(v, answers) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, answers) for v in value]
    return value


def record(base: str) -> list[dict]:
    out = []
    answers = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for method, path, options in STEPS:
            request = {"method": method, "path": path}
            kwargs = {}
            if "query" in options:
                request["query"] = options["query"]
                kwargs["params"] = substitute(options["query"], answers)
            if "headers" in options:
                request["headers"] = options["headers"]
                kwargs["headers"] = options["headers"]
            if "json" in options:
                request["json"] = options["json"]
                kwargs["json"] = substitute(options["json"], answers)
            if "content" in options:
                request["content"] = options["content"].decode()
                kwargs["content"] = options["content"]
            response = client.request(method, substitute(path, answers), **kwargs)
            content_type = response.headers.get("content-type")
            answer = {"status": response.status_code, "content_type": content_type}
            if response.content and content_type and content_type.startswith("application/json"):
                answer["json"] = response.json()
            else:
                answer["text"] = response.text
            answers.append(answer)
            out.append({"request": request, "answer": answer})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    args = parser.parse_args()
    port = free_port()
    # under scripts/supervise: uvicorn ends with this script however it ends
    supervise = os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts", "supervise")
    server = subprocess.Popen(
        [sys.executable, os.path.abspath(supervise), sys.executable, "-m", "uvicorn", "app:app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=APP_DIR,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        stdin=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{base}/health", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        text = json.dumps(record(base), indent=1) + "\n"
    finally:
        server.terminate()
        server.wait(timeout=10)
    if args.write:
        OUT.write_text(text, encoding="utf-8")
        return 0
    old = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
    if old == text:
        return 0
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), "answers.json (committed)", "answers.json (FastAPI now)"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
