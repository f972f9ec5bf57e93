//! Round-trip conformance: the document dropshot derives from the generated
//! trait (`humm-config-stub --print-openapi`) against the lowered spec.
//!
//! The comparison is semantic: `$ref`s are resolved, single-member `allOf`s
//! flattened, and what carries no meaning for a client is normalised away
//! (titles, descriptions, examples, key and `required` order, integer and
//! number widths, `additionalProperties: true`, `nullable` on optional query, header and cookie
//! parameters, which cannot carry null on the wire). Every other difference is
//! reported with the spec's JSON pointer.
//!
//! What dropshot cannot express is a short, named allow-list; each use is
//! reported as `Allowed`, never dropped silently:
//!
//! - `error-responses`: dropshot publishes one error schema under
//!   `4XX`/`5XX`, not one per status;
//! - `security`: dropshot publishes no `securitySchemes` or `security`
//!   (the stub enforces the bearer token itself);
//! - `validation-keywords`: `minItems`, `maxLength`, `minimum`, … that
//!   schemars does not derive from Rust types (the stub enforces `minItems`);
//! - `parameter-defaults`: dropshot publishes no `default` for a parameter;
//!   the generated server applies the spec's default itself;
//! - `raw-text-body`: a `text/plain` body is a `dropshot::UntypedBody`, which
//!   dropshot publishes as `application/octet-stream`;
//! - `optional-nullable`: typify makes an optional property an `Option`,
//!   which schemars publishes as `nullable`; the server never sends `null`
//!   for it (it skips `None` when serialising);
//! - `required-nullable`, `empty-defaults`, `binary-string`: what typify's
//!   types keep on the wire but schemars does not publish (a required
//!   nullable property, always sent, `null` for `None`; a default of `[]`
//!   or `{}`, applied by `#[serde(default)]`; `format: binary` on a JSON
//!   string, a Rust `String`).
//!
//! Not allowances, because the published document says them exactly:
//! cookie parameters, array query parameters, multipart bodies, non-JSON
//! and several success responses. dropshot's metadata cannot describe them,
//! so the runtime describes each in a form dropshot carries (a marked header
//! parameter, a schema extension) and `dropshot_codegen_runtime::publish`
//! puts it right, from the Rust types, before this comparison.
//!
//! Normalised because they say the same thing: a union whose members each
//! require their own value of one tag property, as `oneOf` (with its
//! `discriminator`) and as `anyOf` (typify's untagged enum); an integer's exclusive bound
//! and the inclusive one next to it (`minimum: 0, exclusiveMinimum: true` is
//! `minimum: 1`), and an `enum` of strings without a `type` and the same
//! `enum` with `type: string`; `default: null`, which says what absence
//! already says; and `format: password`, a hint to a UI to obscure the input.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::pointer;

/// The allow-list, with the reason printed beside each use.
pub const ALLOWANCES: &[(&str, &str)] = &[
    ("error-responses", "dropshot publishes one error schema as 4XX/5XX, not one per status"),
    ("security", "dropshot publishes no securitySchemes; the stub checks the bearer token itself"),
    ("validation-keywords", "schemars derives no validation keywords from Rust types; the stub enforces minItems"),
    ("parameter-defaults", "dropshot publishes no parameter defaults; the generated server applies the spec's default"),
    (
        "raw-text-body",
        "dropshot takes a text body as raw bytes and publishes it as application/octet-stream; the handler reads the text",
    ),
    (
        "optional-nullable",
        "schemars publishes an optional property (an Option) as nullable; the server never sends null for it",
    ),
    (
        "required-nullable",
        "schemars lists no Option as required; typify's types always send a required nullable property (null for None)",
    ),
    (
        "empty-defaults",
        "typify applies a default of [] or {} through #[serde(default)], which schemars does not publish",
    ),
    ("binary-string", "format: binary on a JSON string is a Rust String, which schemars publishes without the format"),
];

