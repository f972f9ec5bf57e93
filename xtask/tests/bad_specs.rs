//! The corpus of broken and unsupported specs (`tests/bad-specs/`): every
//! file there stands for one way an `openapi.json` can be wrong or beyond
//! what the generators support. Each must be refused the way a user can act
//! on: exit code 2, a message that names the file and the place (a JSON
//! pointer, or a line and column when the text is not JSON) and says what to
//! do, no panic, and nothing written. A new problem the generators learn to
//! refuse gets a file here and a line in [`EXPECTED`].

use std::path::{Path, PathBuf};

use xtask::codegen::{self, Failure};
use xtask::files::Mode;
use xtask::spec::{Config, Spec, Workspace};

/// Every file of the corpus and a fragment of the message it must get (with
/// its place), so that each spec is refused for its own problem and not for
/// another.
const EXPECTED: &[(&str, &str)] = &[
    (
        "body_without_content.json",
        "/paths/~1items/post/requestBody: `create_item_items_post` declares a request body without `content`",
    ),
    ("components_path_items.json", "/components/pathItems: `components.pathItems` is not supported"),
    ("const_null.json", "/components/schemas/Item/properties/nothing/const: schema allows only null"),
    (
        "cookie_parameter.json",
        "/paths/~1items~1{item_id}/get/parameters/1: `read_item_items__item_id__get` takes `session` from the cookie",
    ),
    (
        "dangling_ref.json",
        "/components/schemas/Item/properties/owner/$ref: reference \"#/components/schemas/Owner\" points to \"/components/schemas/Owner\", which does not exist",
    ),
    ("deep_nesting.json", "the document nests deeper than the JSON reader accepts"),
    ("defs_nested.json", "/components/schemas/Item/$defs: `$defs` (nested definitions) is not supported"),
    (
        "duplicate_operation_id.json",
        "/paths/~1v2~1items~1{item_id}/get: operationId `read_item_items__item_id__get` is used again",
    ),
    ("dynamic_ref.json", "/components/schemas/Item/properties/children/items/$dynamicRef: `$dynamicRef`"),
    ("empty.txt", "/: the file is empty"),
    (
        "external_ref.json",
        "/components/schemas/Item/properties/owner/$ref: external reference \"common.json#/components/schemas/Owner\"",
    ),
    ("false_schema.json", "/components/schemas/Item/properties/never: schema `false`"),
    (
        "form_body.json",
        "/paths/~1items/post/requestBody: `create_item_items_post` takes a body of type `application/x-www-form-urlencoded`",
    ),
    (
        "header_parameter.json",
        "/paths/~1items~1{item_id}/get/parameters/1: `read_item_items__item_id__get` takes `x-token` from the header",
    ),
    ("if_then_else.json", "/components/schemas/Item/properties/kind/if: `if` (conditional schema)"),
    ("invalid_json.txt", "line 6, column 53: not valid JSON (trailing comma"),
    ("json_array.json", "/: expected the document to be a json object, found an array"),
    ("missing_operation_id.json", "/paths/~1items~1{item_id}/get: operation GET /items/{item_id} has no operationId"),
    (
        "multipart_body.json",
        "/paths/~1items/post/requestBody: `create_item_items_post` takes a body of type `multipart/form-data`",
    ),
    ("mutual_tls.json", "/components/securitySchemes/mtls/type: security scheme type `mutualTLS`"),
    (
        "name_collision.json",
        "/paths/~1v2~1items~1{item_id}/get: operations `read_item_items__item_id__get` (GET /items/{item_id}) and `read_item_v2_items__item_id__get` (GET /v2/items/{item_id}) both map to the Rust name `read_item`",
    ),
    (
        "name_collision_case.json",
        "operations `getItem` (GET /items/{item_id}) and `get_item` (GET /v2/items/{item_id}) both map to the Rust name `get_item`",
    ),
    ("no_openapi_field.json", "/: the document has no `openapi` version"),
    (
        "no_success_response.json",
        "/paths/~1items~1{item_id}/get/responses: `read_item_items__item_id__get` documents 0 success responses",
    ),
    ("non_object_schema.json", "/components/schemas/Item: expected a schema object, found a string"),
    ("null_only_type.json", "/components/schemas/Item/properties/nothing: schema allows only null"),
    ("openapi4.json", "/openapi: found openapi version \"4.0.0\""),
    ("openapi_version_number.json", "/openapi: found openapi version 3.1;"),
    ("operation_not_object.json", "/paths/~1items~1{item_id}/get: expected an operation object, found a string"),
    (
        "parameter_content.json",
        "/paths/~1items~1{item_id}/get/parameters/1: parameter `filter` uses `content` instead of `schema`",
    ),
    (
        "path_and_query_same_name.json",
        "/paths/~1organizations~1{organization_id}/get/parameters/1: `read_organization_organizations__organization_id__get` has a path and a query parameter both named `organization_id`",
    ),
    (
        "partial_content_206.json",
        "/paths/~1items~1{item_id}/get/responses/206: `read_item_items__item_id__get` answers 206",
    ),
    ("path_item_ref.json", "/paths/~1v2~1items~1{item_id}: path items given by `$ref` are not supported"),
    (
        "path_parameter_not_in_path.json",
        "/paths/~1items/get/parameters/0: path parameter `item_id` of `list_items_items_get` does not appear in the path `/items`",
    ),
    (
        "path_parameter_not_required.json",
        "/paths/~1items~1{item_id}/get/parameters/0: path parameter has no `required: true`",
    ),
    ("path_without_slash.json", "/paths/items~1{item_id}: path `items/{item_id}` must start with `/`"),
    ("paths_array.json", "/paths: expected `paths` to be an object, found an array"),
    ("paths_missing.json", "/: the document has no `paths`"),
    ("pattern_properties.json", "/components/schemas/Item/properties/labels/patternProperties: `patternProperties`"),
    ("prefix_items.json", "/components/schemas/Item/properties/point/prefixItems: `prefixItems` (tuple validation)"),
    ("ref_cycle_allof.json", "/components/schemas/Item/allOf/0/$ref: reference loops back to `Item` (Item → Item)"),
    ("ref_cycle_two.json", "/components/schemas/Thing/$ref: reference loops back to `Item` (Item → Thing → Item)"),
    ("ref_self_cycle.json", "/components/schemas/Item/$ref: reference loops back to `Item` (Item → Item)"),
    (
        "route_variable_names_differ.json",
        "/paths/~1items~1{item_id}: names the segment after `/items` `{item_id}`, where another path names it `{id}`",
    ),
    ("schema_number.json", "/components/schemas/Item/properties/count: expected a schema object, found a number"),
    (
        "several_success_responses.json",
        "/paths/~1items~1{item_id}/get/responses: `read_item_items__item_id__get` documents 2 success responses",
    ),
    ("swagger2.json", "/swagger: found swagger version \"2.0\""),
    (
        "undeclared_path_parameter.json",
        "/paths/~1items~1{item_id}/get: `read_item_items__item_id__get` has `{item_id}` in its path but declares no path parameter",
    ),
    ("webhooks.json", "/webhooks: `webhooks` is not supported"),
    ("yaml.txt", "line 1, column 1: not valid JSON"),
];

