//! The contract stub's engine: answers any operation of a lowered OpenAPI
//! 3.0.3 document as the FastAPI service that exported it would, with no
//! code written for the spec.
//!
//! For each request, in FastAPI's order:
//!
//! 1. **Routing**, as Starlette does: no path of the spec matches → 404
//!    `{"detail":"Not Found"}`; the path matches but not the method → 405
//!    `{"detail":"Method Not Allowed"}` with `Allow`. A literal segment beats
//!    a variable one (`/users/me` before `/users/{user_id}`).
//! 2. **Parameters and body** are validated as FastAPI validates them
//!    ([`crate::validate`]): path, query, header and cookie parameters, then
//!    the body; every error goes into one 422, as FastAPI collects them.
//! 3. **The answer**: a hand-written override if one is registered for the
//!    operation ([`Engine::with_override`]); else, for an operation of a
//!    stateful resource ([`crate::resources`]), the store's answer; else the
//!    spec's example for the first documented success status, or a value
//!    made from its schema, the same for the same request.
//!
//! Every success body is projected onto the response schema through the
//! validator, so it carries every field of the response model in the
//! model's order, dumped as pydantic dumps it. A body that does not fit
//! (a stored item the create made from another model, a list of items
//! missing a field the list's model requires) is made to fit
//! ([`Engine::conform`]): what fits is kept, the rest is made from the
//! schema, so that every answer is valid against its documented response.
//! An example the spec documents that its own schema refuses is never
//! served: the engine makes a value from the schema instead and says so
//! once, at start-up ([`Engine::notes`]).

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use crate::resources::{Binding, Missing, Override, Resources, Role, Store, resolve};
use crate::template;
use crate::validate::{ValidationError, Validator};

/// A request as the engine reads it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Uppercase (`GET`).
    pub method: &'a str,
    /// The path, percent-encoded as sent, without the query.
    pub path: &'a str,
    /// The query string without `?` (empty when there is none).
    pub query: &'a str,
    pub headers: &'a http::HeaderMap,
    pub body: &'a [u8],
}

/// What the engine answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Each (name, value); `content-type` among them when there is a body.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// A JSON answer, written compactly as Starlette's `JSONResponse` does.
    pub fn json(status: u16, value: &Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    /// FastAPI's `{"detail": ...}` error.
    pub fn detail(status: u16, detail: &str) -> Self {
        Self::json(status, &json!({ "detail": detail }))
    }

    /// A header of the answer.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What a hand-written override receives: the validated request.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    pub operation_id: &'a str,
    /// Validated parameters by name: path, query, header and cookie.
    pub params: &'a Map<String, Value>,
    /// The validated body (`Null` when there is none).
    pub body: &'a Value,
    /// The body's own JSON object keys, as sent (FastAPI's `exclude_unset`).
    pub sent: &'a [String],
}

/// A hand-written answer for one operation.
pub type Handler = Arc<dyn Fn(&Call<'_>, &mut Store) -> Reply + Send + Sync>;

/// What a hand-written handler answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// This body, with the operation's first success status, projected onto
    /// its response schema as every default answer is.
    Success(Value),
    /// This answer, as it is (an error, another status).
    Answer(Answer),
    /// What the engine would answer without the override (the handler only
    /// looked, or refused nothing).
    Default,
}

/// How each operation is answered, for the start-up lines and `cargo xtask check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A registered override.
    HandWritten,
    /// The store, by the path convention.
    Stateful { collection: String, role: Role },
    /// The spec's example (or a value made from the schema).
    Example,
}

impl Source {
    /// How `operation_id` is answered: by hand when it is `hand_written`,
    /// else from the store where `resources` bind it, else from its
    /// example. The engine's start-up lines and `cargo xtask check` both
    /// ask this.
    pub fn of(resources: &Resources, operation_id: &str, hand_written: bool) -> Source {
        if hand_written {
            Source::HandWritten
        } else if let Some(b) = resources.binding(operation_id) {
            Source::Stateful { collection: resources.resources[b.resource].collection.clone(), role: b.role }
        } else {
            Source::Example
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

impl Location {
    fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    location: Location,
    required: bool,
    schema: Value,
}

#[derive(Debug, Clone)]
enum BodyKind {
    Json,
    Form,
    Raw,
}

#[derive(Debug, Clone)]
struct Body {
    kind: BodyKind,
    schema: Value,
    required: bool,
}

#[derive(Debug, Clone)]
struct Success {
    status: u16,
    media: Option<String>,
    schema: Option<Value>,
    example: Option<Value>,
}

#[derive(Debug, Clone)]
struct Operation {
    id: String,
    method: String,
    path: String,
    /// The path template's segments, split once.
    segments: Vec<String>,
    params: Vec<Param>,
    body: Option<Body>,
    success: Success,
    /// The JSON schema of each refusal status the operation documents.
    documented: BTreeMap<u16, Value>,
    binding: Option<Binding>,
}

/// The engine for one spec.
pub struct Engine {
    /// Shared, not copied: a stub reads its spec once per process and
    /// starts any number of engines on it.
    doc: Arc<Value>,
    /// Larger request bodies are a 413.
    body_limit: usize,
    security: crate::security::Security,
    operations: Vec<Operation>,
    resources: Resources,
    /// The schema of one stored item, per resource (see [`Engine::item_schema`]).
    item_schemas: Vec<Option<Value>>,
    overrides: BTreeMap<String, Handler>,
    state: Mutex<State>,
    /// What the engine serves differently from the spec, for the start-up lines.
    notes: Vec<String>,
}

struct State {
    store: Store,
    /// Paths a DELETE answered with a success (one that names something: a
    /// path with a variable): they, and every path under them, are a 404
    /// for the operations that answer from examples, until reset or until
    /// a PUT or POST at the path makes it again.
    deleted: std::collections::BTreeSet<String>,
    /// The last id the stub assigned, per resource.
    counters: BTreeMap<usize, u64>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("operations", &self.operations.len()).finish_non_exhaustive()
    }
}

/// The body limit unless set otherwise: `codegen.toml`'s default.
const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl Engine {
    /// The engine for a lowered document, with the convention corrected by
    /// `corrections` (operationId → correction).
    pub fn new(doc: impl Into<Arc<Value>>, corrections: &BTreeMap<String, Override>) -> Self {
        let doc: Arc<Value> = doc.into();
        let resources = crate::resources::recognise(&doc, corrections);
        let mut operations = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in METHODS {
                    let Some(op) = item.get(method) else { continue };
                    let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
                    let binding = resources.binding(&id);
                    operations.push(Operation {
                        params: params_of(&doc, item, op),
                        body: body_of(&doc, op),
                        success: success_of(&doc, op),
                        documented: documented_of(&doc, op),
                        method: method.to_uppercase(),
                        segments: template::segments(path).into_iter().map(str::to_string).collect(),
                        path: path.clone(),
                        id,
                        binding,
                    });
                }
            }
        }
        // an example its own schema refuses is not served
        let mut notes = Vec::new();
        let validator = Validator::new(&doc);
        for op in &mut operations {
            let s = &mut op.success;
            let json = s.media.as_deref().is_some_and(is_json);
            if let (Some(example), Some(schema), true) = (&s.example, &s.schema, json)
                && let Err(errors) = validator.validate_value(schema, example, &[])
            {
                let why = errors.first().map(|e| e.msg.clone()).unwrap_or_default();
                notes.push(format!(
                    "{}: the example of its {} response does not fit the response's schema ({why}): a value made from the schema is served instead",
                    op.id, s.status
                ));
                s.example = None;
            }
        }
        let state = State { store: Store::new(&resources), counters: BTreeMap::new(), deleted: Default::default() };
        let security = crate::security::Security::new(&doc, crate::security::Policy::default());
        // the read's response, else the create's, else the replace's
        let item_schemas = (0..resources.resources.len())
            .map(|resource| {
                let of = |role: Role| {
                    operations
                        .iter()
                        .find(|op| op.binding == Some(Binding { resource, role }))
                        .and_then(|op| op.success.schema.clone())
                };
                of(Role::Read)
                    .or_else(|| of(Role::Create))
                    .or_else(|| of(Role::Replace))
                    .map(|schema| unwrap_envelope(&doc, &schema).1.clone())
            })
            .collect();
        Self {
            doc,
            body_limit: DEFAULT_BODY_LIMIT,
            security,
            operations,
            resources,
            item_schemas,
            overrides: BTreeMap::new(),
            state: Mutex::new(state),
            notes,
        }
    }

