//! A response value from the spec: the spec's own example when it has one,
//! else a value synthesized from the schema that FastAPI could have sent,
//! deterministic in a seed.
//!
//! ```
//! use dropshot_codegen_runtime::synth::Synth;
//! use serde_json::json;
//!
//! let doc = json!({"components": {"schemas": {"Pet": {
//!     "type": "object", "required": ["id", "name"],
//!     "properties": {
//!         "id": {"type": "string", "format": "uuid"},
//!         "name": {"type": "string", "example": "Rex"},
//!         "age": {"type": "integer", "minimum": 0, "maximum": 30}
//!     }
//! }}}});
//! let synth = Synth::new(&doc);
//! let schema = json!({"$ref": "#/components/schemas/Pet"});
//! let pet = synth.value(&schema, 7);
//! assert_eq!(pet, synth.value(&schema, 7)); // same seed, same value
//! assert_eq!(pet["name"], "Rex"); // the spec's example first
//! assert_eq!(pet.as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "name", "age"]);
//! assert!((0..=30).contains(&pet["age"].as_i64().unwrap()));
//! ```
//!
//! # Examples first
//!
//! [`Synth::media_type_value`] takes a media type's `example`, else one of
//! its `examples` (picked by the seed, `$ref`s to `components/examples`
//! followed), else a value of its schema. [`Synth::value`] takes, at every
//! level of the schema (the value as a whole, each property, each item), the
//! schema's `example`, else one of its `examples` (picked by the seed),
//! looking through `$ref`s and single-member `allOf` wrappers outermost
//! first; else it synthesizes. Examples are the spec's word and are not
//! checked.
//!
//! # Synthesized values are valid, in pydantic's dumped form
//!
//! A synthesized value validates against its schema with
//! [`crate::validate::Validator::validate_value`] and comes back unchanged:
//! the form pydantic dumps a response model in (what FastAPI sends).
//! `tests/synth_validity.rs` checks it for 50 seeds of every response and
//! component schema of the Coverage API and of the workspace's spec.
//!
//! - Every property of a model, required or not, in the schema's order (as
//!   FastAPI serialises every field of a response model).
//! - Formats: `uuid` (lowercase, hyphenated, version 4), `date-time` (UTC
//!   with `Z`, or an offset `+05:30`; microseconds when not zero, as pydantic
//!   dumps a `datetime`), `date`, `time`, `email`, `uri`/`url`, `hostname`,
//!   `ipv4`, `ipv6`, `byte` (base64), `binary`.
//! - `enum` (also a lowered `const`): one of the values.
//! - Bounds: `minimum`/`maximum`, exclusive in either spelling (3.0's
//!   booleans, 3.1's numbers), `multipleOf`; integers are JSON integers,
//!   numbers JSON floats (`12.5`, never `12`), pydantic's `Decimal` (`anyOf`
//!   of a number and a plain string, as the validator reads it) a string
//!   (`"12.50"`).
//! - Strings: `minLength`/`maxLength`; a `pattern` gives a string generated
//!   from the pattern (parsed with `regex-syntax`, characters taken from
//!   printable ASCII where the class allows) that `regress` confirms matches
//!   (ECMAScript's reading, the validator's), within the length bounds; a
//!   pattern that cannot be parsed (lookarounds, backreferences) or gives no
//!   match in 32 tries gives the last try.
//! - Arrays: `minItems`..`maxItems` items (a few beyond the minimum at
//!   most), `uniqueItems` honoured; an array with `minItems == maxItems` is a
//!   tuple, whose positions take the members of an `anyOf` as long as it (as
//!   the validator reads a lowered tuple).
//! - Maps (`additionalProperties` a schema): empty, unless `minProperties`
//!   asks for entries, which get made-up keys. The lowering drops
//!   `propertyNames`, so made-up keys of a `dict[SomeEnum, X]` would not be
//!   the enum's, and the answer would break its schema in the 3.1 export
//!   (schemathesis found it); `{}` fits every map.
//! - An example (the schema's, or the first of `examples`) is the value,
//!   unless it is an object or an array that its own schema refuses.
//! - `nullable`: `null` about one time in four; a nullable schema with no
//!   type at all (FastAPI's null-only field `x: None`, as lowered) always.
//! - A `string` says nothing of what it holds: pydantic's `Decimal` dumped
//!   in a response model is a plain `string` in the export, and gets a word.
//! - `allOf` of several members: the members' objects merged.
//! - `oneOf`/`anyOf` with a `discriminator`: a member picked by the seed,
//!   its tag property set to the member's mapping value; without one, any
//!   member, except that a `oneOf`'s value must be one that no other member
//!   takes (JSON Schema's rule, which schemathesis checks; pydantic's
//!   `Legacy | Price`, where the first adds required fields to the second,
//!   gives values the second takes too).
//! - Recursion: past [`Synth::with_max_depth`] nested objects (3 by
//!   default), optional properties take their default (`null`, `[]`, `{}`),
//!   nullable ones `null` and arrays their fewest items; a required,
//!   non-nullable recursive property goes on to a hard limit of 32 levels.
//!
//! # Determinism
//!
//! One seed gives one value (a SplitMix64 stream drawn in schema order);
//! different seeds usually give different values. A seed derived from the
//! request (its path, say) gives a stable answer per resource.
//!
//! # Performance
//!
//! [`Synth`] borrows the document; nothing of it is copied but examples.
//! Patterns are parsed and compiled once per process, cached by their text.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock, RwLock};

