//! Lowers the OpenAPI 3.1.0 that FastAPI/pydantic export to the equivalent
//! OpenAPI 3.0.3 that progenitor and the `openapiv3` crate read.
//!
//! The lowering is faithful or it fails: whatever has no 3.0 equivalent is a
//! [`Problem`] (with the JSON pointer of the culprit in the *input* document,
//! its kind, and what to do), and every decision a reader should know of is a
//! [`Note`] ([`Lowered::notes`]); both are rendered by [`crate::diag`]. All
//! problems are collected, then returned sorted by pointer. The walk never
//! panics and keeps key order, so the output is deterministic.
//!
//! # Document
//!
//! - `openapi` must be a string starting with `3.1.` (rewritten to `3.0.3`) or
//!   `3.0.` (kept; the document is still walked, and a valid 3.0 document comes
//!   out unchanged apart from the `$ref`-sibling rewrite below). Anything else
//!   (swagger 2.0, `4.0`, missing) is an error and nothing else is checked.
//! - The document must be an object with a `paths` object.
//! - `webhooks`: dropped with a note naming them: they describe requests the
//!   service sends, which neither the client nor the stub makes, and 3.0
//!   has no place for them. `components.pathItems` likewise.
//! - `jsonSchemaDialect`, `info.summary` and `info.license.identifier` are
//!   3.1-only and dropped with a note.
//! - A security scheme of type `mutualTLS` is 3.1-only: error.
//!
//! # Schemas
//!
//! Every schema is lowered: `components.schemas`, the `schema` of parameters
//! and headers, `content.*.schema` of request bodies, responses, parameters and
//! headers (inline or under `components`), and nested schemas in `properties`,
//! `items`, `additionalProperties`, `allOf`/`anyOf`/`oneOf` and `not`.
//! Children are lowered before their parent, so a rule sees lowered members.
//!
//! 1. Nullable unions: an `anyOf`/`oneOf` member that is exactly
//!    `{"type": "null"}` (annotations such as `title` allowed) is removed.
//!    - One member `X` left: `X`'s keys are merged in place of the union and
//!      `"nullable": true` is added. A bare `{"$ref": R}` member becomes
//!      `{"allOf": [{"$ref": R}]}` first, since 3.0 ignores `$ref` siblings.
//!      On a key both set, the outer schema's annotation (`title`,
//!      `description`, `default`, `example`, `deprecated`, `readOnly`,
//!      `writeOnly`, `externalDocs`) wins, because the outer schema is the
//!      field's own annotation and `X` is usually a shared type; `allOf`s are
//!      concatenated (both apply); equal values are kept; any other clash is
//!      an error (merging would change what validates).
//!    - Several left: the union keeps them and gets `"nullable": true`.
//!    - None left: a null-only schema, see rule 10.
//! 2. `type` arrays: `["T", "null"]` → `"type": "T", "nullable": true`;
//!    `["T"]` → `"type": "T"`; `["null"]` → rule 10; `[]` → error; several non-null
//!    types → `anyOf` of `{"type": T}` (plus `nullable` if `null` was listed),
//!    unless a type-specific keyword (`format`, `items`, `properties`,
//!    `minimum`, ...) sits beside it, or an `anyOf` already does: error, as
//!    the keyword cannot be distributed over the types faithfully.
//!    A standalone `"type": "null"` (outside a union handled by rule 1) is
//!    rule 10's too.
//! 3. `$ref` with siblings: 3.0 ignores them, so `{"$ref": R, ...siblings}` →
//!    `{"allOf": [{"$ref": R}], ...siblings}` (an existing `allOf` gets the
//!    reference prepended). A bare `{"$ref": R}` stays. `$schema` or `$id`
//!    beside a `$ref` is an error.
//! 4. `examples` (an array, in a schema) → `example` = its first element; a
//!    note says how many were dropped, or that all were dropped because the
//!    schema already has an `example`. `examples` of parameters and media types
//!    (3.0 maps of Example Objects) are left alone.
//! 5. `const: v` → `enum: [v]`; with an `enum` that contains `v` the result is
//!    `enum: [v]`, without `v` it is an error (nothing could match). `const:
//!    null` is a null-only type: rule 10.
//! 6. Numeric `exclusiveMinimum: n` → `minimum: n, exclusiveMinimum: true`
//!    (same for maximum). Beside a `minimum: m`, the stricter bound is kept:
//!    `m > n` keeps `minimum: m` and drops `n` with a note, otherwise
//!    `minimum: n, exclusiveMinimum: true` (on `m == n` the exclusive bound is
//!    the stricter). Boolean (3.0-style) bounds pass through.
//! 7. `contentEncoding: base64` → `format: byte`; `contentMediaType:
//!    application/octet-stream` (without an encoding) → `format: binary`. An
//!    existing, different `format` wins. Whatever cannot be mapped is dropped
//!    with a note.
//! 8. Refused (error; rewrite the model): array-form `items`, `$dynamicRef`,
//!    `$dynamicAnchor`, `if`/`then`/`else`,
//!    `dependentSchemas`, `dependentRequired`, `unevaluatedProperties`,
//!    `unevaluatedItems`, `patternProperties`, `contains`,
//!    `minContains`, `maxContains`, `$defs` (pydantic sometimes nests them;
//!    hoist them into `components.schemas`), the boolean schema `false`, and
//!    anything that is not a schema (numbers, strings, arrays, null). The
//!    boolean schema `true` becomes `{}`.
//! 9. Everything else is kept untouched: `title`, `additionalProperties: true`,
//!    `format`, `default`, `description`, `minItems`, extensions, and empty or
//!    annotation-only schemas such as `{"title": "Input"}`.
//! 10. Lowered with a note saying what was kept and what was lost, where 3.0
//!     has no exact form for what pydantic exports:
//!     - a tuple (`prefixItems`, `tuple[int, str]`) → an array whose `items`
//!       are the union (`anyOf`) of the tuple's item schemas, or the one schema
//!       when they are all equal; `minItems`/`maxItems` keep its length, and
//!       only which position holds which type is lost;
//!     - `propertyNames` (`dict[SomeEnum, X]`) is dropped: the keys stay
//!       strings;
//!     - a null-only schema (`type: "null"`, `["null"]`, `const: null`, a union
//!       of nulls; pydantic's `x: None`) → `nullable: true` with no type: null
//!       is accepted and sent, that null is its only value is lost;
//!     - `nullable` in a 3.1 document (no 3.1 keyword: `json_schema_extra`
//!       copying 3.0) is dropped, as 3.1 validators and FastAPI ignore it;
//!     - a `pattern` in Python's syntax (`(?P<name>…)`, `(?P=name)`, `\A`,
//!       `\Z`) → the ECMAScript syntax OpenAPI specifies; nothing is lost.
//!
//! Errors about a keyword point at the keyword (`.../properties/a/$dynamicRef`);
//! errors about the whole schema (null-only, `false`, not a schema) point at
//! the schema.
//!
//! # Parameters and references
//!
//! - A path parameter must have `required: true` (OpenAPI demands it): error.
//! - A path parameter whose own schema is nullable after lowering (FastAPI
//!   publishes `source_id: UUID | None` as `uuid | null`) is lowered as
//!   non-nullable, with a note. Decision: a path segment can never be absent or
//!   null, since the template must be filled for the URL to exist, so
//!   `nullable` there only describes an impossible request; keeping it would
//!   make generated clients take an `Option` they can never meaningfully pass
//!   `None` to. Only the parameter's own schema is changed, never a shared
//!   component it references.
//! - A parameter that is a `$ref` is checked where its target is defined (all
//!   of `components.parameters` is walked), so each problem is reported once.
//! - Every `$ref` the walk meets (schemas, parameters, request bodies,
//!   responses, headers, examples, links, callbacks, security schemes, path
//!   items) must be local (`#/...`, percent-encoding allowed) and resolve in
//!   the input, else an error at the pointer of the `$ref`. A reference whose
//!   target the lowering rewrote away (e.g. into a collapsed `anyOf`) is an
//!   error as well. Siblings of a non-schema reference (3.1 allows `summary`
//!   and `description`) are dropped with a note: 3.0 reference objects have
//!   none.

use serde_json::{Map, Value, json};

use crate::diag::{Note, NoteKind, Problem, ProblemKind as Kind};
use crate::pointer::{join, percent_decode};

/// The result of a successful lowering.
#[derive(Debug, Clone, PartialEq)]
pub struct Lowered {
    /// the OpenAPI 3.0.3 document
    pub doc: Value,
    /// decisions the lowering made that a reader should know of, each at the
    /// JSON pointer (into the input) it applies to, e.g. a
    /// [`NoteKind::NullablePathParameter`] at
    /// `/paths/~1api~1x~1{id}/get/parameters/0`; the file is left for the
    /// loader to fill in
    pub notes: Vec<Note>,
}

/// Lowers a whole document. Collects ALL problems (not just the first) and
/// returns them sorted by pointer; their file is left for the loader to fill in.
pub fn lower(doc: &Value) -> Result<Lowered, Vec<Problem>> {
    let mut cx =
        Lowerer { input: doc, errors: Vec::new(), notes: Vec::new(), refs: Vec::new(), depth: 0, from_31: false };
    let mut out = doc.clone();
    cx.document(&mut out);
    cx.recheck_refs(&out);
    if cx.errors.is_empty() {
        Ok(Lowered { doc: out, notes: cx.notes })
    } else {
        let mut errors = cx.errors;
        errors.sort_by(|a, b| (&a.place.pointer, &a.message).cmp(&(&b.place.pointer, &b.message)));
        errors.dedup();
        Err(errors)
    }
}

/// Beyond this nesting the input is treated as hostile rather than recursed
/// into, so that no input can overflow the stack.
const MAX_DEPTH: usize = 128;

/// Keys that describe a schema without constraining it; on a merge (rule 1)
/// the outer schema's value wins.
const ANNOTATIONS: [&str; 8] =
    ["title", "description", "default", "example", "deprecated", "readOnly", "writeOnly", "externalDocs"];

/// 3.1/JSON Schema 2020-12 keywords with no 3.0 equivalent, and what they are.
const REFUSED: [(&str, &str); 14] = [
    ("$dynamicRef", "dynamic reference"),
    ("$dynamicAnchor", "dynamic anchor"),
    ("if", "conditional schema"),
    ("then", "conditional schema"),
    ("else", "conditional schema"),
    ("dependentSchemas", "dependent schemas"),
    ("dependentRequired", "dependent required properties"),
    ("unevaluatedProperties", "unevaluated properties"),
    ("unevaluatedItems", "unevaluated items"),
    ("patternProperties", "3.0 has no equivalent"),
    ("contains", "array containment"),
    ("minContains", "array containment"),
    ("maxContains", "array containment"),
    ("$defs", "nested definitions"),
];

/// Keywords that only apply to some types, so they cannot sit beside a
/// multi-type `type` array once that becomes an `anyOf` of single types.
const TYPE_SPECIFIC: [&str; 20] = [
    "format",
    "items",
    "properties",
    "additionalProperties",
    "required",
    "minProperties",
    "maxProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contentEncoding",
    "contentMediaType",
];

/// `pattern` in Python's regex syntax → ECMAScript's: `(?P<name>` →
/// `(?<name>`, `(?P=name)` → `\k<name>`, `\A` → `^`, `\Z` → `$`. Escaped
/// characters are copied as they are, so `\\A` stays a backslash and an `A`.
fn translate_python_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("(?P<") {
            out.push_str("(?<");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("(?P=")
            && let Some(end) = after.find(')')
        {
            out.push_str(&format!("\\k<{}>", &after[..end]));
            rest = &after[end + 1..];
        } else if c == '\\' {
            let mut chars = rest.chars();
            chars.next();
            match chars.next() {
                Some('A') => out.push('^'),
                Some('Z') => out.push('$'),
                Some(escaped) => {
                    out.push('\\');
                    out.push(escaped);
                }
                None => out.push('\\'),
            }
            rest = chars.as_str();
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// How a container's entries are walked: the entry and its pointer.
type Walk<'a> = fn(&mut Lowerer<'a>, &mut Value, &str);

struct Lowerer<'a> {
    /// the untouched input: references are resolved here, errors point here
    input: &'a Value,
    errors: Vec<Problem>,
    notes: Vec<Note>,
    /// every reference that resolved in the input: (pointer of the `$ref`,
    /// target pointer), rechecked against the output
    refs: Vec<(String, String)>,
    depth: usize,
    /// the input is 3.1, where `nullable` is no keyword
    from_31: bool,
}