const VALIDATION_KEYWORDS: &[&str] = &[
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
    "multipleOf",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// (spec pointer, what differs)
    pub differences: Vec<(String, String)>,
    /// (allowance, spec pointer)
    pub allowed: Vec<(&'static str, String)>,
    pub operations: usize,
}

impl Report {
    pub fn render(&self, out: &mut String) {
        if self.differences.is_empty() {
            let _ = writeln!(
                out,
                "{:>12} openapi.json = server's own document ({} operations)",
                "Round-trip", self.operations
            );
        }
        for (pointer, what) in &self.differences {
            let _ = writeln!(out, "{:>12} {pointer}: {what}", "Different");
        }
        for (name, why) in ALLOWANCES {
            let places: Vec<&String> = self.allowed.iter().filter(|(n, _)| n == name).map(|(_, p)| p).collect();
            if !places.is_empty() {
                let _ = writeln!(
                    out,
                    "{:>12} {name} ({} place{}): {why}",
                    "Allowed",
                    places.len(),
                    if places.len() == 1 { "" } else { "s" }
                );
            }
        }
    }
}

/// Compares the lowered spec with the server's published document.
pub fn compare(spec: &Value, published: &Value) -> Report {
    let mut r = Report::default();
    let empty = Map::new();
    let spec_paths = spec.get("paths").and_then(Value::as_object).unwrap_or(&empty);
    let pub_paths = published.get("paths").and_then(Value::as_object).unwrap_or(&empty);
    if spec.pointer("/components/securitySchemes").is_some() {
        r.allowed.push(("security", "/components/securitySchemes".into()));
    }
    for (path, item) in spec_paths {
        let item_ptr = format!("/paths/{}", pointer::escape(path));
        for (method, op) in item.as_object().unwrap_or(&empty) {
            if !crate::spec::METHODS.contains(&method.as_str()) {
                continue;
            }
            r.operations += 1;
            let ptr = format!("{item_ptr}/{method}");
            let Some(theirs) = pub_paths.get(path).and_then(|i| i.get(method)) else {
                r.differences.push((ptr, format!("the server does not publish {} {path}", method.to_uppercase())));
                continue;
            };
            compare_operation(spec, published, &ptr, op, theirs, &mut r);
        }
    }
    for (path, item) in pub_paths {
        for method in item.as_object().unwrap_or(&empty).keys() {
            if spec_paths.get(path).and_then(|i| i.get(method)).is_none() {
                r.differences.push((
                    format!("/paths/{}/{method}", pointer::escape(path)),
                    format!("the server publishes {} {path}, which the spec does not have", method.to_uppercase()),
                ));
            }
        }
    }
    r
}

fn compare_operation(spec: &Value, published: &Value, ptr: &str, ours: &Value, theirs: &Value, r: &mut Report) {
    for key in ["operationId", "tags", "deprecated"] {
        let absent_is_empty = |v: Option<&Value>| match (key, v) {
            ("tags", None) => Some(Value::Array(vec![])),
            ("deprecated", None) => Some(Value::Bool(false)),
            (_, v) => v.cloned(),
        };
        if absent_is_empty(ours.get(key)) != absent_is_empty(theirs.get(key)) {
            r.differences.push((
                format!("{ptr}/{key}"),
                format!("spec has {}, server has {}", show(ours.get(key)), show(theirs.get(key))),
            ));
        }
    }
    if ours.get("security").is_some() {
        r.allowed.push(("security", format!("{ptr}/security")));
    }
    // parameters, by (in, name); the operation has the same pointer in both
    let params = |doc: &Value| -> Vec<(String, String, Value)> {
        crate::spec::parameters(doc, ptr)
            .into_iter()
            .map(|(_, p)| {
                (p["in"].as_str().unwrap_or("").to_string(), p["name"].as_str().unwrap_or("").to_string(), p.clone())
            })
            .collect()
    };
    let ours_params = params(spec);
    let theirs_params = params(published);
    for (location, name, p) in &ours_params {
        let p_ptr = format!("{ptr}/parameters/{name}");
        let Some((_, _, q)) = theirs_params.iter().find(|(l, n, _)| l == location && n == name) else {
            r.differences.push((p_ptr, format!("the server does not take the {location} parameter `{name}`")));
            continue;
        };
        let required = |p: &Value| p.get("required").and_then(Value::as_bool).unwrap_or(false);
        if required(p) != required(q) {
            r.differences
                .push((format!("{p_ptr}/required"), format!("spec says {}, server says {}", required(p), required(q))));
        }
        // an optional query, header or cookie parameter cannot carry null on the wire:
        // absent is its only "null", so `nullable` means nothing there
        let strip = |s: &Value| {
            let mut s = s.clone();
            if (location == "query" || location == "header" || location == "cookie")
                && !required(p)
                && let Some(o) = s.as_object_mut()
            {
                o.shift_remove("nullable");
            }
            s
        };
        let mut ours = strip(&p["schema"]);
        let theirs = strip(&q["schema"]);
        if theirs.get("default").is_none()
            && let Some(o) = ours.as_object_mut()
            && o.shift_remove("default").is_some()
        {
            r.allowed.push(("parameter-defaults", format!("{p_ptr}/schema/default")));
        }
        compare_schema(spec, published, &format!("{p_ptr}/schema"), &ours, &theirs, r);
    }
    for (location, name, _) in &theirs_params {
        if !ours_params.iter().any(|(l, n, _)| l == location && n == name) {
            r.differences.push((
                format!("{ptr}/parameters/{name}"),
                format!("the server takes a {location} parameter `{name}` that the spec does not have"),
            ));
        }
    }
    // request body
    let body = |doc: &Value, op: &Value| op.get("requestBody").map(|b| crate::spec::resolve(doc, b).clone());
    match (body(spec, ours), body(published, theirs)) {
        (None, None) => {}
        (Some(a), Some(b)) => {
            let required = |v: &Value| v.get("required").and_then(Value::as_bool).unwrap_or(false);
            if required(&a) != required(&b) {
                r.differences.push((
                    format!("{ptr}/requestBody/required"),
                    format!("spec says {}, server says {}", required(&a), required(&b)),
                ));
            }
            let body_ptr = format!("{ptr}/requestBody");
            if is_raw_text(&a) && b.pointer("/content/application~1octet-stream").is_some() {
                r.allowed.push(("raw-text-body", format!("{body_ptr}/content/text~1plain")));
            } else {
                compare_content(spec, published, &body_ptr, &a, &b, r);
            }
        }
        (a, _) => r.differences.push((
            format!("{ptr}/requestBody"),
            format!(
                "spec {} a body, server {}",
                if a.is_some() { "takes" } else { "takes no" },
                if a.is_some() { "takes none" } else { "takes one" }
            ),
        )),
    }
    // responses: success ones exactly, error ones under the allowance
    let empty = Map::new();
    let ours_resp = ours.get("responses").and_then(Value::as_object).unwrap_or(&empty);
    let theirs_resp = theirs.get("responses").and_then(Value::as_object).unwrap_or(&empty);
    for (code, resp) in ours_resp {
        let r_ptr = format!("{ptr}/responses/{code}");
        if !code.starts_with('2') {
            let covered = theirs_resp.contains_key(&format!("{}XX", &code[..1]));
            if covered {
                r.allowed.push(("error-responses", r_ptr));
            } else {
                r.differences
                    .push((r_ptr, format!("the server documents no {}XX response for this {code}", &code[..1])));
            }
            continue;
        }
        let Some(theirs) = theirs_resp.get(code) else {
            r.differences.push((r_ptr, format!("the server does not answer {code}")));
            continue;
        };
        let a = crate::spec::resolve(spec, resp);
        let b = crate::spec::resolve(published, theirs);
        compare_content(spec, published, &r_ptr, a, b, r);
    }
    for code in theirs_resp.keys() {
        if code.starts_with('2') && !ours_resp.contains_key(code) {
            r.differences.push((
                format!("{ptr}/responses/{code}"),
                format!("the server answers {code}, which the spec does not document"),
            ));
        }
    }
}

fn compare_content(spec: &Value, published: &Value, ptr: &str, a: &Value, b: &Value, r: &mut Report) {
    let types = |v: &Value| -> BTreeSet<String> {
        v.get("content").and_then(Value::as_object).map(|c| c.keys().cloned().collect()).unwrap_or_default()
    };
    if types(a) != types(b) {
        r.differences.push((format!("{ptr}/content"), format!("spec has {:?}, server has {:?}", types(a), types(b))));
        return;
    }
    for media in types(a) {
        let key = pointer::escape(&media);
        let sa = a.pointer(&format!("/content/{key}/schema")).cloned().unwrap_or(Value::Null);
        let sb = b.pointer(&format!("/content/{key}/schema")).cloned().unwrap_or(Value::Null);
        compare_schema(spec, published, &format!("{ptr}/content/{key}/schema"), &sa, &sb, r);
    }
}

fn compare_schema(spec: &Value, published: &Value, ptr: &str, a: &Value, b: &Value, r: &mut Report) {
    let mut a = normalise(spec, a, 0);
    let mut b = normalise(published, b, 0);
    each_pair(&mut a, &mut b, ptr, &mut |a, b, ptr| {
        strip_validation(a, b, ptr, r);
        allow_optional_nullable(a, b, ptr, r);
        allow_type_losses(a, b, ptr, r);
    });
    diff(ptr, &a, &b, r);
}

/// Calls `visit` with `a` (the spec's schema) and `b` (the server's), then
/// with every pair of their sub-schemas at the same place (properties by
/// name, `items`, `allOf`/`anyOf`/`oneOf` members by index), each with the
/// spec's pointer. A sub-schema that only one side has is paired with null.
fn each_pair(a: &mut Value, b: &mut Value, ptr: &str, visit: &mut impl FnMut(&mut Value, &mut Value, &str)) {
    visit(a, b, ptr);
    let mut children: Vec<String> = Vec::new();
    for side in [&*a, &*b] {
        for name in side.get("properties").and_then(Value::as_object).into_iter().flat_map(|p| p.keys()) {
            let child = format!("/properties/{}", pointer::escape(name));
            if !children.contains(&child) {
                children.push(child);
            }
        }
        if side.get("items").is_some() && !children.iter().any(|c| c == "/items") {
            children.push("/items".into());
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for i in 0..side.get(key).and_then(Value::as_array).map_or(0, Vec::len) {
                let child = format!("/{key}/{i}");
                if !children.contains(&child) {
                    children.push(child);
                }
            }
        }
    }
    for child in children {
        let (mut no_a, mut no_b) = (Value::Null, Value::Null);
        let sa = a.pointer_mut(&child).unwrap_or(&mut no_a);
        let sb = b.pointer_mut(&child).unwrap_or(&mut no_b);
        each_pair(sa, sb, &format!("{ptr}{child}"), visit);
    }
}

/// Removes from `b` (the server's) `nullable: true` on the properties that
/// `a` (the spec) neither requires nor declares nullable, recording each
/// under the allowance.
fn allow_optional_nullable(a: &Value, b: &mut Value, ptr: &str, r: &mut Report) {
    let required: Vec<&str> =
        a.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let Some(Value::Object(properties)) = b.get_mut("properties") else { return };
    for (name, sb) in properties.iter_mut() {
        let declared_nullable = a.pointer(&format!("/properties/{}/nullable", pointer::escape(name)));
        let optional = !required.contains(&name.as_str()) && declared_nullable != Some(&Value::Bool(true));
        if optional
            && sb.get("nullable") == Some(&Value::Bool(true))
            && let Some(o) = sb.as_object_mut()
        {
            o.shift_remove("nullable");
            r.allowed.push(("optional-nullable", format!("{ptr}/properties/{}/nullable", pointer::escape(name))));
        }
    }
}

/// Removes from `a` (the spec) what typify's Rust types keep on the wire
/// but schemars does not publish, recording each under its allowance:
/// `required-nullable` (a required nullable property is an `Option` that
/// typify always serialises, as `null` for `None`, but schemars lists no
/// `Option` as required), `empty-defaults` (a default of `[]` or `{}`, which
/// typify applies through `#[serde(default)]`) and `binary-string`
/// (`format: binary` on a JSON string, a `String` in Rust).
fn allow_type_losses(a: &mut Value, b: &Value, ptr: &str, r: &mut Report) {
    let Some(obj) = a.as_object_mut() else { return };
    let theirs_required: Vec<&Value> = b.get("required").and_then(Value::as_array).into_iter().flatten().collect();
    let nullable: Vec<String> = obj
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, s)| s.get("nullable") == Some(&Value::Bool(true)))
        .map(|(name, _)| name.clone())
        .collect();
    if let Some(Value::Array(required)) = obj.get_mut("required") {
        required.retain(|name| {
            let keep =
                theirs_required.contains(&name) || !name.as_str().is_some_and(|n| nullable.iter().any(|m| m == n));
            if !keep {
                let name = pointer::escape(name.as_str().unwrap_or_default());
                r.allowed.push(("required-nullable", format!("{ptr}/properties/{name}")));
            }
            keep
        });
        if required.is_empty() {
            obj.shift_remove("required");
        }
    }
    let empty = |v: &Value| v.as_array().is_some_and(Vec::is_empty) || v.as_object().is_some_and(Map::is_empty);
    if b.get("default").is_none() && obj.get("default").is_some_and(empty) {
        obj.shift_remove("default");
        r.allowed.push(("empty-defaults", format!("{ptr}/default")));
    }
    if obj.get("format").and_then(Value::as_str) == Some("binary")
        && obj.get("type").and_then(Value::as_str) == Some("string")
        && b.get("format").is_none()
    {
        obj.shift_remove("format");
        r.allowed.push(("binary-string", format!("{ptr}/format")));
    }
}

