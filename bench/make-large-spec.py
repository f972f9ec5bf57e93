#!/usr/bin/env python3
"""Writes a large (~1 MB, compact JSON) FastAPI-style OpenAPI 3.1 document, for benchmarks.

Deterministic (no randomness, no clock), standard library only. The shapes
are the ones FastAPI and pydantic v2 export, as in the workspace's
openapi.json:

- N resources (default 70), each with list/create/get/update/delete and a
  nested list (`/{id}/events`), operationIds in FastAPI's default form
  `{function}{path}_{method}` with every non-word character turned into `_`;
- HTTPBearer security, 401/404 responses with `HTTPErrorDetail`, 422 with
  `HTTPValidationError`/`ValidationError`;
- models with `anyOf: [X, {"type": "null"}]` fields, string enums, `$ref`
  with sibling keywords (`description`, `default`), `examples`, numeric
  `exclusiveMinimum`, `additionalProperties: true` dicts, arrays of `$ref`,
  and references between resources;
- no literal path segment beside a path variable under the same method.

Usage: make-large-spec.py [OUT] [--resources N]   (OUT defaults to stdout)
"""

import json
import re
import sys

NOUNS = [
    "account", "address", "agent", "alert", "api_key", "asset", "audit_entry", "badge",
    "batch", "billing_plan", "bookmark", "budget", "campaign", "catalog", "channel", "checkout",
    "cluster", "comment", "connector", "contact", "contract", "coupon", "credential", "customer",
    "dashboard", "dataset", "deal", "deployment", "device", "document", "domain", "draft",
    "environment", "experiment", "export_job", "feature_flag", "feed", "file_object", "folder", "form",
    "gateway", "group", "import_job", "incident", "integration", "invoice", "issue", "job",
    "label", "lead", "license", "mailbox", "meeting", "metric", "milestone", "monitor",
    "notebook", "notification", "order", "organization", "payment", "permission", "pipeline", "policy",
    "portfolio", "product", "project", "queue", "quota", "release", "report", "repository",
    "role", "rule", "schedule", "secret", "segment", "session", "shipment", "snapshot",
    "subscription", "supplier", "survey", "task", "team", "template", "ticket", "token",
    "topic", "transaction", "trigger", "vendor", "volume", "webhook_target", "workflow", "workspace",
]

STATUSES = [
    ["ACTIVE", "INACTIVE", "ARCHIVED"],
    ["DRAFT", "PUBLISHED", "RETIRED"],
    ["PENDING", "RUNNING", "SUCCEEDED", "FAILED"],
    ["OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED"],
    ["SUGGESTED", "APPROVED", "REJECTED"],
]
KINDS = ["STANDARD", "PREMIUM", "INTERNAL", "EXTERNAL", "SYSTEM", "CUSTOM"]


def camel(snake):
    return "".join(p.capitalize() for p in snake.split("_"))


def title(snake):
    return " ".join(p.capitalize() for p in snake.split("_"))


def plural(noun):
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def operation_id(func, path, method):
    # FastAPI's generate_unique_id: f"{route.name}{route.path_format}" with
    # every non-word character replaced by "_", then f"_{method}"
    return re.sub(r"\W", "_", f"{func}{path}") + f"_{method}"


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema, **extra):
    out = {"anyOf": [schema, {"type": "null"}]}
    out.update(extra)
    return out


UUID = {"type": "string", "format": "uuid"}
DATETIME = {"type": "string", "format": "date-time"}


def error_responses(with_404):
    def err(desc, schema):
        return {"description": desc, "content": {"application/json": {"schema": ref(schema)}}}

    out = {"401": err("Not authenticated", "HTTPErrorDetail")}
    if with_404:
        out["404"] = err("Not found", "HTTPErrorDetail")
    out["422"] = err("Validation Error", "HTTPValidationError")
    return out


def common_query():
    # a tenancy parameter on every route, as in the real service (not named
    # after a resource: a query parameter named like a path parameter of the
    # same operation is another matter)
    return [
        {"name": "tenant_id", "in": "query", "required": False,
         "schema": nullable(dict(UUID), title="Tenant Id")},
    ]


