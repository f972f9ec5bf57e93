//! Validation of a JSON request body against a schema of the lowered
//! (OpenAPI 3.0.3) document, exactly as FastAPI 0.165 with pydantic 2.14
//! validates it: the same lax coercions, the defaults filled in, and on
//! failure the same 422 items (`type`, `loc`, `msg`, `input`, `ctx`) in
//! pydantic's order.
//!
//! ```
//! use dropshot_codegen_runtime::validate::{Validator, render_422};
//! use serde_json::json;
//!
//! let doc = json!({"components": {"schemas": {"Pet": {
//!     "type": "object", "required": ["name"],
//!     "properties": {"name": {"type": "string"}, "age": {"type": "integer", "default": 1}}
//! }}}});
//! let validator = Validator::new(&doc);
//! let schema = json!({"$ref": "#/components/schemas/Pet"});
//! let value = validator.validate_body(&schema, true, br#"{"name": "Rex", "age": "3"}"#).unwrap();
//! assert_eq!(value, json!({"name": "Rex", "age": 3}));
//! let errors = validator.validate_body(&schema, true, br#"{"age": "x"}"#).unwrap_err();
//! assert_eq!(errors[0].loc, vec![json!("body"), json!("name")]);
//! assert_eq!(errors[1].kind, "int_parsing");
//! let body = render_422(&errors); // {"detail":[{"type":"missing","loc":["body","name"],...}]}
//! assert!(body.starts_with(r#"{"detail":[{"type":"missing","loc":["body","name"]"#));
//! ```
//!
//! `tests/pydantic_agreement.rs` proves the agreement differentially: every
//! body of the corpus `tests/pydantic/corpus.py` was sent through FastAPI's
//! `TestClient`, and the validator must answer exactly what FastAPI answered
//! (`tests/pydantic/golden.json`).
//!
//! # How FastAPI validates a JSON body
//!
//! FastAPI reads the body with Python's `json.loads` (a syntax error is one
//! `json_invalid` item at `["body", <character offset>]` with `ctx.error`
//! the `json` module's message), an empty body is `None` (`missing` at
//! `["body"]` when the body is required), and then validates the *Python*
//! object with pydantic in lax Python mode. So the coercions are Python
//! mode's, not JSON mode's: `"5"` is an `int`, `1` and `"yes"` are `bool`s,
//! `false` is the float `0.0`, `" 7 "` and `"1_000"` are ints, `5.0` is an
//! int but `5.5` is `int_from_float`, a date string may carry a midnight time,
//! an int is a Unix timestamp for dates and datetimes.
//!
//! The validated value is what pydantic dumps in JSON mode (what FastAPI
//! would echo): every property of a model in schema order with its default
//! filled in, unknown properties dropped (kept when `additionalProperties:
//! true`), ints as JSON integers, floats as JSON floats (`5` becomes `5.0`),
//! decimals as strings (`9.99` becomes `"9.99"`, as `str(Decimal)`), UUIDs
//! lowercase and hyphenated, dates `YYYY-MM-DD`, datetimes in ISO 8601 with
//! `Z` for UTC.
//!
//! # Reading pydantic's types from the lowered schema
//!
//! - `$ref` to a component with `enum` is a Python `Enum` (error `enum`); an
//!   inline `enum` is a `Literal` (error `literal_error`).
//! - `anyOf` of a bounded `number` and a plain `string` is a `Decimal`.
//! - `oneOf` with a `discriminator` is a tagged union; any other `anyOf` or
//!   `oneOf` is a smart-mode union: the first member that validates
//!   strictly, else the first that validates laxly, else one error list per
//!   member, each under the member's label in `loc` (`int`, `str`, the
//!   model's title, `list[int]`, ...).
//! - `nullable` accepts `null` and otherwise reports the inner type's errors.
//! - An array with `minItems == maxItems` is a tuple (the lowering writes
//!   tuples so): `tuple_type`, `missing` for absent positions, `too_long`
//!   with `field_type: "Tuple"`; when its `items` is an `anyOf` with as many
//!   members as the length, member *i* is position *i*'s type.
//! - A property that is neither required nor has a `default` was a
//!   `default_factory`: its default is `[]` for an array, `{}` for an
//!   object, else `null`.
//!
//! # What cannot be exact from the lowered schema alone
//!
//! - `Decimal`'s `decimal_places` and `max_digits` are not exported:
//!   `decimal_max_places` and friends are never reported.
//! - `dict[SomeEnum, X]`: the lowering drops `propertyNames`, so keys are
//!   not validated (pydantic would report `enum` at `[..., key, "[key]"]`).
//! - A tuple whose positions have types that repeat (`tuple[int, int, str]`)
//!   loses which position holds which type: every position takes the union.
//!   A `list` with `min_length == max_length` is taken for a tuple
//!   (`Tuple should have ...` instead of `List should have ...`).
//! - A `pattern` is reported in Python's syntax, translated back from the
//!   ECMAScript the lowering wrote (`(?<n>` → `(?P<n>`, `\k<n>` →
//!   `(?P=n)`); `\A` and `\Z`, which the lowering rewrote, cannot be told
//!   from `^` and `$`.
//! - A null-only field (`x: None`) is lowered to "nullable, any type":
//!   anything is accepted.
//! - Python's `json` accepts `NaN`, `Infinity` and lone surrogates, which
//!   FastAPI then fails on or passes through; here they are `json_invalid`.
//!   Integers beyond 64 bits are accepted, as floats (Python keeps them
//!   exact): in a string (a path or query parameter), and in a JSON body
//!   that writes one as an integer literal (serde_json reads it as a
//!   float, so then every integral float of that body beyond 64 bits is
//!   taken for an integer, where pydantic refuses a float literal such as
//!   `1e20` with `int_parsing_size`). Nesting deeper than 128 levels is refused
//!   (`json_invalid`).
//! - A smart-mode union of models picks the first member that validates,
//!   not pydantic's "most fields set".
//! - The rendered body ([`render_422`]) writes floats as Rust does (`1e20`
//!   where Python writes `1e+20`); the JSON values are equal.
//!
//! # Performance
//!
//! A [`Validator`] borrows the document (nothing is cloned per call but the
//! validated leaves); compiled patterns are cached process-wide by their
//! source text.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock, RwLock};

use serde::Serialize;
use serde_json::{Map, Number, Value, json};

/// One item of FastAPI's 422 body, as pydantic reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationError {
    /// pydantic's error type: `missing`, `int_parsing`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// `"body"`, then property names and indexes.
    pub loc: Vec<Value>,
    pub msg: String,
    /// The offending value as pydantic echoes it.
    pub input: Value,
    /// Only where pydantic writes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctx: Option<Map<String, Value>>,
}

impl ValidationError {
    fn new(kind: &str, loc: &[Value], msg: impl Into<String>, input: &Value) -> Box<Self> {
        Box::new(Self { kind: kind.to_string(), loc: loc.to_vec(), msg: msg.into(), input: input.clone(), ctx: None })
    }

    fn with_ctx(mut self: Box<Self>, ctx: Value) -> Box<Self> {
        if let Value::Object(map) = ctx {
            self.ctx = Some(map);
        }
        self
    }
}

/// The 422 body FastAPI sends for these errors: `{"detail": [...]}`, compact
/// and with non-ASCII characters as they are, as Starlette's `JSONResponse`
/// writes it.
pub fn render_422(errors: &[ValidationError]) -> String {
    #[derive(Serialize)]
    struct Body<'a> {
        detail: &'a [ValidationError],
    }
    serde_json::to_string(&Body { detail: errors }).unwrap_or_default()
}

/// The 422 body as a JSON value.
pub fn detail_value(errors: &[ValidationError]) -> Value {
    json!({ "detail": errors })
}

/// The JSON request body schema of an operation and whether the body is
/// required: `(schema, required)`; `None` when the operation has no JSON
/// body. `method` is lowercase.
pub fn request_body_schema<'d>(doc: &'d Value, path: &str, method: &str) -> Option<(&'d Value, bool)> {
    let mut body = doc.get("paths")?.get(path)?.get(method)?.get("requestBody")?;
    if let Some(reference) = body.get("$ref").and_then(Value::as_str) {
        body = resolve_pointer(doc, reference)?;
    }
    let required = body.get("required").and_then(Value::as_bool).unwrap_or(false);
    let schema = body.get("content")?.get("application/json")?.get("schema")?;
    Some((schema, required))
}

