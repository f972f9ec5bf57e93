//! Shapes typify (0.8, under progenitor and our server alike) turns into
//! code that does not build, reshaped in the generators' copy of the
//! lowered document without changing what it accepts. Each has a minimal
//! reproduction of the upstream behaviour among the tests below, which
//! fails once typify generates the shape right, so the workaround can go.
//!
//! - **An enum of values typify cannot name** (`Etc/GMT+1` beside
//!   `Etc/GMT-1`) becomes a plain string ([`enums_without_names`]); **an
//!   un-typed enum of several types** a union of typed enums; **a null
//!   default** goes ([`null_defaults`]); **`anyOf` beside `oneOf`** keeps
//!   the `anyOf` (progenitor asserts one of them).
//! - **An `anyOf` of two members of one type** (`uuid | "admin"`) becomes
//!   a `oneOf` ([`any_of_alike`]).
//! - **A union of plain strings** (`uuid4 | uuid5`) becomes one string;
//!   **the default of a union** goes (see [`unions_of_strings`] and
//!   [`union_defaults`]).
//! - **Components named alike** (`Body_create_v1_a2a__post` beside
//!   `Body_create_v1_a2a_post`, FastAPI's names of two routes' bodies): both
//!   are the Rust type `BodyCreateV1A2aPost`, defined twice. The later gets
//!   a number (`Body_create_v1_a2a_post_2`) and its references follow.
//! - **A nullable component** (`FullJson-Input`: a union with `null`, or an
//!   object marked `nullable`): typify makes it a newtype of
//!   `Option<Self>` under the component's own name, so the type is defined
//!   twice and holds itself. The component loses `nullable` and every
//!   reference to it becomes `{"allOf": [{"$ref": …}], "nullable": true}`,
//!   which is what each use accepted.
//! - **An inline schema titled as a component** (`"title": "Payment
//!   Processor"` on a property beside the component `PaymentProcessor`):
//!   typify names inline types by their title, so the inline type is taken
//!   for the component (losing its own values) or defines the name twice.
//!   The inline title is dropped (an annotation), and typify names the type
//!   from where it is (`CheckoutPaymentProcessor`).

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

/// Applies every reshaping to a lowered (3.0.3) document.
pub fn reshape(doc: &mut Value) {
    components_named_alike(doc);
    nullable_components(doc);
    titles_naming_components(doc);
    let types = component_types(doc);
    each_schema(doc, &mut |schema| {
        any_of_alike(schema, &types);
        untyped_mixed_enums(schema);
        enums_without_names(schema);
        unions_of_strings(schema);
        union_defaults(schema);
        null_defaults(schema);
        any_of_beside_one_of(schema);
    });
}

/// Calls `f` on every object of the document, parents before children
/// (what is not a schema is left alone by each reshaping).
fn each_schema(value: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(obj) => {
            f(obj);
            obj.values_mut().for_each(|v| each_schema(v, f));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| each_schema(v, f)),
        _ => {}
    }
}

/// The JSON type of each component that has one (`object` for one with
/// properties), by reference.
fn component_types(doc: &Value) -> std::collections::BTreeMap<String, String> {
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object);
    schemas
        .into_iter()
        .flatten()
        .filter_map(|(name, s)| {
            let ty = match s.get("type").and_then(Value::as_str) {
                Some(ty) => ty,
                None if s.get("properties").is_some() => "object",
                None => return None,
            };
            Some((format!("#/components/schemas/{name}"), ty.to_string()))
        })
        .collect()
}