impl<'a> Lowerer<'a> {
    fn error(&mut self, problem: Problem) {
        self.errors.push(problem);
    }

    fn note(&mut self, kind: NoteKind, pointer: &str, text: impl Into<String>) {
        self.notes.push(Note::new(kind, pointer, text));
    }

    /// A value that must be an object, or of another JSON type, and is not.
    fn shape(&mut self, kind: Kind, pointer: impl Into<String>, message: String) {
        self.error(Problem::new(kind, pointer, message));
    }

    // ---- document level ----

    fn document(&mut self, doc: &mut Value) {
        let Value::Object(root) = doc else {
            self.error(
                Problem::new(
                    Kind::NotAnObject,
                    "",
                    format!("expected the document to be a json object, found {}", kind(doc)),
                )
                .fix("the spec must be the object that FastAPI's `app.openapi()` returns"),
            );
            return;
        };
        if !self.version(root) {
            return;
        }
        self.drop_31_only(root);

        match root.get_mut("paths") {
            None => self.error(
                Problem::new(Kind::MissingPaths, "", "the document has no `paths`")
                    .fix("openapi 3.0 requires it, add `\"paths\": {}`"),
            ),
            Some(paths @ Value::Object(_)) => {
                self.each_entry(paths, "/paths", true, Self::path_item);
            }
            Some(other) => self.error(
                Problem::new(
                    Kind::NotAnObject,
                    "/paths",
                    format!("expected `paths` to be an object, found {}", kind(other)),
                )
                .fix("map each path to its operations, e.g. `{\"/items\": {\"get\": ...}}`"),
            ),
        }
        if let Some(components) = root.get_mut("components") {
            self.components(components);
        }
    }

    /// Checks `openapi` and rewrites 3.1 to 3.0.3; false if nothing else
    /// should be looked at.
    fn version(&mut self, root: &mut Map<String, Value>) -> bool {
        const ACCEPTED: &str = "only openapi 3.0.x and 3.1.x are accepted";
        match root.get("openapi") {
            Some(Value::String(v)) if v.starts_with("3.1.") => {
                root.insert("openapi".into(), "3.0.3".into());
                self.from_31 = true;
                true
            }
            Some(Value::String(v)) if v.starts_with("3.0.") => true,
            Some(other) => {
                self.error(
                    Problem::new(Kind::Version, "/openapi", format!("found openapi version {other}"))
                        .fix(format!("{ACCEPTED}, written as a string such as \"3.1.0\" (what FastAPI exports)")),
                );
                false
            }
            None => {
                match root.get("swagger") {
                    Some(v) => self.error(
                        Problem::new(Kind::Version, "/swagger", format!("found swagger version {v}"))
                            .fix(format!("{ACCEPTED}, convert the document to openapi 3 first")),
                    ),
                    None => self.error(
                        Problem::new(
                            Kind::Version,
                            "",
                            "the document has no `openapi` version, so it is not an openapi document",
                        )
                        .fix(format!("{ACCEPTED}, export the spec with FastAPI's `app.openapi()`")),
                    ),
                }
                false
            }
        }
    }

    fn drop_31_only(&mut self, root: &mut Map<String, Value>) {
        let dropped = NoteKind::Dropped31Only;
        if root.shift_remove("jsonSchemaDialect").is_some() {
            self.note(
                dropped,
                "/jsonSchemaDialect",
                "`jsonSchemaDialect` is 3.1-only; dropped, schemas are lowered to 3.0 schema objects",
            );
        }
        if let Some(Value::Object(info)) = root.get_mut("info") {
            if info.shift_remove("summary").is_some() {
                self.note(dropped, "/info/summary", "`info.summary` is 3.1-only; dropped");
            }
            if let Some(Value::Object(license)) = info.get_mut("license")
                && license.shift_remove("identifier").is_some()
            {
                self.note(dropped, "/info/license/identifier", "`info.license.identifier` is 3.1-only; dropped");
            }
        }
        match root.get("webhooks") {
            None => {}
            Some(w) if is_empty_object(w) => {
                root.shift_remove("webhooks");
                self.note(dropped, "/webhooks", "empty `webhooks` is 3.1-only; dropped");
            }
            // requests the service sends to its subscribers: neither the
            // client nor the stub makes them, and 3.0 has no place for them
            Some(w) => {
                let names: Vec<String> =
                    w.as_object().map(|w| w.keys().map(|k| format!("`{k}`")).collect()).unwrap_or_default();
                let message = format!(
                    "`webhooks` ({}: {}) dropped: 3.0 has no place for them, and they describe requests the service sends, which neither the client nor the stub makes",
                    names.len(),
                    names.join(", ")
                );
                root.shift_remove("webhooks");
                self.note(dropped, "/webhooks", message);
            }
        }
    }

