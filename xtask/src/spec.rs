//! Reading `openapi.json` and `codegen.toml`, lowering, and the checks that
//! every generator relies on.
//!
//! Everything a generator needs from the spec goes through [`Spec::load`]:
//! it parses, lowers FastAPI's 3.1 to 3.0.3 ([`crate::lower`]), checks what
//! the generators assume (operationIds, path templates, JSON bodies), names
//! the operations ([`crate::names`]) and parses the result with `openapiv3`.
//! All problems are collected and reported together, each with the file and
//! a JSON pointer, so that one run shows everything to fix.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::lower::{self, escape_pointer_token};
use crate::names::{self, OperationRef};

/// The HTTP methods of a path item, in the order OpenAPI lists them.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// What the workspace needs beyond the service's export (`codegen.toml`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// operationId → Rust method name, for operations whose derived name is
    /// not wanted or collides with another.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Settings of the generated server.
    #[serde(default)]
    pub server: ServerConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Largest request body an endpoint accepts, in bytes.
    #[serde(default = "default_body_limit")]
    pub request_body_max_bytes: usize,
    /// Path of the error type of every endpoint (it must implement
    /// `dropshot::HttpResponseError`).
    #[serde(default = "default_error_type")]
    pub error_type: String,
}

fn default_error_type() -> String {
    "dropshot::HttpError".into()
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self { request_body_max_bytes: default_body_limit(), error_type: default_error_type() }
    }
}

fn default_body_limit() -> usize {
    // dropshot's default of 1024 bytes refuses realistic update bodies with
    // evidence payloads; 1 MiB is what FastAPI behind a typical proxy takes.
    1024 * 1024
}

/// One operation of the spec, as the generators see it.
#[derive(Debug, Clone)]
pub struct Operation {
    pub operation_id: String,
    /// The Rust method name (see [`crate::names`]).
    pub name: String,
    pub path: String,
    /// Lowercase HTTP method.
    pub method: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
}

/// A spec that every generator can rely on.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file name shown in messages.
    pub file: String,
    /// The 3.0.3 document.
    pub lowered: Value,
    /// Decisions the lowering made (see [`crate::lower::Lowered::notes`]).
    pub notes: Vec<String>,
    pub operations: Vec<Operation>,
    pub config: Config,
    /// SHA-256 of the spec's canonical JSON, recorded in generated files so
    /// that any change of the spec makes them stale.
    pub digest: String,
}

/// Everything wrong with a spec, reported at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub file: String,
    pub problems: Vec<String>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(f, "{} cannot be generated from ({n} problem{}):", self.file, if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            write!(f, "\n  {}: {p}", self.file)?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

impl Spec {
    /// Reads and checks `spec_path`, with `config_path` if it exists.
    pub fn load(spec_path: &Path, config_path: &Path) -> Result<Spec, SpecError> {
        let file = display_name(spec_path);
        let err = |problems: Vec<String>| SpecError { file: file.clone(), problems };
        let text = std::fs::read_to_string(spec_path)
            .map_err(|e| err(vec![format!("cannot read the file: {e}")]))?;
        let config = match std::fs::read_to_string(config_path) {
            Ok(text) => toml::from_str::<Config>(&text).map_err(|e| SpecError {
                file: display_name(config_path),
                problems: vec![e.to_string().trim_end().replace('\n', "\n    ")],
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => {
                return Err(SpecError {
                    file: display_name(config_path),
                    problems: vec![format!("cannot read the file: {e}")],
                });
            }
        };
        Self::from_str(&file, &text, config)
    }

    /// Checks a spec given as text; `file` names it in messages.
    pub fn from_str(file: &str, text: &str, config: Config) -> Result<Spec, SpecError> {
        let err = |problems: Vec<String>| SpecError { file: file.to_string(), problems };
        let raw: Value = serde_json::from_str(text).map_err(|e| {
            err(vec![format!(
                "line {}, column {}: not valid JSON ({e}); export the spec again with `app.openapi()`",
                e.line(),
                e.column()
            )])
        })?;
        let lowered = lower::lower(&raw).map_err(|errors| {
            err(errors.iter().map(|e| format!("{}: {}", pointer_or_root(&e.pointer), e.message)).collect())
        })?;
        let mut problems = Vec::new();
        let operations = collect_operations(&lowered.doc, &mut problems);
        check_operations(&lowered.doc, &operations, &mut problems);
        if !problems.is_empty() {
            return Err(err(problems));
        }
        // openapiv3 is what progenitor reads: a document it cannot parse
        // would fail later with less context.
        if let Err(e) = parse_openapi(&lowered.doc) {
            return Err(err(vec![e]));
        }
        let names = names::assign(&operations, &config.names).map_err(err)?;
        let operations = operations
            .into_iter()
            .map(|op| Operation {
                name: names[&op.operation_id].clone(),
                operation_id: op.operation_id,
                path: op.path,
                method: op.method,
                pointer: op.pointer,
            })
            .collect();
        Ok(Spec {
            file: file.to_string(),
            digest: digest(&raw),
            lowered: lowered.doc,
            notes: lowered.notes,
            operations,
            config,
        })
    }

    /// The operation with this operationId.
    pub fn operation(&self, operation_id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.operation_id == operation_id)
    }
}

/// Parses a lowered document with `openapiv3`, naming the place of a failure.
pub fn parse_openapi(doc: &Value) -> Result<openapiv3::OpenAPI, String> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(doc).map_err(|e| {
        let pointer = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(escape_pointer_token(key)),
                serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {
                    None
                }
            })
            .fold(String::new(), |acc, seg| acc + "/" + &seg);
        format!(
            "{}: not a valid OpenAPI 3.0 document after lowering ({}); fix the spec at that place",
            pointer_or_root(&pointer),
            e.inner()
        )
    })
}

