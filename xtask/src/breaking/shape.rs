//! What a schema means, with FastAPI's spellings taken out, so that two
//! versions of the spec are compared by meaning and not by text: `$ref`s are
//! followed (a `$ref` → inline refactor is no change), `anyOf: [X, {"type":
//! "null"}]`, `type: [X, "null"]`, 3.0's `nullable` and a `null` in an `enum`
//! are all "nullable X", a single-member `anyOf`/`oneOf`/`allOf` is its
//! member, `allOf` is flattened into one object, and annotations (`title`,
//! `description`, `examples`, `default`, ...) are dropped.
//!
//! A [`Shape`] keeps the pointer of each part where the document declares it
//! (the component schema a `$ref` names, the `allOf` member a property comes
//! from), which is the place a finding names.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::pointer;

/// How many `$ref`s in a row are followed before giving up (a loop of
/// references that point at each other and never at a schema).
const MAX_REF_HOPS: usize = 64;

/// A schema as the comparison sees it.
#[derive(Debug, Clone, Default)]
pub struct Shape<'a> {
    /// Where the schema is declared, after following `$ref`s.
    pub ptr: String,
    pub nullable: bool,
    /// JSON types other than `null`; empty for a schema that takes anything.
    pub types: BTreeSet<String>,
    pub format: Option<String>,
    /// The allowed values (`enum`, or `const`), without `null`.
    pub values: Option<Vec<Value>>,
    /// Each property: name, where it is declared and its schema.
    pub properties: Vec<(String, String, &'a Value)>,
    pub required: BTreeSet<String>,
    /// `additionalProperties` when it is a schema.
    pub additional: Option<(String, &'a Value)>,
    /// `additionalProperties: false` (pydantic's `extra="forbid"`): a
    /// property the schema does not declare is refused, not ignored.
    pub closed: bool,
    pub items: Option<(String, &'a Value)>,
    /// The validation keywords it has ([`super::constraints::KEYWORDS`]),
    /// by keyword.
    pub constraints: BTreeMap<&'static str, Value>,
    /// Whether it has a `default` other than `null`: typify then types an
    /// optional property `T`, not `Option<T>`.
    pub default: bool,
    /// The members of a union of two or more non-null schemas.
    pub union: Option<Vec<(String, &'a Value)>>,
}

/// Follows local `$ref`s from `schema` (at `ptr`) to the schema they name.
pub fn resolve<'a>(doc: &'a Value, schema: &'a Value, ptr: &str) -> (&'a Value, String) {
    let (mut schema, mut ptr) = (schema, ptr.to_string());
    for _ in 0..MAX_REF_HOPS {
        let Some(target) = schema.get("$ref").and_then(Value::as_str).and_then(pointer::local_target) else {
            break;
        };
        match doc.pointer(&target) {
            Some(next) => (schema, ptr) = (next, target),
            None => break,
        }
    }
    (schema, ptr)
}

fn is_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema.get("const").is_some_and(Value::is_null)
        || schema.get("enum").and_then(Value::as_array).is_some_and(|v| v.len() == 1 && v[0].is_null())
}

/// The shape of `schema`, declared at `ptr` in `doc`.
pub fn shape<'a>(doc: &'a Value, schema: &'a Value, ptr: &str) -> Shape<'a> {
    shape_at(doc, schema, ptr, 0)
}

fn shape_at<'a>(doc: &'a Value, schema: &'a Value, ptr: &str, depth: usize) -> Shape<'a> {
    let (schema, ptr) = resolve(doc, schema, ptr);
    let mut out = Shape { ptr: ptr.clone(), ..Shape::default() };
    let Some(obj) = schema.as_object() else { return out };
    if depth > 32 {
        return out;
    }
    if obj.get("nullable").and_then(Value::as_bool) == Some(true) {
        out.nullable = true;
    }
    match obj.get("type") {
        Some(Value::String(t)) if t == "null" => out.nullable = true,
        Some(Value::String(t)) => {
            out.types.insert(t.clone());
        }
        Some(Value::Array(types)) => {
            for t in types.iter().filter_map(Value::as_str) {
                if t == "null" {
                    out.nullable = true;
                } else {
                    out.types.insert(t.to_string());
                }
            }
        }
        _ => {}
    }
    out.format = obj.get("format").and_then(Value::as_str).map(String::from);
    out.default = obj.get("default").is_some_and(|d| !d.is_null());
    let values =
        obj.get("enum").and_then(Value::as_array).cloned().or_else(|| obj.get("const").map(|c| vec![c.clone()]));
    if let Some(values) = values {
        if values.iter().any(Value::is_null) {
            out.nullable = true;
        }
        let values: Vec<Value> = values.into_iter().filter(|v| !v.is_null()).collect();
        if !values.is_empty() {
            out.values = Some(values);
        }
    }
    add_object_parts(&mut out, obj, &ptr);
    for keyword in super::constraints::KEYWORDS {
        if let Some(v) = obj.get(keyword) {
            out.constraints.insert(keyword, v.clone());
        }
    }
    if let Some(items) = obj.get("items").filter(|i| i.is_object()) {
        out.items = Some((pointer::join(&ptr, "items"), items));
    }
    for key in ["anyOf", "oneOf"] {
        let Some(members) = obj.get(key).and_then(Value::as_array) else { continue };
        let members: Vec<(String, &Value)> = members
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("{}/{i}", pointer::join(&ptr, key)), m))
            .filter(|(p, m)| {
                let (m, _) = resolve(doc, m, p);
                if is_null(m) {
                    out.nullable = true;
                    false
                } else {
                    true
                }
            })
            .collect();
        match members.as_slice() {
            [] => {}
            [(p, m)] => {
                let member = shape_at(doc, m, p, depth + 1);
                absorb(&mut out, member, true);
            }
            _ => out.union = Some(members),
        }
    }
    if let Some(members) = obj.get("allOf").and_then(Value::as_array) {
        let single = members.len() == 1;
        for (i, m) in members.iter().enumerate() {
            let member = shape_at(doc, m, &format!("{}/{i}", pointer::join(&ptr, "allOf")), depth + 1);
            absorb(&mut out, member, single);
        }
    }
    if out.types.is_empty() && out.union.is_none() {
        if !out.properties.is_empty() || out.additional.is_some() {
            out.types.insert("object".into());
        } else if out.items.is_some() {
            out.types.insert("array".into());
        }
    }
    out
}