    /// Where the engine serves something other than what the spec says,
    /// and why: one line each, for the stub's start-up lines.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The largest request body answered; a larger one is a 413 (FastAPI
    /// sets no limit; a stub holds what it is sent in memory).
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Which credentials the engine accepts, and how it refuses others
    /// (any well-formed credential by default).
    pub fn with_policy(mut self, policy: crate::security::Policy) -> Self {
        self.security = crate::security::Security::new(&self.doc, policy);
        self
    }

    /// Answers `operation_id` with `handler` instead of the default.
    pub fn with_override(mut self, operation_id: &str, handler: Handler) -> Self {
        self.overrides.insert(operation_id.to_string(), handler);
        self
    }

    /// The lowered document it serves.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// The resources the engine keeps.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// How each operation is answered, in the spec's order.
    pub fn sources(&self) -> Vec<(String, Source)> {
        self.operations
            .iter()
            .map(|op| (op.id.clone(), Source::of(&self.resources, &op.id, self.overrides.contains_key(&op.id))))
            .collect()
    }

    /// Runs `f` on the store (to load fixtures, or to look).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut state.store)
    }

    /// Loads fixtures: a JSON object from a resource's collection path
    /// (`/items/{item_id}/notes`) to an array of items in the shape its read
    /// answers. An item's id is its id property; a nested item names its
    /// parents by the path's variable names (`item_id`), as a field of its
    /// model or, where the model names the parent otherwise, as a field of
    /// the fixture only (the seed's associations carry
    /// `integration_source_id`; their fixtures add `source_id`). Returns how many
    /// items were stored; an entry that fits nowhere is refused with its
    /// place, and nothing is stored then.
    pub fn load_fixtures(&self, fixtures: &Value) -> Result<usize, String> {
        let Some(fixtures) = fixtures.as_object() else {
            return Err("fixtures must be a JSON object from collection paths to arrays of items".into());
        };
        let mut puts = Vec::new();
        for (collection, items) in fixtures {
            let Some(index) = self.resources.resources.iter().position(|r| &r.collection == collection) else {
                let known: Vec<&str> = self.resources.resources.iter().map(|r| r.collection.as_str()).collect();
                return Err(format!("{collection}: not a resource of the spec (resources: {})", known.join(", ")));
            };
            let resource = &self.resources.resources[index];
            let schema = self.item_schema(index).cloned().unwrap_or(json!({}));
            let id_property = id_property(&self.doc, &schema, &resource.id_param, &resource.collection);
            let validator = Validator::new(&self.doc);
            for (i, given) in items.as_array().into_iter().flatten().enumerate() {
                let place = format!("{collection}[{i}]");
                let item = validator
                    .validate_value(&schema, given, &[])
                    .map_err(|e| format!("{place}: not a valid item: {}", crate::validate::detail_value(&e)))?;
                let id = id_property
                    .as_ref()
                    .and_then(|p| item.get(p))
                    .ok_or_else(|| format!("{place}: has no id property ({})", resource.id_param))?;
                let parents = resource
                    .parent_params
                    .iter()
                    .map(|p| {
                        // as the item names it, or as the fixture does where
                        // the model names its parent otherwise
                        item.get(p)
                            .or_else(|| given.get(p))
                            .map(|v| key_of(Some(v)))
                            .ok_or_else(|| format!("{place}: does not name its parent `{p}`"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                puts.push((index, parents, key_of(Some(id)), item.clone()));
            }
            if !items.is_array() {
                return Err(format!("{collection}: expected an array of items"));
            }
        }
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = puts.len();
        for (index, parents, id, item) in puts {
            state
                .store
                .put(index, &parents, id, item)
                .map_err(|_| "a parent of a fixture is not among the fixtures".to_string())?;
        }
        Ok(count)
    }

    /// Forgets every stored item and restarts the id counters.
    pub fn reset(&self) {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        state.store.clear();
        state.counters.clear();
        state.deleted.clear();
    }

    /// The answer to one request.
    pub fn answer(&self, request: &Request<'_>) -> Answer {
        let path = request.path;
        let given = template::segments(path);
        let matching: Vec<(&Operation, Vec<bool>)> = self
            .operations
            .iter()
            .filter_map(|op| template::matches_segments(&op.segments, &given).map(|literals| (op, literals)))
            .collect();
        let Some(best) = matching.iter().map(|(_, l)| l).max() else {
            return Answer::detail(404, "Not Found");
        };
        let mut on_path: Vec<&Operation> = matching.iter().filter(|(_, l)| l == best).map(|(op, _)| *op).collect();
        // two templates naming one place differently (`/roles/{id}` beside
        // `/roles/{scope}`): where the values given fit the path parameters
        // of exactly one, the path is that one's (its methods, its `Allow`);
        // else every operation at the place is a candidate, as Starlette
        // tries its routes in turn
        if on_path.iter().any(|op| op.path != on_path[0].path) {
            let validator = Validator::new(&self.doc);
            let fits = |op: &Operation| {
                let values = path_values(&op.path, path);
                op.params.iter().filter(|p| p.location == Location::Path).all(|p| {
                    values.get(&p.name).is_some_and(|v| validator.validate_value(&p.schema, &json!(v), &[]).is_ok())
                })
            };
            let mut fitting: Vec<&str> = on_path.iter().filter(|op| fits(op)).map(|op| op.path.as_str()).collect();
            fitting.dedup();
            if let [only] = fitting.as_slice() {
                let only = only.to_string();
                on_path.retain(|op| op.path == only);
            }
        }
        let Some(op) = on_path.iter().find(|op| op.method == request.method) else {
            let mut answer = Answer::detail(405, "Method Not Allowed");
            let allow = on_path.iter().map(|op| op.method.as_str()).collect::<Vec<_>>().join(", ");
            answer.headers.push(("allow".into(), allow));
            return answer;
        };
        let answer = self.answer_for(op, request);
        self.as_documented(op, answer, seed_of(request))
    }

    /// A refusal (401, 404, 422, …) whose status the operation documents
    /// with its own schema (an OAuth error `{"error": …}`, a service's
    /// `{"message": …}`): its body made to fit that schema, keeping what
    /// fits of FastAPI's (the service answers it so, or its export would
    /// say otherwise).
    fn as_documented(&self, op: &Operation, mut answer: Answer, seed: u64) -> Answer {
        let Some(schema) = op.documented.get(&answer.status) else { return answer };
        let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        if Validator::new(&self.doc).validate_value(schema, &body, &[]).is_ok() {
            return answer;
        }
        let fitted = self.conform(schema, body, seed);
        answer.body = serde_json::to_vec(&fitted).unwrap_or_default();
        answer
    }

    /// The answer of `op`, routed already.
    fn answer_for(&self, op: &Operation, request: &Request<'_>) -> Answer {
        let path = request.path;
        if request.body.len() > self.body_limit {
            let detail = format!("the request body is larger than {} bytes", self.body_limit);
            return Answer::detail(413, &detail);
        }
        // FastAPI reads a JSON body first: malformed JSON is a 422 before
        // anything else. The body is parsed once, here.
        let mut parsed: Option<Value> = None;
        if let Some(Body { kind: BodyKind::Json, schema, required }) = &op.body
            && declares_json(request.headers)
            && !request.body.is_empty()
        {
            match serde_json::from_slice::<Value>(request.body) {
                Ok(value) => parsed = Some(value),
                Err(_) => {
                    let errors = Validator::new(&self.doc)
                        .validate_body(schema, *required, request.body)
                        .err()
                        .unwrap_or_default();
                    return Answer::json(422, &crate::validate::detail_value(&errors));
                }
            }
        }
        // then its dependencies, security first: a refusal ends the request
        let credentials = crate::security::Parts::new(request.headers, Some(request.query));
        if let Err(rejection) = self.security.check(&op.path, &op.method.to_ascii_lowercase(), &credentials) {
            let mut answer = Answer::json(rejection.status, &rejection.body());
            if let Some(challenge) = &rejection.www_authenticate {
                answer.headers.push(("www-authenticate".into(), challenge.clone()));
            }
            return answer;
        }
        let validator = Validator::new(&self.doc);
        let mut errors: Vec<ValidationError> = Vec::new();
        let mut params = Map::new();
        let raw_path = path_values(&op.path, path);
        let query = form_pairs(request.query);
        let cookies = crate::cookies::parse_cookies(request.headers);
        for location in [Location::Path, Location::Query, Location::Header, Location::Cookie] {
            for p in op.params.iter().filter(|p| p.location == location) {
                let given: Option<Value> = match location {
                    Location::Path => raw_path.get(&p.name).map(|v| Value::String(v.clone())),
                    Location::Query => {
                        let all: Vec<&String> = query.iter().filter(|(k, _)| k == &p.name).map(|(_, v)| v).collect();
                        if is_array(&self.doc, &p.schema) {
                            (!all.is_empty()).then(|| Value::Array(all.into_iter().map(|v| json!(v)).collect()))
                        } else {
                            all.last().map(|v| json!(v))
                        }
                    }
                    Location::Header => {
                        let values: Vec<Value> = request
                            .headers
                            .get_all(p.name.as_str())
                            .iter()
                            .filter_map(|v| v.to_str().ok())
                            .map(|v| json!(v))
                            .collect();
                        if is_array(&self.doc, &p.schema) {
                            (!values.is_empty()).then_some(Value::Array(values))
                        } else {
                            values.last().cloned()
                        }
                    }
                    Location::Cookie => cookies.get(&p.name).map(|v| json!(v)),
                };
                let loc = [json!(location.as_str()), json!(p.name)];
                match given {
                    Some(value) => match validator.validate_value(&p.schema, &value, &loc) {
                        Ok(v) => {
                            params.insert(p.name.clone(), v);
                        }
                        Err(e) => errors.extend(e),
                    },
                    None if p.required => errors.push(ValidationError {
                        kind: "missing".into(),
                        loc: loc.to_vec(),
                        msg: "Field required".into(),
                        input: Value::Null,
                        ctx: None,
                    }),
                    None => {
                        params.insert(
                            p.name.clone(),
                            resolve(&self.doc, &p.schema).get("default").cloned().unwrap_or(Value::Null),
                        );
                    }
                }
            }
        }
        let mut sent: Vec<String> = Vec::new();
        let body = match &op.body {
            None => Value::Null,
            Some(Body { kind: BodyKind::Json, schema, required }) if declares_json(request.headers) => {
                if let Some(Value::Object(raw)) = &parsed {
                    sent = raw.keys().cloned().collect();
                }
                let checked = match &parsed {
                    Some(input) => validator.validate_parsed_body(schema, *required, input, request.body),
                    None => validator.validate_body(schema, *required, request.body),
                };
                valid_or(checked, &mut errors)
            }
            // FastAPI reads a body of another declared type as bytes, which
            // then fail the model (`model_attributes_type`)
            Some(Body { kind: BodyKind::Json, schema, required }) => {
                let checked = if request.body.is_empty() {
                    validator.validate_body(schema, *required, request.body)
                } else {
                    let text = Value::String(String::from_utf8_lossy(request.body).into_owned());
                    validator.validate_value(schema, &text, &[json!("body")])
                };
                valid_or(checked, &mut errors)
            }
            Some(Body { kind: BodyKind::Form, schema, required }) => {
                let mut object = Map::new();
                // a multipart body's parts, or a url-encoded form's pairs; a
                // file's content stands for the file
                let pairs = multipart_pairs(request.headers, request.body).unwrap_or_else(|| {
                    let text = std::str::from_utf8(request.body).unwrap_or_default();
                    form_pairs(text).into_iter().map(|(k, v)| (k, v, false)).collect()
                });
                // a field declared as a file that got a plain part: FastAPI's
                // check of `UploadFile` refuses it
                let mut not_files: Vec<ValidationError> = Vec::new();
                for (k, v, is_file) in pairs {
                    let property = resolve(&self.doc, schema)
                        .pointer(&format!("/properties/{}", k.replace('~', "~0").replace('/', "~1")));
                    let many = property.is_some_and(|p| is_array(&self.doc, p));
                    let file = property.is_some_and(|p| {
                        let p = resolve(&self.doc, p);
                        is_file_schema(resolve(&self.doc, if many { p.get("items").unwrap_or(p) } else { p }))
                    });
                    let mut loc = vec![json!("body"), json!(k)];
                    if many {
                        let entry = object.entry(k).or_insert_with(|| json!([]));
                        if let Value::Array(a) = entry {
                            loc.push(json!(a.len()));
                            a.push(json!(v));
                        }
                    } else {
                        object.insert(k, json!(v));
                    }
                    if file && !is_file {
                        not_files.push(ValidationError {
                            kind: "value_error".into(),
                            loc,
                            msg: "Value error, Expected UploadFile, received: <class 'str'>".into(),
                            input: json!(v),
                            ctx: Some(Map::from_iter([("error".to_string(), json!({}))])),
                        });
                    }
                }
                sent = object.keys().cloned().collect();
                if object.is_empty() && !*required {
                    Value::Null
                } else {
                    match validator.validate_value(schema, &Value::Object(object), &[json!("body")]) {
                        Ok(v) if not_files.is_empty() => v,
                        Ok(_) => {
                            errors.extend(not_files);
                            Value::Null
                        }
                        Err(e) => {
                            // FastAPI validates a form field by field: a
                            // missing one has no input; a file refusal comes
                            // in its field's place
                            let mut e: Vec<ValidationError> = e
                                .into_iter()
                                .map(|mut e| {
                                    if e.kind == "missing" && e.loc.len() == 2 {
                                        e.input = Value::Null;
                                    }
                                    e
                                })
                                .collect();
                            e.extend(not_files);
                            e.sort_by_key(|e| field_order(&self.doc, schema, e.loc.get(1)));
                            errors.extend(e);
                            Value::Null
                        }
                    }
                }
            }
            // a raw body the service reads itself, as FastAPI leaves it to
            // the endpoint: nothing is checked, not even its presence
            Some(Body { kind: BodyKind::Raw, .. }) => Value::String(String::from_utf8_lossy(request.body).into_owned()),
        };
        if !errors.is_empty() {
            return Answer::json(422, &crate::validate::detail_value(&errors));
        }
        let call = Call { operation_id: &op.id, params: &params, body: &body, sent: &sent };
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(handler) = self.overrides.get(&op.id) {
            match handler(&call, &mut state.store) {
                Reply::Success(value) => return self.success(op, Some(value)),
                Reply::Answer(answer) => return answer,
                Reply::Default => {}
            }
        }
        let seed = seed_of(request);
        // a PUT or POST at a deleted path makes it again
        if matches!(op.method.as_str(), "PUT" | "POST") {
            state.deleted.remove(path);
        }
        let gone = state
            .deleted
            .iter()
            .any(|d| path == d || path.strip_prefix(d.as_str()).is_some_and(|r| r.starts_with('/')));
        let answer = match op.binding {
            Some(binding) => {
                let raw: BTreeMap<&str, &str> =
                    template::values(&op.path, path).unwrap_or_default().into_iter().collect();
                self.stateful(op, binding, &call, &raw, &mut state, seed)
            }
            // what was deleted stays gone, and so does what was under it
            None if gone => Answer::detail(404, "Not Found"),
            None => self.example(op, seed, call.body),
        };
        // a delete of something a path names (it has a variable: not
        // `DELETE /sessions`, which empties a collection)
        if op.method == "DELETE"
            && (200..300).contains(&answer.status)
            && op.segments.iter().any(|s| template::has_variables(s))
        {
            state.deleted.insert(path.to_string());
        }
        if op.method == "POST" && (200..300).contains(&answer.status) {
            // something created again under a deleted path is there again
            // (an example answers the same request with the same id)
            let created = created_ids(&answer);
            state.deleted.retain(|d| !created.iter().any(|id| d.ends_with(&format!("/{id}"))));
        }
        answer
    }

    /// The default answer: the spec's example, or a value made from the
    /// schema with the fields of the request body that it has (so that an
    /// operation that echoes what it was sent, as a validation endpoint
    /// does, answers what it was sent).
    fn example(&self, op: &Operation, seed: u64, body: &Value) -> Answer {
        let s = &op.success;
        let value = s.example.clone().or_else(|| {
            s.schema.as_ref().map(|schema| {
                let mut value = synthesize(&self.doc, schema, seed);
                overlay(&self.doc, &mut value, schema, body, None);
                value
            })
        });
        self.success(op, value)
    }

    /// A success answer with `value` as its body, projected onto the schema.
    fn success(&self, op: &Operation, value: Option<Value>) -> Answer {
        self.answer_with(op, value, true)
    }

    /// [`Engine::success`] for a value already in the response's dumped
    /// form (a stored item: items are projected when they are stored).
    fn stored(&self, op: &Operation, value: Option<Value>) -> Answer {
        self.answer_with(op, value, false)
    }

    /// `value` projected onto `schema` as pydantic dumps it (every field, in
    /// the model's order), or as it is when it does not fit.
    fn project(&self, schema: &Value, value: Value) -> Value {
        Validator::new(&self.doc).validate_value(schema, &value, &[]).unwrap_or(value)
    }

    fn answer_with(&self, op: &Operation, value: Option<Value>, project: bool) -> Answer {
        let value = value.unwrap_or(Value::Null);
        let json = op.success.media.as_deref().is_some_and(is_json);
        match &op.success.schema {
            Some(schema) if project && json => self.render(op, &self.conform(schema, value, 0)),
            Some(schema) if json => {
                // a stored value is in its dumped form already: checked, not projected again
                if Validator::new(&self.doc).validate_value(schema, &value, &[]).is_ok() {
                    let mut value = value;
                    with_offsets(&self.doc, schema, &mut value, 0);
                    self.render(op, &value)
                } else {
                    self.render(op, &self.conform(schema, value, 0))
                }
            }
            _ => self.render(op, &value),
        }
    }

    /// `value` as the response `schema` takes it: projected as pydantic
    /// dumps it when it fits; else, part by part, what fits is kept (the
    /// items of an array, the properties of an object) and what does not
    /// is made from the schema (seeded by `seed` and the place), so that
    /// an answer is valid against its documented response whatever the
    /// store or the spec's examples hold.
    fn conform(&self, schema: &Value, value: Value, seed: u64) -> Value {
        // what JSON Schema tools check an answer with: a `oneOf` member each
        let validator = Validator::new(&self.doc).exclusive();
        if let Ok(mut fitted) = validator.validate_value(schema, &value, &[]) {
            with_offsets(&self.doc, schema, &mut fitted, 0);
            return fitted;
        }
        let resolved = resolve(&self.doc, schema);
        // a union: the value made to fit each member in turn, the first
        // that the whole takes kept (a stored `LegacyPrice` that `Price`
        // takes too becomes a `Price`)
        if resolved.get("discriminator").is_none()
            && let Some(members) = resolved.get("oneOf").or_else(|| resolved.get("anyOf")).and_then(Value::as_array)
        {
            for member in members {
                let fitted = self.conform(member, value.clone(), seed);
                if let Ok(mut fitted) = validator.validate_value(schema, &fitted, &[]) {
                    with_offsets(&self.doc, schema, &mut fitted, 0);
                    return fitted;
                }
            }
        }
        let made = match value {
            Value::Array(items) if resolved.get("items").is_some() => {
                let item_schema = &resolved["items"];
                Value::Array(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, item)| self.conform(item_schema, item, seed.wrapping_add(i as u64 + 1)))
                        .collect(),
                )
            }
            Value::Object(fields) if resolved.get("properties").is_some() => {
                let mut made = synthesize(&self.doc, schema, seed);
                if let (Value::Object(made), Some(properties)) =
                    (&mut made, resolved.get("properties").and_then(Value::as_object))
                {
                    for (key, field) in fields {
                        if let Some(property) = properties.get(&key) {
                            let fitted = self.conform(property, field, seed.wrapping_add(1));
                            made.insert(key, fitted);
                        }
                    }
                }
                made
            }
            _ => synthesize(&self.doc, schema, seed),
        };
        let mut made =
            validator.validate_value(schema, &made, &[]).unwrap_or_else(|_| synthesize(&self.doc, schema, seed));
        with_offsets(&self.doc, schema, &mut made, 0);
        made
    }

    /// The success answer of `op` with `value` as its body, as it is.
    fn render(&self, op: &Operation, value: &Value) -> Answer {
        let s = &op.success;
        let Some(media) = &s.media else {
            return Answer { status: s.status, headers: Vec::new(), body: Vec::new() };
        };
        if is_json(media) {
            let mut answer = Answer::json(s.status, value);
            answer.headers[0].1 = media.clone();
            return answer;
        }
        let body = match value {
            Value::String(s) => s.clone().into_bytes(),
            Value::Null => Vec::new(),
            other => other.to_string().into_bytes(),
        };
        let content_type = if media.starts_with("text/") { format!("{media}; charset=utf-8") } else { media.clone() };
        Answer { status: s.status, headers: vec![("content-type".into(), content_type)], body }
    }

    fn stateful(
        &self,
        op: &Operation,
        binding: Binding,
        call: &Call<'_>,
        raw: &BTreeMap<&str, &str>,
        state: &mut State,
        seed: u64,
    ) -> Answer {
        let resource = &self.resources.resources[binding.resource];
        let parents: Vec<String> = resource.parent_params.iter().map(|p| key_of(call.params.get(p))).collect();
        // the item the path names: its id decoded, as FastAPI reads it; else
        // the text as sent, for an id that holds `%XX` itself, which
        // schemathesis puts into a path from a response without encoding it
        let item_key = |state: &State| {
            let id = key_of(call.params.get(&resource.id_param));
            match raw.get(resource.id_param.as_str()) {
                Some(text)
                    if *text != id
                        && state.store.read(binding.resource, &parents, &id).is_err()
                        && state.store.read(binding.resource, &parents, text).is_ok() =>
                {
                    text.to_string()
                }
                _ => id,
            }
        };
        let not_found = |_: Missing| Answer::detail(404, "Not Found");
        let item_schema = self.item_schema(binding.resource);
        let id_property = item_schema.and_then(|s| id_property(&self.doc, s, &resource.id_param, &resource.collection));
        match binding.role {
            Role::Create => {
                let Some(documented) = op.success.schema.clone().or_else(|| item_schema.cloned()) else {
                    return self.example(op, seed, call.body);
                };
                let (envelope, schema) = self.unwrap(&documented);
                let mut item = synthesize(&self.doc, schema, seed);
                // what the server sets has its default (`updated_at: None`)
                with_defaults(&self.doc, &mut item, schema);
                overlay(&self.doc, &mut item, schema, call.body, None);
                stamp(&self.doc, &mut item, schema, &["created_at"], call.sent);
                // an id the client chose (the item's id property, or, where the
                // item has none, the body's property named as the path's
                // variable: `POST /prompts {"name": …}`, read at
                // `/prompts/{name}`); an empty one too, which the path names
                // with an empty last segment (`/prompts/`)
                let chosen = match &id_property {
                    Some(p) => call.body.get(p),
                    None => call.body.get(&resource.id_param),
                }
                .filter(|v| !v.is_null());
                let id = match chosen {
                    Some(chosen) => chosen.clone(),
                    None => {
                        let counter = state.counters.entry(binding.resource).or_insert(0);
                        *counter += 1;
                        let property = id_property
                            .as_ref()
                            .and_then(|p| resolve(&self.doc, schema).pointer(&format!("/properties/{p}")));
                        new_id(&self.doc, property, &resource.collection, *counter)
                    }
                };
                if let Value::Object(o) = &mut item {
                    if let Some(p) = &id_property {
                        o.insert(p.clone(), id.clone());
                    }
                    // a child names its parent as the path does (`Note.item_id`)
                    for name in &resource.parent_params {
                        if let (Some(slot), Some(value)) = (o.get_mut(name), call.params.get(name)) {
                            *slot = value.clone();
                        }
                    }
                }
                let item = self.project(schema, item);
                if let Err(m) = state.store.put(binding.resource, &parents, key_of(Some(&id)), item.clone()) {
                    return not_found(m);
                }
                self.stored(op, Some(wrap(envelope, item)))
            }
            Role::List => match state.store.list(binding.resource, &parents) {
                Err(m) => not_found(m),
                Ok(items) => {
                    let items: Vec<Value> =
                        items.into_iter().filter(|item| matches_filters(item, op, call)).cloned().collect();
                    let total = items.len();
                    let items = paginate(items, call);
                    match &op.success.schema {
                        Some(schema) if resolve(&self.doc, schema).get("type") == Some(&json!("object")) => {
                            let mut page = synthesize(&self.doc, schema, seed);
                            fill_page(&self.doc, &mut page, schema, items, total, call);
                            self.success(op, Some(page))
                        }
                        _ => self.stored(op, Some(Value::Array(items))),
                    }
                }
            },
            Role::Read => {
                let id = item_key(state);
                match state.store.read(binding.resource, &parents, &id) {
                    Ok(item) => {
                        let envelope = op.success.schema.as_ref().and_then(|s| self.unwrap(s).0);
                        self.stored(op, Some(wrap(envelope, item.clone())))
                    }
                    Err(m) => not_found(m),
                }
            }
            Role::Replace | Role::Update => {
                let id = item_key(state);
                let mut item = match state.store.read(binding.resource, &parents, &id) {
                    Ok(item) => item.clone(),
                    Err(m) => return not_found(m),
                };
                let kept_id = id_property.as_ref().and_then(|p| item.get(p)).cloned();
                let empty = json!({});
                let (envelope, schema) = self.unwrap(op.success.schema.as_ref().or(item_schema).unwrap_or(&empty));
                // a PATCH, or a PUT whose body has no required field (an
                // update model), changes what was sent; a PUT of a whole
                // model replaces every field it has
                let partial = binding.role == Role::Update
                    || op.body.as_ref().is_none_or(|b| {
                        resolve(&self.doc, &b.schema)
                            .get("required")
                            .and_then(Value::as_array)
                            .is_none_or(Vec::is_empty)
                    });
                overlay(&self.doc, &mut item, schema, call.body, partial.then_some(call.sent));
                stamp(&self.doc, &mut item, schema, &["updated_at", "modified_at"], call.sent);
                // the id stays what the path says
                if let (Some(p), Some(kept), Value::Object(o)) = (&id_property, kept_id, &mut item) {
                    o.insert(p.clone(), kept);
                }
                // a stored item is in its dumped form, and overlay and stamp
                // write dumped values into its fields: projected again only
                // when this answer's model is not the item's
                if Some(schema) != item_schema {
                    item = self.project(schema, item);
                }
                let answer = self.stored(op, Some(wrap(envelope, item.clone())));
                if let Err(m) = state.store.put(binding.resource, &parents, id, item) {
                    return not_found(m);
                }
                answer
            }
            Role::Delete => {
                let id = item_key(state);
                match state.store.delete(binding.resource, &parents, &id) {
                    // the deleted item, where the response documents one
                    Ok(item) if op.success.schema.as_ref().is_some_and(|s| Some(self.unwrap(s).1) == item_schema) => {
                        let envelope = op.success.schema.as_ref().and_then(|s| self.unwrap(s).0);
                        self.stored(op, Some(wrap(envelope, item)))
                    }
                    Ok(_) => self.example(op, seed, &Value::Null),
                    Err(m) => not_found(m),
                }
            }
        }
    }

    /// A response schema without its envelope: an object whose one
    /// property holds the item (`{"results": Item}`, as services answer
    /// `ResultsWrapper[Item]`), as (that property, the item's schema); any
    /// other schema as it is. Items are stored without the envelope and
    /// answered in it, so that a list (`{"results": [Item]}`) and a read
    /// agree on them.
    fn unwrap<'s>(&'s self, schema: &'s Value) -> (Option<&'s str>, &'s Value) {
        unwrap_envelope(&self.doc, schema)
    }

    /// The schema of one stored item: the read's response, else the create's.
    fn item_schema(&self, resource: usize) -> Option<&Value> {
        self.item_schemas.get(resource).and_then(Option::as_ref)
    }
}

