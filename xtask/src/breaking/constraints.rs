//! Validation keywords (`maxLength`, `minimum`, `pattern`, …): which way a
//! change moves the set of valid values, and what typify makes of them.
//!
//! **Wire.** A request constraint that gets tighter (a bound added or
//! narrowed, a pattern added) refuses values a deployed client may send:
//! client wire. One that gets looser lets a new client send what an old
//! service refuses: server wire. In a response the direction turns round,
//! and only where the client checks the constraint itself: typify's
//! constrained strings (a newtype whose `Deserialize` checks length and
//! pattern) and integer types chosen by their bounds (`u64` for
//! `minimum: 0`, `NonZeroU64` for `minimum: 1`) refuse what their schema
//! refuses, so a response constraint that gets looser breaks deployed
//! clients, and one that gets tighter breaks new clients of an old service.
//! Every other response constraint (arrays, numbers, an `i64`) is not
//! checked by the client.
//!
//! **Source.** typify's type for a string or an integer depends on its
//! constraints (`leaf_type`, typify 0.8's rules): a string with a length
//! or a pattern is a newtype named after its place, an integer's bounds
//! choose its type. When that type changes, the server's code (which reads
//! requests and builds responses at their types) breaks, and so does client
//! code reading a response; client code handing a request value to a
//! builder's setter (`V: TryInto<T>`) compiles where the old type converts
//! into the new one (`converts`).

use serde_json::Value;

use super::shape::Shape;
use super::{CS, CW, Change, Cx, Dir, SS, SW, change, subject};
use crate::pointer;

/// The keywords compared.
pub const KEYWORDS: [&str; 13] = [
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// The string keywords typify's newtypes check.
const STRING_KEYWORDS: [&str; 3] = ["minLength", "maxLength", "pattern"];

/// The integer keywords that choose typify's integer type.
const BOUNDS: [&str; 4] = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"];

/// Which way a change moves the set of valid values.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Way {
    Tighter,
    Looser,
    /// Neither contains the other (a changed pattern or `multipleOf`).
    Both,
}

fn way(keyword: &str, old: Option<&Value>, new: Option<&Value>) -> Way {
    let lower = matches!(keyword, "minLength" | "minimum" | "exclusiveMinimum" | "minItems" | "minProperties");
    let upper = matches!(keyword, "maxLength" | "maximum" | "exclusiveMaximum" | "maxItems" | "maxProperties");
    let number = |v: Option<&Value>| v.and_then(Value::as_f64);
    if keyword == "uniqueItems" {
        return if new == Some(&Value::Bool(true)) { Way::Tighter } else { Way::Looser };
    }
    match (old, new) {
        (None, Some(_)) => Way::Tighter,
        (Some(_), None) => Way::Looser,
        _ if lower || upper => match (number(old), number(new)) {
            (Some(a), Some(b)) if (b > a) == lower => Way::Tighter,
            (Some(_), Some(_)) => Way::Looser,
            // 3.0's boolean `exclusiveMinimum`
            _ => Way::Both,
        },
        _ => Way::Both,
    }
}

/// typify's integer types: JSON Schema format, Rust type, its NonZero type,
/// range; in the order typify searches them (its table reversed).
const INTEGERS: [(&str, &str, &str, f64, f64); 10] = [
    ("uint64", "u64", "NonZeroU64", u64::MIN as f64, u64::MAX as f64),
    ("int64", "i64", "NonZeroU64", i64::MIN as f64, i64::MAX as f64),
    ("uint32", "u32", "NonZeroU32", u32::MIN as f64, u32::MAX as f64),
    ("uint", "u32", "NonZeroU32", u32::MIN as f64, u32::MAX as f64),
    ("int32", "i32", "NonZeroU32", i32::MIN as f64, i32::MAX as f64),
    ("int", "i32", "NonZeroU32", i32::MIN as f64, i32::MAX as f64),
    ("uint16", "u16", "NonZeroU16", u16::MIN as f64, u16::MAX as f64),
    ("int16", "i16", "NonZeroU16", i16::MIN as f64, i16::MAX as f64),
    ("uint8", "u8", "NonZeroU8", u8::MIN as f64, u8::MAX as f64),
    ("int8", "i8", "NonZeroU8", i8::MIN as f64, i8::MAX as f64),
];