/// A request body of text alone (`text/plain`).
fn is_raw_text(body: &Value) -> bool {
    body.get("content").and_then(Value::as_object).is_some_and(|c| c.len() == 1 && c.contains_key("text/plain"))
}

/// Equal JSON values, numbers by their value (`0` and `0.0` are one bound).
fn same_value(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Removes from `a` (the spec) the validation keywords that `b` lacks or
/// has otherwise, recording each under the allowance.
fn strip_validation(a: &mut Value, b: &Value, ptr: &str, r: &mut Report) {
    let Some(obj) = a.as_object_mut() else { return };
    for k in VALIDATION_KEYWORDS {
        if obj.contains_key(*k) && !same_value(b.get(*k), obj.get(*k)) {
            obj.shift_remove(*k);
            r.allowed.push(("validation-keywords", format!("{ptr}/{k}")));
        }
    }
}

/// A schema with references resolved and meaning-free differences removed.
pub fn normalise(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 32 {
        // a recursive type: compare no deeper
        return Value::String("<recursive>".into());
    }
    let schema = crate::spec::resolve(doc, schema);
    let Some(obj) = schema.as_object() else { return schema.clone() };
    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "title" | "description" | "example" | "examples" | "$ref" | "externalDocs" | "deprecated" | "readOnly"
            | "writeOnly" => {}
            "properties" => {
                let props: Map<String, Value> = v
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(n, s)| (n.clone(), normalise(doc, s, depth + 1)))
                    .collect();
                out.insert(k.clone(), Value::Object(props));
            }
            "items" | "not" => {
                out.insert(k.clone(), normalise(doc, v, depth + 1));
            }
            "additionalProperties" => match v {
                Value::Bool(true) => {}
                Value::Object(m) if m.is_empty() => {}
                other => {
                    out.insert(k.clone(), normalise(doc, other, depth + 1));
                }
            },
            "allOf" | "anyOf" | "oneOf" => {
                let members: Vec<Value> =
                    v.as_array().into_iter().flatten().map(|m| normalise(doc, m, depth + 1)).collect();
                out.insert(k.clone(), Value::Array(members));
            }
            "required" | "enum" => {
                let mut items: Vec<Value> = v.as_array().cloned().unwrap_or_default();
                items.sort_by_key(|x| x.to_string());
                out.insert(k.clone(), Value::Array(items));
            }
            // OpenAPI's hint to a UI to obscure the input; nothing on the wire
            "format" if v == "password" => {}
            "format" if matches!(obj.get("type").and_then(Value::as_str), Some("integer" | "number")) => {}
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    // a single-member allOf is its member (how 3.0 attaches siblings to a $ref)
    if let Some(Value::Array(members)) = out.get("allOf").cloned()
        && members.len() == 1
    {
        out.shift_remove("allOf");
        if let Value::Object(m) = &members[0] {
            for (k, v) in m {
                out.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    // an allOf of plain objects is one object with every member's properties
    // (how typify generates it); flattened only where no property clashes
    if let Some(Value::Array(members)) = out.get("allOf").cloned()
        && members.len() > 1
        && let Some(merged) = merge_objects(&members)
    {
        out.shift_remove("allOf");
        for (k, v) in merged {
            out.entry(k).or_insert(v);
        }
    }
    // a union whose members each require their own value of one tag
    // property (pydantic's discriminated union) accepts the same values as
    // `oneOf` and `anyOf`, with or without a `discriminator`, which only
    // says which member to try (typify makes it an untagged enum, which
    // schemars publishes as `anyOf`)
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = out.get(key)
            && let Some(tag) = exclusive_tag(members)
            && out.get("discriminator").is_none_or(|d| d.get("propertyName").and_then(Value::as_str) == Some(&tag))
        {
            // no value fits two members, so their order says nothing either
            let mut members = members.clone();
            members.sort_by_key(|m| m.pointer(&format!("/properties/{tag}/enum/0")).map(Value::to_string));
            out.shift_remove(key);
            out.shift_remove("discriminator");
            out.insert("anyOf".into(), Value::Array(members));
        }
    }
    if out.get("nullable") == Some(&Value::Bool(false)) {
        out.shift_remove("nullable");
    }
    // a default of null says what absence already says: no value
    if out.get("default") == Some(&Value::Null) {
        out.shift_remove("default");
    }
    // an integer's exclusive bound is the inclusive one next to it
    if out.get("type").and_then(Value::as_str) == Some("integer") {
        for (flag, bound, step) in [("exclusiveMinimum", "minimum", 1), ("exclusiveMaximum", "maximum", -1)] {
            // a bound may be written `0.0` (pydantic's `gt=0` on an int)
            let integral = |v: &Value| v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64));
            if out.get(flag) == Some(&Value::Bool(true))
                && let Some(n) = out.get(bound).and_then(integral)
            {
                out.insert(bound.into(), Value::from(n + step));
                out.shift_remove(flag);
            } else if out.get(flag) == Some(&Value::Bool(false)) {
                out.shift_remove(flag);
            }
        }
    }
    // an enum of strings is a string
    if !out.contains_key("type")
        && out.get("enum").and_then(Value::as_array).is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_string))
    {
        out.insert("type".into(), Value::String("string".into()));
    }
    Value::Object(out)
}