/// An `allOf` that is more than a wrapper (several members, or one beside
/// properties or a type of its own: a 3.1 `$ref` with siblings, lowered) as the one
/// object schema a value of it is: every member's properties and required
/// names with the schema's own. `None` where it is a wrapper, or where a
/// member is not an object (the members are then not merged).
pub(crate) fn merged_all_of(doc: &Value, schema: &Value) -> Option<Value> {
    let members = schema.get("allOf").and_then(Value::as_array)?;
    if members.len() < 2 && schema.get("properties").is_none() && schema.get("type").is_none() {
        return None;
    }
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    let mut add = |object: &Value| {
        for (name, property) in object.get("properties").and_then(Value::as_object).into_iter().flatten() {
            properties.entry(name.clone()).or_insert_with(|| property.clone());
        }
        for name in object.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !required.contains(name) {
                required.push(name.clone());
            }
        }
    };
    for member in members {
        let mut member = member;
        for _ in 0..64 {
            match member.get("$ref").and_then(Value::as_str).and_then(|r| resolve_pointer(doc, r)) {
                Some(target) => member = target,
                None => break,
            }
        }
        let merged = merged_all_of(doc, member);
        let member = merged.as_ref().unwrap_or(member);
        // a member that is not an object: the members are not merged
        member.get("properties")?;
        add(member);
    }
    add(schema);
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    for key in ["title", "nullable", "additionalProperties"] {
        if let Some(v) = schema.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    Some(Value::Object(out))
}

/// The target of a local `$ref` (`#/components/schemas/X`, percent-encoding
/// decoded): the one reader of references in the runtime.
pub(crate) fn resolve_pointer<'d>(doc: &'d Value, reference: &str) -> Option<&'d Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.contains('%') {
        let decoded = percent_decode(pointer);
        return walk_pointer(doc, &decoded);
    }
    walk_pointer(doc, pointer)
}

/// `Value::pointer` without its two allocations per token (it unescapes
/// `~1` and `~0` in every token): references are resolved on every
/// request, several times, and almost none has a `~`.
fn walk_pointer<'d>(doc: &'d Value, pointer: &str) -> Option<&'d Value> {
    if pointer.is_empty() {
        return Some(doc);
    }
    pointer.strip_prefix('/')?.split('/').try_fold(doc, |target, token| {
        let token: std::borrow::Cow<'_, str> =
            if token.contains('~') { token.replace("~1", "/").replace("~0", "~").into() } else { token.into() };
        match target {
            Value::Object(map) => map.get(token.as_ref()),
            Value::Array(list) => token.parse::<usize>().ok().and_then(|i| list.get(i)),
            _ => None,
        }
    })
}

/// `%XX` sequences decoded (a `%` that starts none is kept).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = s.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Validates bodies against the schemas of one lowered document.
#[derive(Debug, Clone, Copy)]
pub struct Validator<'d> {
    doc: &'d Value,
    /// The text of the body being validated: serde_json reads an integer
    /// literal beyond 64 bits as a float, so an integral float beyond 64
    /// bits is taken for an integer when the text has such a literal, as
    /// Python reads it (looked for only then, not on every body).
    body: Option<&'d [u8]>,
    /// JSON Schema's `oneOf` besides pydantic's union: a value that more
    /// than one member takes is refused ([`Validator::exclusive`]).
    exclusive: bool,
}

type Errors = Vec<ValidationError>;

/// One value's check: the value, or its one error.
type Check = Result<Value, Box<ValidationError>>;