/// The files a run reads or writes, copied into each scratch workspace.
const WORKSPACE_FILES: [&str; 4] = ["openapi.json", "codegen.toml", "client/src/generated.rs", "stub/src/generated.rs"];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-specs")
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
fn scratch_workspace(name: &str, spec: &str) -> PathBuf {
    let from = Workspace::this().root;
    let to = std::env::temp_dir().join(format!("xtask-bad-specs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    for file in WORKSPACE_FILES {
        std::fs::create_dir_all(to.join(file).parent().expect("a parent")).expect("scratch dir");
        std::fs::copy(from.join(file), to.join(file)).unwrap_or_else(|e| panic!("copying {file}: {e}"));
    }
    std::fs::write(to.join("openapi.json"), spec).expect("scratch spec");
    to
}

fn snapshot(root: &Path) -> Vec<Vec<u8>> {
    WORKSPACE_FILES.iter().map(|file| std::fs::read(root.join(file)).unwrap_or_default()).collect()
}

/// Whether a problem starts with its place: a JSON pointer, or a line and
/// column when the text is not JSON.
fn place_of(problem: &str) -> Option<&str> {
    let (place, _) = problem.split_once(": ")?;
    let is_pointer = place.starts_with('/') && !place.contains(' ');
    let is_line_column = place
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(", column "))
        .is_some_and(|(line, column)| line.parse::<u32>().is_ok() && column.parse::<u32>().is_ok());
    (is_pointer || is_line_column).then_some(place)
}