/// The key of a stored item (and of its parents): a string as is,
/// anything else as JSON text; what a handler uses to reach the store.
pub fn key_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The property that holds an item's id: the path variable's name, else
/// `id`; of a union, the first its members have.
fn id_property(doc: &Value, schema: &Value, param: &str, collection: &str) -> Option<String> {
    // `/collections/{id}` whose items say `collection_id`
    let noun = template::segments(collection).last().map(|s| s.to_ascii_lowercase()).unwrap_or_default();
    let singular = match noun.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => noun.strip_suffix('s').unwrap_or(&noun).to_string(),
    };
    let candidates = [param.to_string(), "id".to_string(), format!("{singular}_id"), format!("{singular}Id")];
    let schema = resolve(doc, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        return candidates.into_iter().find(|p| properties.contains_key(p));
    }
    let members = ["oneOf", "anyOf", "allOf"].into_iter().filter_map(|k| schema.get(k)).filter_map(Value::as_array);
    members.flatten().find_map(|member| id_property(doc, member, param, collection))
}

/// A new id of the property's type: the counter for an integer, else a
/// (version 4 shaped) UUID made from the collection and the counter, the
/// same on every run.
fn new_id(doc: &Value, property: Option<&Value>, collection: &str, counter: u64) -> Value {
    let property = property.map(|p| resolve(doc, p));
    match property.and_then(|p| p.get("type")).and_then(Value::as_str) {
        Some("integer") => json!(counter),
        Some("string") if property.and_then(|p| p.get("format")) != Some(&json!("uuid")) => json!(counter.to_string()),
        _ => {
            let half = |salt: u8| {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                (salt, collection, counter).hash(&mut hasher);
                hasher.finish().to_be_bytes()
            };
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&half(1));
            bytes[8..].copy_from_slice(&half(2));
            json!(uuid::Builder::from_random_bytes(bytes).into_uuid().to_string())
        }
    }
}

