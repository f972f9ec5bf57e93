//! The rules of [`super::compare`], one small document pair each; the
//! FastAPI-made corpus is `xtask/tests/breaking/`.

use super::*;
use serde_json::json;

/// A document with one `GET /items/{id}` answering `Item` and one
/// `POST /items` taking `ItemIn` and answering `Item`.
fn doc(item: Value, item_in: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "paths": {
            "/items/{id}": {"get": {
                "operationId": "read_item_items__id__get",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}
            }},
            "/items": {"post": {
                "operationId": "create_item_items_post",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemIn"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}
            }}
        },
        "components": {"schemas": {"Item": item, "ItemIn": item_in}}
    })
}

fn object(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": props, "required": required})
}

fn base() -> Value {
    doc(
        object(json!({"id": {"type": "integer"}, "name": {"type": "string"}}), &["id", "name"]),
        object(json!({"name": {"type": "string"}}), &["name"]),
    )
}

fn diff(old: &Value, new: &Value) -> Vec<Finding> {
    compare(old, new, &BTreeMap::new(), &[])
}

/// (rule, axes, reached method names) of each finding.
fn summary(findings: &[Finding]) -> Vec<(&'static str, Vec<Axis>, Vec<String>)> {
    findings.iter().map(|f| (f.rule, f.axes.clone(), f.operations.iter().map(|o| o.1.clone()).collect())).collect()
}

#[test]
fn the_same_spec_has_no_findings() {
    assert_eq!(diff(&base(), &base()), []);
}