use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Map, Number, Value};

/// Makes values for the schemas of one (lowered) document.
#[derive(Debug, Clone, Copy)]
pub struct Synth<'d> {
    doc: &'d Value,
    max_depth: usize,
}

/// A synthesized response: the status, the media type and the body (none
/// for a response without content).
#[derive(Debug, Clone, PartialEq)]
pub struct SynthResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Option<Value>,
}

const HARD_DEPTH: usize = 32;
const PATTERN_TRIES: u64 = 32;

impl<'d> Synth<'d> {
    pub fn new(doc: &'d Value) -> Self {
        Self { doc, max_depth: 3 }
    }

    /// How many nested objects deep values grow before optional fields end
    /// the recursion.
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// A value of `schema`: its example, else a synthesized value.
    pub fn value(&self, schema: &Value, seed: u64) -> Value {
        Gen { synth: *self, rng: Rng::new(seed) }.value(schema, 0)
    }

    /// A value for a media type object (`{"schema": ..., "example": ...}`):
    /// its `example`, else one of its `examples`, else a value of its
    /// schema; `None` when it has none of them.
    pub fn media_type_value(&self, media_type: &Value, seed: u64) -> Option<Value> {
        if let Some(example) = media_type.get("example") {
            return Some(example.clone());
        }
        if let Some(examples) = media_type.get("examples").and_then(Value::as_object) {
            let values: Vec<&Value> = examples.values().filter_map(|e| self.deref(e).get("value")).collect();
            if !values.is_empty() {
                return Some(values[(Rng::new(seed).next() % values.len() as u64) as usize].clone());
            }
        }
        media_type.get("schema").map(|schema| self.value(schema, seed))
    }

    /// The success response of the operation at `path` and `method`: the
    /// lowest `2xx` status (else `2XX` as 200, else `default` as 200), its
    /// `application/json` content (else its first), and a body for it.
    pub fn response(&self, path: &str, method: &str, seed: u64) -> Option<SynthResponse> {
        let method = method.to_ascii_lowercase();
        let operation = self.doc.get("paths")?.get(path)?.get(method.as_str())?;
        let responses = operation.get("responses")?.as_object()?;
        let (status, response) = responses
            .iter()
            .filter_map(|(code, r)| {
                let status = match code.as_str() {
                    "2XX" | "2xx" => 299,
                    "default" => 999,
                    c => c.parse::<u16>().ok().filter(|s| (200..300).contains(s))?,
                };
                Some((status, r))
            })
            .min_by_key(|(status, _)| *status)?;
        let status = if status >= 299 { 200 } else { status };
        let response = self.deref(response);
        let content = response.get("content").and_then(Value::as_object);
        let chosen = content.and_then(|c| c.get_key_value("application/json").or_else(|| c.iter().next()));
        let Some((content_type, media_type)) = chosen else {
            return Some(SynthResponse { status, content_type: None, body: None });
        };
        Some(SynthResponse {
            status,
            content_type: Some(content_type.clone()),
            body: self.media_type_value(media_type, seed),
        })
    }