/// What a schema is, in pydantic's terms.
enum Kind<'s> {
    Any,
    Model(&'s Value),
    Map(Option<&'s Value>),
    Array(&'s Value),
    Tagged(&'s Value),
    Union(&'s [Value]),
    Decimal(&'s Value),
    Enum(&'s [Value], bool),
    Str,
    Uuid,
    Date,
    DateTime,
    Bytes,
    Int,
    Float,
    Bool,
}

impl<'d> Validator<'d> {
    pub fn new(doc: &'d Value) -> Self {
        Self { doc, body: None, exclusive: false }
    }

    /// A validator that also keeps JSON Schema's rule for a `oneOf`
    /// without a discriminator: exactly one member takes the value. pydantic
    /// takes the first member that fits (smart mode), so requests are
    /// validated without it; answers are checked by JSON Schema tools
    /// (schemathesis), and a model whose fields are a subset of another's
    /// (`LegacyPrice | Price`) takes the other's values too.
    pub fn exclusive(mut self) -> Self {
        self.exclusive = true;
        self
    }

    /// Validates a raw request body: `required` is the request body's
    /// `required`. Errors are located under `"body"`.
    pub fn validate_body(&self, schema: &Value, required: bool, body: &[u8]) -> Result<Value, Vec<ValidationError>> {
        let loc = [json!("body")];
        if body.is_empty() {
            if required {
                return Err(vec![*ValidationError::new("missing", &loc, "Field required", &Value::Null)]);
            }
            return Ok(Value::Null);
        }
        let input: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return Err(vec![*json_invalid(body, &e)]),
        };
        self.validate_parsed_body(schema, required, &input, body)
    }

    /// [`Validator::validate_body`] of a non-empty body already parsed as
    /// `input` (`body` is its text), for a caller that parsed it once.
    pub fn validate_parsed_body(
        &self,
        schema: &Value,
        required: bool,
        input: &Value,
        body: &[u8],
    ) -> Result<Value, Vec<ValidationError>> {
        if input.is_null() && !required {
            return Ok(Value::Null);
        }
        Validator { doc: self.doc, body: Some(body), exclusive: self.exclusive }.validate_value(
            schema,
            input,
            &[json!("body")],
        )
    }

    /// Validates a parsed value; `loc` is where it is (e.g. `["body"]`).
    pub fn validate_value(&self, schema: &Value, input: &Value, loc: &[Value]) -> Result<Value, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut loc = loc.to_vec();
        match self.check(schema, input, &mut loc, false, &mut errors) {
            Some(v) if errors.is_empty() => Ok(v),
            _ => Err(errors),
        }
    }

    /// Follows `$ref`s and single-member `allOf` wrappers; says whether a
    /// reference was followed (an `enum` there is a Python `Enum`) and
    /// whether any level was `nullable`.
    fn resolve<'s>(&self, mut schema: &'s Value) -> (&'s Value, bool, bool)
    where
        'd: 's,
    {
        let mut referenced = false;
        let mut nullable = false;
        for _ in 0..64 {
            nullable |= schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
            if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                match resolve_pointer(self.doc, reference) {
                    Some(target) => {
                        schema = target;
                        referenced = true;
                        continue;
                    }
                    None => break,
                }
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
        (schema, referenced, nullable)
    }

    fn kind<'s>(&self, schema: &'s Value, referenced: bool) -> Kind<'s> {
        if schema.get("discriminator").is_some() && schema.get("oneOf").is_some() {
            return Kind::Tagged(schema);
        }
        if let Some(members) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Value::as_array) {
            if let [number, string] = members.as_slice()
                && type_of(number) == Some("number")
                && type_of(string) == Some("string")
                && string.get("format").is_none()
                && string.get("pattern").is_none()
            {
                return Kind::Decimal(number);
            }
            return Kind::Union(members);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return Kind::Enum(values, referenced);
        }
        match type_of(schema) {
            Some("string") => match schema.get("format").and_then(Value::as_str) {
                Some("uuid") => Kind::Uuid,
                Some("date") => Kind::Date,
                Some("date-time") => Kind::DateTime,
                Some("binary") => Kind::Bytes,
                _ => Kind::Str,
            },
            Some("integer") => Kind::Int,
            Some("number") => Kind::Float,
            Some("boolean") => Kind::Bool,
            Some("array") => Kind::Array(schema),
            Some("object") | None if schema.get("properties").is_some() => Kind::Model(schema),
            Some("object") => match schema.get("additionalProperties") {
                Some(Value::Object(values)) if !values.is_empty() => {
                    Kind::Map(Some(schema.get("additionalProperties").unwrap_or(&Value::Null)))
                }
                _ => Kind::Map(None),
            },
            _ => Kind::Any,
        }
    }

    /// Validates `input` at `loc`; `None` (with errors pushed) on failure.
    fn check(
        &self,
        schema: &Value,
        input: &Value,
        loc: &mut Vec<Value>,
        strict: bool,
        errors: &mut Errors,
    ) -> Option<Value> {
        let (schema, referenced, nullable) = self.resolve(schema);
        if input.is_null() && nullable {
            return Some(Value::Null);
        }
        if let Some(merged) = merged_all_of(self.doc, schema) {
            return self.check(&merged, input, loc, strict, errors);
        }
        match self.kind(schema, referenced) {
            Kind::Any => Some(input.clone()),
            Kind::Model(model) => self.check_model(model, input, loc, strict, errors),
            Kind::Map(values) => self.check_map(values, input, loc, strict, errors),
            Kind::Array(array) => self.check_array(array, input, loc, strict, errors),
            Kind::Tagged(union) => self.check_tagged(union, input, loc, strict, errors),
            Kind::Union(members) => {
                let out = self.check_union(members, input, loc, strict, errors)?;
                if self.exclusive && schema.get("anyOf").is_none() && schema.get("oneOf").is_some() {
                    let mut scratch = Vec::new();
                    let takers = members
                        .iter()
                        .filter(|m| {
                            scratch.clear();
                            self.check(m, input, loc, strict, &mut scratch).is_some() && scratch.is_empty()
                        })
                        .count();
                    if takers > 1 {
                        let message = "Input is valid under more than one member of oneOf";
                        errors.push(*ValidationError::new("one_of_ambiguous", loc, message, input));
                        return None;
                    }
                }
                Some(out)
            }
            Kind::Decimal(number) => push(errors, check_decimal(number, input, loc, strict)),
            Kind::Enum(values, is_enum) => push(errors, check_enum(values, is_enum, input, loc, strict)),
            Kind::Str => push(errors, check_str(schema, input, loc)),
            Kind::Uuid => push(errors, check_uuid(input, loc, strict)),
            Kind::Date => push(errors, check_date(input, loc, strict)),
            Kind::DateTime => push(errors, check_datetime(input, loc, strict)),
            Kind::Bytes => push(errors, check_bytes(input, loc, strict)),
            Kind::Int => push(errors, check_int(schema, input, loc, strict, self.body)),
            Kind::Float => push(errors, check_float(schema, input, loc, strict)),
            Kind::Bool => push(errors, check_bool(input, loc, strict)),
        }
    }

    fn check_model(
        &self,
        model: &Value,
        input: &Value,
        loc: &mut Vec<Value>,
        strict: bool,
        errors: &mut Errors,
    ) -> Option<Value> {
        let Value::Object(fields) = input else {
            errors.push(*ValidationError::new(
                "model_attributes_type",
                loc,
                "Input should be a valid dictionary or object to extract fields from",
                input,
            ));
            return None;
        };
        let empty = Map::new();
        let properties = model.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let required = model.get("required").and_then(Value::as_array);
        let is_required = |name: &str| required.is_some_and(|r| r.iter().any(|n| n.as_str() == Some(name)));
        let before = errors.len();
        let mut out = Map::with_capacity(properties.len());
        for (name, property) in properties {
            match fields.get(name) {
                Some(value) => {
                    loc.push(Value::String(name.clone()));
                    if let Some(v) = self.check(property, value, loc, strict, errors) {
                        out.insert(name.clone(), v);
                    }
                    loc.pop();
                }
                None if is_required(name) => {
                    loc.push(Value::String(name.clone()));
                    errors.push(*ValidationError::new("missing", loc, "Field required", input));
                    loc.pop();
                }
                None => {
                    if let Some(default) = self.default_of(property) {
                        out.insert(name.clone(), default);
                    }
                }
            }
        }
        match model.get("additionalProperties") {
            Some(Value::Bool(false)) => {
                for (name, value) in fields {
                    if !properties.contains_key(name) {
                        loc.push(Value::String(name.clone()));
                        errors.push(*ValidationError::new(
                            "extra_forbidden",
                            loc,
                            "Extra inputs are not permitted",
                            value,
                        ));
                        loc.pop();
                    }
                }
            }
            Some(Value::Bool(true)) => {
                for (name, value) in fields {
                    if !properties.contains_key(name) {
                        out.insert(name.clone(), value.clone());
                    }
                }
            }
            _ => {}
        }
        (errors.len() == before).then_some(Value::Object(out))
    }

    /// The value pydantic fills in for an absent optional property: its
    /// default, `null` where it may be null, an empty array or object (a
    /// `default_factory`); none where the export says nothing that fits (a
    /// `default_factory` of a model), so that the value is left out rather
    /// than made `null` where its schema refuses `null`.
    fn default_of(&self, property: &Value) -> Option<Value> {
        if let Some(default) = property.get("default") {
            return Some(default.clone());
        }
        let (schema, _, nullable) = self.resolve(property);
        if nullable {
            return Some(Value::Null);
        }
        let untyped = ["anyOf", "oneOf", "allOf", "enum", "properties"].iter().all(|k| schema.get(*k).is_none());
        match type_of(schema) {
            Some("array") => Some(Value::Array(Vec::new())),
            Some("object") => Some(Value::Object(Map::new())),
            // `Any`, which `null` is
            None if untyped => Some(Value::Null),
            _ => None,
        }
    }

    fn check_map(
        &self,
        values: Option<&Value>,
        input: &Value,
        loc: &mut Vec<Value>,
        strict: bool,
        errors: &mut Errors,
    ) -> Option<Value> {
        let Value::Object(entries) = input else {
            errors.push(*ValidationError::new("dict_type", loc, "Input should be a valid dictionary", input));
            return None;
        };
        let Some(values) = values else {
            return Some(input.clone());
        };
        let before = errors.len();
        let mut out = Map::with_capacity(entries.len());
        for (key, value) in entries {
            loc.push(Value::String(key.clone()));
            if let Some(v) = self.check(values, value, loc, strict, errors) {
                out.insert(key.clone(), v);
            }
            loc.pop();
        }
        (errors.len() == before).then_some(Value::Object(out))
    }

    fn check_array(
        &self,
        array: &Value,
        input: &Value,
        loc: &mut Vec<Value>,
        strict: bool,
        errors: &mut Errors,
    ) -> Option<Value> {
        let min = array.get("minItems").and_then(Value::as_u64);
        let max = array.get("maxItems").and_then(Value::as_u64);
        let items = array.get("items").unwrap_or(&Value::Null);
        if let (Some(min), Some(max)) = (min, max)
            && min == max
        {
            return self.check_tuple(items, min as usize, input, loc, strict, errors);
        }
        let Value::Array(elements) = input else {
            errors.push(*ValidationError::new("list_type", loc, "Input should be a valid list", input));
            return None;
        };
        let len = elements.len() as u64;
        if let Some(max) = max
            && len > max
        {
            errors.push(*length_error("too_long", "List", "at most", max, len, loc, input));
            return None;
        }
        let before = errors.len();
        let mut out = Vec::with_capacity(elements.len());
        for (i, element) in elements.iter().enumerate() {
            loc.push(json!(i));
            if let Some(v) = self.check(items, element, loc, strict, errors) {
                out.push(v);
            }
            loc.pop();
        }
        if errors.len() != before {
            return None;
        }
        if let Some(min) = min
            && len < min
        {
            errors.push(*length_error("too_short", "List", "at least", min, len, loc, input));
            return None;
        }
        Some(Value::Array(out))
    }

    fn check_tuple(
        &self,
        items: &Value,
        len: usize,
        input: &Value,
        loc: &mut Vec<Value>,
        strict: bool,
        errors: &mut Errors,
    ) -> Option<Value> {
        let Value::Array(elements) = input else {
            errors.push(*ValidationError::new("tuple_type", loc, "Input should be a valid tuple", input));
            return None;
        };
        if elements.len() > len {
            errors.push(*length_error("too_long", "Tuple", "at most", len as u64, elements.len() as u64, loc, input));
            return None;
        }
        // positions: the members of an `anyOf` as long as the tuple
        let (resolved, _, _) = self.resolve(items);
        let positional = resolved
            .get("anyOf")
            .and_then(Value::as_array)
            .filter(|members| members.len() == len && !resolved.get("nullable").is_some_and(|n| n == true));
        let before = errors.len();
        let mut out = Vec::with_capacity(len);
        for i in 0..len {
            loc.push(json!(i));
            let schema = positional.map_or(items, |members| &members[i]);
            match elements.get(i) {
                Some(element) => {
                    if let Some(v) = self.check(schema, element, loc, strict, errors) {
                        out.push(v);
                    }
                }
                None => errors.push(*ValidationError::new("missing", loc, "Field required", input)),
            }
            loc.pop();
        }
        (errors.len() == before).then_some(Value::Array(out))
    }

    fn check_tagged(
        &self,
        union: &Value,
        input: &Value,
        loc: &mut Vec<Value>,
        strict: bool,
        errors: &mut Errors,
    ) -> Option<Value> {
        let discriminator = union.get("discriminator").unwrap_or(&Value::Null);
        let property = discriminator.get("propertyName").and_then(Value::as_str).unwrap_or_default();
        let Value::Object(fields) = input else {
            errors.push(*ValidationError::new(
                "model_attributes_type",
                loc,
                "Input should be a valid dictionary or object to extract fields from",
                input,
            ));
            return None;
        };
        let tags = self.tags(union, property);
        let Some(tag) = fields.get(property) else {
            errors.push(
                *ValidationError::new(
                    "union_tag_not_found",
                    loc,
                    format!("Unable to extract tag using discriminator '{property}'"),
                    input,
                )
                .with_ctx(json!({"discriminator": format!("'{property}'")})),
            );
            return None;
        };
        let tag_text = py_str(tag);
        let Some((_, schema)) = tags.iter().find(|(t, _)| tag.as_str() == Some(t.as_str())) else {
            let expected = tags.iter().map(|(t, _)| format!("'{t}'")).collect::<Vec<_>>().join(", ");
            errors.push(
                *ValidationError::new(
                    "union_tag_invalid",
                    loc,
                    format!(
                        "Input tag '{tag_text}' found using '{property}' does not match any of the expected tags: {expected}"
                    ),
                    input,
                )
                .with_ctx(json!({"discriminator": format!("'{property}'"), "tag": tag_text, "expected_tags": expected})),
            );
            return None;
        };
        loc.push(Value::String(tag_text));
        let out = self.check(schema, input, loc, strict, errors);
        loc.pop();
        out
    }

    /// The tags of a discriminated union with the schema each selects, in
    /// the members' order.
    fn tags<'s>(&self, union: &'s Value, property: &str) -> Vec<(String, &'s Value)>
    where
        'd: 's,
    {
        let members = union.get("oneOf").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let mapping = union.get("discriminator").and_then(|d| d.get("mapping")).and_then(Value::as_object);
        let mut tags = Vec::new();
        for member in members {
            let reference = member.get("$ref").and_then(Value::as_str);
            let mapped: Vec<String> = mapping
                .map(|m| {
                    m.iter()
                        .filter(|(_, r)| r.as_str() == reference && reference.is_some())
                        .map(|(t, _)| t.clone())
                        .collect()
                })
                .unwrap_or_default();
            if !mapped.is_empty() {
                tags.extend(mapped.into_iter().map(|t| (t, member)));
                continue;
            }
            let (schema, _, _) = self.resolve(member);
            let tag_schema = schema.get("properties").and_then(|p| p.get(property)).map(|s| self.resolve(s).0);
            for value in tag_schema.and_then(|s| s.get("enum")).and_then(Value::as_array).into_iter().flatten() {
                if let Some(t) = value.as_str() {
                    tags.push((t.to_string(), member));
                }
            }
        }
        tags
    }

    fn check_union(
        &self,
        members: &[Value],
        input: &Value,
        loc: &mut Vec<Value>,
        strict: bool,
        errors: &mut Errors,
    ) -> Option<Value> {
        let mut scratch = Vec::new();
        // smart mode: the first member valid in strict mode, else in lax mode
        for member in members {
            scratch.clear();
            if let Some(v) = self.check(member, input, loc, true, &mut scratch)
                && scratch.is_empty()
            {
                return Some(v);
            }
        }
        if strict {
            errors.push(*ValidationError::new("union_strict", loc, "strict", input));
            return None;
        }
        let mut all = Vec::new();
        for member in members {
            scratch.clear();
            loc.push(Value::String(self.label(member)));
            let out = self.check(member, input, loc, false, &mut scratch);
            loc.pop();
            if let Some(v) = out
                && scratch.is_empty()
            {
                return Some(v);
            }
            all.append(&mut scratch);
        }
        errors.append(&mut all);
        None
    }

    /// pydantic's name of a union member, as it appears in `loc`.
    fn label(&self, schema: &Value) -> String {
        let (resolved, referenced, nullable) = self.resolve(schema);
        let inner = match self.kind(resolved, referenced) {
            Kind::Any => "any".to_string(),
            Kind::Model(model) => model.get("title").and_then(Value::as_str).unwrap_or("Model").to_string(),
            Kind::Map(values) => format!("dict[str,{}]", values.map_or_else(|| "any".to_string(), |v| self.label(v))),
            Kind::Array(array) => {
                format!("list[{}]", array.get("items").map_or_else(|| "any".to_string(), |v| self.label(v)))
            }
            Kind::Tagged(union) => {
                let property = union.get("discriminator").and_then(|d| d.get("propertyName")).and_then(Value::as_str);
                let names: Vec<String> =
                    self.tags(union, property.unwrap_or_default()).into_iter().map(|(_, s)| self.label(s)).collect();
                format!("tagged-union[{}]", names.join(","))
            }
            Kind::Union(members) => {
                format!("union[{}]", members.iter().map(|m| self.label(m)).collect::<Vec<_>>().join(","))
            }
            Kind::Decimal(_) => "decimal".to_string(),
            Kind::Enum(_, true) => resolved.get("title").and_then(Value::as_str).unwrap_or("enum").to_string(),
            Kind::Enum(values, false) => {
                format!("literal[{}]", values.iter().map(py_repr).collect::<Vec<_>>().join(","))
            }
            Kind::Str | Kind::Bytes => {
                let constrained = ["minLength", "maxLength", "pattern"].iter().any(|k| resolved.get(k).is_some());
                let base = if matches!(self.kind(resolved, referenced), Kind::Bytes) { "bytes" } else { "str" };
                if constrained { format!("constrained-{base}") } else { base.to_string() }
            }
            Kind::Uuid => "uuid".to_string(),
            Kind::Date => "date".to_string(),
            Kind::DateTime => "datetime".to_string(),
            Kind::Int | Kind::Float => {
                let base = if type_of(resolved) == Some("integer") { "int" } else { "float" };
                let constrained = ["minimum", "maximum", "multipleOf"].iter().any(|k| resolved.get(k).is_some());
                if constrained { format!("constrained-{base}") } else { base.to_string() }
            }
            Kind::Bool => "bool".to_string(),
        };
        if nullable { format!("nullable[{inner}]") } else { inner }
    }
}

fn push(errors: &mut Errors, result: Check) -> Option<Value> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(*e);
            None
        }
    }
}