#[test]
fn fastapi_spellings_and_refactors_are_no_change() {
    let old = doc(
        object(
            json!({"id": {"type": "integer"}, "tag": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Tag"}}),
            &["id"],
        ),
        object(json!({"name": {"type": "string"}}), &["name"]),
    );
    let mut new = old.clone();
    // 3.0's nullable, an annotation
    new["components"]["schemas"]["Item"]["properties"]["tag"] =
        json!({"type": "string", "nullable": true, "description": "d"});
    // the response through a one-member allOf
    new["paths"]["/items"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] =
        json!({"allOf": [{"$ref": "#/components/schemas/Item"}], "description": "the item"});
    assert_eq!(diff(&old, &new), []);
}

/// A `$ref` written inline, or a renamed component, is the same on the
/// wire, but renames the generated type (`ItemIn` → `CreateItemBody`).
#[test]
fn a_ref_written_inline_or_a_renamed_component_renames_the_type() {
    let body = "/paths/~1items/post/requestBody/content/application~1json/schema";
    let mut new = base();
    *new.pointer_mut(body).unwrap() = json!({"title": "ItemIn", "type": "object", "properties": {"name": {"type": "string", "title": "Name"}}, "required": ["name"]});
    let found = diff(&base(), &new);
    assert_eq!(summary(&found), [("type-renamed", vec![CS, SS], vec!["create_item".into()])]);
    assert_eq!(found[0].message, "request schema moved from component `ItemIn` to an inline schema");

    let mut new = base();
    let schemas = new["components"]["schemas"].as_object_mut().unwrap();
    let item_in = schemas.remove("ItemIn").unwrap();
    schemas.insert("ItemInput".into(), item_in);
    *new.pointer_mut(body).unwrap() = json!({"$ref": "#/components/schemas/ItemInput"});
    let found = diff(&base(), &new);
    assert_eq!(summary(&found), [("type-renamed", vec![CS, SS], vec!["create_item".into()])]);
    assert_eq!(found[0].message, "request schema moved from component `ItemIn` to component `ItemInput`");
}

#[test]
fn a_shared_schema_is_one_finding_reaching_every_operation() {
    let mut new = base();
    new["components"]["schemas"]["Item"]["properties"]["id"] = json!({"type": "string"});
    let found = diff(&base(), &new);
    assert_eq!(summary(&found), [("type-changed", Axis::ALL.to_vec(), vec!["read_item".into(), "create_item".into()])]);
    assert_eq!(found[0].old.as_deref(), Some("/components/schemas/Item/properties/id"));
    assert_eq!(found[0].message, "property `id` type changed from integer to string");
    assert_eq!(found[0].id(), "type-changed@/components/schemas/Item/properties/id");
}

#[test]
fn properties_by_direction() {
    // response property removed: required in the old spec, so deployed clients fail
    let mut new = base();
    new["components"]["schemas"]["Item"] = object(json!({"id": {"type": "integer"}}), &["id"]);
    assert_eq!(summary(&diff(&base(), &new))[0].0, "response-property-removed");
    assert_eq!(summary(&diff(&base(), &new))[0].1, [CS, CW, SS]);

    // request properties: a required one breaks deployed clients; an optional
    // one breaks nothing (an old service ignores it), unless the old schema
    // forbids undeclared properties
    let mut new = base();
    new["components"]["schemas"]["ItemIn"] = object(
        json!({"name": {"type": "string"}, "owner": {"type": "string"}, "note": {"type": "string"}}),
        &["name", "owner"],
    );
    let found = summary(&diff(&base(), &new));
    // calling code builds the body with typify's builder, which compiles without it
    assert_eq!(found[0], ("request-required-property-added", vec![CW], vec!["create_item".into()]));
    assert_eq!(found[1], ("request-optional-property-added", vec![], vec!["create_item".into()]));
    let (mut old, mut new) = (base(), new);
    old["components"]["schemas"]["ItemIn"]["additionalProperties"] = json!(false);
    new["components"]["schemas"]["ItemIn"]["additionalProperties"] = json!(false);
    let found = summary(&diff(&old, &new));
    assert_eq!(found[1], ("request-optional-property-added", vec![SW], vec!["create_item".into()]));

    // a new response property: servers must set it; new clients need it when it is `T`
    let mut new = base();
    new["components"]["schemas"]["Item"]["properties"]["size"] = json!({"type": "integer"});
    assert_eq!(summary(&diff(&base(), &new))[0].1, [SS]);
    new["components"]["schemas"]["Item"]["required"] = json!(["id", "name", "size"]);
    assert_eq!(summary(&diff(&base(), &new))[0].1, [SS, SW]);
}

#[test]
fn nullability_and_optionality() {
    // a required response field made nullable: T → Option<T>
    let mut new = base();
    new["components"]["schemas"]["Item"]["properties"]["name"] =
        json!({"anyOf": [{"type": "string"}, {"type": "null"}]});
    let found = diff(&base(), &new);
    assert_eq!(summary(&found)[0].0, "response-became-nullable");
    assert_eq!(found[0].axes, [CS, CW, SS]);
    assert_eq!(found[0].note.as_deref(), Some("its Rust type changes from T to Option<T>"));
    assert_eq!(found[0].message, "response property `name` became nullable");

    // an optional response field made nullable: Option<T> takes null already
    let old = doc(object(json!({"name": {"type": "string"}}), &[]), object(json!({}), &[]));
    let new = doc(object(json!({"name": {"type": ["string", "null"]}}), &[]), object(json!({}), &[]));
    let found = diff(&old, &new);
    assert_eq!(found[0].axes, [CS, SS], "Option<T> → Option<Option<T>>, and no wire break");

    // request field made optional: old servers may miss it; the builder's
    // setter now takes `Option<String>`, which a `String` converts into
    let mut new = base();
    new["components"]["schemas"]["ItemIn"]["required"] = json!([]);
    let found = diff(&base(), &new);
    assert_eq!(summary(&found)[0].0, "request-property-became-optional");
    assert_eq!(found[0].axes, [SS, SW]);

    // an optional request field made nullable: the setter still takes `Option<T>`
    let old = doc(object(json!({}), &[]), object(json!({"note": {"type": "string"}}), &[]));
    let new = doc(object(json!({}), &[]), object(json!({"note": {"type": ["string", "null"]}}), &[]));
    assert_eq!(diff(&old, &new)[0].axes, [SS, SW]);
    // and back: `Option<T>` → `T` is what calling code must change
    let required = doc(object(json!({}), &[]), object(json!({"note": {"type": "string"}}), &["note"]));
    assert_eq!(diff(&new, &required)[0].axes, [CS, CW, SS]);
}

#[test]
fn enums_by_direction() {
    let with = |values: Value, request: bool| {
        let mut d = base();
        d["components"]["schemas"]["Status"] = json!({"type": "string", "enum": values});
        let target = if request { "ItemIn" } else { "Item" };
        d["components"]["schemas"][target]["properties"]["status"] = json!({"$ref": "#/components/schemas/Status"});
        d
    };
    // a client reads a new value into the catch-all variant, and matches
    // on the `#[non_exhaustive]` enum with a wildcard arm: nothing breaks
    let found = diff(&with(json!(["a", "b"]), false), &with(json!(["a", "b", "c"]), false));
    assert_eq!(
        summary(&found),
        [("response-enum-value-added", vec![], vec!["read_item".into(), "create_item".into()])]
    );
    assert_eq!(found[0].message, "response enum value `c` added");
    assert_eq!(found[0].new.as_deref(), Some("/components/schemas/Status"));
    // unless `[client] strict-enums` names the enum: then a deployed client fails
    let strict = compare(
        &with(json!(["a", "b"]), false),
        &with(json!(["a", "b", "c"]), false),
        &BTreeMap::new(),
        &["Status".into()],
    );
    assert_eq!(strict[0].axes, [CS, CW]);
    let found = diff(&with(json!(["a", "b"]), false), &with(json!(["a"]), false));
    assert_eq!(found[0].axes, [CS, SS]);

    let found = diff(&with(json!(["a", "b"]), true), &with(json!(["a"]), true));
    assert_eq!(summary(&found), [("request-enum-value-removed", vec![CS, CW, SS], vec!["create_item".into()])]);
    let found = diff(&with(json!(["a"]), true), &with(json!(["a", "b"]), true));
    assert_eq!(summary(&found)[0].1, [SS, SW]);
}

#[test]
fn operations_parameters_statuses_and_media_types() {
    let mut new = base();
    new["paths"].as_object_mut().unwrap().remove("/items");
    new["paths"]["/things"] = base()["paths"]["/items"].clone();
    new["paths"]["/things"]["post"]["operationId"] = json!("create_thing_things_post");
    let found = summary(&diff(&base(), &new));
    assert_eq!(found[0], ("operation-removed", vec![CS, CW, SS], vec!["create_item".into()]));
    assert_eq!(found[1], ("operation-added", vec![SS, SW], vec!["create_thing".into()]));

    let get = "/paths/~1items~1{id}/get";
    let mut new = base();
    let op = new.pointer_mut(get).unwrap();
    op["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "q", "in": "query", "required": true, "schema": {"type": "string"}}));
    op["responses"]["201"] = op["responses"]["200"].clone();
    op["responses"]["200"]["content"] = json!({"text/plain": {"schema": {"type": "string"}}});
    let found = summary(&diff(&base(), &new));
    assert_eq!(
        found.iter().map(|f| (f.0, f.1.clone())).collect::<Vec<_>>(),
        [
            // the operation's first query parameter: a new argument of the server's method
            ("required-parameter-added", vec![CW, SS]),
            ("response-media-type-changed", Axis::ALL.to_vec()),
            ("response-status-added", vec![CS, CW, SS]),
        ]
    );

    // optional → required; and the parameter's anyOf-null is no separate change
    let mut old = base();
    old.pointer_mut(get).unwrap()["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "q", "in": "query", "required": false, "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]}}));
    let found = diff(&old, &new);
    assert_eq!(summary(&found)[0].0, "parameter-became-required");
    assert_eq!(found[0].axes, [CW, SS], "the builder's setter takes the same type");

    // a JSON string answered as text: the client reads both into a `String`
    let mut old = base();
    old.pointer_mut(get).unwrap()["responses"]["200"]["content"] =
        json!({"application/json": {"schema": {"type": "string"}}});
    let mut new = old.clone();
    new.pointer_mut(get).unwrap()["responses"]["200"]["content"] =
        json!({"text/plain": {"schema": {"type": "string"}}});
    assert_eq!(
        summary(&diff(&old, &new)),
        [("response-media-type-changed", vec![CW, SS, SW], vec!["read_item".into()])]
    );
}

