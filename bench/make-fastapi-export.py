"""Writes the export of a large FastAPI service, made by FastAPI itself, for benchmarks.

The Coverage API (fastapi-app/app.py, 38 operations using every feature the
generators cover) mounted COPIES times (default 9: 342 operations) under
`/c0`, `/c1`, ...: one FastAPI application whose `app.openapi()` is the
export. FastAPI exports the same operation id in every copy where the app
sets its own (`users-read_user`, with a warning), which no generator can
take, so each such id gets its copy's prefix (`c3_users-read_user`)
afterwards; FastAPI 0.165 includes routers lazily, which leaves no route
object to name before the export. Everything else (paths, schemas, security
schemes, responses) is FastAPI's own.

Run with the Coverage API's venv:
    scripts/fastapi-app python bench/make-fastapi-export.py OUT [--copies N]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import Counter
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fastapi-app"))

from fastapi import APIRouter, FastAPI  # noqa: E402

import app as coverage  # noqa: E402


def build(copies: int) -> FastAPI:
    big = FastAPI(title=f"Coverage API x{copies}", version=coverage.app.version)
    for n in range(copies):
        router = APIRouter()
        router.include_router(coverage.app.router, prefix=f"/c{n}")
        big.include_router(router)
    return big


def export(copies: int) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate ids, renamed below
        doc = build(copies).openapi()
    operations = [
        (path.split("/")[1], operation)
        for path, item in doc["paths"].items()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    seen = Counter(operation["operationId"] for _, operation in operations)
    for copy, operation in operations:
        if seen[operation["operationId"]] > 1:
            operation["operationId"] = f"{copy}_{operation['operationId']}"
    return doc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--copies", type=int, default=9)
    args = parser.parse_args()
    doc = export(args.copies)
    Path(args.out).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    ops = sum(1 for item in doc["paths"].values() for m in item if m in {"get", "put", "post", "delete", "patch"})
    print(f"{args.out}: {ops} operations, {len(doc['paths'])} paths, {len(doc['components']['schemas'])} schemas", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
