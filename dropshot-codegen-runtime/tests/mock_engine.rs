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
    // compound segments, matched as Starlette matches them
    let (a, v) = call(&e, "GET", "/tiles/3/4/5.png", None);
    assert_eq!(a.status, 200, "{v}");
    let (a, v) = call(&e, "GET", "/tiles/3/4/5.gif", None);
    assert_eq!((a.status, &v["detail"][0]["loc"]), (422, &json!(["path", "fmt"])), "{v}");
    let (a, v) = call(&e, "GET", "/points/1.5,-2.25", None);
    assert_eq!(a.status, 200, "{v}");
    let (a, _) = call(&e, "GET", "/points/12", None);
    assert_eq!(a.status, 404);
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
    assert_eq!(sources.len(), 38);
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

/// Shapes of real exports (`../shared/realworld/`) that the path
/// convention alone misreads, in one small 3.0.3 document.
fn real_shapes() -> Engine {
    let ok = |schema: Value| json!({"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}});
    let r = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let body = |schema: Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let path_param =
        |name: &str, schema: Value| json!({"name": name, "in": "path", "required": true, "schema": schema});
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "shapes", "version": "1"},
        "paths": {
            // the create answers the new key as a string, the list key infos
            "/keys": {
                "post": {"operationId": "create_key", "responses": ok(json!({"type": "string"}))},
                "get": {"operationId": "list_keys", "responses": ok(json!({"type": "array", "items": {"type": "string"}}))}
            },
            "/keys/{prefix}": {
                "delete": {"operationId": "delete_key", "parameters": [path_param("prefix", json!({"type": "string"}))],
                           "responses": ok(r("Message"))}
            },
            // a collection spelled with a trailing slash
            "/boards/": {
                "post": {"operationId": "create_board", "requestBody": body(r("NewThing")), "responses": ok(r("Board"))}
            },
            "/boards/{board_id}": {
                "get": {"operationId": "read_board", "parameters": [path_param("board_id", json!({"type": "string"}))],
                        "responses": ok(r("Board"))}
            },
            // a thing under an item, deleted and made again in place
            "/keys/{prefix}/note": {
                "delete": {"operationId": "delete_note", "parameters": [path_param("prefix", json!({"type": "string"}))],
                           "responses": ok(json!({"type": "string"}))},
                "patch": {"operationId": "patch_note", "parameters": [path_param("prefix", json!({"type": "string"}))],
                          "responses": ok(json!({"type": "string"}))},
                "put": {"operationId": "put_note", "parameters": [path_param("prefix", json!({"type": "string"}))],
                        "responses": ok(json!({"type": "string"}))}
            },
            // the create's model is not the read's, and the delete answers a message
            "/rooms": {
                "post": {"operationId": "create_room", "requestBody": body(r("CreateRoom")), "responses": ok(r("Room"))}
            },
            "/rooms/{room_id}": {
                "get": {"operationId": "read_room", "parameters": [path_param("room_id", json!({"type": "string"}))],
                        "responses": ok(r("RoomDetails"))},
                "delete": {"operationId": "delete_room", "parameters": [path_param("room_id", json!({"type": "string"}))],
                           "responses": ok(r("Message"))}
            },
            "/rooms/{room_id}/logs": {
                "get": {"operationId": "room_logs", "parameters": [path_param("room_id", json!({"type": "string"}))],
                        "responses": ok(json!({"type": "array", "items": {"type": "string"}}))}
            },
            // items answered in an envelope, as `ResultsWrapper[Thing]`
            "/things": {
                "post": {"operationId": "create_thing", "requestBody": body(r("NewThing")),
                         "responses": ok(json!({"type": "object", "required": ["results"], "properties": {"results": r("Thing")}}))},
                "get": {"operationId": "list_things",
                        "responses": ok(json!({"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": r("Thing")}}}))}
            },
            "/things/{id}": {
                "get": {"operationId": "read_thing", "parameters": [path_param("id", json!({"type": "integer"}))],
                        "responses": ok(json!({"type": "object", "required": ["results"], "properties": {"results": r("Thing")}}))}
            },
            // an envelope with a count beside the item, which may be null
            // (agenta's `WebhookDeliveryResponse`)
            "/deliveries": {
                "post": {"operationId": "create_delivery", "requestBody": body(r("NewThing")), "responses": ok(r("DeliveryResponse"))}
            },
            "/deliveries/{delivery_id}": {
                "get": {"operationId": "read_delivery", "parameters": [path_param("delivery_id", json!({"type": "string"}))],
                        "responses": ok(r("DeliveryResponse"))}
            },
            // an example its own schema refuses
            "/health": {
                "get": {"operationId": "health", "responses": {"200": {"description": "OK", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}},
                    "example": {"ok": "maybe"}}}}}}
            },
            // the item names no id; the body names it as the path does
            "/prompts": {
                "post": {"operationId": "create_prompt", "requestBody": body(r("NewPrompt")),
                         "responses": ok(json!({"type": "object", "properties": {"results": r("Message")}}))}
            },
            "/prompts/{name}": {
                "get": {"operationId": "read_prompt", "parameters": [path_param("name", json!({"type": "string"}))],
                        "responses": ok(json!({"type": "object", "properties": {"results": r("Message")}}))},
                "delete": {"operationId": "delete_prompt", "parameters": [path_param("name", json!({"type": "string"}))],
                           "responses": ok(json!({"type": "object", "properties": {"results": {"nullable": true}}}))}
            },
            // a 3.1 `$ref` with properties beside it, lowered: a value is both
            "/access": {
                "get": {"operationId": "access", "responses": ok(json!({"allOf": [r("Access")], "type": "object",
                        "properties": {"access": {"type": "boolean"}}}))}
            },
            // a lone allOf typed beside it; a 401 with the service's own model
            "/pages": {
                "get": {"operationId": "pages", "security": [{"key": []}],
                        "responses": {
                            "200": {"description": "OK", "content": {"application/json": {"schema": {"allOf": [r("Access")], "type": "object"}}}},
                            "401": {"description": "OAuth error", "content": {"application/json": {"schema": {"type": "object",
                                    "required": ["error"], "properties": {"error": {"type": "string"}}}}}}
                        }}
            },
            // a fractional multipleOf, and a property no value is valid for
            "/config": {
                "get": {"operationId": "config", "responses": ok(json!({"type": "object", "required": ["offset"], "properties": {
                    "offset": {"type": "number", "multipleOf": 0.05, "minimum": 0.0, "maximum": 20.0},
                    "admin_password": {"type": "string", "writeOnly": true}, "secret": {"not": {}}}}))}
            },
            // a naive datetime in the spec's example, as pydantic dumps one
            "/dubbing": {
                "get": {"operationId": "dubbing", "responses": {"200": {"description": "OK", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["created_at"], "properties": {"created_at": {"type": "string", "format": "date-time"}}},
                    "example": {"created_at": "2025-07-15T14:49:41.149000"}}}}}}
            },
            // a union whose first member is the second with a field more
            // (polar's `LegacyRecurringProductPrice | ProductPrice`), its
            // example taken by both
            "/prices": {
                "get": {"operationId": "prices", "responses": {"200": {"description": "OK", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"oneOf": [r("LegacyPrice"), r("Price")]}},
                    "example": [{"id": "p1", "amount": 5, "legacy": true}]}}}}}
            },
            // two templates naming one place
            "/roles/{scope}": {
                "get": {"operationId": "roles_in_scope",
                        "parameters": [path_param("scope", json!({"type": "string", "enum": ["global", "team"]}))],
                        "responses": ok(json!({"type": "array", "items": {"type": "string"}}))}
            },
            "/roles/{id}": {
                "put": {"operationId": "put_role", "parameters": [path_param("id", json!({"type": "integer"}))],
                        "responses": ok(json!({"type": "string"}))},
                "delete": {"operationId": "delete_role", "parameters": [path_param("id", json!({"type": "integer"}))],
                           "responses": ok(json!({"type": "string"}))}
            }
        },
        "components": {"schemas": {
            "Message": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
            "CreateRoom": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "Room": {"type": "object", "required": ["id", "name"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
            "RoomDetails": {"type": "object", "required": ["id", "name", "webhook_url"],
                            "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "webhook_url": {"type": "string"},
                                           "opened_at": {"type": "string", "format": "date-time", "example": "2025-07-15T14:49:41"}}},
            "NewThing": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "Thing": {"type": "object", "required": ["id", "name"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "Board": {"type": "object", "required": ["board_id", "name"], "properties": {"board_id": {"type": "string"}, "name": {"type": "string"}}},
            "NewPrompt": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "template": {"type": "string"}}},
            "Access": {"type": "object", "required": ["allowed"], "properties": {"allowed": {"type": "boolean"}}},
            "DeliveryResponse": {"type": "object", "properties": {"count": {"type": "integer", "default": 0},
                                 "delivery": {"allOf": [r("Delivery")], "nullable": true}}},
            "Delivery": {"type": "object", "required": ["id", "name"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
            "Price": {"type": "object", "required": ["id", "amount"],
                      "properties": {"id": {"type": "string"}, "amount": {"type": "integer"}}},
            "LegacyPrice": {"type": "object", "required": ["id", "amount", "legacy"],
                            "properties": {"id": {"type": "string"}, "amount": {"type": "integer"}, "legacy": {"type": "boolean"}}}
        }, "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}}
    });
    Engine::new(doc, &BTreeMap::new())
}

#[test]
fn an_operation_is_stateful_only_where_its_shape_is_an_item() {
    let e = real_shapes();
    let sources: BTreeMap<String, Source> = e.sources().into_iter().collect();
    // a create answering a string and a list of strings hold no items
    assert_eq!(sources["create_key"], Source::Example);
    assert_eq!(sources["list_keys"], Source::Example);
    assert_eq!(sources["delete_key"], Source::Example, "a resource with nothing to hold");
    let (a, key) = call(&e, "POST", "/keys", None);
    assert_eq!(a.status, 200);
    assert!(key.is_string(), "{key}");
    let (_, keys) = call(&e, "GET", "/keys", None);
    assert!(keys.as_array().unwrap().iter().all(Value::is_string), "{keys}");
    assert!(matches!(sources["read_room"], Source::Stateful { role: Role::Read, .. }));
    // `/boards/` is the collection of `/boards/{board_id}`
    let (_, board) = call(&e, "POST", "/boards/", Some(json!({"name": "kanban"})));
    let (a, read) = call(&e, "GET", &format!("/boards/{}", board["board_id"].as_str().unwrap()), None);
    assert_eq!((a.status, &read), (200, &board));
}

#[test]
fn every_answer_fits_its_documented_response() {
    let e = real_shapes();
    // the create's model lacks a field the read's model requires: made
    let (a, room) = call(&e, "POST", "/rooms", Some(json!({"name": "Blue"})));
    assert_eq!(a.status, 200, "{room}");
    assert_eq!(room.as_object().unwrap().len(), 2, "the create answers its own model: {room}");
    let id = room["id"].as_str().unwrap().to_string();
    let (a, read) = call(&e, "GET", &format!("/rooms/{id}"), None);
    assert_eq!(a.status, 200);
    assert_eq!((&read["id"], &read["name"]), (&room["id"], &json!("Blue")), "what the store holds is kept");
    assert!(read["webhook_url"].is_string(), "what it lacks is made: {read}");
    // the delete answers its own model, not the deleted room
    let (a, deleted) = call(&e, "DELETE", &format!("/rooms/{id}"), None);
    assert_eq!(a.status, 200);
    assert!(deleted["message"].is_string() && deleted.get("name").is_none(), "{deleted}");
    // an example that its own schema refuses is not served, and a note says so
    let (_, health) = call(&e, "GET", "/health", None);
    assert!(health["ok"].is_boolean(), "{health}");
    assert!(e.notes().iter().any(|n| n.starts_with("health: the example")), "{:?}", e.notes());
}

#[test]
fn a_deleted_item_is_gone_with_everything_under_it() {
    let e = real_shapes();
    let (_, room) = call(&e, "POST", "/rooms", Some(json!({"name": "Blue"})));
    let id = room["id"].as_str().unwrap().to_string();
    let (a, _) = call(&e, "GET", &format!("/rooms/{id}/logs"), None);
    assert_eq!(a.status, 200);
    call(&e, "DELETE", &format!("/rooms/{id}"), None);
    for path in [format!("/rooms/{id}"), format!("/rooms/{id}/logs")] {
        let (a, v) = call(&e, "GET", &path, None);
        assert_eq!((a.status, v), (404, json!({"detail": "Not Found"})), "{path}");
    }
    // an item path no resource holds: gone after its delete too
    let (a, _) = call(&e, "DELETE", "/keys/abc", None);
    assert_eq!(a.status, 200);
    let (a, _) = call(&e, "DELETE", "/keys/abc", None);
    assert_eq!(a.status, 404);
    // a thing a path with a variable names, deleted: gone until made again
    let status = |method: &str| call(&e, method, "/keys/k/note", None).0.status;
    assert_eq!((status("DELETE"), status("PATCH")), (200, 404));
    assert_eq!((status("PUT"), status("PATCH")), (200, 200));
    // until the stub is reset
    e.reset();
    let (a, _) = call(&e, "GET", &format!("/rooms/{id}/logs"), None);
    assert_eq!(a.status, 200);
}

#[test]
fn items_answered_in_an_envelope_are_stored_without_it() {
    let e = real_shapes();
    let (a, created) = call(&e, "POST", "/things", Some(json!({"name": "bolt"})));
    assert_eq!(a.status, 200, "{created}");
    let thing = &created["results"];
    assert_eq!(thing["name"], "bolt");
    let (a, read) = call(&e, "GET", &format!("/things/{}", thing["id"]), None);
    assert_eq!((a.status, &read), (200, &created));
    let (_, listed) = call(&e, "GET", "/things", None);
    assert_eq!(listed["results"], json!([thing]));
    // and one with a count beside it
    let (a, created) = call(&e, "POST", "/deliveries", Some(json!({"name": "first"})));
    assert_eq!(a.status, 200, "{created}");
    let delivery = &created["delivery"];
    assert_eq!(delivery["name"], "first", "{created}");
    let (a, read) = call(&e, "GET", &format!("/deliveries/{}", delivery["id"].as_str().unwrap()), None);
    assert_eq!((a.status, &read["delivery"]), (200, delivery));
    let (a, _) = call(&e, "GET", "/deliveries/nope", None);
    assert_eq!(a.status, 404);
}

#[test]
fn the_template_the_values_fit_answers_for_its_place() {
    let e = real_shapes();
    // `/roles/7` fits only `/roles/{id}`: its methods, its `Allow`
    let (a, _) = call(&e, "GET", "/roles/7", None);
    assert_eq!((a.status, a.header("allow")), (405, Some("PUT, DELETE")));
    // `/roles/team` fits only `/roles/{scope}`
    let (a, _) = call(&e, "PUT", "/roles/team", None);
    assert_eq!((a.status, a.header("allow")), (405, Some("GET")));
    let (a, _) = call(&e, "GET", "/roles/team", None);
    assert_eq!(a.status, 200);
    // fitting neither, every operation at the place is tried, as Starlette does
    let (a, v) = call(&e, "PUT", "/roles/other", None);
    assert_eq!(a.status, 422, "{v}");
}

#[test]
fn an_id_the_client_names_in_the_body_addresses_the_item() {
    let e = real_shapes();
    let (a, _) = call(&e, "POST", "/prompts", Some(json!({"name": "greet", "template": "hi"})));
    assert_eq!(a.status, 200);
    let (a, _) = call(&e, "GET", "/prompts/greet", None);
    assert_eq!(a.status, 200);
    let (a, _) = call(&e, "DELETE", "/prompts/greet", None);
    assert_eq!(a.status, 200);
    let (a, _) = call(&e, "GET", "/prompts/greet", None);
    assert_eq!(a.status, 404);
    // an empty name is the empty last segment
    call(&e, "POST", "/prompts", Some(json!({"name": ""})));
    let (a, _) = call(&e, "GET", "/prompts/", None);
    assert_eq!(a.status, 200);
    // a name that holds `%XX` itself is found by its encoding, as FastAPI
    // finds it, and by its text as sent, as schemathesis sends it
    call(&e, "POST", "/prompts", Some(json!({"name": "%C3%A9t"})));
    let (a, _) = call(&e, "GET", "/prompts/%25C3%25A9t", None);
    assert_eq!(a.status, 200);
    let (a, _) = call(&e, "DELETE", "/prompts/%C3%A9t", None);
    assert_eq!(a.status, 200);
    let (a, _) = call(&e, "GET", "/prompts/%25C3%25A9t", None);
    assert_eq!(a.status, 404);
    // while a decoded name is found by its encoding only
    call(&e, "POST", "/prompts", Some(json!({"name": "ét"})));
    let (a, _) = call(&e, "GET", "/prompts/%C3%A9t", None);
    assert_eq!(a.status, 200);
}

#[test]
fn answers_keep_what_json_schema_asks_beyond_pydantic() {
    let e = real_shapes();
    // an allOf beside properties: the answer is both
    let (_, access) = call(&e, "GET", "/access", None);
    assert!(access["allowed"].is_boolean() && access["access"].is_boolean(), "{access}");
    // a naive datetime gets an offset (RFC 3339's date-time has one)
    let (_, dubbing) = call(&e, "GET", "/dubbing", None);
    assert_eq!(dubbing["created_at"], "2025-07-15T14:49:41.149000Z");
    // and so does one in a value made to fit (a read of an item the create
    // made from another model, made from the read's example)
    let (_, room) = call(&e, "POST", "/rooms", Some(json!({"name": "Blue"})));
    let (_, read) = call(&e, "GET", &format!("/rooms/{}", room["id"].as_str().unwrap()), None);
    assert_eq!(read["opened_at"], "2025-07-15T14:49:41Z", "{read}");
    // a multiple as JSON Schema checks one in floats; no never-valid property
    for seed in 0..20 {
        let (_, config) = call(&e, "GET", &format!("/config?seed={seed}"), None);
        let offset = config["offset"].as_f64().unwrap();
        assert_eq!((offset / 0.05).fract(), 0.0, "{config}");
        assert!(config.get("admin_password").is_none() && config.get("secret").is_none(), "{config}");
    }
    // a lone allOf with a type beside it is its member
    let headers =
        http::HeaderMap::from_iter([(http::HeaderName::from_static("x-key"), http::HeaderValue::from_static("k"))]);
    let (a, page) = call_with(&e, "GET", "/pages", None, &headers);
    assert_eq!(a.status, 200);
    assert!(page["allowed"].is_boolean(), "{page}");
    // a refusal the operation documents with its own model fits it
    let (a, refused) = call_with(&e, "GET", "/pages", None, &http::HeaderMap::new());
    assert_eq!(a.status, 401);
    assert!(refused["error"].is_string(), "{refused}");
    // a `oneOf` value is taken by one member only: every `LegacyPrice` is a
    // `Price` too, so only a `Price` (without `legacy`) is
    for seed in 0..10 {
        let (a, prices) = call(&e, "GET", &format!("/prices?seed={seed}"), None);
        assert_eq!(a.status, 200);
        let prices = prices.as_array().unwrap();
        assert!(prices.iter().all(|p| p.get("legacy").is_none() && p["amount"].is_i64()), "{prices:?}");
    }
}
