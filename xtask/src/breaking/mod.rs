//! `cargo xtask diff`: what a change of `openapi.json` means for the code
//! and the services on either side of it, not just that it changed.
//!
//! Two versions of the spec (the one in git and the working one) are
//! compared operation by operation ([`compare`], pure, over
//! `serde_json::Value`), and each change is classified on four axes
//! ([`Axis`]): whether code calling the generated client stops compiling
//! (client source), whether a deployed client breaks against the new service
//! (client wire), whether implementations of the generated dropshot trait
//! stop compiling (server source), and whether a new client breaks against
//! an old service (server wire). A change that breaks none is still listed,
//! as information.
//!
//! Requests and responses are judged in their own direction: a new
//! required request property breaks old clients, a new required response
//! property only new clients of an old server. Schemas are compared by
//! meaning ([`shape`]): `anyOf`-null, `$ref`s, `allOf` and annotations are
//! normalised first, so that FastAPI's spellings and refactors make no
//! noise. A change in a component schema that several operations reach is
//! one [`Finding`] naming all of them. Validation keywords and the Rust
//! types they choose are [`constraints`]; authentication is [`security`].
//!
//! What the axes take from this workspace's generators (progenitor's
//! builder interface, typify's types, dropshot's trait): a property is `T`
//! when required and not nullable, `Option<T>` when either, and
//! `Option<Option<T>>` when optional and nullable, and the builder's
//! setter of a request property takes `T` or `Option<T>` (into which a `T`
//! converts); a schema that is a struct or an enum is named after its
//! component, or after its place when inline; the client reads an enum
//! value it does not know into the catch-all variant (unless `[client]
//! strict-enums` names the enum), the server refuses it.
//!
//! The source axes mean "stops compiling", and
//! `xtask/tests/breaking_claims.rs` proves them for the corpus: it
//! compiles old calling code (every builder with every parameter, bodies
//! through typify's builders, every response field taken at its type,
//! response enums matched exhaustively; the old server trait implemented,
//! answers built with struct literals) against the new crates, and each
//! case's `client source` and `server source` must agree with the
//! compiler. A change that calling code must follow but that still
//! compiles (a new required parameter or request field: `send()` fails) is
//! client wire.
//!
//! The wire axes mean "a call fails": the client's request is refused, or
//! the answer has a status, a body or a media type the client cannot read.
//! The same test proves them against FastAPI, with every case's apps served
//! by uvicorn: the old client (minimal and full requests, every request
//! enum value) against the new service must fail exactly when `client
//! wire` is claimed, the new client against the old service exactly when
//! `server wire` is. So what an old service silently ignores (a query
//! parameter or, unless its schema is closed, a request property it does
//! not declare) is compatible, with a note saying so.
//!
//! [`base`] finds the spec to compare against (`git show HEAD:openapi.json`
//! by default), [`report`] renders findings as text, JSON or Markdown.

pub mod base;
pub mod constraints;
pub mod report;
pub mod security;
pub mod shape;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pointer;
use crate::spec::METHODS;
use shape::{Shape, canonical, resolve, shape};

/// Who a change can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Axis {
    /// Code calling the generated client stops compiling (or must change).
    ClientSource,
    /// A deployed client breaks against the new service.
    ClientWire,
    /// Implementations of the generated server trait stop compiling.
    ServerSource,
    /// A new client breaks against an old service.
    ServerWire,
}

impl Axis {
    pub const ALL: [Axis; 4] = [Axis::ClientSource, Axis::ClientWire, Axis::ServerSource, Axis::ServerWire];

    /// The name in `codegen.toml` and in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Axis::ClientSource => "client-source",
            Axis::ClientWire => "client-wire",
            Axis::ServerSource => "server-source",
            Axis::ServerWire => "server-wire",
        }
    }
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code().replace('-', " "))
    }
}

const CS: Axis = Axis::ClientSource;
const CW: Axis = Axis::ClientWire;
const SS: Axis = Axis::ServerSource;
const SW: Axis = Axis::ServerWire;

/// `[breaking]` in `codegen.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakingConfig {
    /// The axes on which a breaking change fails `diff` and `check`.
    #[serde(default = "default_fail_on", rename = "fail-on")]
    pub fail_on: Vec<Axis>,
    /// Finding id (`rule@pointer`) or pointer → why the change is accepted.
    #[serde(default)]
    pub ignore: BTreeMap<String, String>,
}

fn default_fail_on() -> Vec<Axis> {
    vec![Axis::ClientSource, Axis::ClientWire]
}

impl Default for BreakingConfig {
    fn default() -> Self {
        Self { fail_on: default_fail_on(), ignore: BTreeMap::new() }
    }
}

/// One change between the two specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's stable kebab-case code, e.g. `response-property-removed`.
    pub rule: &'static str,
    /// What changed, e.g. "response property `email` removed".
    pub message: String,
    /// Where, in the old spec and in the new one.
    pub old: Option<String>,
    pub new: Option<String>,
    /// The axes on which it breaks; empty for a change that breaks none.
    pub axes: Vec<Axis>,
    /// Why, where the axes are not obvious.
    pub note: Option<String>,
    /// The operations it reaches: (operationId, Rust method name).
    pub operations: Vec<(String, String)>,
}