fn type_of(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

fn length_error(
    kind: &str,
    field_type: &str,
    bound: &str,
    limit: u64,
    actual: u64,
    loc: &[Value],
    input: &Value,
) -> Box<ValidationError> {
    let noun = if limit == 1 { "item" } else { "items" };
    let key = if kind == "too_long" { "max_length" } else { "min_length" };
    ValidationError::new(
        kind,
        loc,
        format!("{field_type} should have {bound} {limit} {noun} after validation, not {actual}"),
        input,
    )
    .with_ctx(json!({"field_type": field_type, key: limit, "actual_length": actual}))
}

// ---- strings ---------------------------------------------------------------

fn check_str(schema: &Value, input: &Value, loc: &[Value]) -> Check {
    let Value::String(s) = input else {
        return Err(ValidationError::new("string_type", loc, "Input should be a valid string", input));
    };
    // pydantic's `AnyUrl`/`HttpUrl` (`format: uri`): an absolute URL, a
    // scheme first (`0` or `/x` is no URL, and no JSON Schema tool takes it)
    if schema.get("format").and_then(Value::as_str) == Some("uri") {
        let scheme = s.split_once(':').map(|(scheme, _)| scheme).unwrap_or_default();
        let absolute = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !absolute {
            let why = if s.is_empty() { "input is empty" } else { "relative URL without a base" };
            return Err(ValidationError::new("url_parsing", loc, format!("Input should be a valid URL, {why}"), input)
                .with_ctx(json!({"error": why})));
        }
    }
    let len = s.chars().count() as u64;
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && len < min
    {
        let plural = if min == 1 { "" } else { "s" };
        return Err(ValidationError::new(
            "string_too_short",
            loc,
            format!("String should have at least {min} character{plural}"),
            input,
        )
        .with_ctx(json!({"min_length": min})));
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && len > max
    {
        let plural = if max == 1 { "" } else { "s" };
        return Err(ValidationError::new(
            "string_too_long",
            loc,
            format!("String should have at most {max} character{plural}"),
            input,
        )
        .with_ctx(json!({"max_length": max})));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
        && let Some(regex) = compiled(pattern)
        && regex.find(s).is_none()
    {
        let python = python_pattern(pattern);
        return Err(ValidationError::new(
            "string_pattern_mismatch",
            loc,
            format!("String should match pattern '{python}'"),
            input,
        )
        .with_ctx(json!({"pattern": python})));
    }
    Ok(input.clone())
}

/// The compiled pattern, from a process-wide cache; `None` when it does not
/// compile (the pattern is then not checked).
fn compiled(pattern: &str) -> Option<Arc<regress::Regex>> {
    static CACHE: OnceLock<RwLock<HashMap<String, Option<Arc<regress::Regex>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.read().ok().and_then(|c| c.get(pattern).cloned()) {
        return found;
    }
    let regex = regress::Regex::new(pattern).ok().map(Arc::new);
    if let Ok(mut c) = cache.write() {
        c.insert(pattern.to_string(), regex.clone());
    }
    regex
}

/// The Python spelling of a pattern the lowering translated to ECMAScript.
fn python_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            if let Some(after) = rest.strip_prefix("\\k<")
                && let Some(end) = after.find('>')
            {
                let _ = write!(out, "(?P={})", &after[..end]);
                rest = &after[end + 1..];
                continue;
            }
            let escaped: String = rest.chars().take(2).collect();
            out.push_str(&escaped);
            rest = &rest[escaped.len()..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("(?<")
            && !after.starts_with('=')
            && !after.starts_with('!')
        {
            out.push_str("(?P<");
            rest = after;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn check_bytes(input: &Value, loc: &[Value], strict: bool) -> Check {
    match input {
        Value::String(_) if !strict => Ok(input.clone()),
        _ => Err(ValidationError::new("bytes_type", loc, "Input should be a valid bytes", input)),
    }
}

fn check_uuid(input: &Value, loc: &[Value], strict: bool) -> Check {
    let Value::String(s) = input else {
        return Err(ValidationError::new(
            "uuid_type",
            loc,
            "UUID input should be a string, bytes or UUID object",
            input,
        ));
    };
    if strict {
        return Err(ValidationError::new("is_instance_of", loc, "Input should be an instance of UUID", input));
    }
    match uuid::Uuid::parse_str(s) {
        Ok(u) => Ok(Value::String(u.hyphenated().to_string())),
        Err(e) => Err(ValidationError::new("uuid_parsing", loc, format!("Input should be a valid UUID, {e}"), input)
            .with_ctx(json!({"error": e.to_string()}))),
    }
}

fn check_enum(values: &[Value], is_enum: bool, input: &Value, loc: &[Value], strict: bool) -> Check {
    if let Some(found) = values.iter().find(|v| py_eq(v, input))
        && !(strict && is_enum)
    {
        return Ok(found.clone());
    }
    // an `IntEnum` takes the text of one of its values in lax mode (a path
    // or query parameter, `"415"`), as pydantic validates an int first
    if is_enum
        && !strict
        && let Some(number) = input.as_str().and_then(|t| t.trim().parse::<i64>().ok())
        && let Some(found) = values.iter().find(|v| v.is_i64() && v.as_i64() == Some(number))
    {
        return Ok(found.clone());
    }
    let reprs: Vec<String> = values.iter().map(py_repr).collect();
    let expected = match reprs.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let kind = if is_enum { "enum" } else { "literal_error" };
    Err(ValidationError::new(kind, loc, format!("Input should be {expected}"), input)
        .with_ctx(json!({"expected": expected})))
}

/// Python's `==` between two JSON values (`1 == 1.0 == True`).
fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Bool(x), Value::Number(y)) | (Value::Number(y), Value::Bool(x)) => {
            y.as_f64() == Some(f64::from(u8::from(*x)))
        }
        _ => a == b,
    }
}

/// Python's `repr` of a JSON value.
fn py_repr(v: &Value) -> String {
    match v {
        Value::String(s) => {
            if s.contains('\'') && !s.contains('"') {
                format!("\"{s}\"")
            } else {
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
            }
        }
        other => py_str(other),
    }
}

/// Python's `str` of a JSON value.
fn py_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => py_float_repr(f),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", py_repr(&Value::String(k.clone())), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The shortest round-trip digits of `f` and its decimal exponent
/// (`9.99` → `("999", 0)`).
fn float_digits(f: f64) -> (String, i32) {
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    (mantissa.replace('.', ""), exp.parse().unwrap_or(0))
}

/// Python's `repr(float)`.
fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let (digits, exp) = float_digits(f);
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        };
        format!("{sign}{body}")
    } else {
        let mantissa = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits };
        let esign = if exp < 0 { "-" } else { "+" };
        format!("{sign}{mantissa}e{esign}{:02}", exp.abs())
    }
}

