//! The engine on the Coverage API's export (`fastapi-app/openapi.json`),
//! lowered as the generators lower it: routing, validation, the stateful
//! resources and the example answers, request by request.

use std::collections::BTreeMap;

use dropshot_codegen_runtime::mock::{Answer, Engine, Request, Source};
use dropshot_codegen_runtime::resources::Role;
use serde_json::{Value, json};

fn engine() -> Engine {
    let root = xtask::spec::Workspace::this().root;
    let raw: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("fastapi-app/openapi.json")).unwrap()).unwrap();
    let doc = xtask::lower::lower(&raw).unwrap_or_else(|p| panic!("{p:?}")).doc;
    Engine::new(doc, &BTreeMap::new())
}

/// A request with the API key that the write operations require.
fn call(engine: &Engine, method: &str, target: &str, body: Option<Value>) -> (Answer, Value) {
    let mut headers = http::HeaderMap::new();
    headers.insert("x-api-key", http::HeaderValue::from_static("any-key"));
    call_with(engine, method, target, body, &headers)
}

fn call_with(
    engine: &Engine,
    method: &str,
    target: &str,
    body: Option<Value>,
    headers: &http::HeaderMap,
) -> (Answer, Value) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let answer = engine.answer(&Request { method, path, query, headers, body: &body });
    let value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    (answer, value)
}

fn item() -> Value {
    json!({"name": "Lamp", "sku": "AB-1", "price": "12.50", "tags": ["home"]})
}

#[test]
fn routing_answers_as_starlette() {
    let e = engine();
    let (a, v) = call(&e, "GET", "/nowhere", None);
    assert_eq!((a.status, v), (404, json!({"detail": "Not Found"})));
    let (a, v) = call(&e, "PUT", "/items", None);
    assert_eq!((a.status, v), (405, json!({"detail": "Method Not Allowed"})));
    assert_eq!(a.header("allow"), Some("GET, POST"));
}

#[test]
fn a_created_item_is_listed_read_updated_and_deleted() {
    let e = engine();
    let (a, created) = call(&e, "POST", "/items", Some(item()));
    assert_eq!(a.status, 201, "{created}");
    assert_eq!(a.header("content-type"), Some("application/json"));
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["name"], "Lamp");
    assert_eq!(created["price"], "12.50");
    assert_eq!(created["status"], "draft", "defaults are filled in");
    // every field of the response model, in its order
    let keys: Vec<&str> = created.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(&keys[..4], ["name", "description", "sku", "price"]);
    assert!(keys.contains(&"created_at") && keys.contains(&"has_image"), "{keys:?}");

    let (a, read) = call(&e, "GET", &format!("/items/{id}"), None);
    assert_eq!((a.status, &read), (200, &created));
    let (_, second) = call(&e, "POST", "/items", Some(json!({"name": "Desk", "sku": "CD-2", "price": 99})));
    assert_ne!(second["id"], created["id"]);
    let (a, page) = call(&e, "GET", "/items?limit=1", None);
    assert_eq!(a.status, 200, "{page}");
    assert_eq!(page["total"], 2);
    assert_eq!(page["limit"], 1);
    assert_eq!(page["items"], json!([created]));

    // PATCH merges what was sent; null clears a nullable field
    let (a, patched) = call(&e, "PATCH", &format!("/items/{id}"), Some(json!({"description": "bright", "tax": null})));
    assert_eq!(a.status, 200, "{patched}");
    assert_eq!(patched["description"], "bright");
    assert_eq!(patched["name"], "Lamp", "what was not sent stays");
    assert_eq!(patched["tax"], Value::Null);
    let (a, _) = call(&e, "DELETE", &format!("/items/{id}"), None);
    assert_eq!(a.status, 204);
    assert!(a.body.is_empty());
    let (a, v) = call(&e, "GET", &format!("/items/{id}"), None);
    assert_eq!((a.status, v), (404, json!({"detail": "Not Found"})));
}

#[test]
fn nested_resources_need_their_parent() {
    let e = engine();
    let (_, created) = call(&e, "POST", "/items", Some(item()));
    let id = created["id"].as_str().unwrap();
    let (a, note) = call(&e, "POST", &format!("/items/{id}/notes"), Some(json!({"text": "hi"})));
    assert_eq!(a.status, 201, "{note}");
    assert_eq!(note["id"], 1);
    assert_eq!(note["item_id"], id);
    assert_eq!(note["pinned"], false);
    let (a, notes) = call(&e, "GET", &format!("/items/{id}/notes"), None);
    assert_eq!((a.status, notes), (200, json!([note])));
    let ghost = "6f1c2a52-6d1e-4c8e-9d55-0f2b9e3a7c10";
    let (a, v) = call(&e, "POST", &format!("/items/{ghost}/notes"), Some(json!({"text": "hi"})));
    assert_eq!((a.status, v), (404, json!({"detail": "Not Found"})));
}