    fn deref<'v>(&self, mut value: &'v Value) -> &'v Value
    where
        'd: 'v,
    {
        for _ in 0..16 {
            match value.get("$ref").and_then(Value::as_str).and_then(|r| self.pointer(r)) {
                Some(target) => value = target,
                None => break,
            }
        }
        value
    }

    fn pointer(&self, reference: &str) -> Option<&'d Value> {
        crate::validate::resolve_pointer(self.doc, reference)
    }
}

// ---- the random stream -------------------------------------------------------

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        if n <= 1 { 0 } else { self.next() % n }
    }

    /// In `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (i128::from(hi) - i128::from(lo) + 1) as u128;
        (i128::from(lo) + (u128::from(self.next()) % span) as i128) as i64
    }

    /// In `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { items.get(self.below(items.len() as u64) as usize) }
    }
}

// ---- the generator -------------------------------------------------------------

struct Gen<'d> {
    synth: Synth<'d>,
    rng: Rng,
}

/// A schema looked through `$ref`s and single-member `allOf`s.
struct Resolved<'s> {
    schema: &'s Value,
    nullable: bool,
    example: Option<&'s Value>,
}

/// A schema no value is valid against (`{"not": {}}`).
pub(crate) fn is_never(schema: &Value) -> bool {
    schema.get("not").and_then(Value::as_object).is_some_and(|n| n.is_empty())
}