def models(i, noun, nouns):
    Noun = camel(noun)
    other = camel(nouns[(i * 7 + 3) % len(nouns)])
    other2 = camel(nouns[(i * 11 + 5) % len(nouns)])
    status = STATUSES[i % len(STATUSES)]
    schemas = {}
    schemas[f"{Noun}Status"] = {"type": "string", "enum": status, "title": f"{Noun}Status"}
    schemas[f"{Noun}Kind"] = {"type": "string", "enum": KINDS[: 3 + i % 4], "title": f"{Noun}Kind"}

    # fields shared by create, response and (nullable, optional) update
    fields = {
        "name": ({"type": "string", "maxLength": 200, "minLength": 1, "title": "Name",
                  "description": f"Human-readable name of the {title(noun).lower()}",
                  "examples": [f"My {title(noun).lower()}"]}, True),
        "description": (nullable({"type": "string"}, title="Description"), False),
        "kind": ({**ref(f"{Noun}Kind"), "description": "What sort of record this is", "default": KINDS[0]}, False),
        "status": ({**ref(f"{Noun}Status"), "description": "Lifecycle status"}, True),
        "owner_id": (nullable(dict(UUID), title="Owner Id", description="The user that owns it"), False),
        "parent_id": (nullable(dict(UUID), title="Parent Id"), False),
        "priority": ({"type": "integer", "maximum": 100, "minimum": 0, "title": "Priority", "default": 50}, False),
        "weight": (nullable({"type": "number", "exclusiveMinimum": 0}, title="Weight"), False),
        "score": (nullable({"type": "number", "maximum": 1.0, "minimum": 0.0}, title="Score"), False),
        "tags": ({"items": {"type": "string"}, "type": "array", "title": "Tags"}, False),
        "labels": ({"additionalProperties": {"type": "string"}, "type": "object", "title": "Labels"}, False),
        "metadata_": (nullable({"additionalProperties": True, "type": "object"}, title="Metadata"), False),
        "external_ref": (nullable({"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}, title="External Ref"), False),
        "due_at": (nullable(dict(DATETIME), title="Due At"), False),
        "is_enabled": ({"type": "boolean", "title": "Is Enabled", "default": True}, False),
        f"{nouns[(i * 7 + 3) % len(nouns)]}_ids": ({"items": dict(UUID), "type": "array", "title": f"{other} Ids"}, False),
    }
    create_props, create_req = {}, []
    update_props = {}
    for fname, (schema, required) in fields.items():
        create_props[fname] = schema
        if required:
            create_req.append(fname)
        if "anyOf" in schema:
            update_props[fname] = schema
        elif "$ref" in schema:
            update_props[fname] = nullable(ref(schema["$ref"].rsplit("/", 1)[1]))
        else:
            inner = {k: v for k, v in schema.items() if k not in ("title", "default", "examples", "description")}
            update_props[fname] = nullable(inner, title=schema.get("title", title(fname)))
    schemas[f"{Noun}Create"] = {"properties": create_props, "type": "object", "required": create_req,
                                "title": f"{Noun}Create"}
    schemas[f"{Noun}Update"] = {"properties": update_props, "type": "object", "title": f"{Noun}Update",
                                "description": f"Partial update of a {title(noun).lower()}: fields left out are unchanged"}
    resp_props = {"id": {**UUID, "title": "Id"}}
    resp_props.update(create_props)
    resp_props.update({
        "created_at": {**DATETIME, "title": "Created At"},
        "updated_at": {**DATETIME, "title": "Updated At"},
        "created_by": nullable(dict(UUID), title="Created By"),
        "revision": {"type": "integer", "minimum": 0, "title": "Revision"},
        "related": nullable(ref(f"{other}Summary"), description=f"The linked {other}, when there is one"),
        "links": {"items": ref(f"{other2}Summary"), "type": "array", "title": "Links"},
        "stats": ref(f"{Noun}Stats"),
    })
    schemas[f"{Noun}Response"] = {"properties": resp_props, "type": "object",
                                  "required": ["id", "name", "status", "created_at", "updated_at", "revision", "stats"],
                                  "title": f"{Noun}Response"}
    schemas[f"{Noun}Summary"] = {"properties": {"id": {**UUID, "title": "Id"},
                                                "name": {"type": "string", "title": "Name"},
                                                "status": ref(f"{Noun}Status")},
                                 "type": "object", "required": ["id", "name", "status"], "title": f"{Noun}Summary"}
    schemas[f"{Noun}Stats"] = {"properties": {
        "views": {"type": "integer", "minimum": 0, "title": "Views", "default": 0},
        "last_seen_at": nullable(dict(DATETIME), title="Last Seen At"),
        "ratio": nullable({"type": "number"}, title="Ratio"),
    }, "type": "object", "title": f"{Noun}Stats"}
    schemas[f"{Noun}Page"] = {"properties": {
        "items": {"items": ref(f"{Noun}Response"), "type": "array", "title": "Items"},
        "total": {"type": "integer", "title": "Total"},
        "next_cursor": nullable({"type": "string"}, title="Next Cursor"),
    }, "type": "object", "required": ["items", "total"], "title": f"{Noun}Page"}
    schemas[f"{Noun}Event"] = {"properties": {
        "id": {**UUID, "title": "Id"},
        "at": {**DATETIME, "title": "At"},
        "actor_id": nullable(dict(UUID), title="Actor Id"),
        "from_status": nullable(ref(f"{Noun}Status")),
        "to_status": ref(f"{Noun}Status"),
        "detail": nullable({"additionalProperties": True, "type": "object"}, title="Detail"),
    }, "type": "object", "required": ["id", "at", "to_status"], "title": f"{Noun}Event"}
    return schemas


def operations(i, noun):
    Noun = camel(noun)
    coll = plural(noun)
    tag = coll.replace("_", "-")
    base = f"/api/v1/{tag}"
    item = f"{base}/{{{noun}_id}}"
    sec = [{"HTTPBearer": []}]
    id_param = {"name": f"{noun}_id", "in": "path", "required": True,
                "schema": {**UUID, "title": f"{title(noun)} Id"}}

    def op(func, path, method, summary, params, responses, body=None, with_404=False, doc=None):
        o = {"tags": [tag], "summary": summary}
        if doc:
            o["description"] = doc
        o["operationId"] = operation_id(func, path, method)
        o["security"] = sec
        o["parameters"] = params + common_query()
        if body:
            o["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
        o["responses"] = dict(responses)
        o["responses"].update(error_responses(with_404))
        return o

    def ok(schema, code="200"):
        return {code: {"description": "Successful Response", "content": {"application/json": {"schema": schema}}}}

    list_params = [
        {"name": "status", "in": "query", "required": False,
         "schema": nullable(ref(f"{Noun}Status"), description="Filter by status", title="Status"),
         "description": "Filter by status"},
        {"name": "search", "in": "query", "required": False,
         "schema": nullable({"type": "string", "maxLength": 200}, title="Search")},
        {"name": "limit", "in": "query", "required": False,
         "schema": {"type": "integer", "maximum": 500, "minimum": 1, "default": 50, "title": "Limit"}},
        {"name": "cursor", "in": "query", "required": False,
         "schema": nullable({"type": "string"}, title="Cursor")},
    ]
    paths = {
        base: {
            "get": op(f"list_{coll}", base, "get", f"List {title(coll)}", list_params,
                      ok(ref(f"{Noun}Page")),
                      doc=f"Lists the {title(coll).lower()} visible to the caller, newest first."),
            "post": op(f"create_{noun}", base, "post", f"Create {title(noun)}", [],
                       ok(ref(f"{Noun}Response"), "201"), body=f"{Noun}Create"),
        },
        item: {
            "get": op(f"get_{noun}", item, "get", f"Get {title(noun)}", [id_param],
                      ok(ref(f"{Noun}Response")), with_404=True),
            "put": op(f"update_{noun}", item, "put", f"Update {title(noun)}", [id_param],
                      ok(ref(f"{Noun}Response")), body=f"{Noun}Update", with_404=True,
                      doc="Fields left out of the body are unchanged; a field sent as null is cleared."),
            "delete": op(f"delete_{noun}", item, "delete", f"Delete {title(noun)}", [id_param],
                         {"204": {"description": "Successful Response"}}, with_404=True),
        },
        f"{item}/events": {
            "get": op(f"list_{noun}_events", f"{item}/events", "get", f"List {title(noun)} Events",
                      [id_param, list_params[2]],
                      ok({"type": "array", "items": ref(f"{Noun}Event"),
                          "title": f"Response List {title(noun)} Events"}),
                      with_404=True),
        },
    }
    return paths


def build(n):
    nouns = NOUNS[:n]
    schemas = {}
    paths = {}
    for i, noun in enumerate(nouns):
        schemas.update(models(i, noun, nouns))
        paths.update(operations(i, noun))
    schemas["HTTPErrorDetail"] = {"properties": {"detail": {"type": "string", "title": "Detail"}},
                                  "type": "object", "required": ["detail"], "title": "HTTPErrorDetail"}
    schemas["HTTPValidationError"] = {"properties": {"detail": {"items": ref("ValidationError"), "type": "array",
                                                                "title": "Detail"}},
                                      "type": "object", "title": "HTTPValidationError"}
    schemas["ValidationError"] = {"properties": {
        "loc": {"items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}, "type": "array", "title": "Location"},
        "msg": {"type": "string", "title": "Message"},
        "type": {"type": "string", "title": "Error Type"},
        "input": {"title": "Input"},
        "ctx": {"type": "object", "title": "Context"},
    }, "type": "object", "required": ["loc", "msg", "type"], "title": "ValidationError"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Large Bench API", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": dict(sorted(schemas.items())),
                       "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}}},
    }


def main(argv):
    out, n = None, 70
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--resources":
            n = int(args.pop(0))
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            out = a
    if not 1 <= n <= len(NOUNS):
        sys.exit(f"--resources must be 1..{len(NOUNS)}")
    # compact, as FastAPI serves /openapi.json (json.dumps defaults)
    text = json.dumps(build(n)) + "\n"
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