#[test]
fn invalid_requests_get_fastapis_422_and_change_nothing() {
    let e = engine();
    let (a, v) = call(&e, "POST", "/items", Some(json!({"name": "", "sku": "x", "price": "high"})));
    assert_eq!(a.status, 422);
    let types: Vec<&str> = v["detail"].as_array().unwrap().iter().map(|d| d["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["string_too_short", "string_pattern_mismatch", "decimal_parsing"], "{v}");
    let (a, v) = call(&e, "GET", "/items/not-a-uuid", None);
    assert_eq!(a.status, 422);
    assert_eq!(v["detail"][0]["type"], "uuid_parsing");
    assert_eq!(v["detail"][0]["loc"], json!(["path", "item_id"]));
    let (a, v) = call(&e, "GET", "/items?limit=0", None);
    assert_eq!(a.status, 422);
    assert_eq!(v["detail"][0]["loc"], json!(["query", "limit"]));
    let (_, page) = call(&e, "GET", "/items", None);
    assert_eq!(page["total"], 0, "nothing was stored");
}

#[test]
fn security_is_enforced_after_json_syntax_and_before_validation() {
    let e = engine();
    let none = http::HeaderMap::new();
    let (a, v) = call_with(&e, "POST", "/items", Some(json!({"name": ""})), &none);
    assert_eq!((a.status, v), (401, json!({"detail": "Not authenticated"})));
    assert_eq!(a.header("www-authenticate"), Some("APIKey"));
    let answer = e.answer(&Request { method: "POST", path: "/items", query: "", headers: &none, body: b"{\"name\": " });
    assert_eq!(answer.status, 422, "malformed JSON is answered before security");
    let (_, page) = call(&e, "GET", "/items", None);
    assert_eq!(page["total"], 0);
}

#[test]
fn the_same_request_gets_the_same_example_answer() {
    let e = engine();
    let (a, first) = call(&e, "GET", "/trees/sample", None);
    assert_eq!(a.status, 200);
    let (_, again) = call(&e, "GET", "/trees/sample", None);
    assert_eq!(first, again);
    let (a, _) = call(&e, "GET", "/health", None);
    assert_eq!(a.header("content-type"), Some("text/plain; charset=utf-8"));
}

#[test]
fn every_operation_says_how_it_is_answered() {
    let e = engine();
    let sources: BTreeMap<String, Source> = e.sources().into_iter().collect();
    assert_eq!(sources.len(), 36);
    assert_eq!(sources["create_item_items_post"], Source::Stateful { collection: "/items".into(), role: Role::Create });
    assert_eq!(sources["pets-read_pet"], Source::Stateful { collection: "/pets".into(), role: Role::Read });
    assert_eq!(sources["health_health_get"], Source::Example);
}

/// The seed's shape: a list and a PUT whose body is an update model (no
/// required field), items loaded as fixtures.
#[test]
fn a_put_of_an_update_model_merges_what_was_sent_and_stamps_updated_at() {
    let link = json!({
        "type": "object",
        "required": ["id", "source_id", "label", "score", "updated_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "source_id": {"type": "string", "format": "uuid"},
            "label": {"type": "string"},
            "score": {"type": "number", "nullable": true},
            "updated_at": {"type": "string", "format": "date-time"}
        }
    });
    let update = json!({
        "type": "object",
        "properties": {"label": {"type": "string", "nullable": true}, "score": {"type": "number", "nullable": true}}
    });
    let ok = |schema: Value| json!({"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}});
    let id_param = |name: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let doc = json!({
        "openapi": "3.0.3",
        "paths": {
            "/sources/{source_id}/links": {"get": {
                "operationId": "list_links", "parameters": [id_param("source_id")],
                "responses": ok(json!({"type": "array", "items": {"$ref": "#/components/schemas/Link"}}))
            }},
            "/sources/{source_id}/links/{link_id}": {"put": {
                "operationId": "update_link", "parameters": [id_param("source_id"), id_param("link_id")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LinkUpdate"}}}},
                "responses": ok(json!({"$ref": "#/components/schemas/Link"}))
            }}
        },
        "components": {"schemas": {"Link": link, "LinkUpdate": update}}
    });
    let e = Engine::new(doc, &BTreeMap::new());
    let source = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
    let id = "9b1d2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e";
    let stored =
        json!({"id": id, "source_id": source, "label": "a", "score": 0.5, "updated_at": "2024-01-01T00:00:00Z"});
    e.load_fixtures(&json!({"/sources/{source_id}/links": [stored]})).unwrap();
    let (a, v) = call(&e, "PUT", &format!("/sources/{source}/links/{id}"), Some(json!({"score": null})));
    assert_eq!(a.status, 200, "{v}");
    assert_eq!(v["label"], "a", "a field not sent stays");
    assert_eq!(v["score"], Value::Null, "null clears a nullable field");
    assert_ne!(v["updated_at"], "2024-01-01T00:00:00Z", "the server's clock moved updated_at");
    let (_, list) = call(&e, "GET", &format!("/sources/{source}/links"), None);
    assert_eq!(list, json!([v]));
    let (a, _) = call(&e, "GET", &format!("/sources/{id}/links"), None);
    assert_eq!(a.status, 200, "an unknown parent without a resource of its own is an empty list");
}

#[test]
fn multipart_uploads_are_read_part_by_part() {
    let e = engine();
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nNotes\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"revision\"\r\n\r\n2\r\n--{boundary}--\r\n"
    );
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "content-type",
        http::HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}")).unwrap(),
    );
    let answer =
        e.answer(&Request { method: "POST", path: "/files", query: "", headers: &headers, body: body.as_bytes() });
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    let without_title = body.replace("name=\"title\"", "name=\"other\"");
    let answer = e.answer(&Request {
        method: "POST",
        path: "/files",
        query: "",
        headers: &headers,
        body: without_title.as_bytes(),
    });
    assert_eq!(answer.status, 422);
    let v: Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(v["detail"][0]["loc"], json!(["body", "title"]), "{v}");
}