/// The property that every member (a normalised object schema) requires
/// with a one-value `enum` of its own, so that no value fits two members.
fn exclusive_tag(members: &[Value]) -> Option<String> {
    let first = members.first()?.get("properties")?.as_object()?;
    first
        .keys()
        .find(|name| {
            let mut seen = BTreeSet::new();
            members.iter().all(|m| {
                let required =
                    m.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|x| x == *name));
                let value =
                    m.pointer(&format!("/properties/{name}/enum")).and_then(Value::as_array).filter(|e| e.len() == 1);
                required && value.is_some_and(|e| seen.insert(e[0].to_string()))
            })
        })
        .cloned()
}

/// One object schema with the properties and required names of every
/// member, when every member is a plain object schema and no property is
/// declared twice differently.
fn merge_objects(members: &[Value]) -> Option<Map<String, Value>> {
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for m in members {
        let m = m.as_object()?;
        if m.keys().any(|k| !matches!(k.as_str(), "type" | "properties" | "required"))
            || m.get("type").is_some_and(|t| t != "object")
        {
            return None;
        }
        for (name, schema) in m.get("properties").and_then(Value::as_object).into_iter().flatten() {
            match properties.get(name) {
                Some(existing) if existing != schema => return None,
                _ => {
                    properties.insert(name.clone(), schema.clone());
                }
            }
        }
        required.extend(m.get("required").and_then(Value::as_array).into_iter().flatten().cloned());
    }
    required.sort_by_key(|x| x.to_string());
    required.dedup();
    let mut out = Map::new();
    out.insert("type".into(), Value::String("object".into()));
    out.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    Some(out)
}

