//! Reading `openapi.json` and `codegen.toml`, lowering, and the checks that
//! every generator relies on.
//!
//! Everything a generator needs from the spec goes through [`Spec::load`]:
//! it parses, lowers FastAPI's 3.1 to 3.0.3 ([`crate::lower`]), checks what
//! the generators assume (operationIds, path templates, JSON bodies, no
//! reference loops), names the operations ([`crate::names`]) and parses the
//! result with `openapiv3`.
//! All problems are collected and reported together, each a
//! [`Problem`](crate::diag::Problem) with the file and a JSON pointer (or a
//! line and column), so that one run shows everything to fix. The loader
//! names the file of the problems and notes raised by the modules that do
//! not know it (the lowering, the naming rule); [`crate::diag`] renders them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::diag::{self, Note, NoteKind, Problem, ProblemKind as Kind};
use crate::lower;
use crate::names::{self, OperationRef};
use crate::pointer;

/// The HTTP methods of a path item, in the order OpenAPI lists them: the one
/// list the lowering, the checks, the generators and the round trip share.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The media types of the request bodies that both generators take: JSON,
/// the form FastAPI's `Form()` fields and OAuth2 login post, the multipart
/// form of `File()`/`UploadFile` (with `Form()` fields beside the files), and
/// raw bytes or text that a FastAPI handler reads from `Request` (declared
/// through `openapi_extra`).
pub const BODY_MEDIA_TYPES: [&str; 5] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/octet-stream",
    "text/plain",
];

/// The body media types that a generated server takes as raw bytes
/// (`dropshot::UntypedBody`).
pub const RAW_BODY_MEDIA_TYPES: [&str; 2] = ["application/octet-stream", "text/plain"];

/// What the workspace needs beyond the service's export (`codegen.toml`):
/// the one owner of the generator's settings, including where each
/// generated file is written.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// operationId → Rust method name, for operations whose derived name is
    /// not wanted or collides with another.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// operationId → why it is left out of the generated client and server.
    /// Only for an operation that the generators cannot take: the error that
    /// refuses one names the line to add. Each left-out operation is noted
    /// on every run.
    #[serde(default)]
    pub skip: BTreeMap<String, String>,
    /// Settings of the contract stub (`contract-stub`).
    #[serde(default)]
    pub stub: StubConfig,
    /// Settings of the generated client.
    #[serde(default)]
    pub client: ClientConfig,
    /// Settings of the generated server API.
    #[serde(default)]
    pub server: ServerConfig,
    /// What `cargo xtask diff` (and `check`) fail on, and the changes
    /// accepted anyway.
    #[serde(default)]
    pub breaking: crate::breaking::BreakingConfig,
}

/// `[stub]`: read by the contract stub, not by the generators.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StubConfig {
    /// operationId → `"stateless"`, or `"<role> <collection path>"`: a
    /// correction of the path convention by which the stub keeps state.
    #[serde(default)]
    pub resources: BTreeMap<String, String>,
    /// The operations this workspace's stub answers by hand (its handlers),
    /// so that `cargo xtask check` can say how every operation is answered;
    /// the stub refuses to start when its handlers are others (also when
    /// one names an operation the spec lost).
    #[serde(default, rename = "hand-written")]
    pub hand_written: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// Where the generated client is written, relative to the workspace root.
    #[serde(default = "default_client_output")]
    pub output: String,
    /// Schemas (`components/schemas` keys) whose string enum stays exact in
    /// responses too: no catch-all variant ([`crate::forward_compat`]).
    #[serde(default, rename = "strict-enums")]
    pub strict_enums: Vec<String>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self { output: default_client_output(), strict_enums: Vec::new() }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Where the generated API (trait, types, document) is written, relative
    /// to the workspace root.
    #[serde(default = "default_server_output")]
    pub output: String,
    /// Largest request body an endpoint accepts, in bytes.
    #[serde(default = "default_body_limit")]
    pub request_body_max_bytes: usize,
    /// Path of the error type of every endpoint (it must implement
    /// `dropshot::HttpResponseError` and `From<dropshot::HttpError>`).
    #[serde(default = "default_error_type")]
    pub error_type: String,
}

fn default_client_output() -> String {
    "client/src/generated.rs".into()
}

fn default_server_output() -> String {
    "api/src/generated.rs".into()
}

fn default_error_type() -> String {
    "dropshot::HttpError".into()
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            output: default_server_output(),
            request_body_max_bytes: default_body_limit(),
            error_type: default_error_type(),
        }
    }
}

fn default_body_limit() -> usize {
    // dropshot's default of 1024 bytes refuses realistic update bodies with
    // evidence payloads; 1 MiB is what FastAPI behind a typical proxy takes.
    1024 * 1024
}

impl Config {
    /// Every file the generator writes, relative to the workspace root: the
    /// one list that `generate`, `check` and the tests read.
    pub fn generated_files(&self) -> [&str; 2] {
        [&self.client.output, &self.server.output]
    }

    /// Reads `codegen.toml` (the defaults when it does not exist) and checks
    /// its output paths.
    pub fn load(config_path: &Path) -> Result<Config, SpecError> {
        let config_file = display_name(config_path);
        match std::fs::read_to_string(config_path) {
            Ok(text) => {
                let config = toml::from_str::<Config>(&text).map_err(|e| {
                    let problem = match e.span() {
                        Some(span) => {
                            let (line, column) = line_column(&text, span.start);
                            Problem::at_line(Kind::Config, line, column, e.message().trim_end())
                        }
                        None => Problem::in_file(Kind::Config, &config_file, e.message().trim_end()),
                    };
                    SpecError::new(&config_file, [problem])
                })?;
                let mut problems = config.output_problems();
                problems.extend(config.breaking_problems());
                if problems.is_empty() { Ok(config) } else { Err(SpecError::new(&config_file, problems)) }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(unreadable(&config_file, &e)),
        }
    }

    /// Problems with `[breaking]`: every accepted change needs its reason.
    fn breaking_problems(&self) -> Vec<Problem> {
        self.breaking
            .ignore
            .iter()
            .filter(|(_, why)| why.trim().is_empty())
            .map(|(key, _)| {
                Problem::in_file(Kind::Config, "codegen.toml", format!("[breaking.ignore] {key:?} gives no reason"))
                    .fix("say why the change is accepted, e.g. \"no client uses it yet\"")
            })
            .collect()
    }

    /// Problems with the output paths: each must be a relative path to a
    /// `.rs` file inside the workspace, and the two must differ.
    fn output_problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (section, path) in [("client", &self.client.output), ("server", &self.server.output)] {
            let p = Path::new(path);
            let escapes = p.is_absolute() || p.components().any(|c| matches!(c, std::path::Component::ParentDir));
            if escapes || p.extension().is_none_or(|e| e != "rs") {
                problems.push(
                    Problem::in_file(
                        Kind::Config,
                        "codegen.toml",
                        format!("[{section}] output = {path:?} is no place to write"),
                    )
                    .fix("give a relative path to a `.rs` file inside the workspace"),
                );
            }
        }
        if self.client.output == self.server.output {
            problems.push(
                Problem::in_file(
                    Kind::Config,
                    "codegen.toml",
                    format!("[client] output and [server] output are both {:?}", self.client.output),
                )
                .fix("give each generated file its own path"),
            );
        }
        problems
    }
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
    /// Decisions the lowering made (see [`crate::lower::Lowered::notes`]),
    /// with the file named.
    pub notes: Vec<Note>,
    pub operations: Vec<Operation>,
    pub config: Config,
    /// SHA-256 of the spec's canonical JSON, recorded in generated files so
    /// that any change of the spec makes them stale.
    pub digest: String,
    /// How many operations the export has, before `[skip]` and before
    /// anything was left out ([`crate::contain`]).
    pub operations_in_export: usize,
}