/// An `anyOf` of two members of one type that is not `object` (`uuid |
/// "admin"`, both strings): typify cannot tell them apart, and makes the
/// union a struct of flattened optional parts, which serde cannot read a
/// string into and whose `JsonSchema` is a type array (`["object",
/// "string"]`) that dropshot refuses when the API is described. It becomes
/// a `oneOf`, which typify makes an untagged enum: the first member that
/// takes a value is it, which is what a value of an `anyOf` needs; the stub
/// and the service check the rest. Members of different types (`int |
/// str`) typify tells apart already, and they stay.
fn any_of_alike(schema: &mut Map<String, Value>, types: &std::collections::BTreeMap<String, String>) {
    let Some(Value::Array(members)) = schema.get("anyOf") else { return };
    let type_of = |m: &Value| match m.get("$ref").and_then(Value::as_str) {
        Some(target) => types.get(target).cloned(),
        None => m.get("type").and_then(Value::as_str).map(str::to_string),
    };
    let mut seen = BTreeSet::new();
    let alike = members.iter().filter_map(type_of).filter(|t| t != "object" && t != "null").any(|t| !seen.insert(t));
    if !alike || schema.contains_key("oneOf") {
        return;
    }
    if let Some(members) = schema.shift_remove("anyOf") {
        schema.insert("oneOf".into(), members);
    }
}

/// `anyOf` beside `oneOf` in one schema (a value must match both):
/// progenitor asserts that a schema has at most one of them. The `oneOf`
/// goes and the `anyOf` stays: the generated type accepts every value of
/// the union, the narrower rule is the service's (and the stub's) to check.
fn any_of_beside_one_of(schema: &mut Map<String, Value>) {
    if schema.contains_key("anyOf") {
        schema.shift_remove("oneOf");
    }
}

/// `"default": null` of a number (pydantic's `int | None = None`): typify
/// checks it against the type and refuses null there (`{"type":
/// "integer", "nullable": true, "default": null}`, "value does not
/// conform"). It goes; the client then tells an absent value from a null
/// one there (`Option<Option<i64>>` in a request body), which FastAPI reads
/// alike. Other null defaults typify takes, and they stay.
fn null_defaults(schema: &mut Map<String, Value>) {
    let numeric = matches!(schema.get("type").and_then(Value::as_str), Some("integer" | "number"));
    if numeric && schema.get("default") == Some(&Value::Null) {
        schema.shift_remove("default");
    }
}

/// An `enum` without `type` whose values are of several JSON types
/// (`Literal["auto", "max", 1, 2]`): typify refuses it ("multiple implied
/// types for an un-typed enum"). It becomes the union of one typed `enum`
/// per type, which accepts the same values.
fn untyped_mixed_enums(schema: &mut Map<String, Value>) {
    if schema.contains_key("type") {
        return;
    }
    let Some(Value::Array(values)) = schema.get("enum") else { return };
    let type_of = |v: &Value| match v {
        Value::String(_) => "string",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null => "null",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let mut by_type: Vec<(&str, Vec<Value>)> = Vec::new();
    for value in values {
        let t = type_of(value);
        match by_type.iter_mut().find(|(seen, _)| *seen == t) {
            Some((_, same)) => same.push(value.clone()),
            None => by_type.push((t, vec![value.clone()])),
        }
    }
    if by_type.len() < 2 {
        return;
    }
    let nullable = by_type.iter().any(|(t, _)| *t == "null");
    let members: Vec<Value> = by_type
        .into_iter()
        .filter(|(t, _)| *t != "null")
        .map(|(t, values)| json!({"type": t, "enum": values}))
        .collect();
    schema.shift_remove("enum");
    schema.insert("anyOf".into(), Value::Array(members));
    if nullable {
        schema.insert("nullable".into(), Value::Bool(true));
    }
}

/// A string enum whose values typify cannot each name (`Etc/GMT+1` and
/// `Etc/GMT-1` are both `EtcGmt1`; `<>` has no letter): typify fails
/// ("Failed to make unique variant names"). It becomes a plain string: the
/// generated code takes and gives any string there, and only the list of
/// values is lost to it (the stub still checks them).
fn enums_without_names(schema: &mut Map<String, Value>) {
    if schema.get("type") != Some(&json!("string")) {
        return;
    }
    let Some(Value::Array(values)) = schema.get("enum") else { return };
    let mut names = BTreeSet::new();
    let nameable = values.iter().all(|v| match v {
        Value::String(s) => {
            let name = s.to_upper_camel_case();
            !name.is_empty() && names.insert(name)
        }
        _ => true,
    });
    if !nameable {
        schema.shift_remove("enum");
    }
}

/// A union whose members are all plain strings (`uuid4 | uuid5`): typify
/// makes it a struct of optional parts, which progenitor cannot take as a
/// path parameter (its builder assertion `left: "user_id", right: "body"`).
/// It becomes one string, with the format only where all members share it.
fn unions_of_strings(schema: &mut Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = schema.get(key) else { continue };
        let plain = |m: &Value| {
            m.as_object().is_some_and(|m| {
                m.get("type") == Some(&json!("string")) && !m.contains_key("enum") && !m.contains_key("$ref")
            })
        };
        if members.len() < 2 || !members.iter().all(plain) {
            continue;
        }
        let first = members[0].get("format").cloned();
        let format = first.filter(|f| members.iter().all(|m| m.get("format") == Some(f)));
        schema.shift_remove(key);
        schema.insert("type".into(), json!("string"));
        if let Some(format) = format {
            schema.insert("format".into(), format);
        }
    }
}