/// Sets the date-time properties of `item` that `names` name, and that the
/// request did not send, to now: `created_at` on a create, `updated_at` on
/// a change, as a service's own clock would.
fn stamp(doc: &Value, item: &mut Value, schema: &Value, names: &[&str], sent: &[String]) {
    let Value::Object(item) = item else { return };
    let properties = resolve(doc, schema).get("properties").and_then(Value::as_object);
    for name in names {
        let is_time = properties
            .and_then(|p| p.get(*name))
            .is_some_and(|p| resolve(doc, p).get("format") == Some(&json!("date-time")));
        if is_time && !sent.iter().any(|s| s == name) {
            item.insert((*name).to_string(), json!(now()));
        }
    }
}

/// The current UTC time as pydantic writes it: microseconds (when not
/// zero) and `Z`.
pub fn now() -> String {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    utc(since.as_secs(), since.subsec_micros())
}

/// Seconds and microseconds since the Unix epoch, as pydantic writes a UTC
/// datetime.
fn utc(secs: u64, micros: u32) -> String {
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    let (year, month, day) = crate::synth::civil_from_days(days);
    let (h, m, sec) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let fraction = if micros == 0 { String::new() } else { format!(".{micros:06}") };
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}{fraction}Z")
}

/// Sets every property of `item` that has a `default` in the schema to
/// it, and every nullable one without a default to `null` (FastAPI's
/// response models export `updated_at: datetime | None = None` without its
/// default): what a server sets starts out so.
fn with_defaults(doc: &Value, item: &mut Value, schema: &Value) {
    let Value::Object(item) = item else { return };
    let schema = resolve(doc, schema);
    for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let resolved = resolve(doc, property);
        if let Some(default) = property.get("default").or_else(|| resolved.get("default")) {
            item.insert(name.clone(), default.clone());
        } else if property.get("nullable") == Some(&json!(true)) || resolved.get("nullable") == Some(&json!(true)) {
            item.insert(name.clone(), Value::Null);
        }
    }
}