/// The Rust type typify gives an integer schema (typify 0.8's
/// `convert_integer`).
fn integer_type(s: &Shape<'_>) -> &'static str {
    let f = |k: &str| s.constraints.get(k).and_then(Value::as_f64);
    let mut min = match (f("minimum"), f("exclusiveMinimum")) {
        (None, None) => None,
        (None, Some(e)) => Some(e + 1.0),
        (Some(m), None) => Some(m),
        (Some(m), Some(e)) => Some(m.max(e + 1.0)),
    };
    let mut max = match (f("maximum"), f("exclusiveMaximum")) {
        (None, None) => None,
        (None, Some(e)) => Some(e - 1.0),
        (Some(m), None) => Some(m),
        (Some(m), Some(e)) => Some(m.min(e - 1.0)),
    };
    if let Some((_, ty, nz, lo, hi)) = INTEGERS.iter().find(|t| Some(t.0) == s.format.as_deref()) {
        let fits = min.is_none_or(|m| m >= *lo) && max.is_none_or(|m| m <= *hi);
        if fits && !s.constraints.contains_key("multipleOf") {
            return if min == Some(1.0) { nz } else { ty };
        }
        min = min.or(Some(*lo));
        max = max.or(Some(*hi));
    }
    let exact = |a: f64, b: f64| (a - b).abs() <= f64::EPSILON;
    let found = match (min, max) {
        (None, None) => None,
        (Some(1.0), _) => Some(INTEGERS[0].2),
        (None, Some(max)) => INTEGERS.iter().find(|t| exact(t.4, max)).map(|t| t.1),
        (Some(min), None) => INTEGERS.iter().find(|t| exact(t.3, min)).map(|t| t.1),
        (Some(min), Some(max)) => INTEGERS.iter().find(|t| exact(t.3, min) && exact(t.4, max)).map(|t| t.1),
    };
    found.unwrap_or("i64")
}

/// The Rust type typify gives a string or an integer schema, where its
/// constraints decide it; `None` for any other schema.
fn leaf_type(s: &Shape<'_>) -> Option<&'static str> {
    if s.types.len() != 1 || s.values.is_some() {
        return None;
    }
    match s.types.first()?.as_str() {
        "string" if matches!(s.format.as_deref(), Some("uuid" | "date" | "date-time" | "ip" | "ipv4" | "ipv6")) => None,
        "string" if STRING_KEYWORDS.iter().any(|k| s.constraints.contains_key(k)) => Some("a constrained string"),
        "string" => Some("String"),
        "integer" => Some(integer_type(s)),
        _ => None,
    }
}

/// Whether a value of Rust type `old` goes into a setter taking
/// `V: TryInto<new>`: typify's constrained strings convert from and into
/// `String`; std converts between integer types, and into a NonZero type
/// only from its own unsigned type.
fn converts(old: &str, new: &str) -> bool {
    let string = |t: &str| t == "String" || t == "a constrained string";
    let nonzero = |t: &str| t.starts_with("NonZero");
    match (old, new) {
        (a, b) if string(a) && string(b) => true,
        (a, b) if string(a) || string(b) => false,
        (a, b) if nonzero(b) => b.strip_prefix("NonZero").is_some_and(|inner| inner.to_lowercase() == a),
        (a, b) if nonzero(a) => a.strip_prefix("NonZero").is_some_and(|inner| inner.to_lowercase() == b),
        _ => true,
    }
}

/// "property `name`", "query parameter `limit`" or "schema".
fn what(doc: &Value, ptr: &str) -> String {
    if let Some(param) = ptr.strip_suffix("/schema").filter(|p| p.rsplit('/').nth(1) == Some("parameters"))
        && let Some(p) = doc.pointer(param)
    {
        let field = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("?");
        return format!("{} parameter `{}`", field("in"), field("name"));
    }
    subject(ptr)
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "none".to_string(), |v| format!("`{v}`"))
}

impl<'a> Cx<'a> {
    /// The validation keywords of one schema pair, and the Rust type they
    /// give it.
    pub(super) fn constraints(&mut self, os: &Shape<'a>, ns: &Shape<'a>, dir: Dir, setter: bool) {
        let d = dir.word();
        let (o_at, n_at) = (os.ptr.as_str(), ns.ptr.as_str());
        let place = what(self.new, n_at);
        let (ot, nt) = (leaf_type(os), leaf_type(ns));
        let retyped = matches!((ot, nt), (Some(a), Some(b)) if a != b);
        if let (true, Some(ot), Some(nt)) = (retyped, ot, nt) {
            let handed = dir == Dir::Request && setter && converts(ot, nt);
            self.file(
                change(
                    "rust-type-changed",
                    format!("{d} {place}: its Rust type changes from {ot} to {nt}"),
                    Some(o_at),
                    Some(n_at),
                )
                .axes([SS])
                .axis_if(!handed, CS)
                .note(if handed {
                    "its constraints choose typify's type; the builder's setter still takes the old type, server code that reads it stops compiling"
                } else {
                    "its constraints choose typify's type"
                }),
            );
        }
        for keyword in KEYWORDS {
            let (ov, nv) = (os.constraints.get(keyword), ns.constraints.get(keyword));
            if ov == nv {
                continue;
            }
            let way = way(keyword, ov, nv);
            let (tighter, looser) = (way != Way::Looser, way != Way::Tighter);
            // where a client checks the keyword itself (see the module's docs)
            let checked = |t: Option<&str>| {
                (STRING_KEYWORDS.contains(&keyword) && t == Some("a constrained string"))
                    || (BOUNDS.contains(&keyword) && retyped)
            };
            let c = match dir {
                Dir::Request => change("request-constraint-changed", String::new(), Some(o_at), Some(n_at))
                    .axis_if(tighter, CW)
                    .axis_if(looser, SW),
                Dir::Response => change("response-constraint-changed", String::new(), Some(o_at), Some(n_at))
                    .axis_if(looser && checked(ot), CW)
                    .axis_if(tighter && checked(nt), SW),
            };
            let how = match way {
                Way::Tighter => "tighter",
                Way::Looser => "looser",
                Way::Both => "changed",
            };
            let note = match (dir, tighter, looser) {
                (Dir::Request, true, true) => {
                    "a deployed client may send what the new service refuses, a new client what an old one refuses"
                }
                (Dir::Request, true, false) => "a deployed client may send what the new service refuses",
                (Dir::Request, _, _) => "a new client may send what an old service refuses",
                (Dir::Response, ..) if c.axes.is_empty() => "the client does not check it",
                (Dir::Response, ..) => "the client's type checks it when it reads the answer",
            };
            let at = |ptr: &str| pointer::join(ptr, keyword);
            self.file(Change {
                message: format!("{d} {place}: `{keyword}` {how}, from {} to {}", show(ov), show(nv)),
                old: ov.map(|_| at(o_at)).or(Some(o_at.to_string())),
                new: nv.map(|_| at(n_at)).or(Some(n_at.to_string())),
                ..c.note(note)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape_of(schema: Value) -> String {
        let doc = json!({});
        let s = super::super::shape::shape(&doc, &schema, "/s");
        leaf_type(&s).unwrap_or("-").to_string()
    }

    #[test]
    fn typify_types_by_constraints() {
        assert_eq!(shape_of(json!({"type": "integer"})), "i64");
        assert_eq!(shape_of(json!({"type": "integer", "minimum": 0})), "u64");
        assert_eq!(shape_of(json!({"type": "integer", "minimum": 1})), "NonZeroU64");
        assert_eq!(shape_of(json!({"type": "integer", "exclusiveMinimum": 0})), "NonZeroU64");
        assert_eq!(shape_of(json!({"type": "integer", "minimum": 0, "maximum": 100})), "i64");
        assert_eq!(shape_of(json!({"type": "integer", "minimum": 0, "maximum": 255})), "u8");
        assert_eq!(shape_of(json!({"type": "integer", "format": "int32"})), "i32");
        assert_eq!(shape_of(json!({"type": "integer", "minimum": 5})), "i64");
        assert_eq!(shape_of(json!({"type": "string"})), "String");
        assert_eq!(shape_of(json!({"type": "string", "maxLength": 5})), "a constrained string");
        assert_eq!(shape_of(json!({"type": "string", "format": "uuid", "maxLength": 5})), "-");
        assert_eq!(
            shape_of(json!({"anyOf": [{"type": "string", "pattern": "^a$"}, {"type": "null"}]})),
            "a constrained string"
        );
    }

    #[test]
    fn which_way_a_change_goes() {
        let (a, b) = (json!(5), json!(10));
        assert_eq!(way("maxLength", Some(&b), Some(&a)), Way::Tighter);
        assert_eq!(way("maxLength", Some(&a), Some(&b)), Way::Looser);
        assert_eq!(way("minimum", Some(&a), Some(&b)), Way::Tighter);
        assert_eq!(way("minimum", None, Some(&a)), Way::Tighter);
        assert_eq!(way("maxItems", Some(&a), None), Way::Looser);
        assert_eq!(way("pattern", Some(&json!("^a")), Some(&json!("^b"))), Way::Both);
        assert_eq!(way("uniqueItems", Some(&json!(false)), Some(&json!(true))), Way::Tighter);
        assert_eq!(way("uniqueItems", Some(&json!(true)), None), Way::Looser);
    }

    #[test]
    fn setter_conversions() {
        assert!(converts("String", "a constrained string"));
        assert!(converts("a constrained string", "String"));
        assert!(converts("u64", "NonZeroU64"));
        assert!(!converts("i64", "NonZeroU64"));
        assert!(converts("i64", "u64"));
        assert!(converts("NonZeroU64", "u64"));
        assert!(!converts("NonZeroU64", "i64"));
    }
}