/// The `default` of a union: typify checks it against the untagged enum it
/// makes of the union and refuses what it cannot place (`InvalidValue`,
/// "value does not conform to the given schema", for `"is"` in a union of
/// operator enums). The default goes; only that an absent field means it is
/// lost (the field reads as absent).
fn union_defaults(schema: &mut Map<String, Value>) {
    if schema.contains_key("default") && (schema.contains_key("anyOf") || schema.contains_key("oneOf")) {
        schema.shift_remove("default");
    }
}

/// Components whose keys differ only where a Rust name cannot
/// (`Body_create_v1_a2a__post` beside `Body_create_v1_a2a_post`, both
/// `BodyCreateV1A2aPost`): each after the first (in the document's order) is
/// renamed with a number (`Body_create_v1_a2a_post_2`), and every reference
/// follows.
fn components_named_alike(doc: &mut Value) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else { return };
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut renames = Vec::new();
    for key in schemas.keys() {
        let mut name = key.clone();
        let mut n = 2;
        while !taken.insert(name.to_upper_camel_case()) {
            name = format!("{key}_{n}");
            n += 1;
        }
        if &name != key {
            renames.push((key.clone(), name));
        }
    }
    if renames.is_empty() {
        return;
    }
    let renamed: Map<String, Value> = std::mem::take(schemas)
        .into_iter()
        .map(|(k, v)| match renames.iter().find(|(old, _)| *old == k) {
            Some((_, new)) => (new.clone(), v),
            None => (k, v),
        })
        .collect();
    *schemas = renamed;
    let targets: std::collections::BTreeMap<String, String> = renames
        .iter()
        .map(|(old, new)| {
            let at = |k: &str| format!("#/components/schemas/{}", crate::pointer::escape(k));
            (at(old), at(new))
        })
        .collect();
    retarget(doc, &targets);
}

fn retarget(value: &mut Value, targets: &std::collections::BTreeMap<String, String>) {
    match value {
        Value::Object(obj) => {
            if let Some(Value::String(target)) = obj.get_mut("$ref")
                && let Some(new) = targets.get(target.as_str())
            {
                *target = new.clone();
            }
            obj.values_mut().for_each(|v| retarget(v, targets));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retarget(v, targets)),
        _ => {}
    }
}

fn nullable_components(doc: &mut Value) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else { return };
    let mut targets = BTreeSet::new();
    for (name, schema) in schemas.iter_mut() {
        if let Some(obj) = schema.as_object_mut()
            && obj.get("nullable") == Some(&Value::Bool(true))
        {
            obj.shift_remove("nullable");
            targets.insert(format!("#/components/schemas/{}", crate::pointer::escape(name)));
        }
    }
    if !targets.is_empty() {
        wrap_references(doc, &targets);
    }
}