/// Everything wrong with a spec, reported at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file that cannot be generated from (`openapi.json`, `codegen.toml`).
    pub file: String,
    /// Each with its own file: a spec's problems can lie in `codegen.toml`
    /// (a stale `[names]` entry).
    pub problems: Vec<Problem>,
}

impl SpecError {
    /// `problems` of `file`; those that name no file yet are `file`'s.
    pub fn new(file: &str, problems: impl IntoIterator<Item = Problem>) -> Self {
        Self { file: file.to_string(), problems: problems.into_iter().map(|p| p.default_file(file)).collect() }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        diag::write_problems(f, &self.file, &self.problems)
    }
}

impl std::error::Error for SpecError {}

/// The JSON of a spec file (`file` names it in messages): the one reader
/// of the text for `generate`, `check` and `diff`, so that an empty,
/// too deep or malformed export gets one message wherever it is read.
pub fn parse_document(file: &str, text: &str) -> Result<Value, SpecError> {
    let err = |problem: Problem| SpecError::new(file, [problem]);
    if text.trim().is_empty() {
        return Err(err(
            Problem::new(Kind::EmptyFile, "", "the file is empty").fix("export the spec again with `app.openapi()`")
        ));
    }
    serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        err(if e.to_string().starts_with("recursion limit exceeded") {
            Problem::at_line(
                Kind::TooDeep,
                line,
                column,
                "the document nests deeper than the JSON reader accepts (128 levels)",
            )
            .fix("flatten the model")
        } else {
            Problem::at_line(Kind::NotJson, line, column, format!("not valid JSON ({e})"))
                .fix("export the spec again with `app.openapi()`")
        })
    })
}

impl Spec {
    /// Reads and checks `spec_path`, with `config_path` if it exists.
    pub fn load(spec_path: &Path, config_path: &Path) -> Result<Spec, SpecError> {
        Self::load_as(spec_path, config_path, true)
    }

    /// [`Spec::load`] for a server that serves the spec (see [`Spec::for_serving`]).
    pub fn load_for_serving(spec_path: &Path, config_path: &Path) -> Result<Spec, SpecError> {
        Self::load_as(spec_path, config_path, false)
    }

    fn load_as(spec_path: &Path, config_path: &Path, for_generators: bool) -> Result<Spec, SpecError> {
        let file = display_name(spec_path);
        let text = std::fs::read_to_string(spec_path).map_err(|e| unreadable(&file, &e))?;
        let config = Config::load(config_path)?;
        Self::read(&file, &text, config, for_generators)
    }

    /// Checks a spec given as text; `file` names it in messages.
    pub fn from_str(file: &str, text: &str, config: Config) -> Result<Spec, SpecError> {
        Self::read(file, text, config, true)
    }

    /// [`Spec::from_str`] for a server that serves the spec rather than
    /// generating from it (contract-stub): every check but progenitor's own
    /// parse of the lowered document, which only the generators need, and
    /// which took most of a stub's start-up.
    pub fn for_serving(file: &str, text: &str, config: Config) -> Result<Spec, SpecError> {
        Self::read(file, text, config, false)
    }

    /// Reads the document, leaving out what cannot be generated yet
    /// ([`crate::contain`]): each round leaves out the operations (and
    /// components) that the problems found belong to, with a note each, and
    /// reads the rest again. Only problems that belong to no operation
    /// refuse the spec.
    fn read(file: &str, text: &str, config: Config, for_generators: bool) -> Result<Spec, SpecError> {
        let err = |problems: Vec<Problem>| SpecError::new(file, problems);
        let raw = parse_document(file, text)?;
        let digest = digest(&raw);
        let operations_in_export = crate::contain::operations(&raw).len();
        let mut input = raw;
        let mut left_out: Vec<Note> = Vec::new();
        loop {
            let problems = match Self::read_value(file, &input, &config, for_generators) {
                Ok(mut spec) => {
                    spec.digest = digest;
                    spec.operations_in_export = operations_in_export;
                    spec.notes.extend(left_out.into_iter().map(|n| n.default_file(file)));
                    return Ok(spec);
                }
                Err(problems) => problems,
            };
            let found = crate::contain::culprits(&input, file, problems.clone()).map_err(err)?;
            let ids: BTreeMap<String, Option<String>> = crate::contain::operations(&input).into_iter().collect();
            let before = (ids.len(), crate::contain::component_count(&input));
            for (op, why) in &found.operations {
                let id = ids.get(op).cloned().flatten();
                left_out.push(crate::contain::left_out_note(op, id.as_deref(), why));
            }
            for (component, why) in &found.components {
                left_out.push(crate::contain::removed_component_note(component, why));
            }
            crate::contain::remove(&mut input, &found);
            // nothing left out: the problems are not the operations' after all
            if (crate::contain::operations(&input).len(), crate::contain::component_count(&input)) == before {
                return Err(err(problems));
            }
        }
    }