/// Copies the fields of `body` that the schema has into `item`: all of
/// them, or `only` those (the keys a PATCH sent). A field whose value the
/// response's property does not take (an uploaded file, sent as bytes,
/// that the response describes as an object) keeps the value the item
/// had, so that an answer always fits its schema.
fn overlay(doc: &Value, item: &mut Value, schema: &Value, body: &Value, only: Option<&[String]>) {
    let (Value::Object(item), Value::Object(body)) = (item, body) else { return };
    let properties = resolve(doc, schema).get("properties").and_then(Value::as_object);
    let validator = Validator::new(doc);
    for (key, value) in body {
        if only.is_some_and(|keys| !keys.contains(key)) {
            continue;
        }
        match properties {
            None => {
                item.insert(key.clone(), value.clone());
            }
            Some(properties) => {
                let Some(property) = properties.get(key) else { continue };
                // a number sent for a `Decimal`, which pydantic dumps as a string
                let as_text = || value.as_number().map(|n| Value::String(n.to_string()));
                let fitted = validator
                    .validate_value(property, value, &[])
                    .or_else(|e| as_text().map_or(Err(e), |text| validator.validate_value(property, &text, &[])));
                if let Ok(value) = fitted {
                    item.insert(key.clone(), value);
                }
            }
        }
    }
}