// ---- numbers ---------------------------------------------------------------

/// A bound of a schema: (ctx key, value, exclusive?) in pydantic's check
/// order (`le`, `lt`, `ge`, `gt`).
fn bounds(schema: &Value) -> Vec<(&'static str, f64)> {
    let mut out = Vec::new();
    let flag = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        out.push((if flag("exclusiveMaximum") { "lt" } else { "le" }, max));
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        out.push((if flag("exclusiveMinimum") { "gt" } else { "ge" }, min));
    }
    out
}

fn bound_error(key: &str, limit: Value, shown: String, loc: &[Value], input: &Value) -> Box<ValidationError> {
    let (kind, words) = match key {
        "lt" => ("less_than", "less than"),
        "le" => ("less_than_equal", "less than or equal to"),
        "gt" => ("greater_than", "greater than"),
        _ => ("greater_than_equal", "greater than or equal to"),
    };
    let mut ctx = Map::new();
    ctx.insert(key.to_string(), limit);
    ValidationError::new(kind, loc, format!("Input should be {words} {shown}"), input).with_ctx(Value::Object(ctx))
}

fn violates(key: &str, x: f64, limit: f64) -> bool {
    match key {
        "lt" => x >= limit,
        "le" => x > limit,
        "gt" => x <= limit,
        _ => x < limit,
    }
}

/// An integer-valued float as an integer JSON number.
fn int_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 { json!(f as i64) } else { json!(f) }
}

/// How Rust displays a float (pydantic-core's messages do): `100`, `0.25`.
fn shown(f: f64) -> String {
    format!("{f}")
}

fn int_parsing(loc: &[Value], input: &Value) -> Box<ValidationError> {
    ValidationError::new(
        "int_parsing",
        loc,
        "Input should be a valid integer, unable to parse string as an integer",
        input,
    )
}

fn int_from_float(loc: &[Value], input: &Value, f: f64) -> Check {
    if !f.is_finite() {
        return Err(ValidationError::new("finite_number", loc, "Input should be a finite number", input));
    }
    if f.fract() != 0.0 {
        return Err(ValidationError::new(
            "int_from_float",
            loc,
            "Input should be a valid integer, got a number with a fractional part",
            input,
        ));
    }
    if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        return Err(ValidationError::new(
            "int_parsing_size",
            loc,
            "Unable to parse input string as an integer, exceeded maximum size",
            input,
        ));
    }
    Ok(json!(f as i64))
}

