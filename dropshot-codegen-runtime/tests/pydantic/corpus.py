"""The truth for `dropshot_codegen_runtime::validate`: what FastAPI 0.165 +
pydantic 2.14 answer for JSON request bodies.

Sends every body of CASES through FastAPI's `TestClient` (in-process) to the
Coverage API (`fastapi-app/app.py`) and to the small `extra` app below (shapes
the Coverage API lacks: `extra="forbid"`, `multiple_of`, `lt`, plain unions,
datetimes, top-level lists and maps), and records FastAPI's answer: the 422
body's `detail`, or for an accepted body the validated value as pydantic dumps
it in JSON mode (computed fields left out), which is what the validator must
return; for a 422 also the body's bytes as FastAPI sent them (`text`).

    scripts/fastapi-app python dropshot-codegen-runtime/tests/pydantic/corpus.py --write
    scripts/fastapi-app python dropshot-codegen-runtime/tests/pydantic/corpus.py --check

`--check` exits 1 with a diff when golden.json is not what FastAPI answers
today. The golden file also holds the extra app's OpenAPI export, which the
Rust test (`tests/pydantic_agreement.rs`) lowers as it lowers
`fastapi-app/openapi.json`.
"""

from __future__ import annotations

import difflib
import json
import sys
import uuid
import warnings
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, get_type_hints

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "fastapi-app"))

import fastapi  # noqa: E402
import pydantic  # noqa: E402
from fastapi import Body, FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from pydantic import AnyUrl, BaseModel, ConfigDict, Field, TypeAdapter  # noqa: E402

import app as coverage  # noqa: E402

GOLDEN = Path(__file__).with_name("golden.json")

# --------------------------------------------------------------------------
# The extra app: shapes the Coverage API does not have
# --------------------------------------------------------------------------


class Color(str, Enum):
    red = "red"
    green = "green"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    a: int
    b: str = "x"


class Shapes(BaseModel):
    small: int = Field(default=0, lt=10)
    even: int = Field(default=0, multiple_of=2)
    ratio: float = Field(default=0.5, gt=0, lt=1)
    step: float = Field(default=0.5, multiple_of=0.25, ge=-1.5)
    big: int = Field(default=100, gt=5, le=1000)
    words: list[str] = Field(default=["a"], min_length=1, max_length=3)
    code: str = Field(default="ab", min_length=2, max_length=4)
    value: int | str = 0
    either: int | bool | None = None
    when: datetime | None = None
    day: date = date(2024, 1, 1)
    ident: uuid.UUID | None = None
    meta: dict[str, int] = {}
    strict: Strict | None = None
    stricts: list[Strict] = []
    flag: bool = False
    choice: Literal["a", "b"] = "a"
    color: Color = Color.red
    matrix: list[list[int]] = []
    anything: Any = None
    note: str | None = None
    mix: Strict | int | None = None
    link: AnyUrl | None = None


extra = FastAPI(title="Validation extras", version="1.0.0")


@extra.post("/shapes")
def post_shapes(shapes: Shapes) -> dict:
    return {}


@extra.post("/strict")
def post_strict(strict: Strict) -> dict:
    return {}


@extra.post("/numbers")
def post_numbers(numbers: Annotated[list[int], Body()]) -> dict:
    return {}


@extra.post("/counts")
def post_counts(counts: Annotated[dict[str, float], Body()]) -> dict:
    return {}


@extra.post("/optional")
def post_optional(strict: Strict | None = None) -> dict:
    return {}


# --------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------

ITEM = {"name": "Widget", "sku": "AB-123", "price": 9.99}
PET = {"kind": "cat", "name": "Tom"}
ITEM_ID = "/items/6f1c2a52-6d1e-4c8e-9d55-0f2b9e3a7c10"


def item(**changes: Any) -> dict:
    body = dict(ITEM)
    for key, value in changes.items():
        if value is ...:
            body.pop(key)
        else:
            body[key] = value
    return body