/// Whether a stored item passes the list's query filters: a query parameter
/// named after a property of the item, given, filters by equality (a list
/// parameter: by membership).
fn matches_filters(item: &Value, op: &Operation, call: &Call<'_>) -> bool {
    op.params.iter().filter(|p| p.location == Location::Query).all(|p| {
        let (Some(wanted), Some(have)) = (call.params.get(&p.name), item.get(&p.name)) else { return true };
        match wanted {
            Value::Null => true,
            Value::Array(options) if options.is_empty() => true,
            Value::Array(options) => match have {
                Value::Array(have) => options.iter().all(|o| have.contains(o)),
                have => options.contains(have),
            },
            wanted => wanted == have,
        }
    })
}

/// `offset`/`skip` and `limit` query parameters, applied.
fn paginate(items: Vec<Value>, call: &Call<'_>) -> Vec<Value> {
    let number = |name: &str| call.params.get(name).and_then(Value::as_u64).map(|n| n as usize);
    let offset = number("offset").or_else(|| number("skip")).unwrap_or(0);
    let limit = number("limit").unwrap_or(usize::MAX);
    items.into_iter().skip(offset).take(limit).collect()
}

/// A page object: its one array property gets the items, an integer
/// `total`/`count` the number of items, and `offset`/`limit` properties the
/// query's values.
fn fill_page(doc: &Value, page: &mut Value, schema: &Value, items: Vec<Value>, total: usize, call: &Call<'_>) {
    let Some(properties) = resolve(doc, schema).get("properties").and_then(Value::as_object) else { return };
    let Value::Object(page) = page else { return };
    let mut items = Some(items);
    for (name, property) in properties {
        if is_array(doc, property) {
            if let Some(items) = items.take() {
                page.insert(name.clone(), Value::Array(items));
            }
        } else if matches!(name.as_str(), "total" | "count") {
            page.insert(name.clone(), json!(total));
        } else if let Some(v) = call.params.get(name).filter(|v| !v.is_null()) {
            page.insert(name.clone(), v.clone());
        }
    }
}