#[test]
fn error_statuses_only_matter_when_the_error_type_changes() {
    let error = json!({"description": "e", "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}});
    let mut old = base();
    old.pointer_mut("/paths/~1items~1{id}/get/responses").unwrap()["404"] = error.clone();
    let mut new = old.clone();
    new.pointer_mut("/paths/~1items~1{id}/get/responses").unwrap()["403"] = error;
    assert_eq!(summary(&diff(&old, &new)), [("error-status-added", vec![], vec!["read_item".into()])]);
    assert_eq!(summary(&diff(&base(), &old)), [("error-status-added", vec![CS], vec!["read_item".into()])]);
}

#[test]
fn recursive_schemas_end() {
    let tree = |t: &str| {
        doc(
            object(
                json!({"size": {"type": t}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}),
                &[],
            ),
            object(json!({}), &[]),
        )
    };
    let found = diff(&tree("integer"), &tree("string"));
    assert_eq!(summary(&found), [("type-changed", Axis::ALL.to_vec(), vec!["read_item".into(), "create_item".into()])]);
}

#[test]
fn unions_compare_by_members() {
    let with = |members: Value| {
        let mut d = base();
        d["components"]["schemas"]["Item"]["properties"]["id"] = json!({"anyOf": members, "title": "Id"});
        d
    };
    let int_or_string = with(json!([{"type": "integer"}, {"type": "string"}, {"type": "null"}]));
    let string_or_int = with(json!([{"type": "null"}, {"type": "string"}, {"type": "integer"}]));
    assert_eq!(diff(&int_or_string, &string_or_int), []);
    let found = diff(&int_or_string, &with(json!([{"type": "integer"}, {"type": "boolean"}, {"type": "null"}])));
    let rules: Vec<&str> = found.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["union-changed"]);
    assert_eq!(found[0].message, "response property `id` union changed");
}

#[test]
fn security_requirements_by_direction() {
    let secured = |security: Value, schemes: Value| {
        let mut d = base();
        d["security"] = security;
        d["components"]["securitySchemes"] = schemes;
        d
    };
    let bearer = json!({"Bearer": {"type": "http", "scheme": "bearer"}});
    let both = json!({"Bearer": {"type": "http", "scheme": "bearer"}, "Key": {"type": "apiKey", "in": "header", "name": "X-Key"}});
    let ops = || vec!["read_item".to_string(), "create_item".to_string()];

    // the document's requirement, on both operations: one finding each way
    let public = secured(json!([]), bearer.clone());
    let required = secured(json!([{"Bearer": []}]), bearer.clone());
    assert_eq!(summary(&diff(&public, &required)), [("security-added", vec![CW], ops())]);
    assert_eq!(summary(&diff(&required, &public)), [("security-removed", vec![SW], ops())]);
    // an empty alternative makes it optional: public
    let optional = secured(json!([{"Bearer": []}, {}]), bearer);
    assert_eq!(summary(&diff(&optional, &public)), []);

    // alternatives: one taken away breaks deployed clients, one added new ones
    let either = secured(json!([{"Bearer": []}, {"Key": []}]), both.clone());
    let key_only = secured(json!([{"Key": []}]), both);
    assert_eq!(summary(&diff(&either, &key_only)), [("security-alternative-removed", vec![CW], ops())]);
    assert_eq!(summary(&diff(&key_only, &either)), [("security-alternative-added", vec![SW], ops())]);

    // annotations and the case of `scheme` are no change; a scheme's name is
    let annotated = secured(
        json!([{"Bearer": []}]),
        json!({"Bearer": {"type": "http", "scheme": "Bearer", "bearerFormat": "JWT", "description": "a token"}}),
    );
    assert_eq!(summary(&diff(&required, &annotated)), []);
    let basic = secured(json!([{"Bearer": []}]), json!({"Bearer": {"type": "http", "scheme": "basic"}}));
    let found = diff(&required, &basic);
    assert_eq!(found[0].rule, "security-scheme-changed");
    assert_eq!(found[0].axes, [CW, SW]);
    assert_eq!(found[0].message, "security scheme `Bearer` changed from HTTP bearer to HTTP basic");
    // … and `with_bearer` leaves the client
    assert_eq!(found[1].rule, "credential-method-removed");
    assert_eq!(found[1].axes, [CS]);
    assert_eq!(found[1].message, "client credential methods `bearer`, `with_bearer` removed");
}

#[test]
fn validation_keywords_by_direction_and_by_what_the_client_checks() {
    let with = |item: Value, item_in: Value| doc(item, item_in);
    let name = |schema: Value| object(json!({"id": {"type": "integer"}, "name": schema}), &["id", "name"]);
    let name_in = |schema: Value| object(json!({"name": schema}), &["name"]);
    let string = json!({"type": "string"});
    let short = json!({"type": "string", "maxLength": 5});
    let long = json!({"type": "string", "maxLength": 10});

    // a request bound narrowed: deployed clients; widened: new clients of an old service
    let (a, b) =
        (with(name(string.clone()), name_in(long.clone())), with(name(string.clone()), name_in(short.clone())));
    assert_eq!(summary(&diff(&a, &b)), [("request-constraint-changed", vec![CW], vec!["create_item".into()])]);
    assert_eq!(summary(&diff(&b, &a)), [("request-constraint-changed", vec![SW], vec!["create_item".into()])]);
    assert_eq!(diff(&a, &b)[0].message, "request property `name`: `maxLength` tighter, from `10` to `5`");
    assert_eq!(diff(&a, &b)[0].new.as_deref(), Some("/components/schemas/ItemIn/properties/name/maxLength"));

    // a response string's bound: the client's constrained type checks it
    let (a, b) = (with(name(short.clone()), name_in(string.clone())), with(name(long), name_in(string.clone())));
    let reaches = vec!["read_item".to_string(), "create_item".to_string()];
    assert_eq!(summary(&diff(&a, &b)), [("response-constraint-changed", vec![CW], reaches.clone())]);
    assert_eq!(summary(&diff(&b, &a)), [("response-constraint-changed", vec![SW], reaches.clone())]);

    // an array's bound in a response: no client checks it
    let tags = |max: u64| name(json!({"type": "array", "items": {"type": "string"}, "maxItems": max}));
    let (a, b) = (with(tags(3), name_in(string.clone())), with(tags(5), name_in(string.clone())));
    assert_eq!(summary(&diff(&a, &b)), [("response-constraint-changed", vec![], reaches.clone())]);

    // a bound that gives the string a type of its own: server source, and
    // client source where the client reads it
    let (a, b) = (with(name(string.clone()), name_in(string.clone())), with(name(short), name_in(string)));
    let found = summary(&diff(&a, &b));
    assert_eq!(found[0], ("rust-type-changed", vec![CS, SS], reaches.clone()));
    assert_eq!(found[1], ("response-constraint-changed", vec![SW], reaches));
}

#[test]
fn a_default_changes_the_rust_type_of_an_optional_property() {
    let item_in = |priority: Value| object(json!({"name": {"type": "string"}, "priority": priority}), &["name"]);
    let plain = doc(base()["components"]["schemas"]["Item"].clone(), item_in(json!({"type": "integer"})));
    let defaulted =
        doc(base()["components"]["schemas"]["Item"].clone(), item_in(json!({"type": "integer", "default": 5})));
    // Option<i64> → i64: calling code hands the setter an Option
    assert_eq!(
        summary(&diff(&plain, &defaulted)),
        [("property-default-added", vec![CS, SS], vec!["create_item".into()])]
    );
    // i64 → Option<i64>: an i64 converts into an Option
    assert_eq!(
        summary(&diff(&defaulted, &plain)),
        [("property-default-removed", vec![SS], vec!["create_item".into()])]
    );
    // another default: the same type
    let other = doc(base()["components"]["schemas"]["Item"].clone(), item_in(json!({"type": "integer", "default": 7})));
    assert_eq!(summary(&diff(&defaulted, &other)), []);
}

#[test]
fn response_headers_are_listed_without_axes() {
    let mut new = base();
    new["paths"]["/items/{id}"]["get"]["responses"]["200"]["headers"] = json!({"ETag": {"schema": {"type": "string"}}});
    let found = diff(&base(), &new);
    assert_eq!(summary(&found), [("response-header-added", vec![], vec!["read_item".into()])]);
    assert_eq!(found[0].new.as_deref(), Some("/paths/~1items~1{id}/get/responses/200/headers/ETag"));
    assert_eq!(summary(&diff(&new, &base()))[0].0, "response-header-removed");
}