/// Python's `int(str)` as pydantic's lax mode takes it: surrounding
/// whitespace, single underscores between digits, and a fraction of zeros.
fn parse_int_str(s: &str) -> Option<Value> {
    let s = s.trim();
    let (sign, digits) = match s.as_bytes().first() {
        Some(b'-') => ("-", &s[1..]),
        Some(b'+') => ("", &s[1..]),
        _ => ("", s),
    };
    let digits = match digits.split_once('.') {
        Some((int, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        _ => digits,
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if !clean.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let text = format!("{sign}{clean}");
    // Python's int has no size: beyond 64 bits (and below pydantic's 4 300
    // digits) the number is kept as a float, close enough for its bounds
    text.parse::<i64>()
        .ok()
        .map(|i| json!(i))
        .or_else(|| text.parse::<u64>().ok().map(|u| json!(u)))
        .or_else(|| (clean.len() <= 4300).then(|| text.parse::<f64>().ok().map(|f| json!(f))).flatten())
}

/// Whether a JSON text has an integer literal (no fraction, no exponent)
/// beyond 64 bits: strings are skipped.
fn has_big_int_literal(text: &[u8]) -> bool {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => {
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < text.len() && matches!(text[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                let literal = &text[start..i];
                let digits = literal.iter().filter(|b| b.is_ascii_digit()).count();
                if digits > 18 && literal.iter().all(|b| *b == b'-' || b.is_ascii_digit()) {
                    let literal = std::str::from_utf8(literal).unwrap_or_default();
                    if literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err() {
                        return true;
                    }
                }
            }
            _ => i += 1,
        }
    }
    false
}

fn check_int(schema: &Value, input: &Value, loc: &[Value], strict: bool, body: Option<&[u8]>) -> Check {
    let value = match input {
        Value::Number(n) if n.is_i64() || n.is_u64() => input.clone(),
        Value::Number(n)
            if n.as_f64().is_some_and(|f| f.is_finite() && f.abs() >= 9.223_372_036_854_776e18)
                && body.is_some_and(has_big_int_literal) =>
        {
            input.clone()
        }
        Value::Number(n) if !strict => int_from_float(loc, input, n.as_f64().unwrap_or(f64::NAN))?,
        Value::Bool(b) if !strict => json!(i64::from(*b)),
        Value::String(s) if !strict => parse_int_str(s).ok_or_else(|| int_parsing(loc, input))?,
        _ => return Err(ValidationError::new("int_type", loc, "Input should be a valid integer", input)),
    };
    let x = value.as_f64().unwrap_or_default();
    if let Some(m) = schema.get("multipleOf").and_then(Value::as_f64)
        && m != 0.0
        && x % m != 0.0
    {
        return Err(ValidationError::new(
            "multiple_of",
            loc,
            format!("Input should be a multiple of {}", shown(m)),
            input,
        )
        .with_ctx(json!({"multiple_of": int_value(m)})));
    }
    for (key, limit) in bounds(schema) {
        if violates(key, x, limit) {
            return Err(bound_error(key, int_value(limit), shown(limit), loc, input));
        }
    }
    Ok(value)
}

fn float_parsing(loc: &[Value], input: &Value) -> Box<ValidationError> {
    ValidationError::new(
        "float_parsing",
        loc,
        "Input should be a valid number, unable to parse string as a number",
        input,
    )
}

/// Python's `float(str)`.
fn parse_float_str(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.contains("__") || s.starts_with('_') || s.ends_with('_') {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    let special = matches!(body, "inf" | "infinity" | "nan");
    if !special && !body.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-')) {
        return None;
    }
    clean.parse::<f64>().ok()
}

fn check_float(schema: &Value, input: &Value, loc: &[Value], strict: bool) -> Check {
    let x = match input {
        Value::Number(n) => n.as_f64().unwrap_or_default(),
        Value::Bool(b) if !strict => f64::from(u8::from(*b)),
        Value::String(s) if !strict => parse_float_str(s).ok_or_else(|| float_parsing(loc, input))?,
        _ => return Err(ValidationError::new("float_type", loc, "Input should be a valid number", input)),
    };
    if let Some(m) = schema.get("multipleOf").and_then(Value::as_f64) {
        let rem = x % m;
        let threshold = x.abs() / 1e9;
        if rem.abs() > threshold && (rem - m).abs() > threshold {
            return Err(ValidationError::new(
                "multiple_of",
                loc,
                format!("Input should be a multiple of {}", shown(m)),
                input,
            )
            .with_ctx(json!({"multiple_of": m})));
        }
    }
    for (key, limit) in bounds(schema) {
        if violates(key, x, limit) {
            return Err(bound_error(key, json!(limit), shown(limit), loc, input));
        }
    }
    Ok(Number::from_f64(x).map_or(Value::Null, Value::Number))
}

/// A decimal as `str(Decimal(...))` writes it, from its text.
fn decimal_text(s: &str) -> Option<(String, f64)> {
    let s = s.trim();
    if s.contains("__") || s.starts_with('_') || s.ends_with('_') {
        return None;
    }
    let s: String = s.chars().filter(|&c| c != '_').collect();
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, &s[..]),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int.is_empty() && frac.is_empty()) || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut coefficient = format!("{int}{frac}").trim_start_matches('0').to_string();
    if coefficient.is_empty() {
        coefficient.push('0');
    }
    let exp = exponent - frac.len() as i64;
    let adjusted = exp + coefficient.len() as i64 - 1;
    let body = if exp <= 0 && adjusted >= -6 {
        if exp == 0 {
            coefficient.clone()
        } else {
            let point = coefficient.len() as i64 + exp;
            if point > 0 {
                format!("{}.{}", &coefficient[..point as usize], &coefficient[point as usize..])
            } else {
                format!("0.{}{coefficient}", "0".repeat((-point) as usize))
            }
        }
    } else {
        let tail = if coefficient.len() > 1 { format!(".{}", &coefficient[1..]) } else { String::new() };
        let sign = if adjusted >= 0 { "+" } else { "" };
        format!("{}{tail}E{sign}{adjusted}", &coefficient[..1])
    };
    let text = format!("{}{body}", if negative { "-" } else { "" });
    let value = text.parse::<f64>().ok()?;
    Some((text, value))
}

fn check_decimal(number: &Value, input: &Value, loc: &[Value], strict: bool) -> Check {
    let parsing = || ValidationError::new("decimal_parsing", loc, "Input should be a valid decimal", input);
    let (text, x) = match input {
        Value::Number(n) if !strict && (n.is_i64() || n.is_u64()) => {
            decimal_text(&n.to_string()).ok_or_else(parsing)?
        }
        Value::Number(n) if !strict => {
            decimal_text(&py_float_repr(n.as_f64().unwrap_or_default())).ok_or_else(parsing)?
        }
        Value::String(s) if !strict => decimal_text(s).ok_or_else(parsing)?,
        _ => {
            return Err(ValidationError::new(
                "decimal_type",
                loc,
                "Decimal input should be an integer, float, string or Decimal object",
                input,
            ));
        }
    };
    if let Some(m) = number.get("multipleOf").and_then(Value::as_f64)
        && m != 0.0
        && (x / m).fract() != 0.0
    {
        return Err(ValidationError::new(
            "multiple_of",
            loc,
            format!("Input should be a multiple of {}", shown(m)),
            input,
        )
        .with_ctx(json!({"multiple_of": int_value(m)})));
    }
    for (key, limit) in bounds(number) {
        if violates(key, x, limit) {
            return Err(bound_error(key, int_value(limit), shown(limit), loc, input));
        }
    }
    Ok(Value::String(text))
}

fn check_bool(input: &Value, loc: &[Value], strict: bool) -> Check {
    let parsing = || {
        ValidationError::new("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input", input)
    };
    match input {
        Value::Bool(_) => Ok(input.clone()),
        _ if strict => Err(ValidationError::new("bool_type", loc, "Input should be a valid boolean", input)),
        Value::Number(n) => match n.as_f64() {
            Some(0.0) => Ok(Value::Bool(false)),
            Some(1.0) => Ok(Value::Bool(true)),
            _ => Err(parsing()),
        },
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "0" | "off" | "f" | "false" | "n" | "no" => Ok(Value::Bool(false)),
            "1" | "on" | "t" | "true" | "y" | "yes" => Ok(Value::Bool(true)),
            _ => Err(parsing()),
        },
        _ => Err(ValidationError::new("bool_type", loc, "Input should be a valid boolean", input)),
    }
}

// ---- dates and times (speedate, as pydantic-core uses it) -------------------

#[derive(Debug, Clone, Copy, PartialEq)]
struct Date {
    year: i64,
    month: u32,
    day: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct DateTime {
    date: Date,
    seconds: u32,
    micros: u32,
    /// offset from UTC in seconds; `None` when naive
    offset: Option<i32>,
}

const TOO_SHORT: &str = "input is too short";
const EXTRA: &str = "unexpected extra characters at the end of the input";

fn digits2(b: &[u8], at: usize, error: &'static str) -> Result<u32, &'static str> {
    match (b.get(at), b.get(at + 1)) {
        (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
            Ok(u32::from(x - b'0') * 10 + u32::from(y - b'0'))
        }
        (None, _) | (_, None) => Err(TOO_SHORT),
        _ => Err(error),
    }
}

fn leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// speedate's `Date::parse_bytes_partial`: the first 10 bytes.
fn parse_date_partial(b: &[u8]) -> Result<Date, &'static str> {
    if b.len() < 10 {
        return Err(TOO_SHORT);
    }
    let mut year = 0i64;
    for &c in &b[..4] {
        if !c.is_ascii_digit() {
            return Err("invalid character in year");
        }
        year = year * 10 + i64::from(c - b'0');
    }
    if b[4] != b'-' {
        return Err("invalid date separator, expected `-`");
    }
    let month = digits2(b, 5, "invalid character in month")?;
    if b[7] != b'-' {
        return Err("invalid date separator, expected `-`");
    }
    let day = digits2(b, 8, "invalid character in day")?;
    if !(1..=12).contains(&month) {
        return Err("month value is outside expected range of 1-12");
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err("day value is outside expected range");
    }
    Ok(Date { year, month, day })
}

fn parse_date(s: &str) -> Result<Date, &'static str> {
    let b = s.as_bytes();
    match parse_date_partial(b) {
        Ok(d) if b.len() > 10 => {
            let _ = d;
            Err(EXTRA)
        }
        Ok(d) => Ok(d),
        Err(e) => match s.parse::<i64>() {
            Ok(ts) => date_from_timestamp(ts).ok_or(e),
            Err(_) => Err(e),
        },
    }
}

/// A date from a Unix timestamp that is exactly midnight.
fn date_from_timestamp(ts: i64) -> Option<Date> {
    let dt = datetime_from_timestamp(ts as f64)?;
    (dt.seconds == 0 && dt.micros == 0).then_some(dt.date)
}

fn civil_from_days(days: i64) -> Date {
    let (year, month, day) = crate::synth::civil_from_days(days);
    Date { year, month, day }
}