# (name, app, method, path, body): body is the raw text when a str, else
# dumped with json.dumps
CASES: list[tuple[str, str, str, str, Any]] = [
    # ---- POST /items/validate (Item-Input) -----------------------------
    ("item valid minimal", "coverage", "post", "/items/validate", ITEM),
    ("item valid full", "coverage", "post", "/items/validate", item(
        description="d", tax=19.5, status="published", tags=["a", "b"], release_date="2024-02-29",
        dimensions=[1, 2.5], location=[3, "B2"], stock={"north": 3, "south": "4"})),
    ("item lax strings to numbers", "coverage", "post", "/items/validate", item(price="5", tax="7.5")),
    ("item int price", "coverage", "post", "/items/validate", item(price=5)),
    ("item price string decimal", "coverage", "post", "/items/validate", item(price="12.50")),
    ("item empty body", "coverage", "post", "/items/validate", ""),
    ("item json null", "coverage", "post", "/items/validate", "null"),
    ("item array body", "coverage", "post", "/items/validate", [1, 2]),
    ("item string body", "coverage", "post", "/items/validate", "\"str\""),
    ("item number body", "coverage", "post", "/items/validate", "42"),
    ("item empty object", "coverage", "post", "/items/validate", {}),
    ("item missing sku", "coverage", "post", "/items/validate", item(sku=...)),
    ("item name not string", "coverage", "post", "/items/validate", item(name=5)),
    ("item name null", "coverage", "post", "/items/validate", item(name=None)),
    ("item name empty", "coverage", "post", "/items/validate", item(name="")),
    ("item name too long", "coverage", "post", "/items/validate", item(name="x" * 101)),
    ("item description too long", "coverage", "post", "/items/validate", item(description="y" * 1001)),
    ("item description null", "coverage", "post", "/items/validate", item(description=None)),
    ("item description number", "coverage", "post", "/items/validate", item(description=3)),
    ("item sku mismatch", "coverage", "post", "/items/validate", item(sku="ab-1")),
    ("item price zero", "coverage", "post", "/items/validate", item(price=0)),
    ("item price too big", "coverage", "post", "/items/validate", item(price=1000001)),
    ("item price not decimal", "coverage", "post", "/items/validate", item(price="abc")),
    ("item price bool", "coverage", "post", "/items/validate", item(price=True)),
    ("item price list", "coverage", "post", "/items/validate", item(price=[1])),
    ("item tax negative", "coverage", "post", "/items/validate", item(tax=-1)),
    ("item tax too big", "coverage", "post", "/items/validate", item(tax=100.5)),
    ("item tax not a number", "coverage", "post", "/items/validate", item(tax="lots")),
    ("item tax bool", "coverage", "post", "/items/validate", item(tax=False)),
    ("item tax object", "coverage", "post", "/items/validate", item(tax={})),
    ("item status unknown", "coverage", "post", "/items/validate", item(status="gone")),
    ("item status number", "coverage", "post", "/items/validate", item(status=1)),
    ("item status null", "coverage", "post", "/items/validate", item(status=None)),
    ("item tags not list", "coverage", "post", "/items/validate", item(tags="a")),
    ("item tags object", "coverage", "post", "/items/validate", item(tags={"a": 1})),
    ("item tags bad entries", "coverage", "post", "/items/validate", item(tags=["a", 1, None])),
    ("item release date month", "coverage", "post", "/items/validate", item(release_date="2024-13-01")),
    ("item release date day", "coverage", "post", "/items/validate", item(release_date="2023-02-29")),
    ("item release date garbage", "coverage", "post", "/items/validate", item(release_date="soon")),
    ("item release date with time", "coverage", "post", "/items/validate", item(release_date="2024-01-02T10:00:00")),
    ("item release date midnight", "coverage", "post", "/items/validate", item(release_date="2024-01-02T00:00:00Z")),
    ("item release date number", "coverage", "post", "/items/validate", item(release_date=5)),
    ("item release date short", "coverage", "post", "/items/validate", item(release_date="2024-1-2")),
    ("item dimensions short", "coverage", "post", "/items/validate", item(dimensions=[1])),
    ("item dimensions long", "coverage", "post", "/items/validate", item(dimensions=[1, 2, 3])),
    ("item dimensions strings", "coverage", "post", "/items/validate", item(dimensions=["1.5", "x"])),
    ("item dimensions not list", "coverage", "post", "/items/validate", item(dimensions=3)),
    ("item dimensions empty", "coverage", "post", "/items/validate", item(dimensions=[])),
    ("item location swapped", "coverage", "post", "/items/validate", item(location=["B2", 3])),
    ("item location float", "coverage", "post", "/items/validate", item(location=[1.5, "a"])),
    ("item location int from string", "coverage", "post", "/items/validate", item(location=["7", "a"])),
    ("item stock bad value", "coverage", "post", "/items/validate", item(stock={"north": "x", "south": 1.5})),
    ("item stock not object", "coverage", "post", "/items/validate", item(stock=[1])),
    ("item stock string", "coverage", "post", "/items/validate", item(stock="north")),
    ("item many errors", "coverage", "post", "/items/validate", {
        "name": "", "sku": "A", "price": -1, "tax": 101, "tags": "x", "dimensions": [1],
        "location": [1.5, 2], "stock": {"north": "x"}, "release_date": "2024-13-01"}),
    ("item unknown fields ignored", "coverage", "post", "/items/validate", item(colour="red", id=5)),
    ("item duplicate key last wins", "coverage", "post", "/items/validate",
     '{"name": 1, "sku": "AB-1", "price": 1, "name": "ok"}'),
    ("item float from int-like", "coverage", "post", "/items/validate", item(tax=5)),
    # ---- malformed JSON --------------------------------------------------
    ("json unterminated object", "coverage", "post", "/items/validate", '{"name": 5'),
    ("json trailing comma", "coverage", "post", "/items/validate", '{"name": "a",}'),
    ("json single quotes", "coverage", "post", "/items/validate", "{'name': 'a'}"),
    ("json garbage", "coverage", "post", "/items/validate", "name=a"),
    ("json extra data", "coverage", "post", "/items/validate", '{"name": "a"} x'),
    ("json unterminated string", "coverage", "post", "/items/validate", '{"name": "a'),
    ("json missing colon", "coverage", "post", "/items/validate", '{"name" "a"}'),
    ("json bad escape", "coverage", "post", "/items/validate", '{"name": "a\\q"}'),
    ("json control character", "coverage", "post", "/items/validate", '{"name": "a\tb"}'),
    ("json whitespace only", "coverage", "post", "/items/validate", "   "),
    ("json non-ascii before error", "coverage", "post", "/items/validate", '{"name": "é€", x}'),
    ("json bad literal", "coverage", "post", "/items/validate", '{"name": tru}'),
    ("json array unterminated", "coverage", "post", "/items/validate", '{"tags": [1, 2'),
    # ---- POST /items (same model, behind the API key) --------------------
    ("create item valid", "coverage", "post", "/items", ITEM),
    ("create item missing all", "coverage", "post", "/items", {"description": "only"}),
    # ---- PATCH /items/{id} (ItemUpdate: every field nullable) -------------
    ("update empty", "coverage", "patch", ITEM_ID, {}),
    ("update nulls", "coverage", "patch", ITEM_ID, {"name": None, "price": None, "tags": None, "stock": None}),
    ("update name empty", "coverage", "patch", ITEM_ID, {"name": ""}),
    ("update price negative", "coverage", "patch", ITEM_ID, {"price": -5}),
    ("update price string", "coverage", "patch", ITEM_ID, {"price": "x"}),
    ("update status bad", "coverage", "patch", ITEM_ID, {"status": "old"}),
    ("update tags bad", "coverage", "patch", ITEM_ID, {"tags": [1]}),
    ("update stock bad", "coverage", "patch", ITEM_ID, {"stock": {"east": None}}),
    ("update dimensions null entry", "coverage", "patch", ITEM_ID, {"dimensions": [None, 1]}),
    ("update sku number", "coverage", "patch", ITEM_ID, {"sku": 12}),
    ("update array body", "coverage", "patch", ITEM_ID, []),
    # ---- POST /pets (discriminated union Cat | Dog) -----------------------
    ("pet cat valid", "coverage", "post", "/pets", PET),
    ("pet dog valid", "coverage", "post", "/pets", {"kind": "dog", "name": "Rex", "breed": None}),
    ("pet no kind", "coverage", "post", "/pets", {"name": "Tom"}),
    ("pet bad kind", "coverage", "post", "/pets", {"kind": "cow", "name": "Tom"}),
    ("pet kind number", "coverage", "post", "/pets", {"kind": 1, "name": "Tom"}),
    ("pet kind null", "coverage", "post", "/pets", {"kind": None, "name": "Tom"}),
    ("pet cat errors", "coverage", "post", "/pets", {"kind": "cat", "name": "", "lives": 10, "indoor": "maybe"}),
    ("pet dog errors", "coverage", "post", "/pets", {"kind": "dog", "good_boy": 2, "breed": 5}),
    ("pet cat lives string", "coverage", "post", "/pets", {"kind": "cat", "name": "T", "lives": "3"}),
    ("pet cat lives float", "coverage", "post", "/pets", {"kind": "cat", "name": "T", "lives": 3.0}),
    ("pet cat lives fraction", "coverage", "post", "/pets", {"kind": "cat", "name": "T", "lives": 3.5}),
    ("pet cat lives negative", "coverage", "post", "/pets", {"kind": "cat", "name": "T", "lives": -1}),
    ("pet bool coercions", "coverage", "post", "/pets", {"kind": "cat", "name": "T", "indoor": "yes"}),
    ("pet bool from int", "coverage", "post", "/pets", {"kind": "cat", "name": "T", "indoor": 0}),
    ("pet bool from 2", "coverage", "post", "/pets", {"kind": "cat", "name": "T", "indoor": 2}),
    ("pet bool from float", "coverage", "post", "/pets", {"kind": "cat", "name": "T", "indoor": 1.0}),
    ("pet array", "coverage", "post", "/pets", [PET]),
    ("pet string", "coverage", "post", "/pets", "\"cat\""),
    ("pet empty body", "coverage", "post", "/pets", ""),
    # ---- POST /trees/summary (recursive Node) ------------------------------
    ("tree valid", "coverage", "post", "/trees/summary",
     {"name": "r", "value": "1", "children": [{"name": "a", "children": [{"name": "b", "value": None}]}]}),
    ("tree deep errors", "coverage", "post", "/trees/summary",
     {"name": "r", "children": [{"name": "a"}, {"value": 1.5, "children": [{"name": 3, "children": {}}]}]}),
    ("tree children null", "coverage", "post", "/trees/summary", {"name": "r", "children": None}),
    ("tree child not object", "coverage", "post", "/trees/summary", {"name": "r", "children": [1, "x"]}),
    ("tree value huge", "coverage", "post", "/trees/summary", {"name": "r", "value": 1e20}),
    ("tree value big int", "coverage", "post", "/trees/summary", {"name": "r", "value": 12345678901234567890}),
    ("tree value string float", "coverage", "post", "/trees/summary", {"name": "r", "value": "1.0"}),
    ("tree value string fraction", "coverage", "post", "/trees/summary", {"name": "r", "value": "1.5"}),
    ("tree value bool", "coverage", "post", "/trees/summary", {"name": "r", "value": True}),
    ("tree value padded string", "coverage", "post", "/trees/summary", {"name": "r", "value": " 7 "}),
    ("tree value underscores", "coverage", "post", "/trees/summary", {"name": "r", "value": "1_000"}),
    # ---- POST /items/{id}/notes (NoteCreate: bytes) -----------------------
    ("note valid", "coverage", "post", ITEM_ID + "/notes", {"text": "hi", "pinned": "true", "attachment": "raw"}),
    ("note errors", "coverage", "post", ITEM_ID + "/notes", {"text": "", "pinned": "perhaps", "attachment": 5}),
    ("note text too long", "coverage", "post", ITEM_ID + "/notes", {"text": "z" * 501}),
    ("note text list", "coverage", "post", ITEM_ID + "/notes", {"text": ["a"]}),
    ("note pinned off", "coverage", "post", ITEM_ID + "/notes", {"text": "a", "pinned": "off"}),
    # ---- POST /jobs (Literal, uuid list, int bounds) -----------------------
    ("job valid", "coverage", "post", "/jobs",
     {"action": "export", "item_ids": ["6F1C2A52-6D1E-4C8E-9D55-0F2B9E3A7C10", "6f1c2a526d1e4c8e9d550f2b9e3a7c10"]}),
    ("job bad action", "coverage", "post", "/jobs", {"action": "delete"}),
    ("job action number", "coverage", "post", "/jobs", {"action": 3}),
    ("job bad uuids", "coverage", "post", "/jobs", {"action": "export", "item_ids": ["nope", 5, "6f1c2a52-6d1e-4c8e-9d55-0f2b9e3a7c1"]}),
    ("job uuid braces", "coverage", "post", "/jobs", {"action": "export", "item_ids": ["{6f1c2a52-6d1e-4c8e-9d55-0f2b9e3a7c10}"]}),
    ("job uuid urn", "coverage", "post", "/jobs", {"action": "export", "item_ids": ["urn:uuid:6f1c2a52-6d1e-4c8e-9d55-0f2b9e3a7c10"]}),
    ("job uuid bad char", "coverage", "post", "/jobs", {"action": "export", "item_ids": ["6f1c2a52-6d1e-4c8e-9d55-0f2b9e3a7c1g"]}),
    ("job priority bounds", "coverage", "post", "/jobs", {"action": "reindex", "priority": 0}),
    ("job priority high", "coverage", "post", "/jobs", {"action": "reindex", "priority": 11}),
    ("job missing action", "coverage", "post", "/jobs", {"priority": 3}),
    # ---- the extra app ----------------------------------------------------
    ("shapes defaults", "extra", "post", "/shapes", {}),
    ("shapes valid", "extra", "post", "/shapes", {
        "small": 9, "even": "4", "ratio": 0.25, "step": 1.25, "words": ["a", "b", "c"], "code": "abcd",
        "value": "5", "either": True, "when": "2024-01-02T03:04:05+01:00", "day": "2024-03-04",
        "ident": "6f1c2a52-6d1e-4c8e-9d55-0f2b9e3a7c10", "meta": {"a": 1}, "strict": {"a": "1"},
        "stricts": [{"a": 1, "b": "y"}], "flag": "on", "choice": "b", "color": "green",
        "matrix": [[1], [2, "3"]], "anything": {"x": [1]}, "note": None}),
    ("shapes less than", "extra", "post", "/shapes", {"small": 10}),
    ("shapes multiple of", "extra", "post", "/shapes", {"even": 3, "step": 0.3}),
    ("shapes float bounds", "extra", "post", "/shapes", {"ratio": 1, "step": -2}),
    ("shapes ratio zero", "extra", "post", "/shapes", {"ratio": 0}),
    ("shapes big bounds", "extra", "post", "/shapes", {"big": 5}),
    ("shapes big too big", "extra", "post", "/shapes", {"big": 1001}),
    ("shapes words too short", "extra", "post", "/shapes", {"words": []}),
    ("shapes words too long", "extra", "post", "/shapes", {"words": ["a", "b", "c", "d"]}),
    ("shapes words long and bad", "extra", "post", "/shapes", {"words": [1, "b", "c", "d"]}),
    ("shapes code bounds", "extra", "post", "/shapes", {"code": "a"}),
    ("shapes code long", "extra", "post", "/shapes", {"code": "abcde"}),
    ("shapes union list", "extra", "post", "/shapes", {"value": [1]}),
    ("shapes union float", "extra", "post", "/shapes", {"value": 1.5}),
    ("shapes union int float", "extra", "post", "/shapes", {"value": 2.0}),
    ("shapes union null", "extra", "post", "/shapes", {"value": None}),
    ("shapes union bool", "extra", "post", "/shapes", {"value": True}),
    ("shapes nullable union bad", "extra", "post", "/shapes", {"either": "maybe"}),
    ("shapes nullable union string int", "extra", "post", "/shapes", {"either": "1"}),
    ("shapes nullable union object", "extra", "post", "/shapes", {"either": {}}),
    ("shapes url relative", "extra", "post", "/shapes", {"link": "0"}),
    ("shapes url path", "extra", "post", "/shapes", {"link": "/a/b"}),
    ("shapes url empty", "extra", "post", "/shapes", {"link": ""}),
    ("shapes url valid", "extra", "post", "/shapes", {"link": "https://example.com/a"}),
    ("shapes url other scheme", "extra", "post", "/shapes", {"link": "mailto:a@example.com"}),
    ("shapes datetime bad", "extra", "post", "/shapes", {"when": "2024-01-02 25:00"}),
    ("shapes datetime garbage", "extra", "post", "/shapes", {"when": "yesterday"}),
    ("shapes datetime date only", "extra", "post", "/shapes", {"when": "2024-01-02"}),
    ("shapes datetime timestamp", "extra", "post", "/shapes", {"when": 1700000000}),
    ("shapes datetime list", "extra", "post", "/shapes", {"when": [1]}),
    ("shapes datetime utc", "extra", "post", "/shapes", {"when": "2024-01-02T03:04:05.123Z"}),
    ("shapes date bad", "extra", "post", "/shapes", {"day": "2024-02-30"}),
    ("shapes uuid bad", "extra", "post", "/shapes", {"ident": "x"}),
    ("shapes uuid number", "extra", "post", "/shapes", {"ident": 5}),
    ("shapes map bad", "extra", "post", "/shapes", {"meta": {"a": "x", "b": 2, "c": None}}),
    ("shapes map not object", "extra", "post", "/shapes", {"meta": "x"}),
    ("shapes strict extra", "extra", "post", "/shapes", {"strict": {"a": 1, "z": 2, "y": None}}),
    ("shapes strict not object", "extra", "post", "/shapes", {"strict": 5}),
    ("shapes stricts indexed", "extra", "post", "/shapes", {"stricts": [{"a": 1}, {"b": 2}, "x", {"a": "q", "c": 1}]}),
    ("shapes stricts not list", "extra", "post", "/shapes", {"stricts": {"a": 1}}),
    ("shapes flag bad", "extra", "post", "/shapes", {"flag": "nope"}),
    ("shapes flag list", "extra", "post", "/shapes", {"flag": []}),
    ("shapes choice bad", "extra", "post", "/shapes", {"choice": "c"}),
    ("shapes color bad", "extra", "post", "/shapes", {"color": "blue"}),
    ("shapes matrix bad", "extra", "post", "/shapes", {"matrix": [[1, "x"], 3, ["2"]]}),
    ("shapes note bad", "extra", "post", "/shapes", {"note": 1}),
    ("shapes tuple as list", "extra", "post", "/shapes", {"words": ["a"], "small": "9"}),
    ("shapes union of model and int", "extra", "post", "/shapes", {"mix": "x"}),
    ("shapes union model chosen", "extra", "post", "/shapes", {"mix": {"a": "3"}}),
    ("shapes datetime utc offset", "extra", "post", "/shapes", {"when": "2024-01-02T03:04:05+00:00"}),
    ("shapes datetime bad offset", "extra", "post", "/shapes", {"when": "2024-01-02T03:04:05+25:00"}),
    ("shapes datetime bad hour", "extra", "post", "/shapes", {"when": "2024-01-02T24:00:00"}),
    ("shapes bool upper case", "extra", "post", "/shapes", {"flag": "TRUE"}),
    ("shapes int underscores spaces", "extra", "post", "/shapes", {"big": " 1_0 "}),
    ("shapes float exponent string", "extra", "post", "/shapes", {"step": "1e0"}),
    ("shapes float underscore string", "extra", "post", "/shapes", {"step": "1_000.5"}),
    ("shapes code unicode", "extra", "post", "/shapes", {"code": "ééééé"}),
    ("strict extra top", "extra", "post", "/strict", {"a": 1, "extra": True}),
    ("strict missing and extra", "extra", "post", "/strict", {"extra": True}),
    ("strict valid", "extra", "post", "/strict", {"a": "12"}),
    ("optional body absent", "extra", "post", "/optional", ""),
    ("optional body null", "extra", "post", "/optional", "null"),
    ("optional body bad", "extra", "post", "/optional", {"a": "x"}),
    ("numbers valid", "extra", "post", "/numbers", [1, "2", 3.0]),
    ("numbers bad", "extra", "post", "/numbers", [1, "x", 2.5, None]),
    ("numbers not list", "extra", "post", "/numbers", {"a": 1}),
    ("numbers string", "extra", "post", "/numbers", "\"1,2\""),
    ("counts valid", "extra", "post", "/counts", {"a": 1, "b": "2.5"}),
    ("counts bad", "extra", "post", "/counts", {"a": "x", "b": [1]}),
    ("counts not object", "extra", "post", "/counts", [1]),
]