impl Finding {
    /// `rule@pointer` (the new pointer, or the old one for what is gone):
    /// the key of `[breaking.ignore]`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.rule, self.pointer())
    }

    /// The pointer that names it: the new one, or the old one for what is gone.
    pub fn pointer(&self) -> &str {
        self.new.as_deref().or(self.old.as_deref()).unwrap_or_default()
    }

    /// Whether `key` (of `[breaking.ignore]`) names this finding: its id, or
    /// its old or new pointer (with or without a leading `#`).
    pub fn matches(&self, key: &str) -> bool {
        let key = key.strip_prefix('#').unwrap_or(key);
        key == self.id() || Some(key) == self.old.as_deref() || Some(key) == self.new.as_deref()
    }
}

/// Which way a schema's values travel: what the client sends, or what the
/// server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Dir {
    Request,
    Response,
}

impl Dir {
    fn word(self) -> &'static str {
        match self {
            Dir::Request => "request",
            Dir::Response => "response",
        }
    }
}

/// The Rust type a property or parameter gets: `T`, `Option<T>`, or
/// `Option<Option<T>>` (optional and nullable).
fn rust_optionality(required: bool, nullable: bool) -> u8 {
    match (required, nullable) {
        (true, false) => 0,
        (true, true) | (false, false) => 1,
        (false, true) => 2,
    }
}

/// Every change from `old` to `new` (two OpenAPI documents, 3.0 or 3.1),
/// each once, in the order of the operations that reach them; `names` is
/// `codegen.toml [names]`, for the method names shown, and `strict_enums`
/// its `[client] strict-enums`: the enums whose client type has no
/// catch-all variant (every other enum a client reads has one, see
/// `forward_compat`).
pub fn compare(old: &Value, new: &Value, names: &BTreeMap<String, String>, strict_enums: &[String]) -> Vec<Finding> {
    let mut cx =
        Cx { old, new, names, strict_enums, found: Vec::new(), index: HashMap::new(), op: None, seen: BTreeSet::new() };
    cx.operations();
    cx.credential_methods();
    cx.found
}

struct Cx<'a> {
    old: &'a Value,
    new: &'a Value,
    names: &'a BTreeMap<String, String>,
    strict_enums: &'a [String],
    found: Vec<Finding>,
    /// (rule, old pointer, new pointer) → index in `found`.
    index: HashMap<(&'static str, Option<String>, Option<String>), usize>,
    /// The operation being compared: (operationId, method name).
    op: Option<(String, String)>,
    /// Schema pairs compared for this operation (stops reference loops).
    seen: BTreeSet<(String, String, Dir)>,
}

/// One change, before it is filed under the operations it reaches.
struct Change {
    rule: &'static str,
    message: String,
    old: Option<String>,
    new: Option<String>,
    axes: Vec<Axis>,
    note: Option<String>,
}

fn change(rule: &'static str, message: impl Into<String>, old: Option<&str>, new: Option<&str>) -> Change {
    Change {
        rule,
        message: message.into(),
        old: old.map(String::from),
        new: new.map(String::from),
        axes: Vec::new(),
        note: None,
    }
}

impl Change {
    fn axes(mut self, axes: impl IntoIterator<Item = Axis>) -> Self {
        self.axes.extend(axes);
        self
    }

    fn axis_if(mut self, cond: bool, axis: Axis) -> Self {
        if cond {
            self.axes.push(axis);
        }
        self
    }

    fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// A path and its path item.
type PathItem<'a> = (&'a String, &'a Value);

/// A path template with its parameters' names left out: `/items/{id}` and
/// `/items/{item_id}` are one path.
fn path_key(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

fn paths(doc: &Value) -> Vec<(&String, &Value)> {
    doc.get("paths").and_then(Value::as_object).map(|p| p.iter().collect()).unwrap_or_default()
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

/// The component a shape is declared as (`/components/schemas/<name>`),
/// which names its generated Rust type; `None` for an inline schema.
fn component_name(s: &Shape<'_>) -> Option<String> {
    let name = s.ptr.strip_prefix("/components/schemas/")?;
    (!name.contains('/')).then(|| pointer::unescape(name))
}

/// Whether a schema gets a generated Rust type of its own (a struct or an
/// enum), whose name calling code writes.
fn names_a_type(s: &Shape<'_>) -> bool {
    !s.properties.is_empty() || s.values.is_some() || s.union.is_some()
}

/// What a schema at `ptr` is, for messages: "property `x`", or "schema".
fn subject(ptr: &str) -> String {
    let mut tokens = ptr.rsplit('/');
    match (tokens.next(), tokens.next()) {
        (Some(name), Some("properties")) => format!("property `{}`", pointer::unescape(name)),
        _ => "schema".into(),
    }
}

fn quote_values(values: &[&Value]) -> String {
    values
        .iter()
        .map(|v| format!("`{}`", v.as_str().map(String::from).unwrap_or_else(|| v.to_string())))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Cx<'a> {
    fn file(&mut self, c: Change) {
        let key = (c.rule, c.old.clone(), c.new.clone());
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let mut axes = c.axes;
                axes.sort();
                axes.dedup();
                self.found.push(Finding {
                    rule: c.rule,
                    message: c.message,
                    old: c.old,
                    new: c.new,
                    axes,
                    note: c.note,
                    operations: Vec::new(),
                });
                self.index.insert(key, self.found.len() - 1);
                self.found.len() - 1
            }
        };
        if let Some(op) = &self.op
            && !self.found[i].operations.contains(op)
        {
            self.found[i].operations.push(op.clone());
        }
    }

    fn method_name(&self, id: &str, path: &str, method: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| crate::names::rust_name(id, path, method))
    }