fn pointer_or_root(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

fn display_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// SHA-256 of the canonical (compact, key order as written) JSON.
pub fn digest(raw: &Value) -> String {
    let canonical = serde_json::to_vec(raw).unwrap_or_default();
    Sha256::digest(&canonical).iter().map(|b| format!("{b:02x}")).collect()
}

fn collect_operations(doc: &Value, problems: &mut Vec<String>) -> Vec<OperationRef> {
    let mut ops = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        problems.push("/paths: the document has no paths object; it describes no operations".into());
        return ops;
    };
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (path, item) in paths {
        let item_ptr = format!("/paths/{}", escape_pointer_token(path));
        if !path.starts_with('/') {
            problems.push(format!("{item_ptr}: path `{path}` must start with `/`"));
        }
        let Some(item) = item.as_object() else {
            problems.push(format!("{item_ptr}: a path item must be an object"));
            continue;
        };
        if item.contains_key("$ref") {
            problems.push(format!("{item_ptr}: path items given by `$ref` are not supported; inline the path item"));
            continue;
        }
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let pointer = format!("{item_ptr}/{method}");
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                problems.push(format!(
                    "{pointer}: operation {} {path} has no operationId; give it one (FastAPI always exports one)",
                    method.to_uppercase()
                ));
                continue;
            };
            if let Some(first) = seen.insert(id.to_string(), pointer.clone()) {
                problems.push(format!(
                    "{pointer}: operationId `{id}` is used again (first at {first}); operationIds must be unique"
                ));
                continue;
            }
            ops.push(OperationRef {
                operation_id: id.to_string(),
                path: path.clone(),
                method: method.to_string(),
                pointer,
            });
        }
    }
    ops
}

/// Resolves a local `$ref` (the lowering has checked that it exists).
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut value = value;
    // bounded: a chain of references longer than this is a cycle
    for _ in 0..32 {
        match value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => match doc.pointer(pointer) {
                Some(target) => value = target,
                None => return value,
            },
            None => return value,
        }
    }
    value
}

/// The parameters of an operation: the path item's, overridden by the
/// operation's own (same name and location), each with its pointer.
pub fn parameters<'a>(doc: &'a Value, op: &OperationRef) -> Vec<(String, &'a Value)> {
    let item_ptr = op.pointer.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    let mut out: Vec<(String, &Value)> = Vec::new();
    for base in [item_ptr.to_string(), op.pointer.clone()] {
        let Some(list) = doc.pointer(&format!("{base}/parameters")).and_then(Value::as_array) else {
            continue;
        };
        for (i, p) in list.iter().enumerate() {
            let p = resolve(doc, p);
            let key = |v: &Value| (v.get("name").cloned(), v.get("in").cloned());
            out.retain(|(_, q)| key(q) != key(p));
            out.push((format!("{base}/parameters/{i}"), p));
        }
    }
    out
}