    /// One round of [`Spec::read`]: the document as it is, or every problem
    /// found in it.
    fn read_value(file: &str, raw: &Value, config: &Config, for_generators: bool) -> Result<Spec, Vec<Problem>> {
        let mut lowered = lower::lower(raw)?;
        let mut problems = Vec::new();
        let named = unique_operation_ids(&mut lowered.doc);
        lowered.notes.extend(named);
        let declared = declare_path_variables(&mut lowered.doc);
        lowered.notes.extend(declared);
        if for_generators {
            let chosen = one_request_media_type(&mut lowered.doc);
            lowered.notes.extend(chosen);
            let dropped = optional_deep_objects(&mut lowered.doc);
            lowered.notes.extend(dropped);
        }
        let skipped = skip_operations(&mut lowered.doc, &config.skip, &mut problems);
        check_reference_loops(raw, &mut problems);
        check_strict_enums(&lowered.doc, &config.client.strict_enums, &mut problems);
        let operations = collect_operations(&lowered.doc, &mut problems);
        check_operations(&lowered.doc, &operations, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        // openapiv3 is what progenitor reads: a document it cannot parse
        // would fail later with less context.
        if for_generators && let Err(e) = parse_openapi(&lowered.doc) {
            return Err(vec![e]);
        }
        if for_generators {
            crate::typify_shapes::reshape(&mut lowered.doc);
        }
        let names = names::assign(&operations, &config.names)?;
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
            digest: String::new(),
            operations_in_export: 0,
            lowered: lowered.doc,
            notes: lowered.notes.into_iter().chain(skipped).map(|n| n.default_file(file)).collect(),
            operations,
            config: config.clone(),
        })
    }

    /// This spec without the operations at `pointers` (their types stay).
    pub fn without<'p>(&self, pointers: impl IntoIterator<Item = &'p str>) -> Spec {
        let gone: BTreeSet<&str> = pointers.into_iter().collect();
        let mut spec = self.clone();
        crate::contain::remove_operations(&mut spec.lowered, gone.iter().copied());
        spec.operations.retain(|op| !gone.contains(op.pointer.as_str()));
        spec
    }

    /// This spec with only the operations at `pointers`, and only the
    /// components they reach ([`crate::codegen`] generates it to find which
    /// operations a generator fails on).
    pub fn restricted<'p>(&self, pointers: impl IntoIterator<Item = &'p str>) -> Spec {
        let keep: BTreeSet<&str> = pointers.into_iter().collect();
        let gone: Vec<String> = self
            .operations
            .iter()
            .filter(|op| !keep.contains(op.pointer.as_str()))
            .map(|op| op.pointer.clone())
            .collect();
        let mut spec = self.without(gone.iter().map(String::as_str));
        crate::contain::prune_unreachable(&mut spec.lowered);
        spec
    }

    /// The operation with this operationId.
    pub fn operation(&self, operation_id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.operation_id == operation_id)
    }
}

/// Every operation gets an operationId of its own, as the generators need
/// (a method per operation) and FastAPI only warns about: one that repeats
/// an earlier one (two routes of one function) becomes `<id>_<method>`, or
/// `<id>_<n>` where that is taken too; one with none (not FastAPI's) gets
/// `<method>_<path>`, as FastAPI would name it. The wire is unchanged; each
/// gets a note.
fn unique_operation_ids(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    let places: Vec<(String, String, String)> = crate::contain::operations(doc)
        .into_iter()
        .filter_map(|(pointer, _)| {
            let (item, method) = pointer.rsplit_once('/')?;
            let path = pointer::unescape(item.strip_prefix("/paths/")?);
            Some((pointer.clone(), path, method.to_string()))
        })
        .collect();
    let mut taken: BTreeSet<String> = places
        .iter()
        .filter_map(|(pointer, _, _)| doc.pointer(&format!("{pointer}/operationId"))?.as_str().map(String::from))
        .collect();
    let mut seen = BTreeMap::new();
    for (pointer, path, method) in places {
        let Some(op) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else { continue };
        let given = op.get("operationId").and_then(Value::as_str).map(String::from);
        let first = given.as_ref().and_then(|id| seen.get(id).cloned());
        if let Some(id) = &given
            && first.is_none()
        {
            seen.insert(id.clone(), pointer.clone());
            continue;
        }
        let base = match &given {
            Some(id) => format!("{id}_{method}"),
            None => {
                let words: String = path
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
                    .collect();
                format!("{method}_{}", words.trim_matches('_'))
            }
        };
        let mut id = base.clone();
        let mut n = 2;
        while taken.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(id.clone());
        seen.insert(id.clone(), pointer.clone());
        op.insert("operationId".into(), Value::String(id.clone()));
        let message = match (&given, &first) {
            (Some(given), Some(first)) => format!(
                "operationId `{given}` is used again (first at {first}): this operation is `{id}` in the generated code; the wire is unchanged"
            ),
            _ => format!("the operation has no operationId: it is `{id}` in the generated code"),
        };
        notes.push(Note::new(NoteKind::OperationIdRenamed, pointer::join(&pointer, "operationId"), message));
    }
    notes
}

/// A request body offered in several media types (JSON or multipart; a
/// form or multipart): the generated client sends one and the generated
/// server reads one, so the first of `BODY_MEDIA_TYPES`' order it offers is
/// kept (JSON before the form types, then raw bytes and text), with a note
/// naming what is left. One media type with no form of its own is taken as
/// JSON (`…+json`) or as bytes (`application/zip`), with a note. The stub
/// serves the export's own.
fn one_request_media_type(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    for (pointer, _) in crate::contain::operations(doc) {
        let body_ptr = format!("{pointer}/requestBody/content");
        let Some(content) = doc.pointer_mut(&body_ptr).and_then(Value::as_object_mut) else { continue };
        if let [(only, _)] = content.iter().collect::<Vec<_>>().as_slice()
            && !BODY_MEDIA_TYPES.contains(&only.as_str())
        {
            // one media type the generators have no form for (`application/zip`,
            // `application/xml`): its bytes, sent as `application/octet-stream`
            let only = only.to_string();
            let json_like = only.ends_with("+json");
            let (media, schema) = if json_like {
                ("application/json", content[&only].get("schema").cloned().unwrap_or(serde_json::json!({})))
            } else {
                ("application/octet-stream", serde_json::json!({"type": "string", "format": "binary"}))
            };
            content.clear();
            content.insert(media.into(), serde_json::json!({"schema": schema}));
            notes.push(Note::new(
                NoteKind::RequestMediaTypeChosen,
                body_ptr,
                format!("the body is `{only}`, which the generators have no form for: the generated client sends it, and the generated server reads it, as `{media}`"),
            ));
            continue;
        }
        if content.len() < 2 {
            continue;
        }
        let Some(kept) = BODY_MEDIA_TYPES.iter().find(|t| content.contains_key(**t)).map(|t| t.to_string()) else {
            continue;
        };
        let others: Vec<String> = content.keys().filter(|k| **k != kept).cloned().collect();
        content.retain(|k, _| *k == kept);
        let others = others.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ");
        notes.push(Note::new(
            NoteKind::RequestMediaTypeChosen,
            body_ptr,
            format!("the body is offered as `{kept}` and {others}: the generated client sends, and the generated server reads, `{kept}` only"),
        ));
    }
    notes
}