/// [`Engine::unwrap`].
fn unwrap_envelope<'s>(doc: &'s Value, schema: &'s Value) -> (Option<&'s str>, &'s Value) {
    let resolved = resolve(doc, schema);
    let Some(properties) = resolved.get("properties").and_then(Value::as_object) else { return (None, schema) };
    let has_properties = |s: &Value| s.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
    let objects: Vec<(&String, &Value)> =
        properties.iter().map(|(key, s)| (key, object_of(doc, s))).filter(|(_, s)| has_properties(s)).collect();
    let [(key, inner)] = objects.as_slice() else { return (None, schema) };
    if properties.len() == 1 {
        return (Some(key.as_str()), inner);
    }
    // beside the item only counts and flags (`{"count": 1, "delivery":
    // {"id": …}}`): the item has an id, and the envelope none of its own
    let id_like = |k: &str| k == "id" || k.ends_with("_id");
    let item_has_id = inner.get("properties").and_then(Value::as_object).is_some_and(|p| p.keys().any(|k| id_like(k)));
    let beside_are_scalars = properties.iter().filter(|(k, _)| k != key).all(|(k, s)| {
        let s = resolve(doc, s);
        !id_like(k)
            && (s.get("enum").is_some()
                || matches!(s.get("type").and_then(Value::as_str), Some("string" | "integer" | "number" | "boolean")))
    });
    if item_has_id && beside_are_scalars { (Some(key.as_str()), inner) } else { (None, schema) }
}

/// The object schema a property holds, through a lone `allOf` or a
/// nullable union (`Item | None`, lowered to `{"allOf": [Item], "nullable": true}`).
fn object_of<'s>(doc: &'s Value, schema: &'s Value) -> &'s Value {
    let schema = resolve(doc, schema);
    let members = schema.get("allOf").or_else(|| schema.get("anyOf")).or_else(|| schema.get("oneOf"));
    let not_null: Vec<&Value> = members
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|m| resolve(doc, m).get("type").and_then(Value::as_str) != Some("null"))
        .collect();
    match not_null.as_slice() {
        [only] if schema.get("properties").is_none() => resolve(doc, only),
        _ => schema,
    }
}

/// The ids a create answered (`id` and `…_id` properties, at the top or in
/// an envelope), as a path segment would carry them.
fn created_ids(answer: &Answer) -> Vec<String> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&answer.body) else { return Vec::new() };
    let inner = body.values().filter_map(Value::as_object).flatten();
    body.iter()
        .chain(inner)
        .filter(|(k, v)| (k.as_str() == "id" || k.ends_with("_id")) && (v.is_string() || v.is_number()))
        .map(|(_, v)| key_of(Some(v)))
        .collect()
}

/// Gives every `date-time` in `value` that has no offset (pydantic takes
/// and dumps a naive datetime, `2025-07-15T14:49:41.149000`, which the
/// format, RFC 3339's, refuses) the offset `Z`, and leaves out a property
/// no value is valid for (`{"not": {}}`) or that only requests carry
/// (`writeOnly`).
fn with_offsets(doc: &Value, schema: &Value, value: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    let schema = resolve(doc, schema);
    match value {
        Value::String(text) if schema.get("format").and_then(Value::as_str) == Some("date-time") => {
            let time = text.split_once('T').map_or("", |(_, t)| t);
            if !time.is_empty() && !time.ends_with(['Z', 'z']) && !time.contains(['+', '-']) {
                text.push('Z');
            }
        }
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|a| a.is_object());
            // a property no value is valid for (`{"not": {}}`), or one only
            // requests carry (`writeOnly`, a password), is never in an answer
            let never = |p: &Value| crate::synth::is_never(p) || p.get("writeOnly") == Some(&Value::Bool(true));
            fields.retain(|name, _| !properties.and_then(|p| p.get(name)).is_some_and(never));
            for (name, field) in fields.iter_mut() {
                if let Some(property) = properties.and_then(|p| p.get(name)).or(extra) {
                    with_offsets(doc, property, field, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for value in items {
                    with_offsets(doc, item, value, depth + 1);
                }
            }
        }
        _ => {}
    }
    if let Some(members) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Value::as_array)
        && value.is_string()
    {
        for member in members {
            with_offsets(doc, member, value, depth + 1);
        }
    }
}

/// `item` in its envelope's property, if it has one.
fn wrap(envelope: Option<&str>, item: Value) -> Value {
    match envelope {
        Some(key) => json!({ key: item }),
        None => item,
    }
}

/// A JSON media type (`application/json`, `application/problem+json`).
fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

fn is_array(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    schema.get("type") == Some(&json!("array"))
        || schema.get("anyOf").and_then(Value::as_array).is_some_and(|members| members.iter().any(|m| is_array(doc, m)))
}

fn params_of(doc: &Value, item: &Value, op: &Value) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    let listed = item
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(op.get("parameters").and_then(Value::as_array).into_iter().flatten());
    for p in listed {
        let p = resolve(doc, p);
        let location = match p.get("in").and_then(Value::as_str) {
            Some("path") => Location::Path,
            Some("query") => Location::Query,
            Some("header") => Location::Header,
            Some("cookie") => Location::Cookie,
            _ => continue,
        };
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        out.retain(|q| !(q.name == name && q.location == location));
        out.push(Param {
            name,
            location,
            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
            schema: p.get("schema").cloned().unwrap_or(json!({})),
        });
    }
    out
}

fn body_of(doc: &Value, op: &Value) -> Option<Body> {
    let body = resolve(doc, op.get("requestBody")?);
    let required = body.get("required").and_then(Value::as_bool).unwrap_or(false);
    let (media, m) = body.get("content")?.as_object()?.iter().next()?;
    let schema = m.get("schema").cloned().unwrap_or(json!({}));
    let kind = match media.as_str() {
        "application/json" => BodyKind::Json,
        "application/x-www-form-urlencoded" | "multipart/form-data" => BodyKind::Form,
        _ => BodyKind::Raw,
    };
    Some(Body { kind, schema, required })
}

fn success_of(doc: &Value, op: &Value) -> Success {
    let responses = op.get("responses").and_then(Value::as_object);
    let first = responses.and_then(|r| r.iter().find(|(code, _)| code.starts_with('2')));
    let Some((code, response)) = first else {
        return Success { status: 200, media: Some("application/json".into()), schema: None, example: None };
    };
    let response = resolve(doc, response);
    let status = code.parse().unwrap_or(200);
    let content = response.get("content").and_then(Value::as_object).and_then(|c| c.iter().next());
    match content {
        None => Success { status, media: None, schema: None, example: None },
        Some((media, m)) => {
            let schema = m.get("schema").cloned();
            let example = m
                .get("example")
                .cloned()
                .or_else(|| {
                    m.get("examples")
                        .and_then(Value::as_object)
                        .and_then(|e| e.values().next())
                        .and_then(|e| e.get("value"))
                        .cloned()
                })
                .or_else(|| schema.as_ref().and_then(|s| resolve(doc, s).get("example").cloned()));
            Success { status, media: Some(media.clone()), schema, example }
        }
    }
}

