//! The corpus of broken and unsupported specs (`tests/bad-specs/`): every
//! file there stands for one way an `openapi.json` can be wrong or beyond
//! what the generators support. Each is handled the way a user can act on,
//! in one of two ways ([`xtask::contain`]):
//!
//! - **refused**, when the problem belongs to no operation (not JSON, not
//!   OpenAPI, no `paths`): exit code 2, problems of its own kind placed in
//!   `openapi.json` (a JSON pointer, or a line and column when the text is
//!   not JSON) that say what to do, no panic, and nothing written;
//! - **contained**, when it belongs to operations (or to schemas they use):
//!   the rest is generated, and each operation left out gets a `left-out`
//!   note naming it, the problem's kind and its place, and the report ends
//!   with the count ("0 of 1 operations").
//!
//! A new problem the generators learn to report gets a file here and a line
//! in [`EXPECTED`].
//!
//! The test compares kinds and places; the rendered messages of the whole
//! corpus are the golden file `tests/bad-specs.txt` (refresh it with
//! `UPDATE_GOLDEN=1 cargo test -p xtask --test bad_specs` and review the
//! diff).

use std::path::{Path, PathBuf};

use xtask::codegen::{self, Failure};
use xtask::diag::{ExitCode, Note, NoteKind, Problem, ProblemKind as Kind};
use xtask::files::Mode;
use xtask::spec::{Config, Spec, Workspace};
use xtask::testing::{Scratch, generated_files};

/// Where a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// A JSON pointer into the spec (`""` is the root).
    Pointer(&'static str),
    /// A line and a column, for text that is not JSON.
    Line(usize, usize),
}

use At::{Line, Pointer};

/// Every file of the corpus, the kind of problem it must get, and where one
/// of them must be: each spec is refused for its own problem and not for
/// another.
const EXPECTED: &[(&str, Kind, At)] = &[
    ("body_without_content.json", Kind::RequestBodyWithoutContent, Pointer("/paths/~1items/post/requestBody")),
    ("components_path_items.json", Kind::ComponentsPathItems, Pointer("/components/pathItems")),
    ("dangling_ref.json", Kind::DanglingReference, Pointer("/components/schemas/Item/properties/owner/$ref")),
    ("deep_nesting.json", Kind::TooDeep, Line(294, 264)),
    ("defs_nested.json", Kind::Unsupported31Keyword, Pointer("/components/schemas/Item/$defs")),
    (
        "dynamic_ref.json",
        Kind::Unsupported31Keyword,
        Pointer("/components/schemas/Item/properties/children/items/$dynamicRef"),
    ),
    ("empty.txt", Kind::EmptyFile, Pointer("")),
    ("external_ref.json", Kind::ExternalReference, Pointer("/components/schemas/Item/properties/owner/$ref")),
    ("false_schema.json", Kind::NoValidValue, Pointer("/components/schemas/Item/properties/never")),
    ("if_then_else.json", Kind::Unsupported31Keyword, Pointer("/components/schemas/Item/properties/kind/else")),
    ("invalid_json.txt", Kind::NotJson, Line(6, 53)),
    ("json_array.json", Kind::NotAnObject, Pointer("")),
    ("mutual_tls.json", Kind::MutualTls, Pointer("/components/securitySchemes/mtls/type")),
    ("name_collision_case.json", Kind::NameCollision, Pointer("/paths/~1v2~1items~1{item_id}/get")),
    ("no_openapi_field.json", Kind::Version, Pointer("")),
    ("no_success_response.json", Kind::SuccessResponses, Pointer("/paths/~1items~1{item_id}/get/responses")),
    ("non_object_schema.json", Kind::NotAnObject, Pointer("/components/schemas/Item")),
    ("openapi4.json", Kind::Version, Pointer("/openapi")),
    ("openapi_version_number.json", Kind::Version, Pointer("/openapi")),
    ("operation_not_object.json", Kind::NotAnObject, Pointer("/paths/~1items~1{item_id}/get")),
    ("parameter_content.json", Kind::ParameterContent, Pointer("/paths/~1items~1{item_id}/get/parameters/1")),
    (
        "path_and_query_same_name.json",
        Kind::SameParameterName,
        Pointer("/paths/~1organizations~1{organization_id}/get/parameters/1"),
    ),
    ("path_item_ref.json", Kind::PathItemReference, Pointer("/paths/~1v2~1items~1{item_id}")),
    ("path_parameter_not_in_path.json", Kind::PathParameter, Pointer("/paths/~1items/get/parameters/0")),
    (
        "path_parameter_not_required.json",
        Kind::PathParameterNotRequired,
        Pointer("/paths/~1items~1{item_id}/get/parameters/0"),
    ),
    ("path_without_slash.json", Kind::PathTemplate, Pointer("/paths/items~1{item_id}")),
    ("paths_array.json", Kind::NotAnObject, Pointer("/paths")),
    ("paths_missing.json", Kind::MissingPaths, Pointer("")),
    ("ref_cycle_allof.json", Kind::ReferenceLoop, Pointer("/components/schemas/Item/allOf/0/$ref")),
    ("ref_cycle_two.json", Kind::ReferenceLoop, Pointer("/components/schemas/Thing/$ref")),
    ("ref_self_cycle.json", Kind::ReferenceLoop, Pointer("/components/schemas/Item/$ref")),
    ("schema_number.json", Kind::NotAnObject, Pointer("/components/schemas/Item/properties/count")),
    ("swagger2.json", Kind::Version, Pointer("/swagger")),
    ("yaml.txt", Kind::NotJson, Line(1, 1)),
];