fn type_of(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

impl<'d> Gen<'d> {
    fn resolve<'s>(&mut self, mut schema: &'s Value) -> Resolved<'s>
    where
        'd: 's,
    {
        let mut nullable = false;
        let mut example = None;
        for _ in 0..64 {
            nullable |= schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
            if example.is_none() {
                if let Some(e) = schema.get("example") {
                    example = Some(e);
                } else if let Some(list) = schema.get("examples").and_then(Value::as_array)
                    && !list.is_empty()
                {
                    example = self.rng.pick(list);
                }
            }
            if let Some(target) = schema.get("$ref").and_then(Value::as_str).and_then(|r| self.synth.pointer(r)) {
                schema = target;
                continue;
            }
            if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
                && schema.get("type").is_none()
                && schema.get("properties").is_none()
            {
                schema = only;
                continue;
            }
            break;
        }
        Resolved { schema, nullable, example }
    }

    fn value(&mut self, schema: &Value, depth: usize) -> Value {
        let Resolved { schema, nullable, example } = self.resolve(schema);
        // the spec's example, unless its own schema refuses it (an agent
        // example without the required `conversation_config`)
        if let Some(example) = example
            && (!example.is_object() && !example.is_array()
                || crate::validate::Validator::new(self.synth.doc).validate_value(schema, example, &[]).is_ok())
        {
            return example.clone();
        }
        if let Some(merged) = crate::validate::merged_all_of(self.synth.doc, schema) {
            return self.value(&merged, depth);
        }
        if nullable && (depth > self.synth.max_depth || self.rng.one_in(4)) {
            return Value::Null;
        }
        if depth >= HARD_DEPTH {
            return Value::Null;
        }
        if schema.get("discriminator").is_some()
            && let Some(members) = schema.get("oneOf").and_then(Value::as_array)
        {
            return self.tagged(schema, members, depth);
        }
        if let Some(members) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Value::as_array) {
            if let [number, string] = members.as_slice()
                && type_of(number) == Some("number")
                && type_of(string) == Some("string")
                && string.get("format").is_none()
                && string.get("pattern").is_none()
            {
                return self.decimal(number);
            }
            let Some(member) = self.rng.pick(members) else { return Value::Null };
            let value = self.value(member, depth);
            if schema.get("oneOf").is_none() || members.len() < 2 {
                return value;
            }
            // JSON Schema's `oneOf` wants exactly one member to take the
            // value: one that another member takes too (a model whose
            // fields are a subset of another's) is traded for a value
            // of a member that only that member takes
            let doc = self.synth.doc;
            let validator = crate::validate::Validator::new(doc);
            let takers = |v: &Value| members.iter().filter(|m| validator.validate_value(m, v, &[]).is_ok()).count();
            if takers(&value) <= 1 {
                return value;
            }
            for member in members {
                let other = self.value(member, depth);
                if takers(&other) == 1 {
                    return other;
                }
            }
            return value;
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return self.rng.pick(values).cloned().unwrap_or(Value::Null);
        }
        match type_of(schema) {
            Some("string") => Value::String(self.string(schema)),
            Some("integer") => self.integer(schema),
            Some("number") => self.number(schema),
            Some("boolean") => Value::Bool(self.rng.one_in(2)),
            Some("array") => self.array(schema, depth),
            Some("object") | None if schema.get("properties").is_some() => self.model(schema, depth),
            Some("object") => self.map(schema, depth),
            _ => match schema.get("allOf").and_then(Value::as_array) {
                Some(members) if !members.is_empty() => self.all_of(members, depth),
                // FastAPI's null-only field (`x: None`), lowered to "nullable, any type"
                _ if nullable => Value::Null,
                _ => self.anything(),
            },
        }
    }

    fn model(&mut self, model: &Value, depth: usize) -> Value {
        let empty = Map::new();
        let properties = model.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let required = model.get("required").and_then(Value::as_array);
        let is_required = |name: &str| required.is_some_and(|r| r.iter().any(|n| n.as_str() == Some(name)));
        let deep = depth >= self.synth.max_depth;
        let mut out = Map::with_capacity(properties.len());
        for (name, property) in properties {
            // `{"not": {}}`: no value is valid, so the field is never there
            if is_never(property) {
                continue;
            }
            let value = if deep && !is_required(name) {
                self.ended(property).unwrap_or_else(|| self.value(property, depth + 1))
            } else {
                self.value(property, depth + 1)
            };
            out.insert(name.clone(), value);
        }
        Value::Object(out)
    }

    /// The value that ends the recursion at an optional property: its
    /// default, `null` when nullable, `[]` for an array, `{}` for a map.
    fn ended(&mut self, property: &Value) -> Option<Value> {
        if let Some(default) = property.get("default") {
            return Some(default.clone());
        }
        let Resolved { schema, nullable, example } = self.resolve(property);
        if let Some(example) = example {
            return Some(example.clone());
        }
        if let Some(default) = schema.get("default") {
            return Some(default.clone());
        }
        if nullable {
            return Some(Value::Null);
        }
        match type_of(schema) {
            Some("array") if schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) == 0 => {
                Some(Value::Array(Vec::new()))
            }
            Some("object") if schema.get("properties").is_none() => Some(Value::Object(Map::new())),
            _ => None,
        }
    }

    fn map(&mut self, schema: &Value, depth: usize) -> Value {
        let mut out = Map::new();
        let count = schema.get("minProperties").and_then(Value::as_u64).unwrap_or(0);
        for _ in 0..count.min(8) {
            let key = self.word(3, 8);
            let value = match schema.get("additionalProperties") {
                Some(values @ Value::Object(inner)) if !inner.is_empty() => self.value(values, depth),
                _ => self.anything(),
            };
            out.insert(key, value);
        }
        Value::Object(out)
    }

    fn all_of(&mut self, members: &[Value], depth: usize) -> Value {
        let mut merged = Map::new();
        let mut last = Value::Null;
        for member in members {
            match self.value(member, depth) {
                Value::Object(fields) => merged.extend(fields),
                other => last = other,
            }
        }
        if merged.is_empty() && !last.is_null() { last } else { Value::Object(merged) }
    }

    fn anything(&mut self) -> Value {
        match self.rng.below(3) {
            0 => Value::String(self.word(4, 10)),
            1 => Value::from(self.rng.between(0, 1000)),
            _ => Value::Bool(self.rng.one_in(2)),
        }
    }

    fn tagged(&mut self, union: &Value, members: &[Value], depth: usize) -> Value {
        let discriminator = union.get("discriminator").unwrap_or(&Value::Null);
        let property = discriminator.get("propertyName").and_then(Value::as_str).unwrap_or_default();
        let mapping: Vec<(&String, &str)> = discriminator
            .get("mapping")
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(tag, r)| Some((tag, r.as_str()?))).collect())
            .unwrap_or_default();
        let Some(member) = self.rng.pick(members) else {
            return Value::Null;
        };
        let reference = member.get("$ref").and_then(Value::as_str);
        let tags: Vec<&String> = mapping.iter().filter(|(_, r)| reference == Some(*r)).map(|(tag, _)| *tag).collect();
        let tag = self.rng.pick(&tags).copied().cloned();
        let mut value = self.value(member, depth);
        if let (Some(tag), Value::Object(fields)) = (tag, &mut value) {
            fields.insert(property.to_string(), Value::String(tag));
        }
        value
    }

    // ---- arrays ---------------------------------------------------------------

    fn array(&mut self, schema: &Value, depth: usize) -> Value {
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = schema.get("maxItems").and_then(Value::as_u64);
        let items = schema.get("items").unwrap_or(&Value::Null);
        if max == Some(min) {
            // a tuple: positions from an `anyOf` as long as it
            let Resolved { schema: resolved, .. } = self.resolve(items);
            let positional = resolved
                .get("anyOf")
                .and_then(Value::as_array)
                .filter(|m| m.len() as u64 == min && !resolved.get("nullable").is_some_and(|n| n == true));
            return Value::Array(
                (0..min as usize).map(|i| self.value(positional.map_or(items, |m| &m[i]), depth)).collect(),
            );
        }
        let hi = if depth >= self.synth.max_depth { min } else { max.unwrap_or(u64::MAX).min(min + 3) };
        let count = min + self.rng.below(hi - min + 1);
        let unique = schema.get("uniqueItems").and_then(Value::as_bool).unwrap_or(false);
        let mut out: Vec<Value> = Vec::with_capacity(count as usize);
        let mut tries = 0;
        while (out.len() as u64) < count && tries < count * 8 + 8 {
            tries += 1;
            let item = self.value(items, depth);
            if unique && out.contains(&item) {
                continue;
            }
            out.push(item);
        }
        Value::Array(out)
    }

    // ---- numbers --------------------------------------------------------------

    fn integer(&mut self, schema: &Value) -> Value {
        let (lo, hi) = bounds(schema);
        let lo_i = lo.map(|(v, exclusive)| if exclusive { v.floor() as i64 + 1 } else { v.ceil() as i64 });
        let hi_i = hi.map(|(v, exclusive)| if exclusive { v.ceil() as i64 - 1 } else { v.floor() as i64 });
        let (lo, hi) = match (lo_i, hi_i) {
            (Some(lo), Some(hi)) => (lo, hi),
            (Some(lo), None) => (lo, lo.saturating_add(1000)),
            (None, Some(hi)) if hi >= 0 => (0, hi),
            (None, Some(hi)) => (hi.saturating_sub(1000), hi),
            (None, None) => (0, 1000),
        };
        if let Some(m) = schema.get("multipleOf").and_then(Value::as_f64).filter(|m| *m >= 1.0 && m.fract() == 0.0) {
            let m = m as i64;
            let (first, last) = (lo.div_euclid(m) + i64::from(lo.rem_euclid(m) != 0), hi.div_euclid(m));
            if first <= last {
                return Value::from(self.rng.between(first, last) * m);
            }
        }
        Value::from(self.rng.between(lo, hi))
    }

    /// A float within the bounds, `None` when they leave no room.
    fn float_in(&mut self, schema: &Value, decimals: bool) -> f64 {
        let (lo, hi) = bounds(schema);
        let (low, high) = match (lo, hi) {
            (Some((l, _)), Some((h, _))) => (l, h),
            (Some((l, _)), None) => (l, l + 1000.0),
            (None, Some((h, _))) if h >= 0.0 => (0.0, h),
            (None, Some((h, _))) => (h - 1000.0, h),
            (None, None) => (0.0, 1000.0),
        };
        let inside = |x: f64| {
            lo.is_none_or(|(l, exclusive)| if exclusive { x > l } else { x >= l })
                && hi.is_none_or(|(h, exclusive)| if exclusive { x < h } else { x <= h })
        };
        if let Some(m) = schema.get("multipleOf").and_then(Value::as_f64).filter(|m| *m > 0.0) {
            let (first, last) = ((low / m).ceil() as i64, (high / m).floor() as i64);
            // a multiple as JSON Schema checks one, in floats (`x / m` a
            // whole number): `333 * 0.05` is 16.650000000000002, whose
            // quotient is not; rounded to `m`'s decimals and checked
            let decimals = format!("{m}").split_once('.').map_or(0, |(_, d)| d.len() as i32);
            let scale = 10f64.powi(decimals);
            for _ in 0..16 {
                let x = (self.rng.between(first, last) as f64 * m * scale).round() / scale;
                if inside(x) && (x / m).fract() == 0.0 {
                    return x;
                }
            }
            if inside(0.0) {
                return 0.0;
            }
        }
        let mut x = low + self.rng.unit() * (high - low);
        if decimals {
            x = (x * 100.0).round() / 100.0;
        }
        if !inside(x) {
            x = low + (high - low) / 2.0;
        }
        x
    }

    fn number(&mut self, schema: &Value) -> Value {
        let x = self.float_in(schema, true);
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }

    /// pydantic's `Decimal`, as it dumps one: a string.
    fn decimal(&mut self, number: &Value) -> Value {
        let x = self.float_in(number, true);
        let text = if number.get("multipleOf").is_some() { format!("{x}") } else { format!("{x:.2}") };
        Value::String(text)
    }

    // ---- strings --------------------------------------------------------------

    fn word(&mut self, min: usize, max: usize) -> String {
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
        let len = self.rng.between(min as i64, max as i64) as usize;
        (0..len).map(|_| char::from(LETTERS[self.rng.below(26) as usize])).collect()
    }

    fn string(&mut self, schema: &Value) -> String {
        let min = schema.get("minLength").and_then(Value::as_u64).map(|n| n as usize);
        let max = schema.get("maxLength").and_then(Value::as_u64).map(|n| n as usize);
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            return self.matching(pattern, min.unwrap_or(0), max.unwrap_or(usize::MAX));
        }
        let formatted = match schema.get("format").and_then(Value::as_str).unwrap_or_default() {
            "uuid" => {
                let mut bytes = [0u8; 16];
                bytes[..8].copy_from_slice(&self.rng.next().to_le_bytes());
                bytes[8..].copy_from_slice(&self.rng.next().to_le_bytes());
                Some(uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string())
            }
            "date-time" => Some(self.datetime()),
            "date" => Some(self.date()),
            "time" => Some(format!("{:02}:{:02}:{:02}", self.rng.below(24), self.rng.below(60), self.rng.below(60))),
            "email" => Some(format!("{}@example.com", self.word(3, 10))),
            "uri" | "url" | "uri-reference" => Some(format!("https://example.com/{}", self.word(3, 10))),
            "hostname" => Some(format!("{}.example.com", self.word(3, 10))),
            "ipv4" => Some(format!("192.0.2.{}", self.rng.between(1, 254))),
            "ipv6" => Some(format!("2001:db8::{:x}", self.rng.between(1, 0xffff))),
            "byte" => Some(base64(&self.word(3, 12).into_bytes())),
            _ => None,
        };
        if let Some(text) = formatted {
            let len = text.chars().count();
            if min.is_none_or(|m| len >= m) && max.is_none_or(|m| len <= m) {
                return text;
            }
        }
        let low = min.unwrap_or(0).max(max.map_or(5, |m| m.min(5)));
        let high = max.unwrap_or(low.max(5) + 10).min(low.max(5) + 10).max(low);
        self.word(low, high)
    }

    fn date(&mut self) -> String {
        let days = self.rng.between(10_957, 21_914); // 2000-01-01 ..= 2029-12-31
        let (y, m, d) = civil_from_days(days);
        format!("{y:04}-{m:02}-{d:02}")
    }

    fn datetime(&mut self) -> String {
        let mut out = self.date();
        let seconds = self.rng.below(86_400);
        let _ = write!(out, "T{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
        if !self.rng.one_in(8) {
            let _ = write!(out, ".{:06}", self.rng.between(1, 999_999));
        }
        if self.rng.one_in(4) {
            let minutes = [-480, -300, -180, 60, 120, 330, 540][self.rng.below(7) as usize];
            let sign = if minutes < 0 { '-' } else { '+' };
            let m: i64 = i64::abs(minutes);
            let _ = write!(out, "{sign}{:02}:{:02}", m / 60, m % 60);
        } else {
            out.push('Z');
        }
        out
    }

    /// A string that `pattern` finds (as the validator searches), within
    /// the length bounds.
    fn matching(&mut self, pattern: &str, min: usize, max: usize) -> String {
        let Some(compiled) = compiled(pattern) else {
            return self.word(min.max(1), max.min(min.max(1) + 8));
        };
        let mut last = String::new();
        for _ in 0..PATTERN_TRIES {
            let mut out = String::new();
            generate(&compiled.hir, &mut self.rng, &mut out);
            let len = out.chars().count();
            let matches = compiled.regex.as_ref().is_none_or(|r| r.find(&out).is_some());
            if matches && len >= min && len <= max {
                return out;
            }
            last = out;
        }
        last
    }
}