/// Runs `generate` on a scratch workspace holding the spec; says what is
/// wrong with the way it was refused, if anything.
fn check_refusal(name: &str, text: &str, expected: &str) -> Result<(), String> {
    let root = scratch_workspace(name, text);
    let before = snapshot(&root);
    let mut out = String::new();
    let result = xtask::quietly(|| codegen::run(&Workspace::new(&root), Mode::Write, &mut out));
    let after = snapshot(&root);
    let _ = std::fs::remove_dir_all(&root);
    let failure = match result {
        Err(panic) => return Err(format!("panicked: {panic}")),
        Ok(Ok(())) => return Err(format!("was accepted:\n{out}")),
        Ok(Err(failure)) => failure,
    };
    let code = failure.exit_code();
    let Failure::Spec(e) = failure else {
        return Err(format!("exit code {code} instead of 2 (a spec error): {failure:?}"));
    };
    let mut wrong = Vec::new();
    if code != 2 {
        wrong.push(format!("exit code {code} instead of 2"));
    }
    let message = e.to_string();
    if e.file != "openapi.json" || !message.contains("openapi.json") {
        wrong.push("the message does not name openapi.json".to_string());
    }
    if !message.contains(expected) {
        wrong.push(format!("the message lacks {expected:?}"));
    }
    for problem in &e.problems {
        match place_of(problem) {
            None => wrong.push(format!("no place (a JSON pointer, or a line and column) at the start of {problem:?}")),
            Some(place) => {
                let what = &problem[place.len() + 2..];
                // what is wrong, then what to do
                if !what.contains("; ") {
                    wrong.push(format!("does not say what to do: {problem:?}"));
                }
                if what.starts_with(char::is_uppercase) || what.ends_with('.') {
                    wrong.push(format!("not lowercase without a trailing period: {problem:?}"));
                }
            }
        }
    }
    for (file, (b, a)) in WORKSPACE_FILES.iter().zip(before.iter().zip(&after)) {
        if b != a {
            wrong.push(format!("{file} was written"));
        }
    }
    if wrong.is_empty() { Ok(()) } else { Err(format!("{}\n  message: {message}", wrong.join("\n  "))) }
}

#[test]
fn every_bad_spec_is_refused_at_its_place_and_nothing_is_written() {
    let corpus = corpus();
    assert!(corpus.len() >= 25, "the corpus has only {} specs", corpus.len());
    let files: Vec<&str> = corpus.iter().map(|(name, _)| name.as_str()).collect();
    let mut listed: Vec<&str> = EXPECTED.iter().map(|(name, _)| *name).collect();
    listed.sort_unstable();
    assert_eq!(files, listed, "every file of tests/bad-specs needs a line in EXPECTED, and every line a file");

    let workspace = Workspace::this().root;
    let committed = snapshot(&workspace);
    let failures: Vec<String> = corpus
        .iter()
        .filter_map(|(name, text)| {
            let expected = EXPECTED.iter().find(|(n, _)| n == name).map(|(_, fragment)| *fragment).unwrap_or_default();
            check_refusal(name, text, expected).err().map(|why| format!("{name}: {why}"))
        })
        .collect();
    assert!(snapshot(&workspace) == committed, "the workspace's own files changed");
    assert!(
        failures.is_empty(),
        "{} of {} bad specs were not refused as they must be:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
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
    let root = scratch_workspace("recursive-tree.json", &spec.to_string());
    let result = xtask::quietly(|| codegen::generate_all(&Workspace::new(&root)));
    let _ = std::fs::remove_dir_all(&root);
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