    fn components(&mut self, components: &mut Value) {
        let Value::Object(c) = components else {
            let msg = format!("expected `components` to be an object, found {}", kind(components));
            self.shape(Kind::NotAnObject, "/components", msg);
            return;
        };
        match c.get("pathItems") {
            None => {}
            Some(p) if is_empty_object(p) => {
                c.shift_remove("pathItems");
                self.note(
                    NoteKind::Dropped31Only,
                    "/components/pathItems",
                    "empty `components.pathItems` is 3.1-only; dropped",
                );
            }
            Some(_) => self.error(
                Problem::new(
                    Kind::ComponentsPathItems,
                    "/components/pathItems",
                    "`components.pathItems` is not supported by openapi 3.0",
                )
                .fix("inline the path items under `paths`"),
            ),
        }
        let sections: [(&str, Walk<'a>); 9] = [
            ("schemas", Self::schema),
            ("parameters", Self::parameter),
            ("requestBodies", Self::request_body),
            ("responses", Self::response),
            ("headers", Self::header),
            ("examples", Self::reference_only),
            ("links", Self::reference_only),
            ("callbacks", Self::callback),
            ("securitySchemes", Self::security_scheme),
        ];
        for (name, walk) in sections {
            if let Some(section) = c.get_mut(name) {
                let ptr = format!("/components/{name}");
                self.each_entry(section, &ptr, false, walk);
            }
        }
    }

    // ---- containers ----

    /// Walks every value of an object; `extensible` containers may hold `x-`
    /// keys, which are vendor data and skipped.
    fn each_entry(&mut self, container: &mut Value, ptr: &str, extensible: bool, walk: Walk<'a>) {
        let Value::Object(map) = container else {
            let msg = format!("expected an object, found {}", kind(container));
            self.shape(Kind::NotAnObject, ptr, msg);
            return;
        };
        for (key, value) in map.iter_mut() {
            if extensible && key.starts_with("x-") {
                continue;
            }
            walk(self, value, &join(ptr, key));
        }
    }

    fn each_item(&mut self, list: &mut Value, ptr: &str, walk: Walk<'a>) {
        let Value::Array(items) = list else {
            let msg = format!("expected an array, found {}", kind(list));
            self.shape(Kind::WrongType, ptr, msg);
            return;
        };
        for (i, item) in items.iter_mut().enumerate() {
            walk(self, item, &join(ptr, &i.to_string()));
        }
    }

    // ---- references ----

    /// If `v` is a Reference Object (non-schema), checks it, drops the
    /// siblings 3.0 has no place for, and returns true.
    fn reference(&mut self, v: &mut Value, ptr: &str) -> bool {
        let Value::Object(obj) = v else {
            return false;
        };
        let Some(target) = obj.get("$ref") else {
            return false;
        };
        self.check_ref(target, &join(ptr, "$ref"));
        if obj.len() > 1 {
            let dropped: Vec<String> = obj.keys().filter(|k| *k != "$ref").map(|k| format!("`{k}`")).collect();
            obj.retain(|k, _| k == "$ref");
            self.note(
                NoteKind::ReferenceSiblings,
                ptr,
                format!("{} beside `$ref` dropped; 3.0 reference objects take no siblings", dropped.join(", ")),
            );
        }
        true
    }

    /// For containers whose entries are only checked for references (examples, links).
    fn reference_only(&mut self, v: &mut Value, ptr: &str) {
        self.reference(v, ptr);
    }

    fn check_ref(&mut self, reference: &Value, ptr: &str) {
        let Some(s) = reference.as_str() else {
            let msg = format!("expected `$ref` to be a string, found {}", kind(reference));
            self.shape(Kind::WrongType, ptr, msg);
            return;
        };
        let Some(fragment) = s.strip_prefix('#') else {
            self.error(
                Problem::new(Kind::ExternalReference, ptr, format!("external reference {s:?} is not supported"))
                    .fix("bundle the document so that every reference is local (#/...)"),
            );
            return;
        };
        let Some(target) = percent_decode(fragment) else {
            self.error(
                Problem::new(Kind::BadPercentEncoding, ptr, format!("reference {s:?} has invalid percent-encoding"))
                    .fix("fix the reference"),
            );
            return;
        };
        if !target.is_empty() && !target.starts_with('/') {
            self.error(
                Problem::new(Kind::NonPointerReference, ptr, format!("reference {s:?} is not a json pointer"))
                    .fix("only json pointer references (#/...) are supported"),
            );
            return;
        }
        if self.input.pointer(&target).is_none() {
            self.error(
                Problem::new(
                    Kind::DanglingReference,
                    ptr,
                    format!("reference {s:?} points to {target:?}, which does not exist"),
                )
                .fix("add the missing definition or fix the reference"),
            );
            return;
        }
        self.refs.push((ptr.to_owned(), target));
    }

    /// A reference that resolved in the input can still dangle in the output
    /// when it pointed inside a schema the lowering rewrote.
    fn recheck_refs(&mut self, out: &Value) {
        for (ptr, target) in std::mem::take(&mut self.refs) {
            if out.pointer(&target).is_none() {
                let msg = format!(
                    "reference target {target:?} no longer exists after lowering (it is inside a rewritten schema)"
                );
                self.error(
                    Problem::new(Kind::ReferenceIntoRewrittenSchema, ptr, msg)
                        .fix("point the reference at a /components entry instead"),
                );
            }
        }
    }

    // ---- paths and operations ----

    fn path_item(&mut self, item: &mut Value, ptr: &str) {
        let Value::Object(obj) = item else {
            let msg = format!("expected a path item object, found {}", kind(item));
            self.shape(Kind::NotAnObject, ptr, msg);
            return;
        };
        // A path item `$ref` may carry siblings in 3.0 too, so only check it.
        if let Some(target) = obj.get("$ref") {
            self.check_ref(target, &join(ptr, "$ref"));
        }
        if let Some(params) = obj.get_mut("parameters") {
            self.each_item(params, &join(ptr, "parameters"), Self::parameter);
        }
        for method in crate::spec::METHODS {
            if let Some(op) = obj.get_mut(method) {
                self.operation(op, &join(ptr, method));
            }
        }
    }

    fn operation(&mut self, op: &mut Value, ptr: &str) {
        let Value::Object(obj) = op else {
            self.error(
                Problem::new(Kind::NotAnObject, ptr, format!("expected an operation object, found {}", kind(op)))
                    .fix("describe the operation as an object with `operationId` and `responses`"),
            );
            return;
        };
        if let Some(params) = obj.get_mut("parameters") {
            self.each_item(params, &join(ptr, "parameters"), Self::parameter);
        }
        if let Some(body) = obj.get_mut("requestBody") {
            self.request_body(body, &join(ptr, "requestBody"));
        }
        if let Some(responses) = obj.get_mut("responses") {
            self.each_entry(responses, &join(ptr, "responses"), true, Self::response);
        }
        if let Some(callbacks) = obj.get_mut("callbacks") {
            self.each_entry(callbacks, &join(ptr, "callbacks"), false, Self::callback);
        }
    }

    fn callback(&mut self, cb: &mut Value, ptr: &str) {
        if self.reference(cb, ptr) {
            return;
        }
        // callbacks hold path items, which hold callbacks: bound the recursion
        if self.depth >= MAX_DEPTH {
            self.error(
                Problem::new(Kind::TooDeep, ptr, format!("callbacks nest deeper than {MAX_DEPTH} levels"))
                    .fix("flatten them"),
            );
            return;
        }
        self.depth += 1;
        self.each_entry(cb, ptr, true, Self::path_item);
        self.depth -= 1;
    }

    fn parameter(&mut self, param: &mut Value, ptr: &str) {
        // a referenced parameter is checked where it is defined
        if self.reference(param, ptr) {
            return;
        }
        let Value::Object(obj) = param else {
            let msg = format!("expected a parameter object, found {}", kind(param));
            self.shape(Kind::NotAnObject, ptr, msg);
            return;
        };
        if let Some(schema) = obj.get_mut("schema") {
            self.schema(schema, &join(ptr, "schema"));
        }
        if let Some(content) = obj.get_mut("content") {
            self.each_entry(content, &join(ptr, "content"), false, Self::media_type);
        }
        if let Some(examples) = obj.get_mut("examples") {
            self.each_entry(examples, &join(ptr, "examples"), false, Self::reference_only);
        }
        if obj.get("in").and_then(Value::as_str) != Some("path") {
            return;
        }
        match obj.get("required") {
            Some(Value::Bool(true)) => {}
            Some(_) => self.error(
                Problem::new(
                    Kind::PathParameterNotRequired,
                    join(ptr, "required"),
                    "path parameter must have `required: true`",
                )
                .fix("openapi requires every path parameter, set it to true"),
            ),
            None => self.error(
                Problem::new(Kind::PathParameterNotRequired, ptr, "path parameter has no `required: true`")
                    .fix("openapi requires every path parameter, add it"),
            ),
        }
        if let Some(Value::Object(schema)) = obj.get_mut("schema")
            && schema.get("nullable") == Some(&Value::Bool(true))
        {
            schema.shift_remove("nullable");
            self.note(
                NoteKind::NullablePathParameter,
                ptr,
                "path parameter declared nullable; a path segment cannot be null, lowered as non-nullable",
            );
        }
    }

    fn request_body(&mut self, body: &mut Value, ptr: &str) {
        if self.reference(body, ptr) {
            return;
        }
        let Value::Object(obj) = body else {
            let msg = format!("expected a request body object, found {}", kind(body));
            self.shape(Kind::NotAnObject, ptr, msg);
            return;
        };
        if let Some(content) = obj.get_mut("content") {
            self.each_entry(content, &join(ptr, "content"), false, Self::media_type);
        }
    }

    fn response(&mut self, response: &mut Value, ptr: &str) {
        if self.reference(response, ptr) {
            return;
        }
        let Value::Object(obj) = response else {
            let msg = format!("expected a response object, found {}", kind(response));
            self.shape(Kind::NotAnObject, ptr, msg);
            return;
        };
        if let Some(headers) = obj.get_mut("headers") {
            self.each_entry(headers, &join(ptr, "headers"), false, Self::header);
        }
        if let Some(content) = obj.get_mut("content") {
            self.each_entry(content, &join(ptr, "content"), false, Self::media_type);
        }
        if let Some(links) = obj.get_mut("links") {
            self.each_entry(links, &join(ptr, "links"), false, Self::reference_only);
        }
    }

    fn header(&mut self, header: &mut Value, ptr: &str) {
        if self.reference(header, ptr) {
            return;
        }
        let Value::Object(obj) = header else {
            let msg = format!("expected a header object, found {}", kind(header));
            self.shape(Kind::NotAnObject, ptr, msg);
            return;
        };
        if let Some(schema) = obj.get_mut("schema") {
            self.schema(schema, &join(ptr, "schema"));
        }
        if let Some(content) = obj.get_mut("content") {
            self.each_entry(content, &join(ptr, "content"), false, Self::media_type);
        }
        if let Some(examples) = obj.get_mut("examples") {
            self.each_entry(examples, &join(ptr, "examples"), false, Self::reference_only);
        }
    }

    fn media_type(&mut self, media: &mut Value, ptr: &str) {
        let Value::Object(obj) = media else {
            let msg = format!("expected a media type object, found {}", kind(media));
            self.shape(Kind::NotAnObject, ptr, msg);
            return;
        };
        if let Some(schema) = obj.get_mut("schema") {
            self.schema(schema, &join(ptr, "schema"));
        }
        // media type `examples` is the 3.0 map of Example Objects: only references matter
        if let Some(examples) = obj.get_mut("examples") {
            self.each_entry(examples, &join(ptr, "examples"), false, Self::reference_only);
        }
        if let Some(Value::Object(encodings)) = obj.get_mut("encoding") {
            for (name, encoding) in encodings.iter_mut() {
                if let Some(headers) = encoding.get_mut("headers") {
                    let hptr = join(&join(&join(ptr, "encoding"), name), "headers");
                    self.each_entry(headers, &hptr, false, Self::header);
                }
            }
        }
    }

    fn security_scheme(&mut self, scheme: &mut Value, ptr: &str) {
        if self.reference(scheme, ptr) {
            return;
        }
        if scheme.get("type").and_then(Value::as_str) == Some("mutualTLS") {
            self.error(
                Problem::new(
                    Kind::MutualTls,
                    join(ptr, "type"),
                    "security scheme type `mutualTLS` is 3.1-only and has no 3.0 equivalent",
                )
                .fix("remove it or describe it in prose"),
            );
        }
    }

    // ---- schemas ----

    fn schema(&mut self, s: &mut Value, ptr: &str) {
        if self.depth >= MAX_DEPTH {
            self.error(
                Problem::new(Kind::TooDeep, ptr, format!("schema nests deeper than {MAX_DEPTH} levels"))
                    .fix("flatten the model"),
            );
            return;
        }
        self.depth += 1;
        self.schema_inner(s, ptr);
        self.depth -= 1;
    }

    fn schema_inner(&mut self, s: &mut Value, ptr: &str) {
        let obj = match s {
            Value::Object(obj) => obj,
            Value::Bool(true) => {
                // `true` accepts everything, exactly like `{}`
                *s = json!({});
                return;
            }
            Value::Bool(false) => {
                self.error(
                    Problem::new(
                        Kind::NoValidValue,
                        ptr,
                        "schema `false` (no value is valid) cannot be expressed in 3.0",
                    )
                    .fix("remove the field from the model"),
                );
                return;
            }
            other => {
                self.error(
                    Problem::new(Kind::NotAnObject, ptr, format!("expected a schema object, found {}", kind(other)))
                        .fix("a schema is an object such as `{\"type\": \"string\"}`"),
                );
                return;
            }
        };
        self.null_type_value(obj, ptr);
        self.nullable_in_31(obj, ptr);
        self.pattern_properties(obj, ptr);
        for (keyword, what) in REFUSED {
            if obj.contains_key(keyword) {
                let fix = if keyword == "$defs" {
                    "hoist them into /components/schemas and point the `$ref`s there"
                } else {
                    "rewrite the model without it"
                };
                let msg = format!("`{keyword}` ({what}) is not supported by the 3.0 lowering");
                self.error(Problem::new(Kind::Unsupported31Keyword, join(ptr, keyword), msg).fix(fix));
            }
        }
        if let Some(target) = obj.get("$ref") {
            self.check_ref(target, &join(ptr, "$ref"));
        }
        self.children(obj, ptr);
        self.tuple(obj, ptr);
        self.property_names(obj, ptr);
        self.python_pattern(obj, ptr);

        // Each rewrite reports into `errors` and leaves the schema as it
        // was when it cannot proceed; the output is discarded on any error.
        self.type_keyword(obj, ptr);
        self.const_keyword(obj, ptr);
        self.examples_keyword(obj, ptr);
        self.exclusive_bounds(obj, ptr);
        self.content_keywords(obj, ptr);
        self.nullable_union(obj, ptr, "anyOf");
        self.nullable_union(obj, ptr, "oneOf");
        self.ref_siblings(obj, ptr);
    }

    fn children(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        match obj.get_mut("properties") {
            None => {}
            Some(Value::Object(props)) => {
                let pptr = join(ptr, "properties");
                for (name, sub) in props.iter_mut() {
                    self.schema(sub, &join(&pptr, name));
                }
            }
            Some(other) => {
                let msg = format!("expected `properties` to map names to schemas, found {}", kind(other));
                self.shape(Kind::NotAnObject, join(ptr, "properties"), msg);
            }
        }
        let tuple = obj.contains_key("prefixItems");
        match obj.get_mut("items") {
            None => {}
            // closes a tuple, whose length `maxItems` keeps (rule 10)
            Some(Value::Bool(false)) if tuple => {}
            Some(Value::Array(_)) => self.error(
                Problem::new(
                    Kind::Unsupported31Keyword,
                    join(ptr, "items"),
                    "array-form `items` (tuple validation) is not supported by the 3.0 lowering",
                )
                .fix("rewrite the model without it"),
            ),
            Some(items) => self.schema(items, &join(ptr, "items")),
        }
        match obj.get_mut("additionalProperties") {
            // booleans are valid 3.0 here, and `true` is what FastAPI emits for `dict`
            None | Some(Value::Bool(_)) => {}
            Some(ap) => self.schema(ap, &join(ptr, "additionalProperties")),
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            match obj.get_mut(key) {
                None => {}
                Some(Value::Array(members)) => {
                    let mptr = join(ptr, key);
                    for (i, member) in members.iter_mut().enumerate() {
                        // null members of unions are rule 1's business, not a refusal
                        if key != "allOf" && is_null_member(member) {
                            continue;
                        }
                        self.schema(member, &join(&mptr, &i.to_string()));
                    }
                }
                Some(other) => {
                    let msg = format!("expected `{key}` to be an array of schemas, found {}", kind(other));
                    self.shape(Kind::WrongType, join(ptr, key), msg);
                }
            }
        }
        if let Some(not) = obj.get_mut("not") {
            self.schema(not, &join(ptr, "not"));
        }
    }

    /// A schema that allows only null (`type: "null"`, `const: null`, a
    /// union of nulls): 3.0 has no null type, so it becomes a nullable schema
    /// of any type, with its annotations. Generated code holds it as an
    /// optional JSON value.
    fn null_only(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        for key in ["type", "const", "enum"] {
            obj.shift_remove(key);
        }
        obj.insert("nullable".into(), Value::Bool(true));
        self.note(
            NoteKind::NullOnly,
            ptr,
            "allows only null, which 3.0 cannot say: lowered to a nullable value of any type; \
             kept: null is accepted and sent; lost: that null is its only value",
        );
    }

    /// A tuple (`prefixItems`, as pydantic exports `tuple[int, str]`): an
    /// array whose items are the union of the tuple's item schemas (the one
    /// schema when they are all the same), its length kept by
    /// `minItems`/`maxItems`. A closing `items: false` is implied by
    /// `maxItems`; an open `items` schema joins the union.
    fn tuple(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        let Some(prefix) = obj.get("prefixItems").cloned() else { return };
        let Value::Array(mut members) = prefix else {
            let msg = format!("expected `prefixItems` to be an array of schemas, found {}", kind(&prefix));
            self.error(
                Problem::new(Kind::WrongType, join(ptr, "prefixItems"), msg)
                    .fix("give it one schema per position, as pydantic exports a tuple"),
            );
            return;
        };
        let pptr = join(ptr, "prefixItems");
        for (i, member) in members.iter_mut().enumerate() {
            self.schema(member, &join(&pptr, &i.to_string()));
        }
        match obj.shift_remove("items") {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => members.push(json!({})),
            Some(rest) => members.push(rest),
        }
        let mut distinct: Vec<Value> = Vec::new();
        for m in members {
            if !distinct.contains(&m) {
                distinct.push(m);
            }
        }
        let (items, lost) = match distinct.len() {
            0 => (json!({}), "nothing (an empty tuple)".to_string()),
            1 => (distinct.pop().unwrap_or_default(), "nothing: every position has the same type".to_string()),
            n => (json!({ "anyOf": distinct }), format!("which of the {n} item types each position holds")),
        };
        obj.shift_remove("prefixItems");
        obj.insert("items".into(), items);
        obj.entry("type").or_insert_with(|| Value::String("array".into()));
        self.note(
            NoteKind::Tuple,
            ptr,
            format!("tuple (`prefixItems`) lowered to an array of the union of its items; kept: the item types and the length (`minItems`/`maxItems`); lost: {lost}"),
        );
    }

    /// `propertyNames` (`dict[SomeEnum, X]`): 3.0 cannot constrain the keys
    /// of a map, so it is dropped and the keys stay strings.
    fn property_names(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        let Some(names) = obj.shift_remove("propertyNames") else { return };
        let shown = match names.get("$ref").and_then(Value::as_str) {
            Some(r) => format!("`{r}`"),
            None => names.to_string(),
        };
        self.note(
            NoteKind::PropertyNames,
            &join(ptr, "propertyNames"),
            format!("`propertyNames` dropped: 3.0 cannot constrain a map's keys; kept: the values' schema, keys as strings; lost: the key schema {shown}"),
        );
    }

    /// A `pattern` in Python's syntax (pydantic passes FastAPI's patterns
    /// through as written): named groups `(?P<name>…)`, their references
    /// `(?P=name)` and the anchors `\A`/`\Z` become the ECMAScript forms that
    /// OpenAPI specifies and the generated code's regex engine reads.
    fn python_pattern(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        let Some(Value::String(pattern)) = obj.get("pattern") else { return };
        let translated = translate_python_pattern(pattern);
        if translated != *pattern {
            let note =
                format!("Python regex syntax translated to ECMAScript: {pattern:?} → {translated:?}; nothing lost");
            obj.insert("pattern".into(), Value::String(translated));
            self.note(NoteKind::PythonPattern, &join(ptr, "pattern"), note);
        }
    }

    /// `"type": null` (JSON's null, not the string): some exports write
    /// the null arm of `X | None` so; it can only mean the null type.
    /// The members of a union are read here, before they are lowered on
    /// their own, so that the union sees its null arm as pydantic's.
    fn null_type_value(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        let note = "`\"type\": null` read as `\"type\": \"null\"`, the null type; nothing lost";
        let mut read = |schema: &mut Map<String, Value>, at: String| {
            if schema.get("type") == Some(&Value::Null) {
                schema.insert("type".into(), Value::String("null".into()));
                self.note(NoteKind::NullTypeValue, &join(&at, "type"), note);
            }
        };
        read(obj, ptr.to_string());
        for union in ["anyOf", "oneOf"] {
            let Some(Value::Array(members)) = obj.get_mut(union) else { continue };
            for (i, member) in members.iter_mut().enumerate() {
                if let Some(member) = member.as_object_mut() {
                    read(member, join(&join(ptr, union), &i.to_string()));
                }
            }
        }
    }

    /// `nullable` in a 3.1 document (a model's `json_schema_extra` copying
    /// 3.0): 3.1 has no such keyword, its validators and pydantic ignore it,
    /// and null is said where the schema is used (`anyOf` with null). It is
    /// dropped: read as 3.0 it would make the schema itself nullable, which
    /// the service does not mean (and typify names a nullable titled object
    /// twice).
    fn nullable_in_31(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        if self.from_31 && obj.shift_remove("nullable").is_some() {
            self.note(
                NoteKind::NullableIn31,
                &join(ptr, "nullable"),
                "`nullable` is no OpenAPI 3.1 keyword (3.1 says null with `type` or `anyOf`): ignored, as 3.1 validators and FastAPI ignore it",
            );
        }
    }

    /// `patternProperties` (pydantic's `dict[Annotated[str, pattern], X]`):
    /// with one pattern and no `additionalProperties`, the values' schema
    /// becomes `additionalProperties`, and only the keys' pattern is lost;
    /// several patterns keep the union of their schemas.
    fn pattern_properties(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        let Some(Value::Object(patterns)) = obj.get("patternProperties") else { return };
        if obj.contains_key("additionalProperties") || patterns.is_empty() {
            return;
        }
        let mut schemas: Vec<Value> = Vec::new();
        for schema in patterns.values() {
            if !schemas.contains(schema) {
                schemas.push(schema.clone());
            }
        }
        let keys: Vec<String> = patterns.keys().map(|k| format!("{k:?}")).collect();
        let values = if schemas.len() == 1 { schemas.remove(0) } else { json!({ "anyOf": schemas }) };
        obj.shift_remove("patternProperties");
        obj.insert("additionalProperties".into(), values);
        let note = format!(
            "`patternProperties` lowered to `additionalProperties`: values keep their schema, keys lose their pattern ({})",
            keys.join(", ")
        );
        self.note(NoteKind::PatternProperties, &join(ptr, "patternProperties"), note);
    }

    /// Rule 2, and the standalone `type: "null"` refusal.
    fn type_keyword(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        let types = match obj.get("type") {
            Some(Value::String(t)) if t == "null" => {
                self.null_only(obj, ptr);
                return;
            }
            None | Some(Value::String(_)) => return,
            Some(Value::Array(types)) => types,
            Some(other) => {
                let msg = format!("expected `type` to be a string or an array of strings, found {}", kind(other));
                self.shape(Kind::WrongType, join(ptr, "type"), msg);
                return;
            }
        };
        let mut nullable = false;
        let mut non_null: Vec<String> = Vec::new();
        for (i, t) in types.iter().enumerate() {
            match t.as_str() {
                Some("null") => nullable = true,
                Some(t) => {
                    if !non_null.iter().any(|n| n == t) {
                        non_null.push(t.to_owned());
                    }
                }
                None => {
                    let msg = format!("expected a type name, found {}", kind(t));
                    self.shape(Kind::WrongType, join(&join(ptr, "type"), &i.to_string()), msg);
                    return;
                }
            }
        }
        match non_null.len() {
            0 if nullable => {
                self.null_only(obj, ptr);
                return;
            }
            0 => {
                self.error(
                    Problem::new(Kind::NoValidValue, join(ptr, "type"), "empty `type` array allows no value")
                        .fix("remove the field or give it a type"),
                );
                return;
            }
            1 => {
                let t = non_null.pop().unwrap_or_default();
                obj.insert("type".into(), Value::String(t));
            }
            _ => {
                if let Some(kw) = TYPE_SPECIFIC.iter().find(|k| obj.contains_key(**k)) {
                    let msg = format!("`{kw}` beside a multi-type `type` array cannot be distributed over the types");
                    self.error(
                        Problem::new(Kind::MultiTypeArray, join(ptr, kw), msg)
                            .fix("split the schema into `anyOf` members by hand"),
                    );
                    return;
                }
                if obj.contains_key("anyOf") {
                    self.error(
                        Problem::new(
                            Kind::MultiTypeArray,
                            join(ptr, "type"),
                            "a multi-type `type` array beside an `anyOf` cannot be lowered",
                        )
                        .fix("merge them by hand"),
                    );
                    return;
                }
                let members = non_null.into_iter().map(|t| json!({ "type": t })).collect();
                splice(obj, "type", vec![("anyOf".into(), Value::Array(members))]);
            }
        }
        if nullable {
            obj.insert("nullable".into(), Value::Bool(true));
        }
    }

    /// Rule 5.
    fn const_keyword(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        let Some(value) = obj.get("const").cloned() else {
            return;
        };
        if value.is_null() {
            self.null_only(obj, ptr);
            return;
        }
        match obj.get("enum") {
            None => splice(obj, "const", vec![("enum".into(), json!([value]))]),
            Some(Value::Array(values)) if values.contains(&value) => {
                obj.insert("enum".into(), json!([value]));
                obj.shift_remove("const");
            }
            Some(_) => self.error(
                Problem::new(
                    Kind::NoValidValue,
                    join(ptr, "const"),
                    "`const` value is not among the `enum` values, so no value can match",
                )
                .fix("fix the model"),
            ),
        }
    }

    /// Rule 4.
    fn examples_keyword(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        let eptr = join(ptr, "examples");
        let count = match obj.get("examples") {
            None => return,
            Some(Value::Array(list)) => list.len(),
            Some(other) => {
                let msg = format!("expected schema `examples` to be an array of values, found {}", kind(other));
                self.shape(Kind::WrongType, eptr, msg);
                return;
            }
        };
        if obj.contains_key("example") || count == 0 {
            obj.shift_remove("examples");
            let why = if count == 0 { "it is empty" } else { "the schema already has an `example`" };
            self.note(NoteKind::Examples, &eptr, format!("schema `examples` dropped, {why}"));
            return;
        }
        let first = match obj.get_mut("examples") {
            Some(Value::Array(list)) => list.swap_remove(0),
            _ => return,
        };
        splice(obj, "examples", vec![("example".into(), first)]);
        if count > 1 {
            self.note(
                NoteKind::Examples,
                &eptr,
                format!(
                    "schema `examples` has {count} entries; 3.0 keeps one, lowered to `example` (the first), {} dropped",
                    count - 1
                ),
            );
        }
    }

    /// Rule 6.
    fn exclusive_bounds(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        for (exclusive, bound, lower) in [("exclusiveMinimum", "minimum", true), ("exclusiveMaximum", "maximum", false)]
        {
            let n = match obj.get(exclusive) {
                None | Some(Value::Bool(_)) => continue,
                Some(Value::Number(n)) => n.clone(),
                Some(other) => {
                    let msg = format!("expected `{exclusive}` to be a number or a boolean, found {}", kind(other));
                    self.shape(Kind::WrongType, join(ptr, exclusive), msg);
                    continue;
                }
            };
            match obj.get(bound) {
                None => splice(
                    obj,
                    exclusive,
                    vec![(bound.into(), Value::Number(n)), (exclusive.into(), Value::Bool(true))],
                ),
                Some(Value::Number(m)) => {
                    let (mf, nf) = (m.as_f64().unwrap_or(f64::NAN), n.as_f64().unwrap_or(f64::NAN));
                    // on equality the exclusive bound is the stricter one
                    let inclusive_is_stricter = if lower { mf > nf } else { mf < nf };
                    if inclusive_is_stricter {
                        let msg = format!("`{exclusive}: {n}` is implied by `{bound}: {m}`; kept the {bound} only");
                        obj.shift_remove(exclusive);
                        self.note(NoteKind::ImpliedBound, &join(ptr, exclusive), msg);
                    } else {
                        obj.insert(bound.into(), Value::Number(n));
                        obj.insert(exclusive.into(), Value::Bool(true));
                    }
                }
                Some(other) => {
                    let msg = format!("expected `{bound}` to be a number, found {}", kind(other));
                    self.shape(Kind::WrongType, join(ptr, bound), msg);
                }
            }
        }
    }

    /// Rule 7.
    fn content_keywords(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        let encoding = obj.get("contentEncoding").cloned();
        let media = obj.get("contentMediaType").cloned();
        if encoding.is_none() && media.is_none() {
            return;
        }
        let is_string = obj.get("type").is_none_or(|t| t == "string");
        let format = match (encoding.as_ref().and_then(Value::as_str), media.as_ref().and_then(Value::as_str)) {
            _ if !is_string => None,
            // base64 text is what travels, whatever it decodes to
            (Some("base64"), _) => Some("byte"),
            (None, Some("application/octet-stream")) => Some("binary"),
            _ => None,
        };
        let existing = obj.get("format").and_then(Value::as_str).map(str::to_owned);
        let mapped = match (format, existing.as_deref()) {
            (Some(f), None) => {
                let at = if encoding.is_some() { "contentEncoding" } else { "contentMediaType" };
                splice(obj, at, vec![("format".into(), f.into())]);
                true
            }
            (Some(f), Some(e)) => f == e,
            (None, _) => false,
        };
        for (key, value) in [("contentEncoding", encoding), ("contentMediaType", media)] {
            let Some(value) = value else { continue };
            obj.shift_remove(key);
            if !mapped {
                let why = match (format, existing.as_deref()) {
                    (Some(_), Some(e)) => format!("the schema keeps its own `format: {e}`"),
                    _ if !is_string => "it only applies to strings".to_owned(),
                    _ => "3.0 has no equivalent".to_owned(),
                };
                self.note(NoteKind::ContentKeyword, &join(ptr, key), format!("`{key}: {value}` dropped, {why}"));
            }
        }
    }

    /// Rule 1 for one of `anyOf`/`oneOf`.
    fn nullable_union(&mut self, obj: &mut Map<String, Value>, ptr: &str, key: &str) {
        let Some(Value::Array(members)) = obj.get(key) else {
            return;
        };
        if !members.iter().any(is_null_member) {
            return;
        }
        let mut rest: Vec<Value> = members.iter().filter(|m| !is_null_member(m)).cloned().collect();
        if rest.len() > 1 {
            obj.insert(key.into(), Value::Array(rest));
            obj.insert("nullable".into(), Value::Bool(true));
            return;
        }
        let Some(member) = rest.pop() else {
            obj.shift_remove(key);
            self.null_only(obj, ptr);
            return;
        };
        let member = match member {
            // 3.0 ignores `$ref` siblings, so the reference goes under allOf
            Value::Object(m) if m.len() == 1 && m.contains_key("$ref") => {
                let mut wrapped = Map::new();
                wrapped.insert("allOf".into(), json!([m]));
                wrapped
            }
            Value::Object(m) => m,
            // every non-null member was lowered already; a non-object one was reported
            _ => return,
        };
        // The member's keys take the union's place; outer keys keep theirs.
        let outer = std::mem::take(obj);
        let mut clash = false;
        for (k, v) in &outer {
            if k != key {
                if !member.contains_key(k) {
                    obj.insert(k.clone(), v.clone());
                }
                continue;
            }
            for (mk, mv) in &member {
                // the outer union itself is what is being replaced
                let ov = if mk == key { None } else { outer.get(mk) };
                let value = match ov {
                    None => mv.clone(),
                    // the outer schema is the field's own annotation
                    Some(ov) if ANNOTATIONS.contains(&mk.as_str()) || ov == mv => ov.clone(),
                    // both apply, so both lists of conjuncts do
                    Some(Value::Array(outer_all)) if mk == "allOf" && mv.is_array() => {
                        let mut all = mv.as_array().cloned().unwrap_or_default();
                        all.extend(outer_all.iter().cloned());
                        Value::Array(all)
                    }
                    Some(ov) => {
                        clash = true;
                        let msg = format!("the schema and its only non-null `{key}` member set `{mk}` differently");
                        self.error(Problem::new(Kind::UnionMergeClash, join(ptr, mk), msg).fix("merge them by hand"));
                        ov.clone()
                    }
                };
                obj.insert(mk.clone(), value);
            }
        }
        if !clash {
            obj.insert("nullable".into(), Value::Bool(true));
        }
    }

    /// Rule 3.
    fn ref_siblings(&mut self, obj: &mut Map<String, Value>, ptr: &str) {
        if !obj.contains_key("$ref") || obj.len() == 1 {
            return;
        }
        let mut refused = false;
        // `$defs` is refused everywhere already
        for key in ["$schema", "$id"] {
            if obj.contains_key(key) {
                refused = true;
                let msg = format!("`{key}` beside `$ref` is not supported by the 3.0 lowering");
                self.error(Problem::new(Kind::Unsupported31Keyword, join(ptr, key), msg).fix("remove it"));
            }
        }
        let existing = match obj.get("allOf") {
            None => Vec::new(),
            Some(Value::Array(members)) => members.clone(),
            Some(_) => return, // reported by `children`
        };
        if refused {
            return;
        }
        let mut all_of = Vec::with_capacity(existing.len() + 1);
        for (k, v) in std::mem::take(obj) {
            match k.as_str() {
                "$ref" => {
                    all_of.push(json!({ "$ref": v }));
                    all_of.extend(existing.iter().cloned());
                    obj.insert("allOf".into(), Value::Array(std::mem::take(&mut all_of)));
                }
                "allOf" => {}
                _ => {
                    obj.insert(k, v);
                }
            }
        }
    }
}

// ---- helpers ----

/// `{"type": "null"}`, possibly annotated: the null arm of a pydantic `X | None`.
fn is_null_member(v: &Value) -> bool {
    let Value::Object(m) = v else {
        return false;
    };
    m.get("type").and_then(Value::as_str) == Some("null")
        && m.keys().all(|k| k == "type" || k == "$comment" || k == "examples" || ANNOTATIONS.contains(&k.as_str()))
}

fn is_empty_object(v: &Value) -> bool {
    v.as_object().is_some_and(Map::is_empty)
}

/// Replaces the entry `key` with `entries`, in place, keeping the order of
/// everything else (the output is meant to be diffed).
fn splice(obj: &mut Map<String, Value>, key: &str, entries: Vec<(String, Value)>) {
    let mut entries = Some(entries);
    for (k, v) in std::mem::take(obj) {
        if k == key {
            for (nk, nv) in entries.take().unwrap_or_default() {
                obj.insert(nk, nv);
            }
        } else {
            obj.insert(k, v);
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "/components/schemas/S";

    fn doc_with_schemas(schemas: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {},
            "components": { "schemas": schemas }
        })
    }

    fn lower_ok(doc: &Value) -> Lowered {
        match lower(doc) {
            Ok(lowered) => lowered,
            Err(errors) => panic!("unexpected errors: {errors:#?}"),
        }
    }

    fn lower_err(doc: &Value) -> Vec<Problem> {
        match lower(doc) {
            Ok(lowered) => panic!("expected errors, got {:#}", lowered.doc),
            Err(errors) => errors,
        }
    }

    /// Lowers `schema` as `components.schemas.S`; returns it and the notes.
    fn lower_schema(schema: Value) -> (Value, Vec<Note>) {
        let lowered = lower_ok(&doc_with_schemas(json!({ "S": schema })));
        (lowered.doc["components"]["schemas"]["S"].clone(), lowered.notes)
    }

    /// The kind and the pointer of each problem with `schema` as `S`.
    fn schema_errors(schema: Value) -> Vec<(Kind, String)> {
        lower_err(&doc_with_schemas(json!({ "S": schema })))
            .into_iter()
            .map(|e| (e.kind, e.place.pointer.unwrap_or_default()))
            .collect()
    }

    /// The kind and the pointer of each problem.
    fn found(errors: &[Problem]) -> Vec<(Kind, &str)> {
        errors.iter().map(|e| (e.kind, e.pointer().unwrap_or_default())).collect()
    }

    /// The kind and the pointer of each note.
    fn noted(notes: &[Note]) -> Vec<(NoteKind, &str)> {
        notes.iter().map(|n| (n.kind, n.pointer())).collect()
    }

    fn at(kind: Kind, pointer: impl Into<String>) -> (Kind, String) {
        (kind, pointer.into())
    }

    // ---- document level ----

    #[test]
    fn rewrites_31_version_to_303() {
        let lowered = lower_ok(&doc_with_schemas(json!({})));
        assert_eq!(lowered.doc["openapi"], "3.0.3");
        assert!(lowered.notes.is_empty());
    }

    #[test]
    fn passes_30_documents_through_unchanged() {
        let doc = json!({
            "openapi": "3.0.2",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/a/{id}": { "get": {
                    "parameters": [{ "name": "id", "in": "path", "required": true,
                                     "schema": { "type": "string", "format": "uuid" } }],
                    "responses": { "200": { "description": "ok", "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/A" } } } } }
                } }
            },
            "components": { "schemas": { "A": {
                "type": "object",
                "properties": {
                    "n": { "type": "number", "nullable": true, "minimum": 0, "exclusiveMinimum": true },
                    "b": { "allOf": [{ "$ref": "#/components/schemas/B" }], "description": "d" }
                },
                "additionalProperties": true
            }, "B": { "type": "string", "enum": ["x"] } } }
        });
        let lowered = lower_ok(&doc);
        assert_eq!(lowered.doc, doc);
        assert!(lowered.notes.is_empty());
    }

    #[test]
    fn refuses_swagger_2() {
        let errors = lower_err(&json!({ "swagger": "2.0", "paths": {} }));
        assert_eq!(found(&errors), [(Kind::Version, "/swagger")]);
        // the message shows the version it found
        assert!(errors[0].message.contains("\"2.0\""), "{}", errors[0]);
    }

    #[test]
    fn refuses_other_versions() {
        for version in [json!("4.0"), json!("3.2.0"), json!("3.1"), json!(3.1)] {
            let errors = lower_err(&json!({ "openapi": version, "paths": {} }));
            assert_eq!(found(&errors), [(Kind::Version, "/openapi")], "{version}");
            assert!(errors[0].message.contains(&version.to_string()));
        }
    }

    #[test]
    fn refuses_missing_version() {
        let errors = lower_err(&json!({ "paths": {} }));
        assert_eq!(found(&errors), [(Kind::Version, "")]);
    }

    #[test]
    fn refuses_non_object_document() {
        for doc in [json!([]), json!("openapi"), json!(null), json!(3)] {
            assert_eq!(found(&lower_err(&doc)), [(Kind::NotAnObject, "")], "{doc}");
        }
    }

    #[test]
    fn refuses_missing_paths() {
        let errors = lower_err(&json!({ "openapi": "3.1.0", "info": {} }));
        assert_eq!(found(&errors), [(Kind::MissingPaths, "")]);
        let errors = lower_err(&json!({ "openapi": "3.1.0", "paths": [] }));
        assert_eq!(found(&errors), [(Kind::NotAnObject, "/paths")]);
    }

    #[test]
    fn drops_webhooks_with_a_note_naming_them() {
        let mut doc = doc_with_schemas(json!({}));
        doc["webhooks"] = json!({ "ping": { "post": { "responses": {} } } });
        let lowered = lower(&doc).unwrap();
        assert!(lowered.doc.get("webhooks").is_none());
        assert_eq!(noted(&lowered.notes), [(NoteKind::Dropped31Only, "/webhooks")]);
        assert!(lowered.notes[0].message.contains("(1: `ping`)"), "{}", lowered.notes[0]);
    }

    #[test]
    fn drops_31_only_top_level_keys_with_notes() {
        let doc = json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "info": { "title": "t", "summary": "s", "version": "1",
                      "license": { "name": "MIT", "identifier": "MIT" } },
            "paths": {},
            "webhooks": {},
            "components": { "pathItems": {} }
        });
        let lowered = lower_ok(&doc);
        assert_eq!(
            lowered.doc,
            json!({
                "openapi": "3.0.3",
                "info": { "title": "t", "version": "1", "license": { "name": "MIT" } },
                "paths": {},
                "components": {}
            })
        );
        let dropped = NoteKind::Dropped31Only;
        assert_eq!(
            noted(&lowered.notes),
            [
                (dropped, "/jsonSchemaDialect"),
                (dropped, "/info/summary"),
                (dropped, "/info/license/identifier"),
                (dropped, "/webhooks"),
                (dropped, "/components/pathItems")
            ]
        );
    }

    #[test]
    fn refuses_non_empty_component_path_items() {
        let mut doc = doc_with_schemas(json!({}));
        doc["components"]["pathItems"] = json!({ "P": { "get": {} } });
        assert_eq!(found(&lower_err(&doc)), [(Kind::ComponentsPathItems, "/components/pathItems")]);
    }

    #[test]
    fn refuses_mutual_tls() {
        let mut doc = doc_with_schemas(json!({}));
        doc["components"]["securitySchemes"] =
            json!({ "mtls": { "type": "mutualTLS" }, "HTTPBearer": { "type": "http", "scheme": "bearer" } });
        assert_eq!(found(&lower_err(&doc)), [(Kind::MutualTls, "/components/securitySchemes/mtls/type")]);
    }

    // ---- rule 1: nullable unions ----

    #[test]
    fn collapses_nullable_any_of_with_inline_member() {
        let (s, notes) = lower_schema(json!({
            "anyOf": [{ "type": "string", "format": "uuid" }, { "type": "null" }],
            "title": "Source Id"
        }));
        assert_eq!(s, json!({ "type": "string", "format": "uuid", "title": "Source Id", "nullable": true }));
        assert!(notes.is_empty());
    }

    #[test]
    fn collapses_nullable_any_of_with_ref_member_under_all_of() {
        let (s, _) = lower_schema(json!({
            "anyOf": [{ "$ref": "#/components/schemas/S" }, { "type": "null" }],
            "description": "Filter associations by status",
            "title": "Status"
        }));
        assert_eq!(
            s,
            json!({
                "allOf": [{ "$ref": "#/components/schemas/S" }],
                "description": "Filter associations by status",
                "title": "Status",
                "nullable": true
            })
        );
    }

    #[test]
    fn collapses_nullable_one_of_and_annotated_null_member() {
        let (s, _) = lower_schema(json!({
            "oneOf": [{ "type": "null", "title": "Nothing" }, { "type": "integer" }]
        }));
        assert_eq!(s, json!({ "type": "integer", "nullable": true }));
    }

    #[test]
    fn keeps_union_of_several_non_null_members_and_adds_nullable() {
        let (s, _) = lower_schema(json!({
            "anyOf": [{ "type": "string" }, { "type": "null" }, { "type": "integer" }],
            "title": "Loc"
        }));
        assert_eq!(
            s,
            json!({
                "anyOf": [{ "type": "string" }, { "type": "integer" }],
                "title": "Loc",
                "nullable": true
            })
        );
    }

    #[test]
    fn outer_annotations_win_over_the_member() {
        let (s, _) = lower_schema(json!({
            "anyOf": [{ "type": "number", "title": "Inner", "description": "inner", "minimum": 0 },
                      { "type": "null" }],
            "title": "Outer",
            "default": null
        }));
        assert_eq!(
            s,
            json!({ "type": "number", "title": "Outer", "description": "inner", "minimum": 0,
                    "default": null, "nullable": true })
        );
    }

    #[test]
    fn concatenates_all_of_when_merging() {
        let (s, _) = lower_schema(json!({
            "anyOf": [{ "$ref": "#/components/schemas/S" }, { "type": "null" }],
            "allOf": [{ "required": ["a"] }]
        }));
        assert_eq!(
            s,
            json!({
                "allOf": [{ "$ref": "#/components/schemas/S" }, { "required": ["a"] }],
                "nullable": true
            })
        );
    }

    #[test]
    fn refuses_clashing_keys_when_merging() {
        let errors = schema_errors(json!({
            "anyOf": [{ "type": "string", "maxLength": 3 }, { "type": "null" }],
            "maxLength": 5
        }));
        assert_eq!(errors, [at(Kind::UnionMergeClash, format!("{S}/maxLength"))]);
    }

    #[test]
    fn lowers_a_null_only_union_to_a_nullable_value() {
        let (out, notes) =
            lower_schema(json!({ "properties": { "x": { "anyOf": [{ "type": "null" }], "title": "X" } } }));
        assert_eq!(out["properties"]["x"], json!({ "title": "X", "nullable": true }));
        assert_eq!(noted(&notes), [(NoteKind::NullOnly, format!("{S}/properties/x").as_str())]);
    }

    // ---- rule 2: type arrays ----

    #[test]
    fn lowers_type_array_with_null() {
        let (s, _) = lower_schema(json!({ "type": ["string", "null"], "format": "date-time" }));
        assert_eq!(s, json!({ "type": "string", "format": "date-time", "nullable": true }));
    }

    #[test]
    fn lowers_single_type_array() {
        let (s, _) = lower_schema(json!({ "type": ["integer"] }));
        assert_eq!(s, json!({ "type": "integer" }));
    }

    #[test]
    fn lowers_multi_type_array_to_any_of() {
        let (s, _) = lower_schema(json!({ "title": "T", "type": ["string", "integer", "null"] }));
        assert_eq!(
            s,
            json!({
                "title": "T",
                "anyOf": [{ "type": "string" }, { "type": "integer" }],
                "nullable": true
            })
        );
    }

    #[test]
    fn refuses_type_specific_keyword_beside_multi_type_array() {
        assert_eq!(
            schema_errors(json!({ "type": ["string", "integer"], "format": "uuid" })),
            [at(Kind::MultiTypeArray, format!("{S}/format"))]
        );
    }

    #[test]
    fn lowers_a_null_only_type_array_and_refuses_an_empty_one() {
        let (out, notes) = lower_schema(json!({ "type": ["null"], "default": null }));
        assert_eq!(out, json!({ "default": null, "nullable": true }));
        assert_eq!(noted(&notes), [(NoteKind::NullOnly, S)]);
        assert_eq!(schema_errors(json!({ "type": [] })), [at(Kind::NoValidValue, format!("{S}/type"))]);
    }

    #[test]
    fn lowers_a_standalone_null_type() {
        let (out, notes) = lower_schema(json!({ "properties": { "n": { "type": "null", "title": "N" } } }));
        assert_eq!(out["properties"]["n"], json!({ "title": "N", "nullable": true }));
        assert_eq!(noted(&notes), [(NoteKind::NullOnly, format!("{S}/properties/n").as_str())]);
    }

    // ---- rule 3: $ref siblings ----

    #[test]
    fn moves_ref_with_siblings_under_all_of() {
        let (s, _) = lower_schema(json!({
            "$ref": "#/components/schemas/S",
            "description": "Relationship type",
            "default": "FOREIGN_KEY"
        }));
        assert_eq!(
            s,
            json!({
                "allOf": [{ "$ref": "#/components/schemas/S" }],
                "description": "Relationship type",
                "default": "FOREIGN_KEY"
            })
        );
    }

    #[test]
    fn keeps_bare_ref() {
        let (s, _) = lower_schema(json!({ "$ref": "#/components/schemas/S" }));
        assert_eq!(s, json!({ "$ref": "#/components/schemas/S" }));
    }

    #[test]
    fn prepends_ref_to_existing_all_of() {
        let (s, _) = lower_schema(json!({
            "allOf": [{ "required": ["a"] }],
            "$ref": "#/components/schemas/S"
        }));
        assert_eq!(s, json!({ "allOf": [{ "$ref": "#/components/schemas/S" }, { "required": ["a"] }] }));
    }

    #[test]
    fn refuses_id_and_schema_beside_ref() {
        assert_eq!(
            schema_errors(json!({
                "$ref": "#/components/schemas/S",
                "$id": "x",
                "$schema": "https://json-schema.org/draft/2020-12/schema"
            })),
            [
                at(Kind::Unsupported31Keyword, format!("{S}/$id")),
                at(Kind::Unsupported31Keyword, format!("{S}/$schema"))
            ]
        );
    }

    // ---- rule 4: examples ----

    #[test]
    fn lowers_schema_examples_to_first_example() {
        let (s, notes) = lower_schema(json!({ "type": "string", "examples": ["a", "b", "c"] }));
        assert_eq!(s, json!({ "type": "string", "example": "a" }));
        assert_eq!(noted(&notes), [(NoteKind::Examples, format!("{S}/examples").as_str())]);
        let (s, notes) = lower_schema(json!({ "type": "string", "examples": ["a"] }));
        assert_eq!(s, json!({ "type": "string", "example": "a" }));
        assert!(notes.is_empty());
    }

    #[test]
    fn drops_schema_examples_beside_example() {
        let (s, notes) = lower_schema(json!({ "example": "x", "examples": ["a"] }));
        assert_eq!(s, json!({ "example": "x" }));
        assert_eq!(noted(&notes), [(NoteKind::Examples, format!("{S}/examples").as_str())]);
    }

    #[test]
    fn leaves_media_type_and_parameter_examples_alone() {
        let mut doc = doc_with_schemas(json!({}));
        doc["paths"] = json!({ "/a": { "post": {
            "parameters": [{ "name": "q", "in": "query", "schema": { "type": "string" },
                             "examples": { "one": { "value": "1" } } }],
            "requestBody": { "content": { "application/json": {
                "schema": { "type": "object" },
                "examples": { "full": { "summary": "s", "value": { "examples": [1, 2] } } }
            } } },
            "responses": {}
        } } });
        let lowered = lower_ok(&doc);
        assert_eq!(lowered.doc["paths"], doc["paths"]);
    }

    // ---- rule 5: const ----

    #[test]
    fn lowers_const_to_enum() {
        let (s, _) = lower_schema(json!({ "type": "string", "const": "a", "title": "A" }));
        assert_eq!(s, json!({ "type": "string", "enum": ["a"], "title": "A" }));
        let (s, _) = lower_schema(json!({ "const": "a", "enum": ["a", "b"] }));
        assert_eq!(s, json!({ "enum": ["a"] }));
    }

    #[test]
    fn refuses_const_outside_enum_and_null_const() {
        assert_eq!(
            schema_errors(json!({ "const": "c", "enum": ["a", "b"] })),
            [at(Kind::NoValidValue, format!("{S}/const"))]
        );
        let (out, notes) = lower_schema(json!({ "const": null }));
        assert_eq!(out, json!({ "nullable": true }));
        assert_eq!(noted(&notes), [(NoteKind::NullOnly, S)]);
    }

    // ---- rule 6: exclusive bounds ----

    #[test]
    fn lowers_numeric_exclusive_bounds() {
        let (s, _) = lower_schema(json!({ "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5 }));
        assert_eq!(
            s,
            json!({ "type": "number", "minimum": 0, "exclusiveMinimum": true,
                    "maximum": 1.5, "exclusiveMaximum": true })
        );
    }

    #[test]
    fn keeps_the_stricter_bound() {
        // the inclusive bound is stricter: the exclusive one goes, with a note
        let (s, notes) =
            lower_schema(json!({ "minimum": 5, "exclusiveMinimum": 1, "maximum": 1, "exclusiveMaximum": 9 }));
        assert_eq!(s, json!({ "minimum": 5, "maximum": 1 }));
        assert_eq!(
            noted(&notes),
            [
                (NoteKind::ImpliedBound, format!("{S}/exclusiveMinimum").as_str()),
                (NoteKind::ImpliedBound, format!("{S}/exclusiveMaximum").as_str())
            ]
        );
        // the exclusive bound is stricter, or equal: it replaces the inclusive one
        let (s, notes) =
            lower_schema(json!({ "minimum": 0, "exclusiveMinimum": 0, "maximum": 10, "exclusiveMaximum": 3 }));
        assert_eq!(s, json!({ "minimum": 0, "exclusiveMinimum": true, "maximum": 3, "exclusiveMaximum": true }));
        assert!(notes.is_empty());
    }

    #[test]
    fn passes_boolean_exclusive_bounds_through() {
        let schema = json!({ "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": false });
        assert_eq!(lower_schema(schema.clone()).0, schema);
    }

    // ---- rule 7: content keywords ----

    #[test]
    fn lowers_content_encoding_and_media_type_to_formats() {
        let (s, notes) = lower_schema(json!({ "type": "string", "contentEncoding": "base64" }));
        assert_eq!(s, json!({ "type": "string", "format": "byte" }));
        assert!(notes.is_empty());
        let (s, _) = lower_schema(json!({ "type": "string", "contentMediaType": "application/octet-stream" }));
        assert_eq!(s, json!({ "type": "string", "format": "binary" }));
        let (s, _) = lower_schema(json!({
            "type": "string", "contentMediaType": "application/octet-stream", "contentEncoding": "base64"
        }));
        assert_eq!(s, json!({ "type": "string", "format": "byte" }));
    }

    #[test]
    fn drops_unmappable_content_keywords_with_a_note() {
        let (s, notes) = lower_schema(json!({ "type": "string", "contentMediaType": "image/png" }));
        assert_eq!(s, json!({ "type": "string" }));
        assert_eq!(noted(&notes), [(NoteKind::ContentKeyword, format!("{S}/contentMediaType").as_str())]);
        let (s, notes) = lower_schema(json!({ "type": "string", "format": "uri", "contentEncoding": "base64" }));
        assert_eq!(s, json!({ "type": "string", "format": "uri" }));
        assert_eq!(noted(&notes), [(NoteKind::ContentKeyword, format!("{S}/contentEncoding").as_str())]);
    }

    // ---- rule 8: refusals ----

    macro_rules! refusal {
        ($name:ident, $keyword:literal, $value:expr) => {
            #[test]
            fn $name() {
                let errors = lower_err(&doc_with_schemas(json!({
                    "S": { "type": "object", "properties": { "p": { $keyword: $value } } }
                })));
                let pointer = format!("{S}/properties/p/{}", crate::pointer::escape($keyword));
                assert_eq!(found(&errors), [(Kind::Unsupported31Keyword, pointer.as_str())]);
            }
        };
    }

    refusal!(refuses_dynamic_ref, "$dynamicRef", json!("#meta"));
    refusal!(refuses_dynamic_anchor, "$dynamicAnchor", json!("meta"));
    refusal!(refuses_if, "if", json!({ "type": "string" }));
    refusal!(refuses_then, "then", json!({ "type": "string" }));
    refusal!(refuses_else, "else", json!({ "type": "string" }));
    refusal!(refuses_dependent_schemas, "dependentSchemas", json!({ "a": {} }));
    refusal!(refuses_dependent_required, "dependentRequired", json!({ "a": ["b"] }));
    refusal!(refuses_unevaluated_properties, "unevaluatedProperties", json!(false));
    refusal!(refuses_unevaluated_items, "unevaluatedItems", json!(false));
    #[test]
    fn pattern_properties_become_additional_properties_and_a_null_type_value_the_null_type() {
        let Lowered { doc, notes } = lower_ok(&doc_with_schemas(json!({
            "S": { "type": "object", "properties": {
                "p": { "type": "object", "patternProperties": { "^x-": { "type": "string" } } },
                "q": { "anyOf": [{ "type": "string" }, { "type": null }] }
            } }
        })));
        let p = &doc["components"]["schemas"]["S"]["properties"]["p"];
        assert_eq!(p, &json!({ "type": "object", "additionalProperties": { "type": "string" } }));
        let q = &doc["components"]["schemas"]["S"]["properties"]["q"];
        assert_eq!(q, &json!({ "type": "string", "nullable": true }));
        assert_eq!(
            noted(&notes),
            [
                (NoteKind::PatternProperties, format!("{S}/properties/p/patternProperties").as_str()),
                (NoteKind::NullTypeValue, format!("{S}/properties/q/anyOf/1/type").as_str())
            ]
        );
        // beside `additionalProperties`, nothing can take their place
        let errors = lower_err(&doc_with_schemas(json!({
            "S": { "type": "object", "additionalProperties": true, "patternProperties": { "^x": {} } }
        })));
        assert_eq!(found(&errors), [(Kind::Unsupported31Keyword, format!("{S}/patternProperties").as_str())]);
    }

    #[test]
    fn lowers_a_tuple_to_an_array_of_the_union_of_its_items() {
        // tuple[int, str], as pydantic exports it
        let (out, notes) = lower_schema(json!({
            "type": "array", "minItems": 2, "maxItems": 2,
            "prefixItems": [{ "type": "integer" }, { "type": ["string", "null"] }]
        }));
        assert_eq!(
            out,
            json!({ "type": "array", "minItems": 2, "maxItems": 2,
                    "items": { "anyOf": [{ "type": "integer" }, { "type": "string", "nullable": true }] } })
        );
        assert_eq!(noted(&notes), [(NoteKind::Tuple, S)]);
        // tuple[float, float]: one item type, nothing lost; `items: false` closes it
        let (out, _) = lower_schema(json!({
            "prefixItems": [{ "type": "number" }, { "type": "number" }], "items": false, "maxItems": 2
        }));
        assert_eq!(out, json!({ "maxItems": 2, "items": { "type": "number" }, "type": "array" }));
        // the items are lowered too, and a broken one is refused at its place
        assert_eq!(
            schema_errors(json!({ "prefixItems": [{ "type": "string" }, { "if": {} }] })),
            [at(Kind::Unsupported31Keyword, format!("{S}/prefixItems/1/if"))]
        );
    }

    #[test]
    fn drops_property_names_with_a_note() {
        let (out, notes) = lower_schema(json!({
            "type": "object", "additionalProperties": { "type": "integer" },
            "propertyNames": { "$ref": "#/components/schemas/S" }
        }));
        assert_eq!(out, json!({ "type": "object", "additionalProperties": { "type": "integer" } }));
        assert_eq!(noted(&notes), [(NoteKind::PropertyNames, format!("{S}/propertyNames").as_str())]);
        assert!(notes[0].message.contains("`#/components/schemas/S`"), "{}", notes[0]);
    }

    #[test]
    fn translates_python_patterns() {
        assert_eq!(translate_python_pattern(r"^(?P<prefix>[A-Z]{2})-\d+$"), r"^(?<prefix>[A-Z]{2})-\d+$");
        assert_eq!(translate_python_pattern(r"(?P<a>x)(?P=a)"), r"(?<a>x)\k<a>");
        assert_eq!(translate_python_pattern(r"\Aabc\Z"), "^abc$");
        assert_eq!(translate_python_pattern(r"\\A\(?P<"), r"\\A\(?P<");
        let (out, notes) = lower_schema(json!({ "type": "string", "pattern": "^(?P<p>a)$" }));
        assert_eq!(out["pattern"], "^(?<p>a)$");
        assert_eq!(noted(&notes), [(NoteKind::PythonPattern, format!("{S}/pattern").as_str())]);
        let (_, notes) = lower_schema(json!({ "type": "string", "pattern": "^[a-z]+$" }));
        assert!(notes.is_empty());
    }
    refusal!(refuses_min_contains, "minContains", json!(1));
    refusal!(refuses_max_contains, "maxContains", json!(2));
    refusal!(refuses_contains, "contains", json!({ "type": "string" }));
    refusal!(refuses_nested_defs, "$defs", json!({ "Inner": { "type": "string" } }));
    refusal!(refuses_array_items, "items", json!([{ "type": "string" }]));

    #[test]
    fn lowers_true_schema_and_refuses_false() {
        let (s, _) = lower_schema(json!({ "properties": { "any": true }, "items": true }));
        assert_eq!(s, json!({ "properties": { "any": {} }, "items": {} }));
        assert_eq!(
            schema_errors(json!({ "properties": { "never": false } })),
            [at(Kind::NoValidValue, format!("{S}/properties/never"))]
        );
    }

    // ---- rules 9 and 10: passthrough ----

    #[test]
    fn keeps_everything_else() {
        let schema = json!({
            "properties": {
                "ids": { "items": { "type": "string", "format": "uuid" }, "type": "array",
                         "minItems": 1, "title": "Ids", "description": "d" },
                "meta": { "additionalProperties": true, "type": "object", "title": "Metadata" },
                "cat": { "type": "string", "default": "PLATFORM_DEFINED", "x-extra": [1] },
                "input": { "title": "Input" },
                "anything": {}
            },
            "type": "object",
            "required": ["ids"],
            "title": "S"
        });
        let (s, notes) = lower_schema(schema.clone());
        assert_eq!(s, schema);
        assert!(notes.is_empty());
    }

    // ---- parameters ----

    fn doc_with_params(params: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/api/x/{id}": { "get": { "parameters": params, "responses": {} } } }
        })
    }

    const P: &str = "/paths/~1api~1x~1{id}/get/parameters";

    #[test]
    fn lowers_nullable_path_parameter_as_non_nullable() {
        let lowered = lower_ok(&doc_with_params(json!([{
            "name": "id", "in": "path", "required": true,
            "schema": { "anyOf": [{ "type": "string", "format": "uuid" }, { "type": "null" }],
                        "title": "Id" }
        }, {
            "name": "q", "in": "query", "required": false,
            "schema": { "anyOf": [{ "type": "string", "format": "uuid" }, { "type": "null" }],
                        "title": "Q" }
        }])));
        let params = &lowered.doc["paths"]["/api/x/{id}"]["get"]["parameters"];
        assert_eq!(params[0]["schema"], json!({ "type": "string", "format": "uuid", "title": "Id" }));
        // only path parameters lose `nullable`
        assert_eq!(params[1]["schema"], json!({ "type": "string", "format": "uuid", "title": "Q", "nullable": true }));
        assert_eq!(noted(&lowered.notes), [(NoteKind::NullablePathParameter, format!("{P}/0").as_str())]);
    }

    #[test]
    fn refuses_path_parameter_that_is_not_required() {
        let errors = lower_err(&doc_with_params(json!([
            { "name": "id", "in": "path", "required": false, "schema": { "type": "string" } },
            { "name": "id2", "in": "path", "schema": { "type": "string" } }
        ])));
        assert_eq!(
            found(&errors),
            [
                (Kind::PathParameterNotRequired, format!("{P}/0/required").as_str()),
                (Kind::PathParameterNotRequired, format!("{P}/1").as_str())
            ]
        );
    }

    #[test]
    fn checks_referenced_parameters_where_they_are_defined() {
        let mut doc = doc_with_params(json!([{ "$ref": "#/components/parameters/Id" }]));
        doc["components"] = json!({ "parameters": { "Id": {
            "name": "id", "in": "path", "required": true,
            "schema": { "type": ["string", "null"] }
        } } });
        let lowered = lower_ok(&doc);
        assert_eq!(lowered.doc["components"]["parameters"]["Id"]["schema"], json!({ "type": "string" }));
        assert_eq!(noted(&lowered.notes), [(NoteKind::NullablePathParameter, "/components/parameters/Id")]);
    }

    // ---- references ----

    #[test]
    fn refuses_dangling_and_external_references() {
        let mut doc = doc_with_params(json!([
            { "$ref": "#/components/parameters/Missing" },
            { "name": "q", "in": "query", "schema": { "$ref": "other.json#/X" } }
        ]));
        doc["components"] = json!({ "schemas": {
            "A": { "properties": { "b": { "$ref": "#/components/schemas/B" } } }
        } });
        let errors = lower_err(&doc);
        assert_eq!(
            found(&errors),
            [
                (Kind::DanglingReference, "/components/schemas/A/properties/b/$ref"),
                (Kind::DanglingReference, format!("{P}/0/$ref").as_str()),
                (Kind::ExternalReference, format!("{P}/1/schema/$ref").as_str()),
            ]
        );
    }

    #[test]
    fn resolves_escaped_and_percent_encoded_references() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": { "/a/{id}": { "get": { "responses": { "200": { "description": "ok" } } } } },
            "components": { "schemas": {
                "A": { "$ref": "#/paths/~1a~1%7Bid%7D/get/responses/200" },
                "B": { "$ref": "#/components/schemas/A" }
            } }
        });
        lower_ok(&doc);
    }

    #[test]
    fn refuses_references_into_rewritten_schemas() {
        let errors = lower_err(&doc_with_schemas(json!({
            "A": { "anyOf": [{ "type": "string" }, { "type": "null" }] },
            "B": { "$ref": "#/components/schemas/A/anyOf/0" }
        })));
        assert_eq!(found(&errors), [(Kind::ReferenceIntoRewrittenSchema, "/components/schemas/B/$ref")]);
    }

    #[test]
    fn drops_siblings_of_non_schema_references() {
        let mut doc = doc_with_schemas(json!({}));
        doc["paths"] = json!({ "/a": { "get": { "responses": {
            "404": { "$ref": "#/components/responses/NotFound", "description": "gone" }
        } } } });
        doc["components"]["responses"] = json!({ "NotFound": { "description": "not found" } });
        let lowered = lower_ok(&doc);
        assert_eq!(
            lowered.doc["paths"]["/a"]["get"]["responses"]["404"],
            json!({ "$ref": "#/components/responses/NotFound" })
        );
        assert_eq!(noted(&lowered.notes), [(NoteKind::ReferenceSiblings, "/paths/~1a/get/responses/404")]);
    }

    // ---- the FastAPI export ----

    /// An excerpt of FastAPI's export of the service (openapi.fastapi.json).
    fn fastapi_excerpt() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": { "title": "Humm Config API", "version": "1.0.0" },
            "paths": {
                "/api/integration-sources/{source_id}/saas-associations": { "get": {
                    "tags": ["integration-sources"],
                    "operationId": "list_saas_associations",
                    "security": [{ "HTTPBearer": [] }],
                    "parameters": [
                        { "name": "source_id", "in": "path", "required": true, "schema": {
                            "anyOf": [{ "type": "string", "format": "uuid" }, { "type": "null" }],
                            "title": "Source Id" } },
                        { "name": "status", "in": "query", "required": false, "schema": {
                            "anyOf": [{ "$ref": "#/components/schemas/AssociationStatus" }, { "type": "null" }],
                            "description": "Filter associations by status", "title": "Status" },
                          "description": "Filter associations by status" }
                    ],
                    "responses": {
                        "200": { "description": "Successful Response", "content": { "application/json": {
                            "schema": { "type": "array",
                                        "items": { "$ref": "#/components/schemas/SaasAssociationResponse" },
                                        "title": "Response List Saas Associations" } } } },
                        "422": { "description": "Validation Error", "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/HTTPValidationError" } } } }
                    }
                } }
            },
            "components": {
                "schemas": {
                    "AssociationStatus": { "type": "string", "enum": ["SUGGESTED", "APPROVED", "REJECTED"],
                                           "title": "AssociationStatus" },
                    "RelationshipType": { "type": "string", "enum": ["FOREIGN_KEY", "INFERRED", "MANUAL"],
                                          "title": "RelationshipType" },
                    "HTTPValidationError": { "properties": { "detail": {
                        "items": { "$ref": "#/components/schemas/ValidationError" },
                        "type": "array", "title": "Detail" } },
                        "type": "object", "title": "HTTPValidationError" },
                    "SaasAssociationResponse": {
                        "properties": {
                            "metadata_": { "additionalProperties": true, "type": "object", "title": "Metadata" },
                            "relationship_type": { "$ref": "#/components/schemas/RelationshipType",
                                "description": "Relationship type (platform vendor, inferred heuristic, manual override)",
                                "default": "FOREIGN_KEY" },
                            "score": { "anyOf": [{ "type": "number" }, { "type": "null" }], "title": "Score",
                                "description": "Confidence score assigned by inference pipeline (0.0-1.0)" },
                            "evidence": { "anyOf": [{ "additionalProperties": true, "type": "object" },
                                                    { "type": "null" }],
                                          "title": "Evidence" }
                        },
                        "type": "object",
                        "required": ["metadata_"],
                        "title": "SaasAssociationResponse"
                    },
                    "SaasAssociationUpdate": { "properties": {
                        "relationship_type": { "anyOf": [{ "$ref": "#/components/schemas/RelationshipType" },
                                                         { "type": "null" }] }
                    }, "type": "object", "title": "SaasAssociationUpdate" },
                    "ValidationError": {
                        "properties": {
                            "loc": { "items": { "anyOf": [{ "type": "string" }, { "type": "integer" }] },
                                     "type": "array", "title": "Location" },
                            "input": { "title": "Input" },
                            "ctx": { "type": "object", "title": "Context" }
                        },
                        "type": "object", "required": ["loc"], "title": "ValidationError"
                    }
                },
                "securitySchemes": { "HTTPBearer": { "type": "http", "scheme": "bearer" } }
            }
        })
    }

    #[test]
    fn lowers_the_fastapi_excerpt() {
        let input = fastapi_excerpt();
        let lowered = lower_ok(&input);

        let mut expected = input;
        expected["openapi"] = json!("3.0.3");
        let op = &mut expected["paths"]["/api/integration-sources/{source_id}/saas-associations"]["get"];
        op["parameters"][0]["schema"] = json!({ "type": "string", "format": "uuid", "title": "Source Id" });
        op["parameters"][1]["schema"] = json!({
            "allOf": [{ "$ref": "#/components/schemas/AssociationStatus" }],
            "description": "Filter associations by status", "title": "Status", "nullable": true
        });
        let schemas = &mut expected["components"]["schemas"];
        let props = &mut schemas["SaasAssociationResponse"]["properties"];
        props["relationship_type"] = json!({
            "allOf": [{ "$ref": "#/components/schemas/RelationshipType" }],
            "description": "Relationship type (platform vendor, inferred heuristic, manual override)",
            "default": "FOREIGN_KEY"
        });
        props["score"] = json!({
            "type": "number", "title": "Score",
            "description": "Confidence score assigned by inference pipeline (0.0-1.0)", "nullable": true
        });
        props["evidence"] = json!({
            "additionalProperties": true, "type": "object", "title": "Evidence", "nullable": true
        });
        schemas["SaasAssociationUpdate"]["properties"]["relationship_type"] = json!({
            "allOf": [{ "$ref": "#/components/schemas/RelationshipType" }], "nullable": true
        });

        assert_eq!(lowered.doc, expected);
        // same key order, not just the same maps
        assert_eq!(lowered.doc.to_string(), expected.to_string());
        assert_eq!(
            noted(&lowered.notes),
            [(
                NoteKind::NullablePathParameter,
                "/paths/~1api~1integration-sources~1{source_id}~1saas-associations/get/parameters/0"
            )]
        );
    }

    #[test]
    fn lowering_is_idempotent() {
        let once = lower_ok(&fastapi_excerpt());
        let twice = lower_ok(&once.doc);
        assert_eq!(twice.doc.to_string(), once.doc.to_string());
        assert!(twice.notes.is_empty(), "{:?}", twice.notes);

        let schema = json!({ "properties": {
            "a": { "type": ["string", "integer", "null"] },
            "b": { "exclusiveMinimum": 1, "examples": [1, 2], "const": 2 },
            "c": { "contentEncoding": "base64", "type": "string" },
            "d": { "$ref": "#/components/schemas/S", "nullable": true }
        } });
        let once = lower_ok(&doc_with_schemas(json!({ "S": schema })));
        let twice = lower_ok(&once.doc);
        assert_eq!(twice.doc.to_string(), once.doc.to_string());
    }

    #[test]
    fn reports_all_errors_sorted_by_pointer() {
        let mut doc = doc_with_schemas(json!({
            "Z": { "prefixItems": 3 },
            "A": { "properties": {
                "x": { "type": "null" },
                "y": { "$ref": "#/components/schemas/Nope" },
                "w": false
            } }
        }));
        doc["paths"] = json!({ "/p/{id}": { "get": { "parameters": [
            { "name": "id", "in": "path", "schema": { "if": {} } }
        ] } } });
        let errors = lower_err(&doc);
        assert_eq!(
            found(&errors),
            [
                (Kind::NoValidValue, "/components/schemas/A/properties/w"),
                (Kind::DanglingReference, "/components/schemas/A/properties/y/$ref"),
                (Kind::WrongType, "/components/schemas/Z/prefixItems"),
                (Kind::PathParameterNotRequired, "/paths/~1p~1{id}/get/parameters/0"),
                (Kind::Unsupported31Keyword, "/paths/~1p~1{id}/get/parameters/0/schema/if"),
            ]
        );
        for e in &errors {
            // what is wrong, then what to do; lowercase, no trailing period
            let fix = e.fix.as_deref().unwrap_or_else(|| panic!("no fix: {e}"));
            for text in [e.message.as_str(), fix] {
                assert!(!text.ends_with('.') && !text.starts_with(char::is_uppercase), "{e}");
            }
        }
    }

    #[test]
    fn odd_shapes_never_panic() {
        let schemas = [
            json!(1),
            json!("string"),
            json!(null),
            json!([1, 2]),
            json!({ "properties": [] }),
            json!({ "properties": { "a": 3 } }),
            json!({ "items": "x" }),
            json!({ "anyOf": {} }),
            json!({ "anyOf": [] }),
            json!({ "oneOf": [1, { "type": "null" }] }),
            json!({ "anyOf": [{ "type": "null" }, { "type": "null" }] }),
            json!({ "allOf": "x", "$ref": "#/components/schemas/S" }),
            json!({ "type": 7 }),
            json!({ "type": [1, "null"] }),
            json!({ "type": ["string", "integer"], "anyOf": [] }),
            json!({ "examples": {} }),
            json!({ "examples": [] }),
            json!({ "exclusiveMinimum": "1" }),
            json!({ "exclusiveMaximum": 1, "maximum": "2" }),
            json!({ "contentEncoding": 5, "contentMediaType": [] }),
            json!({ "contentEncoding": "base64", "type": "integer" }),
            json!({ "const": [1], "enum": "x" }),
            json!({ "$ref": 5 }),
            json!({ "$ref": "#" }),
            json!({ "$ref": "#anchor" }),
            json!({ "$ref": "#/%zz" }),
            json!({ "$ref": "#/%ff" }),
            json!({ "$ref": "" }),
            json!({ "not": 5, "additionalProperties": "x" }),
        ];
        for schema in schemas {
            let _ = lower(&doc_with_schemas(json!({ "S": schema })));
        }
        let documents = [
            json!({ "openapi": "3.1.0", "paths": { "/a": 1, "/b": { "get": [], "parameters": {} } } }),
            json!({ "openapi": "3.1.0", "paths": { "/a": { "get": {
                "parameters": [1, null, { "in": "path", "schema": 4 }, { "$ref": 1 }],
                "requestBody": [],
                "responses": { "200": 5, "x-ext": 1, "201": { "headers": [], "content": 3, "links": "x" } },
                "callbacks": { "cb": { "{$url}": { "post": { "responses": [] } } }, "bad": 1 }
            } } } }),
            json!({ "openapi": "3.1.0", "paths": {}, "components": "x" }),
            json!({ "openapi": "3.1.0", "paths": {}, "components": {
                "schemas": [], "parameters": 1, "responses": { "r": { "content": { "a/b": {
                    "encoding": { "e": { "headers": { "h": { "schema": false } } }, "f": 1 }
                } } } },
                "securitySchemes": { "s": 1 }, "examples": { "e": { "$ref": "#/nope" } },
                "pathItems": 1, "headers": { "h": [] }, "callbacks": { "c": [] }
            } }),
            json!({ "openapi": "3.1.0", "paths": {}, "info": [], "webhooks": "x" }),
            json!({ "openapi": "3.1.0", "paths": {}, "info": { "license": 1 } }),
            json!({ "openapi": null }),
        ];
        for doc in documents {
            let _ = lower(&doc);
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let mut schema = json!({ "type": "string" });
        for _ in 0..300 {
            schema = json!({ "items": schema });
        }
        let errors = lower_err(&doc_with_schemas(json!({ "S": schema })));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind, Kind::TooDeep);
    }
}