/// The JSON schemas of the 4xx and 5xx statuses `op` documents.
fn documented_of(doc: &Value, op: &Value) -> BTreeMap<u16, Value> {
    let responses = op.get("responses").and_then(Value::as_object).into_iter().flatten();
    responses
        .filter(|(code, _)| code.starts_with('4') || code.starts_with('5'))
        .filter_map(|(code, response)| {
            let content = resolve(doc, response).get("content")?.as_object()?;
            let (_, media) = content.iter().find(|(m, _)| is_json(m))?;
            Some((code.parse().ok()?, media.get("schema")?.clone()))
        })
        .collect()
}

/// The path variables of `template` in `path` (compound segments'
/// included), percent-decoded.
fn path_values(template: &str, path: &str) -> BTreeMap<String, String> {
    template::values(template, path)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, given)| (name.to_string(), crate::validate::percent_decode(given)))
        .collect()
}

/// `a=1&b=x+y` as pairs, decoded (`+` is a space), as Starlette reads a
/// query or a url-encoded form.
fn form_pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The validated value, or `null` with its errors added to `errors`.
fn valid_or(checked: Result<Value, Vec<ValidationError>>, errors: &mut Vec<ValidationError>) -> Value {
    checked.unwrap_or_else(|e| {
        errors.extend(e);
        Value::Null
    })
}

/// Whether a (resolved) schema is an uploaded file: `format: binary` as
/// the lowering writes it, or 3.1's `contentMediaType`.
fn is_file_schema(schema: &Value) -> bool {
    schema.get("format") == Some(&json!("binary")) || schema.get("contentMediaType").is_some()
}

/// Where a form field comes in the model (`None`, for the body itself,
/// first): FastAPI reports its fields' errors in that order.
fn field_order(doc: &Value, schema: &Value, field: Option<&Value>) -> usize {
    let Some(field) = field.and_then(Value::as_str) else { return 0 };
    let properties = resolve(doc, schema).get("properties").and_then(Value::as_object);
    properties.and_then(|p| p.keys().position(|k| k == field)).map_or(usize::MAX, |i| i + 1)
}

/// The parts of a `multipart/form-data` body as (name, content, whether the
/// part is a file: has a `filename`) triples, in order; `None` when the
/// request does not declare one (with a boundary).
fn multipart_pairs(headers: &http::HeaderMap, body: &[u8]) -> Option<Vec<(String, String, bool)>> {
    let content_type = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    let (essence, parameters) = content_type.split_once(';')?;
    if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = parameters.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_string())
    })?;
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut pairs = Vec::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, content)) = part.split_once("\r\n\r\n") else { continue };
        let disposition = head.lines().find_map(|line| {
            let (header, value) = line.split_once(':')?;
            header.trim().eq_ignore_ascii_case("content-disposition").then_some(value)
        });
        let parameter = |name: &str| {
            disposition?.split(';').find_map(|p| {
                let (k, v) = p.trim().split_once('=')?;
                (k.trim() == name).then(|| v.trim().trim_matches('"').to_string())
            })
        };
        if let Some(name) = parameter("name") {
            let is_file = parameter("filename").is_some();
            pairs.push((name, content.strip_suffix("\r\n").unwrap_or(content).to_string(), is_file));
        }
    }
    Some(pairs)
}

/// Whether FastAPI reads the body as JSON: no `Content-Type`, or
/// `application/json` or `application/*+json` (parameters aside).
fn declares_json(headers: &http::HeaderMap) -> bool {
    let Some(value) = headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return true };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence.strip_prefix("application/").is_some_and(|subtype| subtype == "json" || subtype.ends_with("+json"))
}

/// The same request gives the same seed.
fn seed_of(request: &Request<'_>) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (request.method, request.path, request.query, request.body).hash(&mut hasher);
    hasher.finish()
}

/// A value for `schema`: its example, else made from it ([`crate::synth`]).
pub fn synthesize(doc: &Value, schema: &Value, seed: u64) -> Value {
    crate::synth::Synth::new(doc).value(schema, seed)
}

/// Every path, for the catch-all endpoints of [`api_description`].
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct AnyPath {
    #[allow(dead_code)]
    path: Vec<String>,
}

/// The most a catch-all endpoint lets dropshot stream: past it dropshot
/// answers its own 400, so it is far beyond any [`Engine::with_body_limit`].
const STREAM_CAP: usize = 1 << 40;

async fn serve_any(
    rqctx: dropshot::RequestContext<Arc<Engine>>,
    body: dropshot::StreamingBody,
) -> Result<http::Response<dropshot::Body>, dropshot::HttpError> {
    use futures_util::StreamExt;
    let engine = rqctx.context();
    // read up to one byte past the engine's limit, so that a larger body is
    // the engine's 413 in FastAPI's shape, not dropshot's `{"request_id",
    // "message"}`, and is never read whole
    let mut bytes = Vec::new();
    let mut stream = std::pin::pin!(body.into_stream());
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk?);
        if bytes.len() > engine.body_limit {
            break;
        }
    }
    let uri = rqctx.request.uri();
    let request = Request {
        method: rqctx.request.method().as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or_default(),
        headers: rqctx.request.headers(),
        body: &bytes,
    };
    let answer = engine.answer(&request);
    let mut response = http::Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        response = response.header(name.as_str(), value.as_str());
    }
    Ok(response.body(answer.body.into())?)
}

macro_rules! catch_all {
    ($($name:ident: $method:ident),* $(,)?) => {
        $(
            #[dropshot::endpoint { method = $method, path = "/{path:.*}", unpublished = true, request_body_max_bytes = STREAM_CAP }]
            async fn $name(
                rqctx: dropshot::RequestContext<Arc<Engine>>,
                _path: dropshot::Path<AnyPath>,
                body: dropshot::StreamingBody,
            ) -> Result<http::Response<dropshot::Body>, dropshot::HttpError> {
                serve_any(rqctx, body).await
            }
        )*

        /// A dropshot API that hands every request to the engine: one
        /// unpublished catch-all endpoint per method (the engine routes).
        pub fn api_description() -> ApiDescription<Arc<Engine>> {
            let mut api = ApiDescription::new();
            $( api.register($name).expect("a catch-all endpoint registers"); )*
            api
        }
    };
}

use dropshot::ApiDescription;

catch_all! {
    any_get: GET,
    any_post: POST,
    any_put: PUT,
    any_patch: PATCH,
    any_delete: DELETE,
    any_options: OPTIONS,
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn times_are_written_as_pydantic_writes_them() {
        assert_eq!(utc(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_704_067_200, 0), "2024-01-01T00:00:00Z");
        assert_eq!(utc(1_709_210_096, 120), "2024-02-29T12:34:56.000120Z");
        assert_eq!(utc(4_102_444_799, 999_999), "2099-12-31T23:59:59.999999Z");
    }
}
