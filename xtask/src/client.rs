//! `client/src/generated.rs`: the progenitor client.
//!
//! progenitor reads the lowered 3.0.3 document after three adjustments that
//! only concern it (the spec itself, and the server, keep the original):
//!
//! - **Names.** Each operationId is replaced by its Rust name
//!   ([`crate::names`]), since progenitor names methods after operationIds.
//! - **One error type per operation.** progenitor asserts that all error
//!   responses of an operation share one body type. FastAPI's don't: 401 and
//!   404 carry `{"detail": "..."}`, 422 carries `HTTPValidationError`. Where
//!   they differ, the error responses are pointed at a synthesised component
//!   whose `oneOf` lists every body (named after its members, e.g.
//!   `HTTPErrorDetailOrHTTPValidationError`), so typify makes an untagged enum
//!   and every documented status comes back typed instead of as
//!   `UnexpectedResponse`.
//! - **Titles of inline bodies.** FastAPI titles inline response schemas
//!   after the route ("Response List Saas Associations Api Integration
//!   Sources  Source Id  Saas Associations Get"); typify would name types
//!   after them. They are dropped, so that the types are named after the
//!   operation instead (`BulkUpdateSaasAssociationStatusResponse`).
//!
//! The token stream is formatted with prettyplease (pinned through
//! `Cargo.lock`) so that the output is byte for byte reproducible.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use serde_json::{Value, json};

use crate::lower::escape_pointer_token;
use crate::spec::{Spec, parse_openapi};

/// The generated client module, formatted, with its header.
pub fn generate(spec: &Spec) -> Result<String, String> {
    let doc = progenitor_input(spec);
    let openapi = parse_openapi(&doc)?;
    let mut settings = GenerationSettings::new();
    settings.with_interface(InterfaceStyle::Builder).with_tag(TagStyle::Merged);
    let mut generator = Generator::new(&settings);
    let tokens = crate::quietly(|| generator.generate_tokens(&openapi))
        .map_err(|panic| format!("/: progenitor could not generate the client ({panic}); this is a generator bug, please report it with the spec"))?
        .map_err(|e| format!("/: progenitor could not generate the client: {e}"))?;
    let body = crate::format_tokens(&tokens.to_string())?;
    Ok(crate::with_header(spec, "//", &format!("{INNER_ATTRIBUTES}\n{body}")))
}

/// Lints are silenced in generated code only.
const INNER_ATTRIBUTES: &str = "#![allow(clippy::all, clippy::pedantic, missing_docs, unused_imports, unreachable_pub, rustdoc::all)]\n";

/// The document progenitor reads (see the module docs).
pub fn progenitor_input(spec: &Spec) -> Value {
    let mut doc = spec.lowered.clone();
    for op in &spec.operations {
        if let Some(o) = doc.pointer_mut(&op.pointer) {
            o["operationId"] = json!(op.name);
        }
    }
    drop_inline_titles(&mut doc, spec);
    combine_error_bodies(&mut doc, spec);
    doc
}

fn drop_inline_titles(doc: &mut Value, spec: &Spec) {
    for op in &spec.operations {
        for place in ["responses", "requestBody"] {
            let Some(v) = doc.pointer_mut(&format!("{}/{place}", op.pointer)) else { continue };
            for schema in media_schemas(v) {
                if let Some(obj) = schema.as_object_mut() {
                    obj.shift_remove("title");
                }
            }
        }
    }
}

/// The `schema` of every media type below a responses object or request body.
fn media_schemas(v: &mut Value) -> Vec<&mut Value> {
    let mut out = Vec::new();
    let contents: Vec<&mut Value> = match v.get("content") {
        Some(_) => vec![v],
        None => v.as_object_mut().map(|m| m.values_mut().collect()).unwrap_or_default(),
    };
    for c in contents {
        if let Some(media) = c.get_mut("content").and_then(Value::as_object_mut) {
            out.extend(media.values_mut().filter_map(|m| m.get_mut("schema")));
        }
    }
    out
}

fn is_error_status(code: &str) -> bool {
    code.starts_with('4') || code.starts_with('5') || code == "default"
}

fn combine_error_bodies(doc: &mut Value, spec: &Spec) {
    let mut added: BTreeMap<String, Value> = BTreeMap::new();
    for op in &spec.operations {
        let responses_ptr = format!("{}/responses", op.pointer);
        let Some(responses) = doc.pointer(&responses_ptr).and_then(Value::as_object) else { continue };
        let mut bodies: Vec<Value> = Vec::new();
        for (code, response) in responses {
            if !is_error_status(code) {
                continue;
            }
            let response = crate::spec::resolve(&spec.lowered, response);
            if let Some(schema) = response.pointer("/content/application~1json/schema") {
                if !bodies.contains(schema) {
                    bodies.push(schema.clone());
                }
            }
        }
        if bodies.len() < 2 {
            continue;
        }
        let member_names: Option<Vec<&str>> = bodies
            .iter()
            .map(|b| b.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()))
            .collect();
        let mut name = match member_names {
            Some(names) => names.join("Or"),
            None => format!("{}Error", op.name.to_upper_camel_case()),
        };
        let combined = json!({
            "description": "One of the error bodies that the API documents; which one follows from the status.",
            "oneOf": bodies,
        });
        let existing = doc.pointer("/components/schemas").and_then(Value::as_object);
        let mut n = 2;
        let base = name.clone();
        while existing.is_some_and(|s| s.contains_key(&name)) || added.get(&name).is_some_and(|v| v["oneOf"] != combined["oneOf"]) {
            name = format!("{base}{n}");
            n += 1;
        }
        added.entry(name.clone()).or_insert(combined);
        let reference = json!({ "$ref": format!("#/components/schemas/{}", escape_pointer_token(&name)) });
        let Some(responses) = doc.pointer_mut(&responses_ptr).and_then(Value::as_object_mut) else { continue };
        for (code, response) in responses.iter_mut() {
            if !is_error_status(code) {
                continue;
            }
            if response.get("$ref").is_some() {
                // inline a referenced response, so that only this operation's
                // copy points at the combined body
                *response = crate::spec::resolve(&spec.lowered, response).clone();
            }
            if let Some(schema) = response.pointer_mut("/content/application~1json/schema") {
                *schema = reference.clone();
            }
        }
    }
    if added.is_empty() {
        return;
    }
    let schemas = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| json!({})))
        .and_then(|c| c.as_object_mut())
        .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut);
    if let Some(schemas) = schemas {
        schemas.extend(added);
    }
}