/// A bound: (value, exclusive), in either spelling.
type Bound = Option<(f64, bool)>;

fn bounds(schema: &Value) -> (Bound, Bound) {
    let bound = |inclusive: &str, exclusive: &str| match schema.get(exclusive) {
        Some(Value::Number(n)) => n.as_f64().map(|v| (v, true)),
        Some(Value::Bool(flag)) => schema.get(inclusive).and_then(Value::as_f64).map(|v| (v, *flag)),
        _ => schema.get(inclusive).and_then(Value::as_f64).map(|v| (v, false)),
    };
    (bound("minimum", "exclusiveMinimum"), bound("maximum", "exclusiveMaximum"))
}

/// Days since 1970-01-01 as a civil date (Howard Hinnant's algorithm): the
/// one copy the runtime uses.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---- patterns ------------------------------------------------------------------

struct Compiled {
    hir: Hir,
    /// ECMAScript's reading, which the validator checks with; `None` when
    /// regress cannot compile it (then any string is taken).
    regex: Option<regress::Regex>,
}

/// The parsed pattern, from a process-wide cache; `None` when
/// `regex-syntax` cannot parse it.
fn compiled(pattern: &str) -> Option<Arc<Compiled>> {
    static CACHE: OnceLock<RwLock<HashMap<String, Option<Arc<Compiled>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.read().ok().and_then(|c| c.get(pattern).cloned()) {
        return found;
    }
    // a lookaround (pydantic's `Decimal` as a string:
    // `^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$`) is no part of what is generated:
    // strings are made without it, and the whole pattern keeps the ones
    // that fit (`matching` tries several)
    let parse = |p: &str| regex_syntax::ParserBuilder::new().build().parse(p).ok();
    let entry = parse(pattern)
        .or_else(|| parse(&without_lookarounds(pattern)))
        .map(|hir| Arc::new(Compiled { hir, regex: regress::Regex::new(pattern).ok() }));
    if let Ok(mut c) = cache.write() {
        c.insert(pattern.to_string(), entry.clone());
    }
    entry
}