fn check_operations(doc: &Value, ops: &[OperationRef], problems: &mut Vec<String>) {
    for op in ops {
        let params = parameters(doc, op);
        let template: Vec<&str> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for (pointer, p) in &params {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            match p.get("in").and_then(Value::as_str) {
                Some("path") if !template.contains(&name) => problems.push(format!(
                    "{pointer}: path parameter `{name}` of `{}` does not appear in the path `{}`; remove it or add `{{{name}}}` to the path",
                    op.operation_id, op.path
                )),
                Some("path") | Some("query") => {}
                Some(other) => problems.push(format!(
                    "{pointer}: `{}` takes `{name}` from the {other}; only path and query parameters are supported, so move it to the query or declare it in codegen (header and cookie parameters are not generated)",
                    op.operation_id
                )),
                None => problems.push(format!("{pointer}: parameter has no `in`")),
            }
            if p.get("content").is_some() {
                problems.push(format!(
                    "{pointer}: parameter `{name}` uses `content` instead of `schema`; only `schema` parameters are supported"
                ));
            }
        }
        for var in &template {
            let declared = params.iter().any(|(_, p)| {
                p.get("in").and_then(Value::as_str) == Some("path")
                    && p.get("name").and_then(Value::as_str) == Some(var)
            });
            if !declared {
                problems.push(format!(
                    "{}: `{}` has `{{{var}}}` in its path but declares no path parameter `{var}`; declare it",
                    op.pointer, op.operation_id
                ));
            }
        }
        if let Some(body) = doc.pointer(&format!("{}/requestBody", op.pointer)) {
            let body = resolve(doc, body);
            let types: Vec<&String> = body.get("content").and_then(Value::as_object).map(|c| c.keys().collect()).unwrap_or_default();
            if types.iter().any(|t| t.as_str() != "application/json") || types.is_empty() {
                problems.push(format!(
                    "{}/requestBody: `{}` takes a body of type {}; only application/json bodies are supported (form and multipart bodies are not generated)",
                    op.pointer,
                    op.operation_id,
                    if types.is_empty() { "(none given)".to_string() } else { types.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ") }
                ));
            }
        }
    }
}

/// Where the workspace keeps its files.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
}

impl Workspace {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The workspace this xtask was built in.
    pub fn this() -> Self {
        Self::new(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")))
    }

    pub fn spec_path(&self) -> PathBuf {
        self.root.join("openapi.json")
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join("codegen.toml")
    }

    pub fn load(&self) -> Result<Spec, SpecError> {
        Spec::load(&self.spec_path(), &self.config_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(doc: Value) -> Result<Spec, SpecError> {
        Spec::from_str("spec.json", &doc.to_string(), Config::default())
    }

    fn minimal(paths: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths})
    }

    #[test]
    fn invalid_json_names_line_and_column() {
        let e = Spec::from_str("spec.json", "{\n  \"openapi\": ,\n}", Config::default()).unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert!(e.problems[0].starts_with("line 2, column 14: not valid JSON"), "{e}");
        assert!(e.to_string().starts_with("spec.json cannot be generated from (1 problem):\n  spec.json: line 2"), "{e}");
    }

    #[test]
    fn missing_and_duplicate_operation_ids() {
        let ok = json!({"responses": {"200": {"description": "ok"}}});
        let mut dup = ok.clone();
        dup["operationId"] = json!("a");
        let e = load(minimal(json!({"/x": {"get": dup, "post": dup}, "/y": {"get": ok}}))).unwrap_err();
        assert_eq!(
            e.problems,
            [
                "/paths/~1x/post: operationId `a` is used again (first at /paths/~1x/get); operationIds must be unique",
                "/paths/~1y/get: operation GET /y has no operationId; give it one (FastAPI always exports one)",
            ]
        );
    }

    #[test]
    fn path_template_and_parameters_must_agree() {
        let doc = minimal(json!({"/items/{id}": {"get": {
            "operationId": "get_item",
            "parameters": [{"name": "other", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}
        }}}));
        let e = load(doc).unwrap_err();
        assert!(e.problems.iter().any(|p| p.starts_with("/paths/~1items~1{id}/get/parameters/0: path parameter `other`")), "{e}");
        assert!(e.problems.iter().any(|p| p.starts_with("/paths/~1items~1{id}/get: `get_item` has `{id}`")), "{e}");
    }

    #[test]
    fn form_bodies_and_cookies_are_refused() {
        let doc = minimal(json!({"/login": {"post": {
            "operationId": "login",
            "parameters": [{"name": "session", "in": "cookie", "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}
        }}}));
        let e = load(doc).unwrap_err();
        assert_eq!(e.problems.len(), 2, "{e}");
        assert!(e.problems[0].contains("takes `session` from the cookie"), "{e}");
        assert!(e.problems[1].starts_with("/paths/~1login/post/requestBody: `login` takes a body of type `application/x-www-form-urlencoded`"), "{e}");
    }

    #[test]
    fn names_are_assigned() {
        let doc = minimal(json!({"/items": {"get": {
            "operationId": "list_items_items_get",
            "responses": {"200": {"description": "ok"}}
        }}}));
        let spec = load(doc).unwrap();
        assert_eq!(spec.operations[0].name, "list_items");
        assert_eq!(spec.operations[0].pointer, "/paths/~1items/get");
    }

    #[test]
    fn digest_follows_content() {
        assert_eq!(digest(&json!({"a": 1})), digest(&json!({"a": 1})));
        assert_ne!(digest(&json!({"a": 1})), digest(&json!({"a": 2})));
    }
}