/// Every schema `{"$ref": T}` with T in `targets` becomes a nullable `allOf`.
fn wrap_references(value: &mut Value, targets: &BTreeSet<String>) {
    match value {
        Value::Object(obj) => {
            if let Some(Value::String(target)) = obj.get("$ref")
                && targets.contains(target)
            {
                let reference = std::mem::take(obj);
                *obj = Map::from_iter([
                    ("allOf".to_string(), json!([Value::Object(reference)])),
                    ("nullable".to_string(), Value::Bool(true)),
                ]);
                return;
            }
            obj.values_mut().for_each(|v| wrap_references(v, targets));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| wrap_references(v, targets)),
        _ => {}
    }
}

fn titles_naming_components(doc: &mut Value) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else { return };
    let names: BTreeSet<String> = schemas.keys().map(|k| k.to_upper_camel_case()).collect();
    for schema in schemas.values_mut() {
        // the component's own title names the component: only what is inside
        if let Some(obj) = schema.as_object_mut() {
            obj.values_mut().for_each(|v| drop_titles(v, &names));
        }
    }
    for key in ["paths", "components/responses", "components/requestBodies", "components/parameters"] {
        if let Some(v) = doc.pointer_mut(&format!("/{key}")) {
            drop_titles(v, &names);
        }
    }
}