/// `pattern` without its lookaround groups (`(?=…)`, `(?!…)`, `(?<=…)`,
/// `(?<!…)`), which `regex-syntax` does not parse.
fn without_lookarounds(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
        if ["(?=", "(?!", "(?<=", "(?<!"].iter().any(|open| rest.starts_with(open)) {
            // skip to the group's closing parenthesis
            let (mut depth, mut class) = (0usize, false);
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 1,
                    '[' if !class => class = true,
                    ']' if class => class = false,
                    '(' if !class => depth += 1,
                    ')' if !class => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        out.push(chars[i]);
        if chars[i] == '\\' && i + 1 < chars.len() {
            out.push(chars[i + 1]);
            i += 1;
        }
        i += 1;
    }
    out
}

/// Appends a string that `hir` matches; classes give printable ASCII where
/// they can, unbounded repetitions a few more than their minimum.
fn generate(hir: &Hir, rng: &mut Rng, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(u32, u32)> = class.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect();
            if let Some(c) = pick_char(&ranges, rng) {
                out.push(c);
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges: Vec<(u32, u32)> =
                class.ranges().iter().map(|r| (u32::from(r.start()), u32::from(r.end().min(0x7f)))).collect();
            if let Some(c) = pick_char(&ranges, rng) {
                out.push(c);
            }
        }
        HirKind::Repetition(repetition) => {
            let min = repetition.min;
            let max = repetition.max.unwrap_or(min + 4).min(min + 4);
            let count = min + rng.below(u64::from(max - min) + 1) as u32;
            for _ in 0..count {
                generate(&repetition.sub, rng, out);
            }
        }
        HirKind::Capture(capture) => generate(&capture.sub, rng, out),
        HirKind::Concat(parts) => {
            for part in parts {
                generate(part, rng, out);
            }
        }
        HirKind::Alternation(choices) => {
            if let Some(choice) = rng.pick(choices) {
                generate(choice, rng, out);
            }
        }
    }
}