fn add_object_parts<'a>(out: &mut Shape<'a>, obj: &'a Map<String, Value>, ptr: &str) {
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        let at = pointer::join(ptr, "properties");
        for (name, schema) in props {
            out.properties.retain(|(n, _, _)| n != name);
            out.properties.push((name.clone(), pointer::join(&at, name), schema));
        }
    }
    if let Some(required) = obj.get("required").and_then(Value::as_array) {
        out.required.extend(required.iter().filter_map(Value::as_str).map(String::from));
    }
    match obj.get("additionalProperties") {
        Some(extra) if extra.is_object() => {
            out.additional = Some((pointer::join(ptr, "additionalProperties"), extra));
        }
        Some(Value::Bool(false)) => out.closed = true,
        _ => {}
    }
}

/// Merges a member's shape into `out` (an `allOf` member, or the one
/// non-null member of an `anyOf`); with `adopt`, `out` takes the member's
/// place as its own (so that a finding names the component, not the
/// wrapper around it).
fn absorb<'a>(out: &mut Shape<'a>, member: Shape<'a>, adopt: bool) {
    if adopt {
        out.ptr = member.ptr.clone();
    }
    out.nullable |= member.nullable;
    if out.types.is_empty() {
        out.types = member.types;
    } else if !member.types.is_empty() {
        let both: BTreeSet<String> = out.types.intersection(&member.types).cloned().collect();
        out.types = both;
    }
    out.format = out.format.take().or(member.format);
    out.values = out.values.take().or(member.values);
    for (name, ptr, schema) in member.properties {
        if !out.properties.iter().any(|(n, _, _)| *n == name) {
            out.properties.push((name, ptr, schema));
        }
    }
    out.required.extend(member.required);
    out.additional = out.additional.take().or(member.additional);
    out.closed |= member.closed;
    out.default |= member.default;
    for (k, v) in member.constraints {
        out.constraints.entry(k).or_insert(v);
    }
    out.items = out.items.take().or(member.items);
    out.union = out.union.take().or(member.union);
}

/// A canonical value of what `schema` accepts, for telling whether two
/// schemas mean the same (the members of unions, error bodies): the same
/// for a `$ref` and the schema written inline, for `anyOf`-null and 3.0's
/// `nullable`. A reference loop is cut at the schema that repeats.
pub fn canonical(doc: &Value, schema: &Value, ptr: &str) -> Value {
    canonical_in(doc, schema, ptr, &mut Vec::new())
}