fn diff(ptr: &str, a: &Value, b: &Value, r: &mut Report) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = format!("{ptr}/{}", pointer::escape(k));
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => diff(&p, va, vb, r),
                    (Some(va), None) => r
                        .differences
                        .push((p, format!("spec has {}, the server's document has nothing", show(Some(va))))),
                    (None, Some(vb)) => r
                        .differences
                        .push((p, format!("the server's document has {}, the spec has nothing", show(Some(vb))))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(&format!("{ptr}/{i}"), va, vb, r);
            }
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if a == b => {}
        _ => r.differences.push((ptr.to_string(), format!("spec has {}, server has {}", show(Some(a)), show(Some(b))))),
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "nothing".into(),
        Some(v) => {
            let s = v.to_string();
            if s.len() > 120 {
                format!("{}…", &s[..s.char_indices().nth(117).map(|(i, _)| i).unwrap_or(s.len())])
            } else {
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(schema: Value, extra_param: bool) -> Value {
        let mut params =
            vec![json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}})];
        if extra_param {
            params.push(json!({"name": "q", "in": "query", "schema": {"type": "integer", "format": "int32"}}));
        }
        json!({
            "paths": {"/x/{id}": {"put": {
                "operationId": "put_x",
                "parameters": params,
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}},
                               "404": {"description": "nf", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }}},
            "components": {"schemas": {"X": schema}}
        })
    }

    #[test]
    fn equal_documents_agree_modulo_annotations() {
        let ours = doc(
            json!({"type": "object", "title": "X", "properties": {"a": {"type": "integer", "format": "int64", "minimum": 1}}, "required": ["a"]}),
            false,
        );
        let mut theirs = doc(
            json!({"type": "object", "description": "x", "properties": {"a": {"type": "integer", "format": "uint64"}}, "required": ["a"]}),
            false,
        );
        theirs["paths"]["/x/{id}"]["put"]["responses"] =
            json!({"200": theirs["paths"]["/x/{id}"]["put"]["responses"]["200"], "4XX": {"description": "e"}});
        let r = compare(&ours, &theirs);
        assert_eq!(r.differences, vec![], "{r:?}");
        assert!(r.allowed.contains(&("error-responses", "/paths/~1x~1{id}/put/responses/404".into())));
        assert!(
            r.allowed.iter().any(|(n, p)| *n == "validation-keywords" && p.ends_with("/properties/a/minimum")),
            "{r:?}"
        );
    }

    #[test]
    fn differences_are_named_by_pointer() {
        let ours = doc(json!({"type": "object", "properties": {"a": {"type": "string"}}}), true);
        let theirs = doc(json!({"type": "object", "properties": {"a": {"type": "integer"}}}), false);
        let r = compare(&ours, &theirs);
        let pointers: Vec<&str> = r.differences.iter().map(|(p, _)| p.as_str()).collect();
        assert!(pointers.contains(&"/paths/~1x~1{id}/put/parameters/q"), "{r:?}");
        assert!(
            pointers.contains(&"/paths/~1x~1{id}/put/requestBody/content/application~1json/schema/properties/a/type"),
            "{r:?}"
        );
        assert!(pointers.contains(&"/paths/~1x~1{id}/put/responses/404"), "no 4XX on the server side: {r:?}");
    }

    #[test]
    fn missing_and_extra_operations() {
        let ours = doc(json!({"type": "object"}), false);
        let mut theirs = ours.clone();
        theirs["paths"]["/y"] = json!({"get": {"operationId": "y", "responses": {}}});
        theirs["paths"]["/x/{id}"].as_object_mut().unwrap().shift_remove("put");
        let r = compare(&ours, &theirs);
        assert_eq!(r.differences.len(), 2, "{r:?}");
    }

    #[test]
    fn a_deprecated_operation_must_be_published_deprecated() {
        let flagged = |r: &Report| r.differences.iter().any(|(p, _)| p == "/paths/~1x~1{id}/put/deprecated");
        let mut ours = doc(json!({"type": "object"}), false);
        let mut theirs = ours.clone();
        assert!(!flagged(&compare(&ours, &theirs)));
        ours["paths"]["/x/{id}"]["put"]["deprecated"] = json!(true);
        assert!(flagged(&compare(&ours, &theirs)));
        theirs["paths"]["/x/{id}"]["put"]["deprecated"] = json!(true);
        assert!(!flagged(&compare(&ours, &theirs)));
    }

    #[test]
    fn nullable_refs_compare_through_allof() {
        let a = json!({"allOf": [{"$ref": "#/components/schemas/E"}], "nullable": true, "default": "A"});
        let b = json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/E"}], "default": "A"});
        let docs = json!({"components": {"schemas": {"E": {"type": "string", "enum": ["B", "A"]}}}});
        assert_eq!(normalise(&docs, &a, 0), normalise(&docs, &b, 0));
        assert_eq!(
            normalise(&docs, &a, 0),
            json!({"nullable": true, "default": "A", "type": "string", "enum": ["A", "B"]})
        );
    }

    #[test]
    fn equivalent_forms_compare_equal() {
        let docs = json!({});
        let exclusive = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 10});
        assert_eq!(normalise(&docs, &exclusive, 0), json!({"type": "integer", "minimum": 1, "maximum": 10}));
        assert_eq!(normalise(&docs, &json!({"enum": ["mm"]}), 0), json!({"enum": ["mm"], "type": "string"}));
        let composed = json!({"allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"type": "object", "properties": {"b": {"type": "integer"}}}
        ]});
        assert_eq!(
            normalise(&docs, &composed, 0),
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a"]})
        );
        // a property declared differently twice is left as the allOf it is
        let clash = json!({"allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"a": {"type": "integer"}}}
        ]});
        assert!(normalise(&docs, &clash, 0).get("allOf").is_some());
    }

    #[test]
    fn optional_nullable_and_parameter_defaults_are_allowed_by_name() {
        let mut ours = doc(
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["b"]}),
            true,
        );
        let mut theirs = doc(
            json!({"type": "object", "properties": {"a": {"type": "string", "nullable": true}, "b": {"type": "string", "nullable": true}}, "required": ["b"]}),
            true,
        );
        theirs["paths"]["/x/{id}"]["put"]["responses"]["4XX"] = json!({"description": "e"});
        ours["paths"]["/x/{id}"]["put"]["parameters"][1]["schema"]["default"] = json!(5);
        let r = compare(&ours, &theirs);
        // `b` is required: its nullable is a real difference; `a` is optional
        let pointers: Vec<&str> = r.differences.iter().map(|(p, _)| p.as_str()).collect();
        assert!(pointers.iter().all(|p| p.ends_with("/properties/b/nullable")), "{r:?}");
        assert!(!pointers.is_empty());
        assert!(
            r.allowed.iter().any(|(n, p)| *n == "optional-nullable" && p.ends_with("/properties/a/nullable")),
            "{r:?}"
        );
        assert!(
            r.allowed.contains(&("parameter-defaults", "/paths/~1x~1{id}/put/parameters/q/schema/default".into())),
            "{r:?}"
        );
    }
}