/// An optional query parameter of `style: deepObject` (`?metadata[key]=value`):
/// progenitor has no such style and refuses the operation. The operation is
/// generated without the parameter, with a note: its client cannot send that
/// filter, and its server trait does not read it (the stub still does). A
/// required one leaves the operation out, as containment says.
fn optional_deep_objects(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut gone: Vec<(String, usize)> = Vec::new();
    for (op, _) in crate::contain::operations(doc) {
        for (at, p) in parameters(doc, &op) {
            if p.get("style").and_then(Value::as_str) != Some("deepObject")
                || p.get("required") == Some(&Value::Bool(true))
            {
                continue;
            }
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            notes.push(Note::new(
                NoteKind::DeepObjectDropped,
                at.clone(),
                format!(
                    "query parameter `{name}` has `style: deepObject`, which progenitor cannot send: the operation is generated without it"
                ),
            ));
            if let Some((list, i)) = at.rsplit_once('/').and_then(|(l, i)| Some((l.to_string(), i.parse().ok()?))) {
                gone.push((list, i));
            }
        }
    }
    gone.sort();
    gone.dedup();
    for (list, i) in gone.into_iter().rev() {
        if let Some(list) = doc.pointer_mut(&list).and_then(Value::as_array_mut)
            && i < list.len()
        {
            list.remove(i);
        }
    }
    notes
}

/// A variable of an operation's path that no parameter declares (a route
/// whose function reads it from `request.path_params`, or a catch-all
/// `{catchall}`): FastAPI matches any segment there, so it is declared as
/// a required string path parameter, with a note.
fn declare_path_variables(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    for (pointer, _) in crate::contain::operations(doc) {
        let Some(path) = pointer.rsplit_once('/').and_then(|(item, _)| item.strip_prefix("/paths/")) else { continue };
        let path = pointer::unescape(path);
        let declared: BTreeSet<String> = parameters(doc, &pointer)
            .iter()
            .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("path"))
            .filter_map(|(_, p)| p.get("name").and_then(Value::as_str).map(String::from))
            .collect();
        let missing: Vec<String> = dropshot_codegen_runtime::template::variables(&path)
            .into_iter()
            .filter(|v| !declared.contains(*v))
            .map(String::from)
            .collect();
        let Some(op) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else { continue };
        for var in missing {
            let list = op.entry("parameters").or_insert_with(|| serde_json::json!([]));
            let Some(list) = list.as_array_mut() else { continue };
            list.push(serde_json::json!({"name": var, "in": "path", "required": true, "schema": {"type": "string"}}));
            notes.push(Note::new(
                NoteKind::PathVariableDeclared,
                pointer.clone(),
                format!("`{{{var}}}` is in the path but no parameter declares it: declared as a string path parameter"),
            ));
        }
    }
    notes
}

/// Removes the operations that `codegen.toml` `[skip]` names from the
/// lowered document (and a path item left empty), before anything checks or
/// generates them; notes each, and reports an entry that names no operation.
fn skip_operations(doc: &mut Value, skip: &BTreeMap<String, String>, problems: &mut Vec<Problem>) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut found = BTreeSet::new();
    let mut gone = Vec::new();
    for (pointer, id) in crate::contain::operations(doc) {
        let Some((id, why)) = id.and_then(|id| skip.get_key_value(&id)) else { continue };
        found.insert(id.clone());
        let message = format!("`{id}` left out of the client and the server, as codegen.toml [skip] asks: {why}");
        notes.push(Note::new(NoteKind::Skipped, pointer.clone(), message));
        gone.push(pointer);
    }
    crate::contain::remove_operations(doc, gone.iter().map(String::as_str));
    for id in skip.keys().filter(|id| !found.contains(*id)) {
        let message = format!("[skip] names operation `{id}`, which the spec does not have");
        problems.push(Problem::in_file(Kind::StaleSkip, "codegen.toml", message).fix("remove the entry"));
    }
    notes
}

/// Reports each `[client] strict-enums` entry that names no string enum
/// among the spec's `components/schemas`: a schema the spec lost, or one
/// that is not an enum of strings (which has no catch-all to opt out of).
fn check_strict_enums(doc: &Value, names: &[String], problems: &mut Vec<Problem>) {
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object);
    for name in names {
        let message = match schemas.and_then(|s| s.get(name)) {
            None => format!("[client] strict-enums names schema `{name}`, which the spec does not have"),
            Some(schema) if !is_string_enum(schema) => {
                format!("[client] strict-enums names schema `{name}`, which is not a string enum")
            }
            Some(_) => continue,
        };
        problems.push(Problem::in_file(Kind::StrictEnum, "codegen.toml", message).fix("remove the entry"));
    }
}

/// A schema of string values listed by `enum` (`null` may be among them).
fn is_string_enum(schema: &Value) -> bool {
    schema.get("enum").and_then(Value::as_array).is_some_and(|values| {
        values.iter().any(Value::is_string) && values.iter().all(|v| v.is_string() || v.is_null())
    })
}

/// The line to add to `codegen.toml` to leave out an operation that cannot
/// be generated, as the fix of a generator's problem about it.
pub fn skip_hint(operation_id: &str) -> String {
    format!("or leave it out: add `{operation_id} = \"<why>\"` under `[skip]` in codegen.toml")
}

/// Parses a lowered document with `openapiv3`, naming the place of a failure.
pub fn parse_openapi(doc: &Value) -> Result<openapiv3::OpenAPI, Problem> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(doc).map_err(|e| {
        let pointer = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => None,
            })
            .fold(String::new(), |acc, token| pointer::join(&acc, &token));
        let message = format!("not a valid OpenAPI 3.0 document after lowering ({})", e.inner());
        Problem::new(Kind::NotOpenApi30AfterLowering, pointer, message).fix("fix the spec at that place")
    })
}

/// The 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

fn unreadable(file: &str, e: &std::io::Error) -> SpecError {
    SpecError::new(file, [Problem::in_file(Kind::Unreadable, file, format!("cannot read the file: {e}"))])
}

fn display_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// SHA-256 of the canonical (compact, key order as written) JSON.
pub fn digest(raw: &Value) -> String {
    let canonical = serde_json::to_vec(raw).unwrap_or_default();
    Sha256::digest(&canonical).iter().map(|b| format!("{b:02x}")).collect()
}