/// The rendered messages of the whole corpus.
const GOLDEN: &str = "xtask/tests/bad-specs.txt";

/// The files a run reads or writes, as `codegen.toml` names them.
fn workspace_files() -> Vec<String> {
    let mut files = vec!["openapi.json".to_string(), "codegen.toml".to_string()];
    files.extend(generated_files());
    files
}

fn corpus_dir() -> PathBuf {
    Workspace::this().root.join("xtask/tests/bad-specs")
}

/// The corpus, sorted by file name: (file name, contents).
fn corpus() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(corpus_dir())
        .expect("tests/bad-specs exists")
        .map(|entry| {
            let path = entry.expect("readable directory entry").path();
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, text)
        })
        .collect();
    files.sort();
    files
}

/// A scratch copy of the workspace's files, with `spec` as its `openapi.json`.
fn scratch_workspace(name: &str, spec: &str) -> Scratch {
    let scratch = Scratch::generator_inputs(&format!("bad-specs-{name}"));
    std::fs::write(scratch.root().join("openapi.json"), spec).expect("scratch spec");
    scratch
}

fn snapshot(root: &Path) -> Vec<Vec<u8>> {
    workspace_files().iter().map(|file| std::fs::read(root.join(file)).unwrap_or_default()).collect()
}

/// Whether a problem has one place in the spec: a JSON pointer, or a line
/// and column when the text is not JSON.
fn has_place(problem: &Problem) -> bool {
    match (problem.place.pointer.as_deref(), problem.place.line_column) {
        (Some(pointer), None) => pointer.is_empty() || pointer.starts_with('/'),
        (None, Some(_)) => true,
        _ => false,
    }
}

/// Whether a problem is at `at`.
fn is_at(problem: &Problem, at: At) -> bool {
    match at {
        Pointer(pointer) => problem.pointer() == Some(pointer),
        Line(line, column) => problem.place.line_column == Some((line, column)),
    }
}

/// Runs `generate` on a scratch workspace holding the spec; says what is
/// wrong with the way it was refused or contained, if anything, or gives
/// the rendered message (the refusal, or the left-out notes and the count).
fn check_refusal(name: &str, text: &str, (kind, at): (Kind, At)) -> Result<String, String> {
    let scratch = scratch_workspace(name, text);
    let before = snapshot(scratch.root());
    let mut out = String::new();
    let mut notes = Vec::new();
    let result = xtask::quietly(|| codegen::run_noting(&scratch.workspace(), Mode::Write, &mut out, &mut notes));
    let after = snapshot(scratch.root());
    drop(scratch);
    let failure = match result {
        Err(panic) => return Err(format!("panicked: {panic}")),
        Ok(Ok(())) => return check_contained(&notes, &out, (kind, at)),
        Ok(Err(failure)) => failure,
    };
    let code = failure.exit_code();
    let Failure::Spec(e) = failure else {
        return Err(format!("exit code {code:?} instead of {:?}: {failure:?}", ExitCode::CannotGenerate));
    };
    let mut wrong = Vec::new();
    if code != ExitCode::CannotGenerate {
        wrong.push(format!("exit code {code:?} instead of {:?}", ExitCode::CannotGenerate));
    }
    let message = e.to_string();
    if e.file != "openapi.json" || !message.contains("openapi.json") {
        wrong.push("the message does not name openapi.json".to_string());
    }
    if !e.problems.iter().any(|p| p.kind == kind && is_at(p, at)) {
        wrong.push(format!("no {kind:?} problem at {at:?}"));
    }
    for problem in &e.problems {
        if problem.kind != kind {
            wrong.push(format!("a {:?} problem instead of {kind:?}: {problem}", problem.kind));
        }
        if problem.place.file != "openapi.json" {
            wrong.push(format!("not placed in openapi.json: {problem}"));
        }
        if !has_place(problem) {
            wrong.push(format!("no place (a JSON pointer, or a line and column): {problem}"));
        }
        // what is wrong, then what to do
        let Some(fix) = &problem.fix else {
            wrong.push(format!("does not say what to do: {problem}"));
            continue;
        };
        for text in [&problem.message, fix] {
            if text.is_empty() || text.starts_with(char::is_uppercase) || text.ends_with('.') {
                wrong.push(format!("not lowercase without a trailing period: {problem}"));
            }
        }
    }
    for (file, (b, a)) in workspace_files().iter().zip(before.iter().zip(&after)) {
        if b != a {
            wrong.push(format!("{file} was written"));
        }
    }
    if wrong.is_empty() { Ok(message) } else { Err(format!("{}\n  message: {message}", wrong.join("\n  "))) }
}