fn canonical_in(doc: &Value, schema: &Value, ptr: &str, seen: &mut Vec<String>) -> Value {
    let s = shape(doc, schema, ptr);
    if seen.contains(&s.ptr) || seen.len() > 32 {
        return Value::String(format!("<recursive {}>", s.ptr.rsplit('/').next().unwrap_or_default()));
    }
    seen.push(s.ptr.clone());
    let mut out = Map::new();
    out.insert("nullable".into(), Value::Bool(s.nullable));
    out.insert("types".into(), s.types.iter().cloned().map(Value::String).collect());
    if let Some(f) = &s.format {
        out.insert("format".into(), Value::String(f.clone()));
    }
    if let Some(values) = &s.values {
        let mut sorted: Vec<String> = values.iter().map(Value::to_string).collect();
        sorted.sort();
        out.insert("values".into(), sorted.into_iter().map(Value::String).collect());
    }
    if !s.properties.is_empty() {
        let mut props = Map::new();
        let mut sorted = s.properties.clone();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, p, schema) in sorted {
            props.insert(name, canonical_in(doc, schema, &p, seen));
        }
        out.insert("properties".into(), Value::Object(props));
        out.insert("required".into(), s.required.iter().cloned().map(Value::String).collect());
    }
    if let Some((p, a)) = s.additional {
        out.insert("additional".into(), canonical_in(doc, a, &p, seen));
    }
    if let Some((p, i)) = s.items {
        out.insert("items".into(), canonical_in(doc, i, &p, seen));
    }
    if let Some(members) = &s.union {
        let mut all: Vec<Value> = members.iter().map(|(p, m)| canonical_in(doc, m, p, seen)).collect();
        all.sort_by_key(Value::to_string);
        out.insert("union".into(), Value::Array(all));
    }
    seen.pop();
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fastapi_nullable_spellings_are_one() {
        let doc = json!({"components": {"schemas": {"S": {"type": "string", "title": "S"}}}});
        let spellings = [
            json!({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "X"}),
            json!({"type": ["string", "null"]}),
            json!({"type": "string", "nullable": true, "description": "d"}),
            json!({"oneOf": [{"$ref": "#/components/schemas/S"}, {"type": "null"}]}),
            json!({"allOf": [{"$ref": "#/components/schemas/S"}], "nullable": true}),
        ];
        let first = canonical(&doc, &spellings[0], "");
        for s in &spellings {
            let shape = shape(&doc, s, "/x");
            assert!(shape.nullable, "{s}");
            assert_eq!(shape.types, BTreeSet::from(["string".to_string()]), "{s}");
            assert_eq!(canonical(&doc, s, ""), first, "{s}");
        }
        assert!(!shape(&doc, &json!({"type": "string"}), "").nullable);
    }

    #[test]
    fn refs_are_followed_and_named() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}
        }}});
        let schema = json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]});
        let s = shape(&doc, &schema, "/p");
        assert_eq!(s.ptr, "/components/schemas/B");
        assert!(s.nullable);
        assert_eq!(s.properties[0].1, "/components/schemas/B/properties/x");
        let inline = json!({"type": "object", "title": "B", "properties": {"x": {"type": "integer", "title": "X"}}, "required": ["x"]});
        assert_eq!(canonical(&doc, &json!({"$ref": "#/components/schemas/A"}), ""), canonical(&doc, &inline, ""));
    }

    #[test]
    fn all_of_is_flattened() {
        let doc = json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
        }}});
        let schema =
            json!({"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"name": {"type": "string"}}}]});
        let s = shape(&doc, &schema, "/x");
        let names: Vec<&str> = s.properties.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["id", "name"]);
        assert_eq!(s.properties[0].1, "/components/schemas/Base/properties/id");
        assert_eq!(s.properties[1].1, "/x/allOf/1/properties/name");
        assert!(s.required.contains("id"));
        assert_eq!(s.types, BTreeSet::from(["object".to_string()]));
    }

    #[test]
    fn unions_and_loops() {
        let doc = json!({"components": {"schemas": {
            "Tree": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}}
        }}});
        let schema = json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]});
        let s = shape(&doc, &schema, "");
        assert!(s.nullable);
        assert_eq!(s.union.as_ref().map(Vec::len), Some(2));
        let tree = canonical(&doc, &json!({"$ref": "#/components/schemas/Tree"}), "");
        assert!(tree.to_string().contains("<recursive Tree>"), "{tree}");
        let looping = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}});
        let _ = shape(&looping, &json!({"$ref": "#/components/schemas/A"}), "");
    }
}