fn collect_operations(doc: &Value, problems: &mut Vec<Problem>) -> Vec<OperationRef> {
    let mut ops = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        problems.push(Problem::new(
            Kind::MissingPaths,
            "/paths",
            "the document has no paths object; it describes no operations",
        ));
        return ops;
    };
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (path, item) in paths {
        let item_ptr = pointer::join("/paths", path);
        if !path.starts_with('/') {
            problems.push(
                Problem::new(Kind::PathTemplate, &item_ptr, format!("path `{path}` must start with `/`"))
                    .fix(format!("write it as `/{path}`")),
            );
        }
        let Some(item) = item.as_object() else {
            problems.push(Problem::new(Kind::NotAnObject, &item_ptr, "a path item must be an object"));
            continue;
        };
        if item.contains_key("$ref") {
            problems.push(
                Problem::new(Kind::PathItemReference, &item_ptr, "path items given by `$ref` are not supported")
                    .fix("inline the path item"),
            );
            continue;
        }
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let pointer = format!("{item_ptr}/{method}");
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                let message = format!("operation {} {path} has no operationId", method.to_uppercase());
                problems.push(
                    Problem::new(Kind::MissingOperationId, pointer, message)
                        .fix("give it one (FastAPI always exports one)"),
                );
                continue;
            };
            if let Some(first) = seen.insert(id.to_string(), pointer.clone()) {
                problems.push(
                    Problem::new(
                        Kind::DuplicateOperationId,
                        pointer,
                        format!("operationId `{id}` is used again (first at {first})"),
                    )
                    .fix("operationIds must be unique")
                    .operation(id),
                );
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

/// FastAPI titles inline request and response bodies after the route
/// ("Response List Saas Associations Api Integration Sources  Source Id  Saas
/// Associations Get"); typify would name their types after those titles.
/// Both generators drop them, so that the types are named after the
/// operation instead (`BulkUpdateSaasAssociationStatusResponse`).
pub fn drop_inline_body_titles(doc: &mut Value, spec: &Spec) {
    for op in &spec.operations {
        for place in ["responses", "requestBody"] {
            let Some(v) = doc.pointer_mut(&format!("{}/{place}", op.pointer)) else { continue };
            for schema in media_schemas(v) {
                if let Some(obj) = schema.as_object_mut() {
                    obj.shift_remove("title");
                }
            }
        }
    }
}

/// The `schema` of every media type below a responses object or request body.
fn media_schemas(v: &mut Value) -> Vec<&mut Value> {
    let mut out = Vec::new();
    let contents: Vec<&mut Value> = match v.get("content") {
        Some(_) => vec![v],
        None => v.as_object_mut().map(|m| m.values_mut().collect()).unwrap_or_default(),
    };
    for c in contents {
        if let Some(media) = c.get_mut("content").and_then(Value::as_object_mut) {
            out.extend(media.values_mut().filter_map(|m| m.get_mut("schema")));
        }
    }
    out
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

/// The parameters of the operation at `op_pointer`: the path item's,
/// overridden by the operation's own (same name and location), each with its
/// pointer.
pub fn parameters<'a>(doc: &'a Value, op_pointer: &str) -> Vec<(String, &'a Value)> {
    let item_ptr = op_pointer.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    let mut out: Vec<(String, &Value)> = Vec::new();
    for base in [item_ptr, op_pointer] {
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

fn check_operations(doc: &Value, ops: &[OperationRef], problems: &mut Vec<Problem>) {
    for op in ops {
        let id = op.operation_id.as_str();
        let mut report = |problem: Problem| problems.push(problem.operation(id));
        let params = parameters(doc, &op.pointer);
        let template: Vec<&str> = dropshot_codegen_runtime::template::variables(&op.path);
        // the generated client and server name arguments and fields after
        // parameters, whatever their location
        let mut seen_names: BTreeMap<&str, &str> = BTreeMap::new();
        for (pointer, p) in &params {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            let location = p.get("in").and_then(Value::as_str).unwrap_or("");
            if let Some(first) = seen_names.insert(name, location) {
                report(
                    Problem::new(
                        Kind::SameParameterName,
                        pointer,
                        format!("`{id}` has a {first} and a {location} parameter both named `{name}`"),
                    )
                    .fix("the generated method takes one argument per name, so rename one of them in the service"),
                );
            }
            match p.get("in").and_then(Value::as_str) {
                Some("path") if !template.contains(&name) => report(
                    Problem::new(
                        Kind::PathParameter,
                        pointer,
                        format!("path parameter `{name}` of `{id}` does not appear in the path `{}`", op.path),
                    )
                    .fix(format!("remove it or add `{{{name}}}` to the path")),
                ),
                Some("path") | Some("query") | Some("header") | Some("cookie") => {}
                Some(other) => report(
                    Problem::new(Kind::ParameterLocation, pointer, format!("`{id}` takes `{name}` from the {other}"))
                        .fix("OpenAPI has path, query, header and cookie parameters, so use one of those"),
                ),
                None => report(Problem::new(Kind::ParameterLocation, pointer, "parameter has no `in`")),
            }
            if p.get("content").is_some() {
                report(
                    Problem::new(
                        Kind::ParameterContent,
                        pointer,
                        format!("parameter `{name}` uses `content` instead of `schema`"),
                    )
                    .fix("only parameters described by a `schema` are generated, so give it a `schema`"),
                );
            }
        }
        for var in &template {
            let declared = params.iter().any(|(_, p)| {
                p.get("in").and_then(Value::as_str) == Some("path")
                    && p.get("name").and_then(Value::as_str) == Some(var)
            });
            if !declared {
                report(
                    Problem::new(
                        Kind::PathParameter,
                        &op.pointer,
                        format!("`{id}` has `{{{var}}}` in its path but declares no path parameter `{var}`"),
                    )
                    .fix("declare it"),
                );
            }
        }
        let body_ptr = format!("{}/requestBody", op.pointer);
        if let Some(body) = doc.pointer(&body_ptr) {
            let body = resolve(doc, body);
            let types: Vec<&String> =
                body.get("content").and_then(Value::as_object).map(|c| c.keys().collect()).unwrap_or_default();
            if types.is_empty() {
                report(
                    Problem::new(
                        Kind::RequestBodyWithoutContent,
                        body_ptr,
                        format!("`{id}` declares a request body without `content`"),
                    )
                    .fix("describe the body as `application/json`"),
                );
            } else if types.len() > 1 || !BODY_MEDIA_TYPES.contains(&types[0].as_str()) {
                let types = types.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ");
                report(
                    Problem::new(Kind::RequestBodyMediaType, body_ptr, format!("`{id}` takes a body of type {types}"))
                        .fix(
                            "only one application/json, application/x-www-form-urlencoded, multipart/form-data, \
                             application/octet-stream or text/plain body is generated, so take one of those in the \
                             service",
                        ),
                );
            }
        }
    }
}

/// typify names an inline schema after its `title`, and gives two
/// different inline schemas with one title (pydantic titles a field after
/// its name: `Cat.kind` and `Dog.kind` are both "Kind", `Literal["cat"]` and
/// `Literal["dog"]`) one type, which then refuses the other's values. Such
/// titles are dropped, so that typify names each type after its place
/// (`CatKind`, `DogKind`); a title that names one schema only stays.
pub fn drop_clashing_titles(doc: &mut Value) {
    fn collect(schema: &Value, pointer: String, top: bool, out: &mut Vec<(String, String, Value)>) {
        let Some(obj) = schema.as_object() else { return };
        if !top && let Some(title) = obj.get("title").and_then(Value::as_str) {
            let mut content = obj.clone();
            content.shift_remove("title");
            content.shift_remove("description");
            out.push((title.to_string(), pointer.clone(), Value::Object(content)));
        }
        for (k, v) in obj {
            match k.as_str() {
                "properties" => {
                    for (name, p) in v.as_object().into_iter().flatten() {
                        collect(p, pointer::join(&format!("{pointer}/properties"), name), false, out);
                    }
                }
                "items" | "additionalProperties" | "not" => collect(v, format!("{pointer}/{k}"), false, out),
                "allOf" | "anyOf" | "oneOf" => {
                    for (i, m) in v.as_array().into_iter().flatten().enumerate() {
                        collect(m, format!("{pointer}/{k}/{i}"), false, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        collect(schema, pointer::join("/components/schemas", name), true, &mut found);
    }
    let mut by_title: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (title, _, content) in &found {
        by_title.entry(title.as_str()).or_default().insert(content.to_string());
    }
    for (title, pointer, _) in &found {
        if by_title[title.as_str()].len() > 1
            && let Some(Value::Object(schema)) = doc.pointer_mut(pointer)
        {
            schema.shift_remove("title");
        }
    }
}

/// Refuses `$ref`s that lead back to where they started without going into a
/// property or an array item (`A` = `{"$ref": A}`, `A` → `B` → `A`, `A` =
/// `{"allOf": [{"$ref": A}]}`): such a schema never resolves to a value, and
/// typify would generate a type that contains itself. Recursion through a
/// property or an array item (a tree node's `children`) ends, and is fine.
///
/// A depth-first walk over [`same_value_edges`] of the input document, from
/// every component schema and every reference target; each loop is reported
/// once, at the edge that closes it. Iterative, so no chain can overflow the
/// stack.
fn check_reference_loops(raw: &Value, problems: &mut Vec<Problem>) {
    struct Frame {
        ptr: String,
        /// entered through a `$ref`, so shown in the loop (not a member)
        by_ref: bool,
        edges: Vec<Edge>,
        next: usize,
    }
    let frame = |ptr: String, by_ref: bool| Frame { edges: same_value_edges(raw, &ptr), ptr, by_ref, next: 0 };
    // components first, so that a loop is reported from its first schema
    let components = raw.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten();
    let starts: Vec<String> =
        components.map(|(name, _)| pointer::join("/components/schemas", name)).chain(reference_targets(raw)).collect();
    // absent: not reached yet; false: on the current path; true: done
    let mut done: BTreeMap<String, bool> = BTreeMap::new();
    for start in starts {
        if done.contains_key(&start) {
            continue;
        }
        done.insert(start.clone(), false);
        let mut stack = vec![frame(start, true)];
        while let Some(top) = stack.last_mut() {
            let Some(edge) = top.edges.get(top.next).cloned() else {
                done.insert(top.ptr.clone(), true);
                stack.pop();
                continue;
            };
            top.next += 1;
            match done.get(&edge.to) {
                Some(true) => {}
                Some(false) => {
                    let first = stack.iter().position(|f| f.ptr == edge.to).unwrap_or(0);
                    let mut names = vec![schema_name(&edge.to)];
                    names.extend(stack[first + 1..].iter().filter(|f| f.by_ref).map(|f| schema_name(&f.ptr)));
                    names.push(schema_name(&edge.to));
                    let message = format!(
                        "reference loops back to `{}` ({}) without going into a property or an array item, \
                         so the schema never resolves to a value and its Rust type would contain itself",
                        names[0],
                        names.join(" → ")
                    );
                    problems.push(Problem::new(Kind::ReferenceLoop, edge.via, message).fix(
                        "change the model so that the recursion goes through a property or an array item, \
                         as a tree node's `children` does",
                    ));
                }
                None => {
                    done.insert(edge.to.clone(), false);
                    stack.push(frame(edge.to, edge.by_ref));
                }
            }
        }
    }
}

/// A step from a schema to another that constrains the same value.
#[derive(Debug, Clone)]
struct Edge {
    /// the pointer of the keyword that leads there (`.../$ref`, `.../allOf/0`)
    via: String,
    to: String,
    by_ref: bool,
}

/// The schemas that constrain the same value as the one at `ptr`: its local
/// `$ref`'s target, its `allOf`/`anyOf`/`oneOf` members and its `not`.
/// Properties, items and additional properties constrain a smaller value, so
/// recursion through them ends; they are not followed.
fn same_value_edges(doc: &Value, ptr: &str) -> Vec<Edge> {
    let Some(Value::Object(obj)) = doc.pointer(ptr) else {
        return Vec::new();
    };
    let mut edges = Vec::new();
    if let Some(target) = obj.get("$ref").and_then(local_target)
        && doc.pointer(&target).is_some()
    {
        edges.push(Edge { via: format!("{ptr}/$ref"), to: target, by_ref: true });
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        let count = obj.get(key).and_then(Value::as_array).map_or(0, Vec::len);
        for i in 0..count {
            let member = format!("{ptr}/{key}/{i}");
            edges.push(Edge { via: member.clone(), to: member, by_ref: false });
        }
    }
    if obj.contains_key("not") {
        edges.push(Edge { via: format!("{ptr}/not"), to: format!("{ptr}/not"), by_ref: false });
    }
    edges
}

/// The JSON pointer a local `$ref` (`#/...`, percent-encoding allowed) names.
fn local_target(reference: &Value) -> Option<String> {
    pointer::local_target(reference.as_str()?)
}

/// The target of every local `$ref` in the document, in document order.
fn reference_targets(doc: &Value) -> Vec<String> {
    let mut targets = Vec::new();
    let mut pending = vec![doc];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(obj) => {
                targets.extend(obj.get("$ref").and_then(local_target));
                pending.extend(obj.values().rev());
            }
            Value::Array(items) => pending.extend(items.iter().rev()),
            _ => {}
        }
    }
    targets
}

/// A component schema by its name, anything else by its pointer.
fn schema_name(ptr: &str) -> String {
    match ptr.strip_prefix("/components/schemas/") {
        Some(name) if !name.contains('/') => pointer::unescape(name),
        _ => ptr.to_owned(),
    }
}

/// Where the workspace keeps its files.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
}

/// The nearest folder from `start` upwards whose `Cargo.toml` declares a
/// `[workspace]`.
fn workspace_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        let manifest: toml::Table = toml::from_str(&manifest).ok()?;
        manifest.contains_key("workspace").then(|| dir.to_path_buf())
    })
}

impl Workspace {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The workspace that the running xtask (or test) belongs to, found at
    /// run time: the nearest folder, from the package folder cargo names in
    /// `CARGO_MANIFEST_DIR` (set by `cargo run` and `cargo test`) or else from
    /// the current directory, whose `Cargo.toml` declares a `[workspace]`.
    ///
    /// Never the compile-time `CARGO_MANIFEST_DIR`: cargo fingerprints a
    /// workspace member by its path relative to the workspace, so two
    /// checkouts that share a target directory (`CARGO_TARGET_DIR`,
    /// `build.target-dir`, git worktrees) share one xtask binary, and a path
    /// compiled into it would name whichever checkout built it last.
    pub fn this() -> Self {
        let start = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        Self::new(workspace_root(&start).unwrap_or(start))
    }

    pub fn spec_path(&self) -> PathBuf {
        self.root.join("openapi.json")
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join("codegen.toml")
    }

    /// `codegen.toml` alone.
    pub fn config(&self) -> Result<Config, SpecError> {
        Config::load(&self.config_path())
    }

    pub fn load(&self) -> Result<Spec, SpecError> {
        Spec::load(&self.spec_path(), &self.config_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// One round of the checks, without containment: every problem found.
    fn load(doc: Value) -> Result<Spec, SpecError> {
        Spec::read_value("spec.json", &doc, &Config::default(), true).map_err(|p| SpecError::new("spec.json", p))
    }

    #[test]
    fn a_problem_of_one_operation_leaves_it_out_and_keeps_the_rest() {
        let ok = json!({"200": {"description": "ok"}});
        let doc = minimal(json!({
            "/items": {"get": {"operationId": "list_items", "responses": ok}},
            "/items/{id}": {"get": {"operationId": "get_item", "responses": ok,
                "parameters": [{"name": "other", "in": "path", "required": true, "schema": {"type": "string"}}]}},
            "/odd": {"get": {"operationId": "odd", "parameters": [{"name": "m", "in": "matrix", "schema": {}}], "responses": ok}}
        }));
        let spec = Spec::from_str("spec.json", &doc.to_string(), Config::default()).unwrap();
        let ids: Vec<&str> = spec.operations.iter().map(|op| op.operation_id.as_str()).collect();
        assert_eq!(ids, ["list_items"]);
        assert_eq!(spec.operations_in_export, 3);
        let left_out: Vec<(&str, &str)> = spec
            .notes
            .iter()
            .filter(|n| n.kind == NoteKind::LeftOut)
            .map(|n| (n.pointer(), n.message.as_str()))
            .collect();
        assert_eq!(left_out.len(), 2, "{left_out:?}");
        assert_eq!(left_out[0].0, "/paths/~1items~1{id}/get");
        assert!(left_out[0].1.starts_with("`get_item` left out of the client and the server: "), "{left_out:?}");
        assert!(left_out[0].1.contains("[path-parameter]"), "{left_out:?}");
        assert!(left_out[1].1.contains("[parameter-location] at /paths/~1odd/get/parameters/0"), "{left_out:?}");
        assert!(spec.lowered.pointer("/paths/~1odd").is_none());
        // a problem of the document itself still refuses it
        let mut doc = doc;
        doc["openapi"] = json!("2.0");
        assert!(Spec::from_str("spec.json", &doc.to_string(), Config::default()).is_err());
    }

    fn minimal(paths: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths})
    }

    /// The kind and the pointer of each problem.
    fn found(e: &SpecError) -> Vec<(Kind, &str)> {
        e.problems.iter().map(|p| (p.kind, p.pointer().unwrap_or("(none)"))).collect()
    }

    #[test]
    fn skip_leaves_out_the_operations_it_names_and_notes_each() {
        let ok = json!({"200": {"description": "ok"}});
        let doc = minimal(json!({
            "/items": {
                "get": {"operationId": "list_items", "responses": ok},
                "post": {"operationId": "upload", "responses": ok}
            },
            // left out, it would be refused: `matrix` is no parameter location
            "/odd": {"get": {"operationId": "odd", "parameters": [{"name": "m", "in": "matrix", "schema": {}}], "responses": ok}}
        }));
        assert_eq!(
            found(&load(doc.clone()).unwrap_err()),
            [(Kind::ParameterLocation, "/paths/~1odd/get/parameters/0")]
        );
        let config = |ids: &[&str]| Config {
            skip: ids.iter().map(|id| ((*id).to_string(), "not needed".to_string())).collect(),
            ..Config::default()
        };
        let spec = Spec::from_str("spec.json", &doc.to_string(), config(&["upload", "odd"])).unwrap();
        let ids: Vec<&str> = spec.operations.iter().map(|op| op.operation_id.as_str()).collect();
        assert_eq!(ids, ["list_items"]);
        assert!(spec.lowered.pointer("/paths/~1items/post").is_none());
        assert!(spec.lowered.pointer("/paths/~1odd").is_none(), "a path item left without operations goes");
        let notes: Vec<(NoteKind, Option<&str>)> =
            spec.notes.iter().map(|n| (n.kind, n.place.pointer.as_deref())).collect();
        assert_eq!(
            notes,
            [(NoteKind::Skipped, Some("/paths/~1items/post")), (NoteKind::Skipped, Some("/paths/~1odd/get"))]
        );
        let e = Spec::from_str("spec.json", &doc.to_string(), config(&["odd", "gone"])).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(e.problems[0].kind, Kind::StaleSkip);
        assert_eq!(e.problems[0].place.file, "codegen.toml");
    }

    #[test]
    fn strict_enums_must_name_string_enum_schemas() {
        let mut doc = minimal(json!({}));
        doc["components"] = json!({"schemas": {
            "Status": {"type": "string", "enum": ["ON", "OFF"], "title": "Status"},
            "Maybe": {"anyOf": [{"type": "string", "enum": ["A"]}, {"type": "null"}]},
            "Item": {"type": "object", "properties": {}}
        }});
        let config = |names: &[&str]| Config {
            client: ClientConfig { strict_enums: names.iter().map(|n| n.to_string()).collect(), ..Default::default() },
            ..Config::default()
        };
        Spec::from_str("spec.json", &doc.to_string(), config(&["Status"])).unwrap();
        let e = Spec::from_str("spec.json", &doc.to_string(), config(&["Status", "Gone", "Item"])).unwrap_err();
        let messages: Vec<(Kind, &str, &str)> =
            e.problems.iter().map(|p| (p.kind, p.place.file.as_str(), p.message.as_str())).collect();
        assert_eq!(
            messages,
            [
                (
                    Kind::StrictEnum,
                    "codegen.toml",
                    "[client] strict-enums names schema `Gone`, which the spec does not have"
                ),
                (
                    Kind::StrictEnum,
                    "codegen.toml",
                    "[client] strict-enums names schema `Item`, which is not a string enum"
                ),
            ]
        );
    }

    #[test]
    fn invalid_json_names_line_and_column() {
        let e = Spec::from_str("spec.json", "{\n  \"openapi\": ,\n}", Config::default()).unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert_eq!(e.problems[0].kind, Kind::NotJson);
        assert_eq!(e.problems[0].place.line_column, Some((2, 14)));
        assert_eq!(e.problems[0].place.file, "spec.json");
        assert!(
            e.to_string().starts_with("spec.json cannot be generated from (1 problem):\n  spec.json: line 2"),
            "{e}"
        );
    }

    #[test]
    fn config_errors_name_codegen_toml_and_the_line() {
        let dir = std::env::temp_dir().join(format!("xtask-spec-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let spec = dir.join("openapi.json");
        std::fs::write(&spec, minimal(json!({})).to_string()).unwrap();
        let config = dir.join("codegen.toml");
        std::fs::write(&config, "[names]\nx = \"y\"\n\n[server]\nerror = 1\n").unwrap();
        let e = Spec::load(&spec, &config).unwrap_err();
        assert_eq!(e.file, "codegen.toml");
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(e.problems[0].kind, Kind::Config);
        assert_eq!(e.problems[0].place.file, "codegen.toml");
        assert_eq!(e.problems[0].place.line_column, Some((5, 1)), "{e}");
        // the override names no operation of the spec: a problem of the spec, placed in codegen.toml
        std::fs::write(&config, "[names]\nx = \"y\"\n").unwrap();
        let e = Spec::load(&spec, &config).unwrap_err();
        assert_eq!(e.file, "openapi.json");
        assert_eq!(e.problems[0].kind, Kind::StaleNameOverride);
        assert_eq!(e.problems[0].place.file, "codegen.toml");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_repeated_or_missing_operation_id_is_given_one_with_a_note() {
        let ok = json!({"responses": {"200": {"description": "ok"}}});
        let mut dup = ok.clone();
        dup["operationId"] = json!("a");
        let mut taken = ok.clone();
        taken["operationId"] = json!("a_post");
        let doc = minimal(json!({"/x": {"get": dup, "post": dup}, "/y": {"get": ok}, "/z": {"post": taken}}));
        let spec = load(doc).unwrap();
        let ids: Vec<(&str, &str)> =
            spec.operations.iter().map(|op| (op.operation_id.as_str(), op.pointer.as_str())).collect();
        assert_eq!(
            ids,
            [
                ("a", "/paths/~1x/get"),
                ("a_post_2", "/paths/~1x/post"),
                ("get_y", "/paths/~1y/get"),
                ("a_post", "/paths/~1z/post")
            ]
        );
        let notes: Vec<_> = spec.notes.iter().filter(|n| n.kind == NoteKind::OperationIdRenamed).collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert_eq!(notes[0].pointer(), "/paths/~1x/post/operationId");
        // the first place is named
        assert!(notes[0].message.contains("`a` is used again (first at /paths/~1x/get)"), "{}", notes[0].message);
        assert_eq!(spec.lowered.pointer("/paths/~1y/get/operationId"), Some(&json!("get_y")));
    }

    #[test]
    fn what_progenitor_cannot_send_is_narrowed_with_a_note() {
        let ok = json!({"200": {"description": "ok"}});
        let form = json!({"schema": {"type": "object", "properties": {"a": {"type": "string"}}}});
        let doc = minimal(json!({
            "/up/{kind}": {"post": {"operationId": "up", "responses": ok,
                "parameters": [{"name": "meta", "in": "query", "style": "deepObject",
                    "schema": {"type": "object", "additionalProperties": {"type": "string"}}}],
                "requestBody": {"content": {"multipart/form-data": form, "application/json": form}}}},
            "/zip": {"post": {"operationId": "zip", "responses": ok,
                "requestBody": {"content": {"application/zip": {"schema": {}}}}}}
        }));
        let spec = load(doc).unwrap();
        let content = spec.lowered.pointer("/paths/~1up~1{kind}/post/requestBody/content").unwrap();
        assert_eq!(content.as_object().unwrap().keys().collect::<Vec<_>>(), ["application/json"]);
        let kinds: Vec<NoteKind> = spec.notes.iter().map(|n| n.kind).collect();
        assert!(kinds.contains(&NoteKind::RequestMediaTypeChosen) && kinds.contains(&NoteKind::PathVariableDeclared));
        let zip = spec.lowered.pointer("/paths/~1zip/post/requestBody/content").unwrap();
        assert_eq!(zip, &json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}));
        // the optional deepObject parameter is gone (with its note), the declared variable came
        assert!(kinds.contains(&NoteKind::DeepObjectDropped), "{kinds:?}");
        assert_eq!(spec.lowered.pointer("/paths/~1up~1{kind}/post/parameters").unwrap().as_array().unwrap().len(), 1);
        let param = spec.lowered.pointer("/paths/~1up~1{kind}/post/parameters/0").unwrap();
        assert_eq!(param, &json!({"name": "kind", "in": "path", "required": true, "schema": {"type": "string"}}));
    }

    #[test]
    fn path_template_and_parameters_must_agree() {
        let doc = minimal(json!({"/items/{id}": {"get": {
            "operationId": "get_item",
            "parameters": [{"name": "other", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}
        }}}));
        let e = load(doc).unwrap_err();
        assert_eq!(
            found(&e),
            // `{id}`, which nothing declares, is declared as a string (with a note)
            [(Kind::PathParameter, "/paths/~1items~1{id}/get/parameters/0")]
        );
        assert!(e.problems.iter().all(|p| p.place.operation.as_deref() == Some("get_item")), "{e}");
    }

    #[test]
    fn cookies_multipart_forms_and_headers_pass_the_checks() {
        let doc = minimal(json!({"/login": {"post": {
            "operationId": "login",
            "parameters": [{"name": "session", "in": "cookie", "schema": {"type": "string"}}],
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}
        }}}));
        assert!(load(doc).is_ok());
        let doc = minimal(json!({"/login": {"post": {
            "operationId": "login",
            "parameters": [{"name": "x-token", "in": "header", "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}
        }}}));
        assert!(load(doc).is_ok());
    }

    #[test]
    fn reference_loops_are_refused_but_recursion_is_not() {
        let mut doc = minimal(json!({}));
        doc["components"] = json!({"schemas": {
            "A": {"$ref": "#/components/schemas/A"},
            "B": {"$ref": "#/components/schemas/C"},
            "C": {"description": "c", "$ref": "#/components/schemas/B"},
            "D": {"anyOf": [{"type": "string"}, {"allOf": [{"$ref": "#/components/schemas/D"}]}]},
            "Tree": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}},
            "Linked": {"type": "object", "properties": {"next": {"anyOf": [{"$ref": "#/components/schemas/Linked"}, {"type": "null"}]}}},
            "UsesB": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}}
        }});
        let e = load(doc.clone()).unwrap_err();
        assert_eq!(
            found(&e),
            [
                (Kind::ReferenceLoop, "/components/schemas/A/$ref"),
                (Kind::ReferenceLoop, "/components/schemas/C/$ref"),
                (Kind::ReferenceLoop, "/components/schemas/D/anyOf/1/allOf/0/$ref")
            ]
        );
        // each names the loop it closes
        assert!(e.problems[0].message.contains("(A → A)"), "{e}");
        assert!(e.problems[1].message.contains("(B → C → B)"), "{e}");
        assert!(e.problems[2].message.contains("(D → D)"), "{e}");
        let schemas = doc["components"]["schemas"].as_object_mut().unwrap();
        schemas.retain(|name, _| name == "Tree" || name == "Linked");
        assert!(load(doc).is_ok());
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