    fn operations(&mut self) {
        let old_paths = paths(self.old);
        let new_paths = paths(self.new);
        let new_by_key: HashMap<String, (&String, &Value)> =
            new_paths.iter().map(|(p, item)| (path_key(p), (*p, *item))).collect();
        let old_keys: BTreeSet<String> = old_paths.iter().map(|(p, _)| path_key(p)).collect();
        let mut pairs: Vec<(Option<PathItem<'_>>, Option<PathItem<'_>>)> = Vec::new();
        for (p, item) in &old_paths {
            pairs.push((Some((*p, *item)), new_by_key.get(&path_key(p)).copied()));
        }
        for (p, item) in &new_paths {
            if !old_keys.contains(&path_key(p)) {
                pairs.push((None, Some((*p, *item))));
            }
        }
        for (old_item, new_item) in pairs {
            for method in METHODS {
                let old_op = old_item.and_then(|(p, item)| Some((p, item.get(method)?)));
                let new_op = new_item.and_then(|(p, item)| Some((p, item.get(method)?)));
                self.operation(method, old_item, new_item, old_op, new_op);
            }
        }
    }

    fn operation(
        &mut self,
        method: &str,
        old_item: Option<(&String, &'a Value)>,
        new_item: Option<(&String, &'a Value)>,
        old_op: Option<(&String, &'a Value)>,
        new_op: Option<(&String, &'a Value)>,
    ) {
        let ptr = |path: &str| format!("{}/{method}", pointer::join("/paths", path));
        let id_of = |op: &Value| op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
        let upper = method.to_uppercase();
        match (old_op, new_op) {
            (None, None) => {}
            (Some((path, op)), None) => {
                let id = id_of(op);
                self.op = Some((id.clone(), self.method_name(&id, path, method)));
                self.file(
                    change("operation-removed", format!("operation `{upper} {path}` removed"), Some(&ptr(path)), None)
                        .axes([CS, CW, SS])
                        .note("its method leaves the client and the server trait; a deployed client gets 404"),
                );
            }
            (None, Some((path, op))) => {
                let id = id_of(op);
                self.op = Some((id.clone(), self.method_name(&id, path, method)));
                self.file(
                    change("operation-added", format!("operation `{upper} {path}` added"), None, Some(&ptr(path)))
                        .axes([SS, SW])
                        .note("a new method of the server trait to implement; an old server answers 404"),
                );
            }
            (Some((old_path, old)), Some((new_path, new))) => {
                let (old_id, new_id) = (id_of(old), id_of(new));
                let (old_name, new_name) =
                    (self.method_name(&old_id, old_path, method), self.method_name(&new_id, new_path, method));
                self.op = Some((new_id, new_name.clone()));
                self.seen.clear();
                let (op_old, op_new) = (ptr(old_path), ptr(new_path));
                if old_name != new_name {
                    self.file(
                        change(
                            "operation-renamed",
                            format!("operation `{upper} {new_path}` renamed from `{old_name}` to `{new_name}`"),
                            Some(&op_old),
                            Some(&op_new),
                        )
                        .axes([CS, SS]),
                    );
                }
                self.parameters(old_item, new_item, (old, &op_old), (new, &op_new));
                self.request_body((old, &op_old), (new, &op_new));
                self.responses((old, &op_old), (new, &op_new));
                self.security((old, &op_old), (new, &op_new));
            }
        }
        self.op = None;
    }

    /// The parameters of an operation and its path item, keyed by location
    /// and name (an operation's own parameter overrides the path item's).
    fn params_of(
        doc: &'a Value,
        item: Option<&'a Value>,
        op: &'a Value,
        op_ptr: &str,
    ) -> Vec<((String, String), String, &'a Value)> {
        let mut out: Vec<((String, String), String, &'a Value)> = Vec::new();
        let item_ptr = op_ptr.rsplit_once('/').map(|(p, _)| p.to_string()).unwrap_or_default();
        let sources = [(item.and_then(|i| i.get("parameters")), item_ptr), (op.get("parameters"), op_ptr.to_string())];
        for (list, at) in sources {
            let Some(list) = list.and_then(Value::as_array) else { continue };
            for (i, p) in list.iter().enumerate() {
                let (p, at) = resolve(doc, p, &format!("{at}/parameters/{i}"));
                let key = (
                    p.get("in").and_then(Value::as_str).unwrap_or_default().to_string(),
                    p.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                );
                out.retain(|(k, _, _)| *k != key);
                out.push((key, at, p));
            }
        }
        out
    }

    fn parameters(
        &mut self,
        old_item: Option<(&String, &'a Value)>,
        new_item: Option<(&String, &'a Value)>,
        (old, old_ptr): (&'a Value, &str),
        (new, new_ptr): (&'a Value, &str),
    ) {
        let olds = Self::params_of(self.old, old_item.map(|i| i.1), old, old_ptr);
        let news = Self::params_of(self.new, new_item.map(|i| i.1), new, new_ptr);
        let required = |p: &Value| p.get("required").and_then(Value::as_bool).unwrap_or(false);
        for ((loc, name), at, p) in &olds {
            let what = format!("{loc} parameter `{name}`");
            match news.iter().find(|(k, _, _)| k.0 == *loc && k.1 == *name) {
                None => self.file(
                    change("parameter-removed", format!("{what} removed"), Some(at), None)
                        .axes([CS, SS])
                        .axis_if(required(p), SW)
                        .note("its setter leaves the client's builder and its field the server's parameter struct"),
                ),
                Some((_, new_at, q)) => {
                    let (r1, r2) = (required(p), required(q));
                    let os = p.get("schema").map(|s| shape(self.old, s, &format!("{at}/schema")));
                    let ns = q.get("schema").map(|s| shape(self.new, s, &format!("{new_at}/schema")));
                    let (n1, n2) = (os.as_ref().is_some_and(|s| s.nullable), ns.as_ref().is_some_and(|s| s.nullable));
                    let option_changed = rust_optionality(r1, n1).min(1) != rust_optionality(r2, n2).min(1);
                    if r1 != r2 {
                        let c = if r2 {
                            change(
                                "parameter-became-required",
                                format!("{what} became required"),
                                Some(at),
                                Some(new_at),
                            )
                            .axes([CW])
                            .note(
                                "calling code still compiles: progenitor's builder takes it as before, and `send()` fails until calling code sets it",
                            )
                        } else {
                            change(
                                "parameter-became-optional",
                                format!("{what} became optional"),
                                Some(at),
                                Some(new_at),
                            )
                            .axes([SW])
                        };
                        self.file(c.axis_if(option_changed, SS));
                    } else if option_changed {
                        self.file(
                            change(
                                "parameter-nullability-changed",
                                format!("{what} changed nullability"),
                                Some(at),
                                Some(new_at),
                            )
                            .axes([SS]),
                        );
                    }
                    if let (Some(os), Some(ns)) = (os, ns) {
                        self.schema(os, ns, Dir::Request, true);
                    }
                }
            }
        }
        for ((loc, name), at, q) in &news {
            if olds.iter().any(|(k, _, _)| k.0 == *loc && k.1 == *name) {
                continue;
            }
            let what = format!("{loc} parameter `{name}`");
            // the server's method takes the parameters of a location as one
            // struct: the first of its location is a new argument
            let first = !olds.iter().any(|(k, _, _)| k.0 == *loc);
            self.file(if required(q) {
                change("required-parameter-added", format!("required {what} added"), None, Some(at))
                    .axes([CW])
                    .axis_if(first, SS)
                    .note("a deployed client does not send it; calling code still compiles, and the builder's `send()` fails until it sets it")
            } else {
                change("optional-parameter-added", format!("optional {what} added"), None, Some(at))
                    .axis_if(first, SS)
                    .note("an old service ignores it (FastAPI takes no notice of a parameter it does not declare): a new client's call succeeds, without the parameter's effect")
            });
        }
    }

    fn request_body(&mut self, (old, old_ptr): (&'a Value, &str), (new, new_ptr): (&'a Value, &str)) {
        let get = |doc: &'a Value, op: &'a Value, at: &str| {
            op.get("requestBody").map(|b| resolve(doc, b, &format!("{at}/requestBody")))
        };
        let required = |b: &Value| b.get("required").and_then(Value::as_bool).unwrap_or(false);
        match (get(self.old, old, old_ptr), get(self.new, new, new_ptr)) {
            (None, None) => {}
            (Some((b, at)), None) => self.file(
                change("request-body-removed", "request body removed", Some(&at), None)
                    .axes([CS, SS])
                    .axis_if(required(b), SW),
            ),
            (None, Some((b, at))) => self.file(
                change("request-body-added", "request body added", None, Some(&at))
                    .axes([SS])
                    .axis_if(required(b), CW)
                    .axis_if(!required(b), SW),
            ),
            (Some((a, a_at)), Some((b, b_at))) => {
                if required(a) != required(b) {
                    self.file(if required(b) {
                        change("request-body-became-required", "request body became required", Some(&a_at), Some(&b_at))
                            .axes([CW])
                    } else {
                        change("request-body-became-optional", "request body became optional", Some(&a_at), Some(&b_at))
                            .axes([SW])
                    });
                }
                self.content(Dir::Request, (a, &a_at), (b, &b_at));
            }
        }
    }

    /// The media types of a body (request body or response), and the
    /// schemas of those both sides have.
    fn content(&mut self, dir: Dir, (old, old_at): (&'a Value, &str), (new, new_at): (&'a Value, &str)) {
        let media = |v: &'a Value| -> Vec<(&'a String, &'a Value)> {
            v.get("content").and_then(Value::as_object).map(|c| c.iter().collect()).unwrap_or_default()
        };
        let (om, nm) = (media(old), media(new));
        let gone: Vec<_> = om.iter().filter(|(k, _)| !nm.iter().any(|(n, _)| n == k)).collect();
        let added: Vec<_> = nm.iter().filter(|(k, _)| !om.iter().any(|(o, _)| o == k)).collect();
        let d = dir.word();
        let list = |ms: &[&(&String, &Value)]| ms.iter().map(|(m, _)| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        if om.len() == 1 && nm.len() == 1 && gone.len() == 1 {
            let (o_ptr, n_ptr) = (
                pointer::join(&format!("{old_at}/content"), gone[0].0),
                pointer::join(&format!("{new_at}/content"), added[0].0),
            );
            // the client reads a JSON string and a text answer alike, into a `String`
            let same_client_type = dir == Dir::Response
                && self.reads_as_string(self.old, gone[0], &o_ptr)
                && self.reads_as_string(self.new, added[0], &n_ptr);
            let mut c = change(
                if dir == Dir::Request { "request-media-type-changed" } else { "response-media-type-changed" },
                format!("{d} media type changed from {} to {}", list(&gone), list(&added)),
                Some(&o_ptr),
                Some(&n_ptr),
            )
            .axis_if(!same_client_type, CS)
            .axes([CW, SS, SW]);
            if same_client_type {
                c = c.note("the client reads both into a `String`; the server's response type changes");
            }
            self.file(c);
            return;
        }
        for (m, _) in &gone {
            let at = pointer::join(&format!("{old_at}/content"), m);
            self.file(match dir {
                Dir::Request => {
                    change("request-media-type-removed", format!("request media type `{m}` removed"), Some(&at), None)
                        .axes([CS, CW, SS])
                }
                Dir::Response => {
                    change("response-media-type-removed", format!("response media type `{m}` removed"), Some(&at), None)
                        .axes([CS, SS, SW])
                }
            });
        }
        for (m, _) in &added {
            let at = pointer::join(&format!("{new_at}/content"), m);
            self.file(match dir {
                Dir::Request => {
                    change("request-media-type-added", format!("request media type `{m}` added"), None, Some(&at))
                        .axes([CS, SS, SW])
                }
                Dir::Response => {
                    change("response-media-type-added", format!("response media type `{m}` added"), None, Some(&at))
                        .axes([CS, CW, SS])
                }
            });
        }
        for (m, o) in &om {
            let Some((_, n)) = nm.iter().find(|(k, _)| k == m) else { continue };
            let (o_at, n_at) =
                (pointer::join(&format!("{old_at}/content"), m), pointer::join(&format!("{new_at}/content"), m));
            match (o.get("schema"), n.get("schema")) {
                (Some(os), Some(ns)) => {
                    let os = shape(self.old, os, &format!("{o_at}/schema"));
                    let ns = shape(self.new, ns, &format!("{n_at}/schema"));
                    self.nullability(&os, &ns, (true, true), false, dir, &format!("{d} body"));
                    self.schema(os, ns, dir, true);
                }
                (None, None) => {}
                _ => self.file(
                    change(
                        "type-changed",
                        format!("{d} body schema of `{m}` added or removed"),
                        Some(&o_at),
                        Some(&n_at),
                    )
                    .axes(Axis::ALL),
                ),
            }
        }
    }

    /// Whether the client reads a response body of this media type and
    /// schema into a `String` (see `client_ops`): `text/*` other than event
    /// streams, or JSON whose schema is a plain string.
    fn reads_as_string(&self, doc: &'a Value, (media, content): &(&String, &'a Value), at: &str) -> bool {
        if media.starts_with("text/") {
            return media.as_str() != "text/event-stream";
        }
        let json = media.as_str() == "application/json" || media.ends_with("+json");
        json && content.get("schema").is_some_and(|schema| {
            let s = shape(doc, schema, &format!("{at}/schema"));
            s.types.len() == 1
                && s.types.contains("string")
                && s.format.is_none()
                && s.values.is_none()
                && !s.nullable
                && s.union.is_none()
        })
    }

    fn responses(&mut self, (old, old_ptr): (&'a Value, &str), (new, new_ptr): (&'a Value, &str)) {
        let list = |doc: &'a Value, op: &'a Value, at: &str| -> Vec<(String, String, &'a Value)> {
            op.get("responses")
                .and_then(Value::as_object)
                .map(|r| {
                    r.iter()
                        .map(|(status, v)| {
                            let (v, p) = resolve(doc, v, &pointer::join(&format!("{at}/responses"), status));
                            (status.clone(), p, v)
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (olds, news) = (list(self.old, old, old_ptr), list(self.new, new, new_ptr));
        // the error type of a client method follows the set of error bodies
        let error_bodies = |doc: &Value, rs: &[(String, String, &Value)]| -> BTreeSet<String> {
            rs.iter()
                .filter(|(s, _, _)| !is_success(s))
                .flat_map(|(_, p, r)| {
                    r.get("content").and_then(Value::as_object).into_iter().flatten().map(move |(m, c)| {
                        let at = pointer::join(&format!("{p}/content"), m);
                        c.get("schema")
                            .map(|s| canonical(doc, s, &format!("{at}/schema")).to_string())
                            .unwrap_or_default()
                    })
                })
                .collect()
        };
        let error_type_changed = error_bodies(self.old, &olds) != error_bodies(self.new, &news);
        for (status, at, r) in &olds {
            match news.iter().find(|(s, _, _)| s == status) {
                None if is_success(status) => self.file(
                    change("response-status-removed", format!("response status {status} removed"), Some(at), None)
                        .axes([CS, SS, SW])
                        .note("an old server may still answer it, which a new client does not expect"),
                ),
                None => self.file(
                    change("error-status-removed", format!("error status {status} removed"), Some(at), None)
                        .axis_if(error_type_changed, CS),
                ),
                Some((_, new_at, n)) => {
                    self.response_headers((r, at), (n, new_at));
                    self.content(Dir::Response, (r, at), (n, new_at));
                }
            }
        }
        for (status, at, _) in &news {
            if olds.iter().any(|(s, _, _)| s == status) {
                continue;
            }
            self.file(if is_success(status) {
                change("response-status-added", format!("response status {status} added"), None, Some(at))
                    .axes([CS, CW, SS])
                    .note("a deployed client does not expect it")
            } else {
                change("error-status-added", format!("error status {status} added"), None, Some(at))
                    .axis_if(error_type_changed, CS)
            });
        }
    }

    /// The headers of one response: neither generated crate types them (the
    /// client does not read them, the server trait does not set them), so
    /// a change breaks no axis; it is listed, since code that reads
    /// `ResponseValue::headers()` may depend on one.
    fn response_headers(&mut self, (old, old_at): (&Value, &str), (new, new_at): (&Value, &str)) {
        let names = |r: &Value| -> BTreeSet<String> {
            r.get("headers")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k.to_ascii_lowercase())
                .collect()
        };
        let (o, n) = (names(old), names(new));
        let at = |base: &str, r: &Value, name: &str| {
            let key = r["headers"].as_object().and_then(|h| h.keys().find(|k| k.eq_ignore_ascii_case(name))).cloned();
            pointer::join(&format!("{base}/headers"), &key.unwrap_or_default())
        };
        for name in o.difference(&n) {
            self.file(
                change(
                    "response-header-removed",
                    format!("response header `{name}` removed"),
                    Some(&at(old_at, old, name)),
                    None,
                )
                .note("the generated client does not read it; code that reads it from `headers()` finds none"),
            );
        }
        for name in n.difference(&o) {
            self.file(
                change(
                    "response-header-added",
                    format!("response header `{name}` added"),
                    None,
                    Some(&at(new_at, new, name)),
                )
                .note("neither generated crate types it"),
            );
        }
    }

    /// A change of nullability or of being required, for a property
    /// (`required` on either side, `property`) or a body, an item or a map
    /// value (always required).
    fn nullability(
        &mut self,
        os: &Shape<'_>,
        ns: &Shape<'_>,
        (r1, r2): (bool, bool),
        property: bool,
        dir: Dir,
        what: &str,
    ) {
        let (n1, n2) = (os.nullable, ns.nullable);
        if (r1, n1) == (r2, n2) {
            return;
        }
        let (o_opt, n_opt) = (rust_optionality(r1, n1), rust_optionality(r2, n2));
        // what each side may leave out or send as null
        let (old_lax, new_lax) = (!r1 || n1, !r2 || n2);
        let (cw, sw) = match dir {
            // the server reads: it must take what the other side's client sends
            Dir::Request => ((!r1 && r2) || (n1 && !n2), (r1 && !r2) || (!n1 && n2)),
            // the client reads: a `T` field takes no null and no absence
            Dir::Response => (!old_lax && new_lax, !new_lax && old_lax),
        };
        let mut parts = Vec::new();
        if r1 != r2 {
            parts.push(if r2 { "became required" } else { "became optional" });
        }
        if n1 != n2 {
            parts.push(if n2 { "became nullable" } else { "is no longer nullable" });
        }
        let rule = match (dir, r1 != r2, r2, n2) {
            (Dir::Request, true, true, _) => "request-property-became-required",
            (Dir::Request, true, false, _) => "request-property-became-optional",
            (Dir::Request, false, _, true) => "request-became-nullable",
            (Dir::Request, false, _, false) => "request-became-non-nullable",
            (Dir::Response, true, true, _) => "response-property-became-required",
            (Dir::Response, true, false, _) => "response-property-became-optional",
            (Dir::Response, false, _, true) => "response-became-nullable",
            (Dir::Response, false, _, false) => "response-became-non-nullable",
        };
        let types = ["T", "Option<T>", "Option<Option<T>>"];
        let mut c = change(rule, format!("{what} {}", parts.join(" and ")), Some(&os.ptr), Some(&ns.ptr))
            .axis_if(cw, CW)
            .axis_if(sw, SW);
        if o_opt != n_opt {
            // Calling code sets a request property through typify's
            // builder, whose setter takes `T` for a required non-nullable
            // property and `Option<T>` otherwise (also for
            // `Option<Option<T>>`): a `T` still converts into `Option<T>`,
            // so only `Option<T>` → `T` stops compiling.
            let client_source = !(property && dir == Dir::Request) || (o_opt > 0 && n_opt == 0);
            let note = format!("its Rust type changes from {} to {}", types[o_opt as usize], types[n_opt as usize]);
            c = c.axis_if(client_source, CS).axes([SS]).note(if client_source {
                note
            } else {
                format!("{note}; the builder's setter still takes what calling code gives it")
            });
        }
        self.file(c);
    }

    /// An optional property's `default`, where it alone changes its Rust
    /// type: typify types an optional property with a default `T` (serde
    /// fills it in), one without `Option<T>`; an array or a map is `T`
    /// either way, and a nullable property an `Option` either way.
    fn default_typing(&mut self, os: &Shape<'_>, ns: &Shape<'_>, (r1, r2): (bool, bool), dir: Dir, what: &str) {
        let collection = |s: &Shape<'_>| {
            s.types.contains("array")
                || (s.types.contains("object") && s.properties.is_empty() && s.additional.is_some())
        };
        if r1 || r2 || os.nullable || ns.nullable || os.default == ns.default || collection(os) || collection(ns) {
            return;
        }
        let (from, to) = if ns.default { ("Option<T>", "T") } else { ("T", "Option<T>") };
        // calling code hands the old type to the builder's setter: a `T`
        // converts into `Option<T>`, an `Option<T>` not into `T`
        let client_source = dir == Dir::Response || ns.default;
        let rule = if ns.default { "property-default-added" } else { "property-default-removed" };
        self.file(
            change(rule, format!("{what} {}", if ns.default { "got a default" } else { "lost its default" }), Some(&os.ptr), Some(&ns.ptr))
                .axes([SS])
                .axis_if(client_source, CS)
                .note(format!("its Rust type changes from {from} to {to}; the same on the wire, since the service fills in the default")),
        );
    }

    /// Compares two schemas of one place; `setter` when calling code hands
    /// its value to a builder's setter (`TryInto<T>`): a parameter, a body,
    /// a property.
    fn schema(&mut self, os: Shape<'a>, ns: Shape<'a>, dir: Dir, setter: bool) {
        if !self.seen.insert((os.ptr.clone(), ns.ptr.clone(), dir)) {
            return;
        }
        let d = dir.word();
        let (o_at, n_at) = (os.ptr.clone(), ns.ptr.clone());
        let (o_name, n_name) = (component_name(&os), component_name(&ns));
        if o_name != n_name && names_a_type(&os) && names_a_type(&ns) {
            let describe = |name: &Option<String>| match name {
                Some(name) => format!("component `{name}`"),
                None => "an inline schema".to_string(),
            };
            self.file(
                change(
                    "type-renamed",
                    format!("{d} {} moved from {} to {}", subject(&n_at), describe(&o_name), describe(&n_name)),
                    Some(&o_at),
                    Some(&n_at),
                )
                .axes([CS, SS])
                .note("the same on the wire, but its generated Rust type gets another name (typify names a component after its key, an inline schema after its place): code that names the type stops compiling"),
            );
        }
        if os.union.is_some() || ns.union.is_some() {
            // the members in any order: FastAPI orders a union as the model does
            let members = |doc: &Value, s: &Shape<'_>| {
                s.union.as_ref().map(|members| {
                    let mut all: Vec<String> = members.iter().map(|(p, m)| canonical(doc, m, p).to_string()).collect();
                    all.sort();
                    all
                })
            };
            let (o, n) = (members(self.old, &os), members(self.new, &ns));
            if o != n {
                self.file(
                    change("union-changed", format!("{d} {} union changed", subject(&n_at)), Some(&o_at), Some(&n_at))
                        .axes(Axis::ALL),
                );
            }
            return;
        }
        if os.types != ns.types || os.format != ns.format || os.values.is_some() != ns.values.is_some() {
            let describe = |s: &Shape<'_>| {
                let mut t = if s.types.is_empty() {
                    "any".to_string()
                } else {
                    s.types.iter().cloned().collect::<Vec<_>>().join(" | ")
                };
                if let Some(f) = &s.format {
                    t.push_str(&format!(" ({f})"));
                }
                if s.values.is_some() {
                    t.push_str(" enum");
                }
                t
            };
            self.file(
                change(
                    "type-changed",
                    format!("{} type changed from {} to {}", subject(&n_at), describe(&os), describe(&ns)),
                    Some(&o_at),
                    Some(&n_at),
                )
                .axes(Axis::ALL),
            );
            return;
        }
        if let (Some(ov), Some(nv)) = (&os.values, &ns.values) {
            let removed: Vec<&Value> = ov.iter().filter(|v| !nv.contains(v)).collect();
            let added: Vec<&Value> = nv.iter().filter(|v| !ov.contains(v)).collect();
            // a client reads a value it does not know into the enum's
            // catch-all variant, unless `[client] strict-enums` lists it
            let strict = [&o_at, &n_at].into_iter().any(|at| {
                at.strip_prefix("/components/schemas/").is_some_and(|name| self.strict_enums.iter().any(|s| s == name))
            });
            if !removed.is_empty() {
                let message = format!(
                    "{d} enum value{} {} removed",
                    if removed.len() == 1 { "" } else { "s" },
                    quote_values(&removed)
                );
                self.file(match dir {
                    Dir::Request => change("request-enum-value-removed", message, Some(&o_at), Some(&n_at))
                        .axes([CS, CW, SS])
                        .note("a deployed client may still send it, and its variant leaves both crates"),
                    Dir::Response if strict => change("response-enum-value-removed", message, Some(&o_at), Some(&n_at))
                        .axes([CS, SS, SW])
                        .note("its variant leaves both crates; an old server may still send it, and this enum is in `[client] strict-enums`"),
                    Dir::Response => change("response-enum-value-removed", message, Some(&o_at), Some(&n_at))
                        .axes([CS, SS])
                        .note("its variant leaves both crates; a value an old server still sends is read into the catch-all variant"),
                });
            }
            if !added.is_empty() {
                let message =
                    format!("{d} enum value{} {} added", if added.len() == 1 { "" } else { "s" }, quote_values(&added));
                self.file(match dir {
                    Dir::Request => change("request-enum-value-added", message, Some(&o_at), Some(&n_at))
                        .axes([SS, SW])
                        .note("an old server rejects it; server code that matches on the enum gets a new variant"),
                    Dir::Response if strict => change("response-enum-value-added", message, Some(&o_at), Some(&n_at))
                        .axes([CS, CW])
                        .note("a deployed client fails to read it (this enum is in `[client] strict-enums`); client code that matches on the enum gets a new variant"),
                    Dir::Response => change("response-enum-value-added", message, Some(&o_at), Some(&n_at))
                        .note("a deployed client reads it into the catch-all variant; the client's enum is `#[non_exhaustive]`, so matching code has a wildcard arm and the new variant breaks none"),
                });
            }
        }
        self.constraints(&os, &ns, dir, setter);
        for (name, o_prop, o_schema) in &os.properties {
            let r1 = os.required.contains(name);
            let o_shape = shape(self.old, o_schema, o_prop);
            let what = format!("{d} property `{name}`");
            match ns.properties.iter().find(|(n, _, _)| n == name) {
                None => {
                    let c = change(
                        if dir == Dir::Request { "request-property-removed" } else { "response-property-removed" },
                        format!("{what} removed"),
                        Some(o_prop),
                        None,
                    )
                    .axes([CS, SS]);
                    self.file(match dir {
                        Dir::Request => c.axis_if(r1, SW),
                        Dir::Response => c.axis_if(rust_optionality(r1, o_shape.nullable) == 0, CW),
                    });
                }
                Some((_, n_prop, n_schema)) => {
                    let r2 = ns.required.contains(name);
                    let n_shape = shape(self.new, n_schema, n_prop);
                    // the property's place, not the schema it refers to
                    let (o_place, n_place) = (
                        Shape { ptr: o_prop.clone(), ..o_shape.clone() },
                        Shape { ptr: n_prop.clone(), ..n_shape.clone() },
                    );
                    self.nullability(&o_place, &n_place, (r1, r2), true, dir, &what);
                    self.default_typing(&o_place, &n_place, (r1, r2), dir, &what);
                    self.schema(o_shape, n_shape, dir, true);
                }
            }
        }
        for (name, n_prop, n_schema) in &ns.properties {
            if os.properties.iter().any(|(n, _, _)| n == name) {
                continue;
            }
            let r2 = ns.required.contains(name);
            let nullable = shape(self.new, n_schema, n_prop).nullable;
            self.file(match (dir, r2) {
                (Dir::Request, true) => change(
                    "request-required-property-added",
                    format!("required {d} property `{name}` added"),
                    None,
                    Some(n_prop),
                )
                .axes([CW])
                .note("a deployed client does not send it; calling code still compiles (typify's builder), and `send()` fails until it sets it"),
                (Dir::Request, false) if os.closed => change(
                    "request-optional-property-added",
                    format!("optional {d} property `{name}` added"),
                    None,
                    Some(n_prop),
                )
                .axes([SW])
                .note("the old schema forbids properties it does not declare (`additionalProperties: false`, pydantic's `extra=\"forbid\"`): an old service refuses a new client that sets it"),
                (Dir::Request, false) => change(
                    "request-optional-property-added",
                    format!("optional {d} property `{name}` added"),
                    None,
                    Some(n_prop),
                )
                .note("an old service ignores it (pydantic's default `extra=\"ignore\"`): a new client's call succeeds, without the property's effect"),
                (Dir::Response, _) => {
                    change("response-property-added", format!("{d} property `{name}` added"), None, Some(n_prop))
                        .axes([SS])
                        .axis_if(rust_optionality(r2, nullable) == 0, SW)
                        .note("server code that builds the type must set it")
                }
            });
        }
        if let (Some((op, o)), Some((np, n))) = (&os.additional, &ns.additional) {
            let (o, n) = (shape(self.old, o, op), shape(self.new, n, np));
            self.nullability(&o, &n, (true, true), false, dir, &format!("{d} map value"));
            self.schema(o, n, dir, false);
        }
        if let (Some((op, o)), Some((np, n))) = (&os.items, &ns.items) {
            let (o, n) = (shape(self.old, o, op), shape(self.new, n, np));
            self.nullability(&o, &n, (true, true), false, dir, &format!("{d} array item"));
            self.schema(o, n, dir, false);
        }
    }
}

#[cfg(test)]
mod tests;