# the Python annotation of each operation's body, for the validated value
BODY_TYPES = {
    ("coverage", "post", "/items/validate"): coverage.Item,
    ("coverage", "post", "/items"): coverage.Item,
    ("coverage", "patch", "/items/{item_id}"): coverage.ItemUpdate,
    ("coverage", "post", "/pets"): coverage.Pet,
    ("coverage", "post", "/trees/summary"): coverage.Node,
    ("coverage", "post", "/items/{item_id}/notes"): coverage.NoteCreate,
    ("coverage", "post", "/jobs"): coverage.JobRequest,
    ("extra", "post", "/shapes"): Shapes,
    ("extra", "post", "/strict"): Strict,
    ("extra", "post", "/numbers"): list[int],
    ("extra", "post", "/counts"): dict[str, float],
    ("extra", "post", "/optional"): Strict | None,
}


def template(path: str) -> str:
    """The spec path of a request path."""
    if path.startswith("/items/") and path.endswith("/notes"):
        return "/items/{item_id}/notes"
    if path.startswith("/items/") and path != "/items/validate":
        return "/items/{item_id}"
    return path


def answer(clients: dict[str, TestClient], headers: dict[str, str], case) -> dict:
    name, app_name, method, path, body = case
    text = body if isinstance(body, str) else json.dumps(body)
    response = clients[app_name].request(
        method.upper(), path, content=text.encode(), headers={**headers, "content-type": "application/json"}
    )
    spec_path = template(path)
    out = {"name": name, "app": app_name, "method": method, "path": spec_path, "body": text,
           "status": response.status_code}
    if response.status_code == 422:
        out["detail"] = response.json()["detail"]
        out["text"] = response.text
    else:
        body_type = BODY_TYPES[(app_name, method, spec_path)]
        adapter = TypeAdapter(body_type)
        value = adapter.validate_python(json.loads(text) if text.strip() else None)
        out["value"] = adapter.dump_python(value, mode="json", exclude_computed_fields=True)
    return out


def build() -> dict:
    clients = {"coverage": TestClient(coverage.app), "extra": TestClient(extra)}
    token = clients["coverage"].post(
        "/auth/token", data={"username": "alice", "password": "secret"}
    ).json()["access_token"]
    headers = {"X-API-Key": coverage.API_KEY, "Authorization": f"Bearer {token}"}
    names = [case[0] for case in CASES]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"duplicate case names: {duplicates}")
    return {
        "comment": "written by corpus.py --write; do not edit by hand",
        "fastapi": fastapi.__version__,
        "pydantic": pydantic.__version__,
        "extra_openapi": extra.openapi(),
        "cases": [answer(clients, headers, case) for case in CASES],
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