/// speedate's timestamps: seconds, or milliseconds above 2e10.
fn datetime_from_timestamp(ts: f64) -> Option<DateTime> {
    let ts = if ts.abs() > 2e10 { ts / 1000.0 } else { ts };
    if !ts.is_finite() || ts.abs() > 1e14 {
        return None;
    }
    let whole = ts.floor();
    let micros = ((ts - whole) * 1e6).round() as u32;
    let whole = whole as i64;
    let date = civil_from_days(whole.div_euclid(86_400));
    Some(DateTime { date, seconds: whole.rem_euclid(86_400) as u32, micros: micros.min(999_999), offset: Some(0) })
}

/// speedate's `DateTime::parse_bytes` (RFC 3339, else a timestamp).
fn parse_datetime(s: &str) -> Result<DateTime, &'static str> {
    match parse_datetime_rfc3339(s.as_bytes()) {
        Ok(dt) => Ok(dt),
        Err(e) => match s.parse::<f64>() {
            Ok(ts) if s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') => {
                datetime_from_timestamp(ts).ok_or(e)
            }
            _ => Err(e),
        },
    }
}

fn parse_datetime_rfc3339(b: &[u8]) -> Result<DateTime, &'static str> {
    let date = parse_date_partial(b)?;
    match b.get(10) {
        Some(b'T' | b't' | b' ' | b'_') => {}
        None => return Err(TOO_SHORT),
        _ => return Err("invalid datetime separator, expected `T`, `t`, `_` or space"),
    }
    let t = 11;
    let hour = digits2(b, t, "invalid character in hour")?;
    match b.get(t + 2) {
        Some(b':') => {}
        None => return Err(TOO_SHORT),
        _ => return Err("invalid time separator, expected `:`"),
    }
    let minute = digits2(b, t + 3, "invalid character in minute")?;
    let mut i = t + 5;
    let mut second = 0;
    let mut micros = 0;
    if b.get(i) == Some(&b':') {
        second = digits2(b, i + 1, "invalid character in second")?;
        i += 3;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return Err("second fraction digits missing after `.`");
            }
            let digits = &b[start..i];
            if digits.len() > 6 {
                return Err("second fraction value is more than 6 digits long");
            }
            for k in 0..6 {
                micros = micros * 10 + digits.get(k).map_or(0, |d| u32::from(d - b'0'));
            }
        }
    }
    if hour > 23 {
        return Err("hour value is outside expected range of 0-23");
    }
    if minute > 59 {
        return Err("minute value is outside expected range of 0-59");
    }
    if second > 59 {
        return Err("second value is outside expected range of 0-59");
    }
    let offset = match b.get(i) {
        None => None,
        Some(b'Z' | b'z') => {
            i += 1;
            Some(0)
        }
        Some(&sign @ (b'+' | b'-')) => {
            let h = digits2(b, i + 1, "invalid timezone hour")?;
            i += 3;
            if b.get(i) == Some(&b':') {
                i += 1;
            }
            let m = digits2(b, i, "invalid timezone minute")?;
            i += 2;
            if h >= 24 {
                return Err("timezone offset must be less than 24 hours");
            }
            let total = (h * 3600 + m * 60) as i32;
            Some(if sign == b'-' { -total } else { total })
        }
        Some(_) => return Err("invalid timezone sign"),
    };
    if i < b.len() {
        return Err(EXTRA);
    }
    Ok(DateTime { date, seconds: hour * 3600 + minute * 60 + second, micros, offset })
}

fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// pydantic's JSON form of a datetime (Python's `isoformat`, `Z` for UTC).
fn datetime_text(dt: DateTime) -> String {
    let mut out =
        format!("{}T{:02}:{:02}:{:02}", date_text(dt.date), dt.seconds / 3600, dt.seconds / 60 % 60, dt.seconds % 60);
    if dt.micros != 0 {
        let _ = write!(out, ".{:06}", dt.micros);
    }
    match dt.offset {
        None => {}
        Some(0) => out.push('Z'),
        Some(o) => {
            let sign = if o < 0 { '-' } else { '+' };
            let o = o.unsigned_abs();
            let _ = write!(out, "{sign}{:02}:{:02}", o / 3600, o / 60 % 60);
        }
    }
    out
}

fn check_date(input: &Value, loc: &[Value], strict: bool) -> Check {
    let inexact = || {
        ValidationError::new(
            "date_from_datetime_inexact",
            loc,
            "Datetimes provided to dates should have zero time - e.g. be exact dates",
            input,
        )
    };
    let from_datetime = |dt: DateTime| {
        if dt.seconds == 0 && dt.micros == 0 { Ok(Value::String(date_text(dt.date))) } else { Err(inexact()) }
    };
    match input {
        Value::String(_) | Value::Number(_) if strict => {
            Err(ValidationError::new("date_type", loc, "Input should be a valid date", input))
        }
        Value::String(s) => match parse_date(s) {
            Ok(d) => Ok(Value::String(date_text(d))),
            Err(_) => match parse_datetime(s) {
                Ok(dt) => from_datetime(dt),
                Err(e) => Err(ValidationError::new(
                    "date_from_datetime_parsing",
                    loc,
                    format!("Input should be a valid date or datetime, {e}"),
                    input,
                )
                .with_ctx(json!({"error": e}))),
            },
        },
        Value::Number(n) => match datetime_from_timestamp(n.as_f64().unwrap_or(f64::NAN)) {
            Some(dt) => from_datetime(dt),
            None => Err(ValidationError::new("date_type", loc, "Input should be a valid date", input)),
        },
        _ => Err(ValidationError::new("date_type", loc, "Input should be a valid date", input)),
    }
}

fn check_datetime(input: &Value, loc: &[Value], strict: bool) -> Check {
    match input {
        Value::String(_) | Value::Number(_) if strict => {
            Err(ValidationError::new("datetime_type", loc, "Input should be a valid datetime", input))
        }
        Value::String(s) => match parse_datetime(s) {
            Ok(dt) => Ok(Value::String(datetime_text(dt))),
            Err(_) => match parse_date(s) {
                Ok(date) => Ok(Value::String(datetime_text(DateTime { date, seconds: 0, micros: 0, offset: None }))),
                Err(e) => Err(ValidationError::new(
                    "datetime_from_date_parsing",
                    loc,
                    format!("Input should be a valid datetime or date, {e}"),
                    input,
                )
                .with_ctx(json!({"error": e}))),
            },
        },
        Value::Number(n) => match datetime_from_timestamp(n.as_f64().unwrap_or(f64::NAN)) {
            Some(dt) => Ok(Value::String(datetime_text(dt))),
            None => Err(ValidationError::new("datetime_type", loc, "Input should be a valid datetime", input)),
        },
        _ => Err(ValidationError::new("datetime_type", loc, "Input should be a valid datetime", input)),
    }
}

// ---- malformed JSON: Python's `json` module's message and position -----------

fn json_invalid(body: &[u8], serde_error: &serde_json::Error) -> Box<ValidationError> {
    let text = String::from_utf8_lossy(body);
    let chars: Vec<char> = text.chars().collect();
    let (message, position) = match python_json_error(&chars) {
        Some(found) => found,
        // valid for Python's `json` (NaN, Infinity, lone surrogates, deep
        // nesting) but not here: the place serde found
        None => ("Expecting value", serde_position(&text, serde_error)),
    };
    ValidationError::new("json_invalid", &[json!("body"), json!(position)], "JSON decode error", &json!({}))
        .with_ctx(json!({"error": message}))
}

fn serde_position(text: &str, e: &serde_json::Error) -> usize {
    let mut chars = 0;
    for (n, line) in text.split('\n').enumerate() {
        if n + 1 == e.line() {
            return chars + line.chars().take(e.column().saturating_sub(1)).count();
        }
        chars += line.chars().count() + 1;
    }
    chars
}

