//! Shapes typify (0.8, under progenitor and our server alike) turns into
//! code that does not build, reshaped in the generators' copy of the
//! lowered document without changing what it accepts. Each has a minimal
//! reproduction of the upstream behaviour among the tests below, which
//! fails once typify generates the shape right, so the workaround can go.
//!
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