fn drop_titles(value: &mut Value, names: &BTreeSet<String>) {
    match value {
        Value::Object(obj) => {
            if let Some(Value::String(title)) = obj.get("title")
                && names.contains(&title.to_upper_camel_case())
                && !obj.contains_key("$ref")
            {
                obj.shift_remove("title");
            }
            obj.values_mut().for_each(|v| drop_titles(v, names));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| drop_titles(v, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The types typify generates for these components, as Rust source.
    fn typify(components: Value) -> String {
        let mut space = typify::TypeSpace::new(&typify::TypeSpaceSettings::default());
        let defs = components
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), crate::server::to_json_schema(v, "").unwrap()))
            .collect::<Vec<_>>();
        space.add_ref_types(defs).unwrap();
        space.to_stream().to_string()
    }

    fn defined(code: &str, name: &str) -> usize {
        code.matches(&format!("pub struct {name} ")).count() + code.matches(&format!("pub enum {name} ")).count()
    }

    /// Upstream: typify makes an `anyOf` of a string and an enum a struct
    /// of flattened parts (which serde cannot read a string into, and
    /// whose schemars schema is the type array dropshot refuses).
    #[test]
    fn typify_still_flattens_an_any_of_of_strings() {
        let role =
            json!({"anyOf": [{"type": "string", "format": "uuid"}, {"type": "string", "enum": ["admin", "owner"]}]});
        let code = typify(json!({"Role": role}));
        assert!(code.contains("pub struct Role") && code.contains("flatten"), "{code}");

        let mut doc = json!({"components": {"schemas": {"Role": role, "Model": {"type": "object", "properties": {}}}}});
        reshape(&mut doc);
        let code = typify(doc["components"]["schemas"].clone());
        assert!(code.contains("pub enum Role") && !code.contains("flatten"), "{code}");
        // an anyOf of objects, or of different types, stays as it is
        let mut doc = json!({"components": {"schemas": {"Model": {"type": "object", "properties": {}},
            "Either": {"anyOf": [{"$ref": "#/components/schemas/Model"}, {"type": "object", "properties": {"a": {}}}]},
            "Shelf": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}}});
        reshape(&mut doc);
        assert!(doc.pointer("/components/schemas/Either/anyOf").is_some());
        assert!(doc.pointer("/components/schemas/Shelf/anyOf").is_some());
    }

    /// Upstream: typify defines a nullable component twice.
    #[test]
    fn typify_still_defines_a_nullable_component_twice() {
        let components = json!({"Metrics": {"type": "object", "title": "Metrics", "nullable": true,
            "properties": {"n": {"type": "integer"}}}});
        let code = typify(components.clone());
        assert_eq!(defined(&code, "Metrics"), 2, "{code}");

        let mut doc = json!({"components": {"schemas": components}, "paths": {"/m": {"get": {"responses":
            {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Metrics"}}}}}}}}});
        reshape(&mut doc);
        assert_eq!(defined(&typify(doc["components"]["schemas"].clone()), "Metrics"), 1);
        assert_eq!(
            doc.pointer("/paths/~1m/get/responses/200/content/application~1json/schema").unwrap(),
            &json!({"allOf": [{"$ref": "#/components/schemas/Metrics"}], "nullable": true})
        );
    }

    #[test]
    fn components_named_alike_are_numbered_and_their_references_follow() {
        let mut doc = json!({"components": {"schemas": {
            "Body_a__post": {"type": "object", "properties": {"x": {"type": "string"}}},
            "Body_a_post": {"type": "object", "properties": {"y": {"type": "string"}}},
            "Uses": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Body_a_post"}}}}}});
        let before = typify(doc["components"]["schemas"].clone());
        assert_eq!(defined(&before, "BodyAPost"), 2, "{before}");
        reshape(&mut doc);
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert_eq!(schemas.keys().collect::<Vec<_>>(), ["Body_a__post", "Body_a_post_2", "Uses"]);
        assert_eq!(
            doc["components"]["schemas"]["Uses"]["properties"]["b"]["$ref"],
            "#/components/schemas/Body_a_post_2"
        );
        let after = typify(doc["components"]["schemas"].clone());
        assert_eq!(defined(&after, "BodyAPost"), 1, "{after}");
    }

    /// Upstream: typify refuses the default of a union of string enums.
    #[test]
    fn typify_still_refuses_the_default_of_a_union() {
        let components = json!({
            "A": {"type": "string", "enum": ["is", "is_not"]},
            "B": {"type": "string", "enum": ["lt", "gt"]},
            "C": {"type": "object", "properties": {"op": {"anyOf": [{"$ref": "#/components/schemas/A"},
                {"$ref": "#/components/schemas/B"}], "nullable": true, "default": "is"}}}
        });
        let add = |components: &Value| {
            let mut space = typify::TypeSpace::new(&typify::TypeSpaceSettings::default());
            let defs = components
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), crate::server::to_json_schema(v, "").unwrap()));
            space.add_ref_types(defs.collect::<Vec<_>>()).map_err(|e| e.to_string())
        };
        assert!(add(&components).unwrap_err().contains("does not conform"));
        let mut doc = json!({"components": {"schemas": components}});
        reshape(&mut doc);
        assert_eq!(add(&doc["components"]["schemas"]), Ok(()));
    }

    /// Upstream: typify makes a union of plain strings a struct, which
    /// progenitor asserts is a body when it is a parameter.
    #[test]
    fn a_union_of_plain_strings_becomes_one_string() {
        let mut doc = json!({"paths": {"/u/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true,
            "schema": {"anyOf": [{"type": "string", "format": "uuid4"}, {"type": "string", "format": "uuid5"}], "title": "Id"}}]}}}});
        let schema = doc.pointer("/paths/~1u~1{id}/get/parameters/0/schema").unwrap().clone();
        let code = typify(json!({"Id": schema}));
        assert!(code.contains("pub struct Id {"), "{code}");
        reshape(&mut doc);
        let schema = doc.pointer("/paths/~1u~1{id}/get/parameters/0/schema").unwrap();
        assert_eq!(schema, &json!({"title": "Id", "type": "string"}));
        let mut same = json!({"anyOf": [{"type": "string", "format": "uuid"}, {"type": "string", "format": "uuid"}]});
        unions_of_strings(same.as_object_mut().unwrap());
        assert_eq!(same, json!({"type": "string", "format": "uuid"}));
    }

    #[test]
    fn an_untyped_enum_of_several_types_becomes_a_union_of_typed_enums() {
        let mut doc = json!({"components": {"schemas": {"Level": {"enum": ["auto", "max", 1, 2], "title": "Level"}}}});
        let before = std::panic::catch_unwind(|| typify(doc["components"]["schemas"].clone()));
        assert!(before.is_err(), "typify takes a mixed un-typed enum now: untyped_mixed_enums can go");
        reshape(&mut doc);
        assert_eq!(
            doc["components"]["schemas"]["Level"],
            json!({"title": "Level", "anyOf": [{"type": "string", "enum": ["auto", "max"]}, {"type": "integer", "enum": [1, 2]}]})
        );
        let code = typify(doc["components"]["schemas"].clone());
        assert!(code.contains("pub enum Level"), "{code}");
    }

    #[test]
    fn any_of_beside_one_of_keeps_the_any_of() {
        let a = json!({"$ref": "#/components/schemas/A"});
        let b = json!({"$ref": "#/components/schemas/B"});
        let mut schema = json!({"anyOf": [a, b], "oneOf": [a], "title": "R"});
        any_of_beside_one_of(schema.as_object_mut().unwrap());
        assert_eq!(schema, json!({"anyOf": [a, b], "title": "R"}));
    }

    /// Upstream: typify refuses a null default of a nullable integer.
    #[test]
    fn typify_still_refuses_a_null_default() {
        let components = json!({"Run": {"type": "object", "properties": {
            "seed": {"type": "integer", "nullable": true, "default": null, "title": "Seed"}}}});
        let before = std::panic::catch_unwind(|| typify(components.clone()));
        assert!(before.is_err(), "typify takes a null default now: null_defaults can go");
        let mut doc = json!({"components": {"schemas": components}});
        reshape(&mut doc);
        let code = typify(doc["components"]["schemas"].clone());
        assert!(code.contains("pub seed : :: std :: option :: Option < i64 >"), "{code}");
    }

    /// Upstream: typify cannot name the variants of these enums.
    #[test]
    fn typify_still_fails_on_enum_values_it_cannot_name() {
        for values in [json!(["Etc/GMT+1", "Etc/GMT-1"]), json!(["=", "<>", ">"])] {
            let mut doc = json!({"components": {"schemas": {"E": {"type": "string", "enum": values}}}});
            let before = std::panic::catch_unwind(|| typify(doc["components"]["schemas"].clone()));
            assert!(before.is_err(), "typify names {values} now: enums_without_names can go");
            reshape(&mut doc);
            assert_eq!(doc["components"]["schemas"]["E"], json!({"type": "string"}));
            typify(doc["components"]["schemas"].clone());
        }
        let mut fine = json!({"type": "string", "enum": ["is", "is_not"]});
        enums_without_names(fine.as_object_mut().unwrap());
        assert_eq!(fine["enum"], json!(["is", "is_not"]));
    }

    /// Upstream: typify takes an inline schema titled as a component for
    /// that component (here it loses `paypal`; under progenitor, with a
    /// schema of its own, it defines the name twice).
    #[test]
    fn typify_still_names_an_inline_schema_by_a_components_title() {
        let components = json!({
            "PaymentProcessor": {"type": "string", "enum": ["stripe"], "title": "PaymentProcessor"},
            "Checkout": {"type": "object", "properties": {
                "payment_processor": {"type": "string", "enum": ["stripe", "paypal"], "title": "Payment Processor"}}}
        });
        let code = typify(components.clone());
        assert!(!code.contains("Paypal"), "{code}");

        let mut doc = json!({"components": {"schemas": components}});
        reshape(&mut doc);
        let code = typify(doc["components"]["schemas"].clone());
        assert!(code.contains("Paypal") && defined(&code, "PaymentProcessor") == 1, "{code}");
        assert_eq!(doc["components"]["schemas"]["Checkout"]["properties"]["payment_processor"].get("title"), None);
    }
}