type Scan = Result<usize, (&'static str, usize)>;

/// The error Python's `json.loads` raises for this text (message and
/// character offset), `None` when it parses.
fn python_json_error(s: &[char]) -> Option<(&'static str, usize)> {
    let start = skip_ws(s, 0);
    let end = match scan_value(s, start, 0) {
        Ok(end) => end,
        Err(e) => return Some(e),
    };
    let end = skip_ws(s, end);
    (end != s.len()).then_some(("Extra data", end))
}

fn skip_ws(s: &[char], mut i: usize) -> usize {
    while i < s.len() && matches!(s[i], ' ' | '\t' | '\n' | '\r') {
        i += 1;
    }
    i
}

fn has(s: &[char], i: usize, word: &str) -> bool {
    word.chars().enumerate().all(|(k, c)| s.get(i + k) == Some(&c))
}

fn scan_value(s: &[char], i: usize, depth: usize) -> Scan {
    let expecting = Err(("Expecting value", i));
    if depth > 900 {
        return expecting;
    }
    match s.get(i) {
        None => expecting,
        Some('"') => scan_string(s, i + 1),
        Some('{') => scan_object(s, i + 1, depth),
        Some('[') => scan_array(s, i + 1, depth),
        Some('n') if has(s, i, "null") => Ok(i + 4),
        Some('t') if has(s, i, "true") => Ok(i + 4),
        Some('f') if has(s, i, "false") => Ok(i + 5),
        Some('N') if has(s, i, "NaN") => Ok(i + 3),
        Some('I') if has(s, i, "Infinity") => Ok(i + 8),
        Some('-') if has(s, i, "-Infinity") => Ok(i + 9),
        Some(_) => scan_number(s, i).ok_or(("Expecting value", i)),
    }
}

fn scan_number(s: &[char], start: usize) -> Option<usize> {
    let digit = |i: usize| s.get(i).is_some_and(char::is_ascii_digit);
    let mut i = start;
    if s.get(i) == Some(&'-') {
        i += 1;
    }
    match s.get(i) {
        Some('0') => i += 1,
        Some('1'..='9') => {
            while digit(i) {
                i += 1;
            }
        }
        _ => return None,
    }
    if s.get(i) == Some(&'.') && digit(i + 1) {
        i += 1;
        while digit(i) {
            i += 1;
        }
    }
    if matches!(s.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        if matches!(s.get(j), Some('+' | '-')) {
            j += 1;
        }
        if digit(j) {
            while digit(j) {
                j += 1;
            }
            i = j;
        }
    }
    Some(i)
}

/// After the opening quote at `start - 1`.
fn scan_string(s: &[char], start: usize) -> Scan {
    let begin = start - 1;
    let mut i = start;
    loop {
        match s.get(i) {
            None => return Err(("Unterminated string starting at", begin)),
            Some('"') => return Ok(i + 1),
            Some('\\') => match s.get(i + 1) {
                None => return Err(("Unterminated string starting at", begin)),
                Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => i += 2,
                Some('u') => {
                    let hex = (i + 2..i + 6).all(|k| s.get(k).is_some_and(char::is_ascii_hexdigit));
                    if i + 6 >= s.len() || !hex {
                        return Err(("Invalid \\uXXXX escape", i + 1));
                    }
                    i += 6;
                }
                Some(_) => return Err(("Invalid \\escape", i)),
            },
            Some(&c) if (c as u32) < 0x20 => return Err(("Invalid control character at", i)),
            Some(_) => i += 1,
        }
    }
}

fn scan_object(s: &[char], start: usize, depth: usize) -> Scan {
    let mut i = skip_ws(s, start);
    match s.get(i) {
        Some('}') => return Ok(i + 1),
        Some('"') => {}
        _ => return Err(("Expecting property name enclosed in double quotes", i)),
    }
    loop {
        i = scan_string(s, i + 1)?;
        i = skip_ws(s, i);
        if s.get(i) != Some(&':') {
            return Err(("Expecting ':' delimiter", i));
        }
        i = skip_ws(s, i + 1);
        i = scan_value(s, i, depth + 1)?;
        i = skip_ws(s, i);
        match s.get(i) {
            Some('}') => return Ok(i + 1),
            Some(',') => {}
            _ => return Err(("Expecting ',' delimiter", i)),
        }
        i = skip_ws(s, i + 1);
        if s.get(i) != Some(&'"') {
            return Err(("Expecting property name enclosed in double quotes", i));
        }
    }
}

fn scan_array(s: &[char], start: usize, depth: usize) -> Scan {
    let mut i = skip_ws(s, start);
    if s.get(i) == Some(&']') {
        return Ok(i + 1);
    }
    loop {
        i = scan_value(s, i, depth + 1)?;
        i = skip_ws(s, i);
        match s.get(i) {
            Some(']') => return Ok(i + 1),
            Some(',') => {}
            _ => return Err(("Expecting ',' delimiter", i)),
        }
        i = skip_ws(s, i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As pydantic answered (pydantic 2.14, `TypeAdapter(int)`): an integer
    /// literal beyond 64 bits is an integer, a float literal is not, and a
    /// string of digits is one at any size.
    #[test]
    fn pointers_are_walked_as_serde_json_walks_them() {
        let doc = json!({"a": {"b/c": [1, {"d~e": 2}], "": 3}});
        for pointer in ["", "/a", "/a/b~1c", "/a/b~1c/1/d~0e", "/a/b~1c/0", "/a/", "/a/x", "/a/b~1c/9", "a"] {
            assert_eq!(walk_pointer(&doc, pointer), doc.pointer(pointer), "{pointer}");
        }
    }

    /// An `IntEnum` path parameter (conveyor's `/authz/access/{action}`):
    /// FastAPI takes `/access/415` for the member 415.
    #[test]
    fn an_int_enum_takes_the_text_of_its_values() {
        let doc = json!({"components": {"schemas": {"Action": {"type": "integer", "enum": [101, 415]}}}});
        let action = json!({"$ref": "#/components/schemas/Action"});
        let v = Validator::new(&doc);
        assert_eq!(v.validate_value(&action, &json!("415"), &[]).unwrap(), json!(415));
        assert_eq!(v.validate_value(&action, &json!("416"), &[]).unwrap_err()[0].kind, "enum");
        // a literal (no enum class) compares as it is
        let literal = json!({"type": "integer", "enum": [101, 415]});
        assert_eq!(v.validate_value(&literal, &json!("415"), &[]).unwrap_err()[0].kind, "literal_error");
    }

    /// elevenlabs's `avatar`: optional, no default, a union of models that
    /// refuses `null`: left out, never `null` (an answer must fit).
    #[test]
    fn an_absent_field_that_cannot_be_null_is_left_out() {
        let doc = json!({});
        let model = json!({"type": "object", "properties": {
            "avatar": {"anyOf": [{"type": "object", "properties": {"url": {"type": "string"}}}]},
            "note": {"type": "string", "nullable": true},
            "anything": {}
        }});
        let v = Validator::new(&doc).validate_value(&model, &json!({}), &[]).unwrap();
        assert_eq!(v, json!({"note": null, "anything": null}));
    }

    #[test]
    fn integers_beyond_64_bits() {
        let doc = json!({});
        let int = json!({"type": "integer"});
        let body = |text: &str| Validator::new(&doc).validate_body(&int, true, text.as_bytes());
        assert!(body("88851687830761603072").is_ok());
        assert!(body("-218752143717427343340125189832704").is_ok());
        assert_eq!(body("1e20").unwrap_err()[0].kind, "int_parsing_size");
        assert_eq!(body("9223372036854775808.0").unwrap_err()[0].kind, "int_parsing_size");
        assert_eq!(body("3.0").unwrap(), json!(3));
        assert!(!has_big_int_literal(br#"{"a": "88851687830761603072", "b": 1.5e300}"#));
        assert!(has_big_int_literal(br#"{"a": "x\"", "b": [18446744073709551616]}"#));
        let path = Validator::new(&doc).validate_value(&int, &json!("88851687830761603072"), &[]);
        assert!(path.is_ok());
        assert_eq!(Validator::new(&doc).validate_value(&int, &json!("1e20"), &[]).unwrap_err()[0].kind, "int_parsing");
    }

    #[test]
    fn python_spellings() {
        assert_eq!(py_float_repr(9.99), "9.99");
        assert_eq!(py_float_repr(5.0), "5.0");
        assert_eq!(py_float_repr(1e20), "1e+20");
        assert_eq!(py_float_repr(1e-5), "1e-05");
        assert_eq!(py_float_repr(0.0001), "0.0001");
        assert_eq!(decimal_text("12.50").unwrap().0, "12.50");
        assert_eq!(decimal_text("1e3").unwrap().0, "1E+3");
        assert_eq!(decimal_text("0.00").unwrap().0, "0.00");
        assert_eq!(decimal_text("-007.5").unwrap().0, "-7.5");
        assert_eq!(decimal_text("1.5e-7").unwrap().0, "1.5E-7");
        assert_eq!(python_pattern(r"^(?<prefix>[A-Z]{2})-\d+\k<prefix>$"), r"^(?P<prefix>[A-Z]{2})-\d+(?P=prefix)$");
        assert_eq!(python_pattern(r"(?<=a)(?<!b)"), r"(?<=a)(?<!b)");
    }

    #[test]
    fn python_json_errors() {
        let err = |s: &str| python_json_error(&s.chars().collect::<Vec<_>>());
        assert_eq!(err(r#"{"a": 1}"#), None);
        assert_eq!(err(r#"[1,]"#), Some(("Expecting value", 3)));
        assert_eq!(err(r#""\u12""#), Some(("Invalid \\uXXXX escape", 2)));
        assert_eq!(err("-"), Some(("Expecting value", 0)));
        assert_eq!(err("01"), Some(("Extra data", 1)));
    }
}