/// A spec that generated: its problem must have left out operations, with
/// a note of its kind at its place, and the report must count them.
fn check_contained(notes: &[Note], out: &str, (kind, at): (Kind, At)) -> Result<String, String> {
    let left_out: Vec<&Note> = notes.iter().filter(|n| n.kind == NoteKind::LeftOut).collect();
    let Pointer(pointer) = at else { return Err("text that is not JSON was accepted".to_string()) };
    let tag = format!("[{}]", kind.code());
    let place = format!(" at {}", if pointer.is_empty() { "/" } else { pointer });
    let mut wrong = Vec::new();
    if !left_out.iter().any(|n| n.message.contains(&tag) && n.message.contains(&place)) {
        wrong.push(format!("generated, with no left-out note of {tag}{place}"));
    }
    let count: Vec<&str> = out.lines().filter(|l| l.trim_start().starts_with("Generated ")).collect();
    let operations_left_out = left_out.iter().any(|n| n.pointer().starts_with("/paths/"));
    if count.len() != usize::from(operations_left_out) {
        wrong.push("the report does not count the operations generated".to_string());
    }
    let rendered: Vec<String> =
        left_out.iter().map(|n| format!("note: {n}")).chain(count.iter().map(|l| l.trim().to_string())).collect();
    let rendered = rendered.join("\n");
    if wrong.is_empty() { Ok(rendered) } else { Err(format!("{}\n  notes: {rendered}", wrong.join("\n  "))) }
}

#[test]
fn every_bad_spec_is_refused_or_contained_at_its_place() {
    let corpus = corpus();
    assert!(corpus.len() >= 25, "the corpus has only {} specs", corpus.len());
    let files: Vec<&str> = corpus.iter().map(|(name, _)| name.as_str()).collect();
    let mut listed: Vec<&str> = EXPECTED.iter().map(|(name, _, _)| *name).collect();
    listed.sort_unstable();
    assert_eq!(files, listed, "every file of tests/bad-specs needs a line in EXPECTED, and every line a file");

    let workspace = Workspace::this().root;
    let committed = snapshot(&workspace);
    let mut failures = Vec::new();
    let mut rendered = String::new();
    for (name, text) in &corpus {
        let Some(&(_, kind, at)) = EXPECTED.iter().find(|(n, _, _)| n == name) else { continue };
        match check_refusal(name, text, (kind, at)) {
            Ok(message) => rendered.push_str(&format!("== {name}\n{message}\n")),
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    assert!(snapshot(&workspace) == committed, "the workspace's own files changed");
    assert!(
        failures.is_empty(),
        "{} of {} bad specs were not refused or contained as they must be:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
    assert_golden(rendered);
}

/// The messages, as users read them, against [`GOLDEN`].
fn assert_golden(actual: String) {
    xtask::testing::assert_golden_file(GOLDEN, actual);
}

#[test]
fn reading_a_bad_spec_never_panics() {
    for (name, text) in corpus() {
        match xtask::quietly(|| Spec::from_str(&name, &text, Config::default())) {
            Err(panic) => panic!("{name}: Spec::from_str panicked: {panic}"),
            Ok(Err(e)) => assert!(!e.problems.is_empty() && e.to_string().contains(name.as_str()), "{name}: {e}"),
            // refused later, by a generator
            Ok(Ok(_)) => {}
        }
    }
}

/// Recursion through a property or an array item is not a reference loop:
/// a tree node whose `children` are tree nodes generates.
#[test]
fn a_recursive_model_is_not_a_bad_spec() {
    let spec = serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "Trees", "version": "1.0.0"},
        "paths": {"/trees/{tree_id}": {"get": {
            "summary": "Read Tree",
            "operationId": "read_tree_trees__tree_id__get",
            "parameters": [{"name": "tree_id", "in": "path", "required": true, "schema": {"type": "integer", "title": "Tree Id"}}],
            "responses": {"200": {"description": "Successful Response", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TreeNode"}}}}}
        }}},
        "components": {"schemas": {"TreeNode": {
            "properties": {
                "name": {"type": "string", "title": "Name"},
                "children": {"items": {"$ref": "#/components/schemas/TreeNode"}, "type": "array", "title": "Children", "default": []},
                "parent": {"anyOf": [{"$ref": "#/components/schemas/TreeNode"}, {"type": "null"}]}
            },
            "type": "object",
            "required": ["name"],
            "title": "TreeNode"
        }}}
    });
    let scratch = scratch_workspace("recursive-tree.json", &spec.to_string());
    let result = xtask::quietly(|| codegen::generate_all(&scratch.workspace()));
    match result {
        Err(panic) => panic!("panicked: {panic}"),
        Ok(Err(failure)) => panic!("a recursive model was refused: {failure:?}"),
        Ok(Ok(files)) => {
            assert_eq!(files.len(), 2);
            for file in files {
                assert!(file.contents.contains("pub struct TreeNode"), "{}", file.path);
            }
        }
    }
}