/// A character of the ranges: mostly a letter or digit when they hold any,
/// else printable ASCII when they hold any.
fn pick_char(ranges: &[(u32, u32)], rng: &mut Rng) -> Option<char> {
    let within = |lo: u32, hi: u32| -> Vec<(u32, u32)> {
        ranges.iter().filter(|&&(a, b)| a.max(lo) <= b.min(hi)).map(|&(a, b)| (a.max(lo), b.min(hi))).collect()
    };
    let mut alphanumeric = within(u32::from(b'0'), u32::from(b'9'));
    alphanumeric.extend(within(u32::from(b'A'), u32::from(b'Z')));
    alphanumeric.extend(within(u32::from(b'a'), u32::from(b'z')));
    let printable = within(0x20, 0x7e);
    let ranges = if !alphanumeric.is_empty() && !rng.one_in(16) {
        &alphanumeric[..]
    } else if printable.is_empty() {
        ranges
    } else {
        &printable[..]
    };
    let total: u64 = ranges.iter().map(|&(a, b)| u64::from(b - a) + 1).sum();
    if total == 0 {
        return None;
    }
    let mut k = rng.below(total);
    for &(a, b) in ranges {
        let size = u64::from(b - a) + 1;
        if k < size {
            return char::from_u32(a + k as u32);
        }
        k -= size;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_give_matching_strings() {
        let doc = json!({});
        let synth = Synth::new(&doc);
        for pattern in [
            r"^(?<prefix>[A-Z]{2})-\d+$",
            r"^[0-9a-f]{64}$",
            r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
            r"^(a|bc|[x-z]+)?\.\w{3}$",
            "^password$",
            // pydantic's `Decimal` dumped as a string: a lookahead
            r"^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$",
        ] {
            let regex = regress::Regex::new(pattern).unwrap();
            for seed in 0..20 {
                let value = synth.value(&json!({"type": "string", "pattern": pattern}), seed);
                assert!(regex.find(value.as_str().unwrap()).is_some(), "{pattern}: {value}");
            }
        }
        let bounded = json!({"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "minLength": 3, "maxLength": 5});
        for seed in 0..20 {
            let len = synth.value(&bounded, seed).as_str().unwrap().len();
            assert!((3..=5).contains(&len));
        }
    }

    #[test]
    fn a_one_of_value_is_taken_by_one_member_only() {
        // the first member is the second with more required fields
        let doc = json!({"components": {"schemas": {
            "Price": {"type": "object", "required": ["id", "amount"],
                "properties": {"id": {"type": "string"}, "amount": {"type": "integer"}}},
            "LegacyPrice": {"type": "object", "required": ["id", "amount", "legacy"],
                "properties": {"id": {"type": "string"}, "amount": {"type": "integer"},
                    "legacy": {"type": "boolean", "const": true}}}
        }}});
        let schema =
            json!({"oneOf": [{"$ref": "#/components/schemas/LegacyPrice"}, {"$ref": "#/components/schemas/Price"}]});
        let validator = crate::validate::Validator::new(&doc);
        let members = schema["oneOf"].as_array().unwrap();
        let synth = Synth::new(&doc);
        for seed in 0..40 {
            let value = synth.value(&schema, seed);
            let takers = members.iter().filter(|m| validator.validate_value(m, &value, &[]).is_ok()).count();
            assert_eq!(takers, 1, "seed {seed}: {value}");
        }
    }

    #[test]
    fn base64_and_dates() {
        assert_eq!(base64(b"alice:secret"), "YWxpY2U6c2VjcmV0");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_783), (2024, 3, 1));
    }
}
