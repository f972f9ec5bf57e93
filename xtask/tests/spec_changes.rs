//! Spec-change workflows, on scratch copies of the workspace: for each kind
//! of change a team makes, `check` fails exactly when code is stale,
//! `generate` fixes it, and where the stub must change too, building it
//! names what to implement.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use xtask::codegen::{self, Failure};
use xtask::files::Mode;
use xtask::spec::Workspace;
use xtask::testing::{Scratch, copy, generated_files};

const LIST: &str = "/paths/~1api~1integration-sources~1{source_id}~1saas-associations";
const UPDATE: &str = "/paths/~1api~1integration-sources~1{source_id}~1saas-associations~1{association_id}";

/// A scratch copy of everything cargo needs to build the workspace.
fn scratch_workspace(name: &str) -> Scratch {
    Scratch::whole_workspace(&format!("spec-change-{name}"))
}

fn edit_spec(root: &Path, edit: impl FnOnce(&mut Value)) {
    let path = root.join("openapi.json");
    let mut spec: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut spec);
    std::fs::write(&path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
}

fn run(root: &Path, mode: Mode) -> (Result<(), Failure>, String) {
    let mut out = String::new();
    let result = codegen::run(&Workspace::new(root), mode, &mut out);
    (result, out)
}

/// `check` fails with these files stale; `generate` writes them; `check`
/// then passes.
fn assert_stale_then_fixed(root: &Path, stale: &[&str]) -> String {
    let (result, out) = run(root, Mode::Check);
    assert!(matches!(result, Err(Failure::Stale)), "{out}");
    for file in generated_files() {
        let word = if stale.contains(&file.as_str()) { "Stale" } else { "Fresh" };
        assert!(out.contains(&format!("{word:>12} {file}\n")), "{file} should be {word}:\n{out}");
    }
    let (result, written) = run(root, Mode::Write);
    assert!(result.is_ok(), "{written}");
    let (result, again) = run(root, Mode::Check);
    assert!(result.is_ok(), "{again}");
    out
}

/// Every generated file.
fn both() -> Vec<String> {
    generated_files()
}

fn refs(files: &[String]) -> Vec<&str> {
    files.iter().map(String::as_str).collect()
}

#[test]
fn an_untouched_workspace_is_fresh() {
    let scratch = scratch_workspace("untouched");
    assert!(run(scratch.root(), Mode::Check).0.is_ok());
}

#[test]
fn adding_an_optional_response_field() {
    let scratch = scratch_workspace("response-field");
    let root = scratch.root();
    edit_spec(root, |s| {
        s["components"]["schemas"]["SaasAssociationResponse"]["properties"]["reviewed_by"] =
            json!({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Reviewed By"});
    });
    let out = assert_stale_then_fixed(root, &refs(&both()));
    assert!(
        out.lines()
            .any(|l| l.starts_with('+') && l.contains("pub reviewed_by: ::std::option::Option<::std::string::String>")),
        "{out}"
    );
}

#[test]
fn adding_an_enum_value() {
    let scratch = scratch_workspace("enum-value");
    let root = scratch.root();
    edit_spec(root, |s| {
        s["components"]["schemas"]["AssociationStatus"]["enum"].as_array_mut().unwrap().push(json!("ARCHIVED"));
    });
    let out = assert_stale_then_fixed(root, &refs(&both()));
    assert!(out.lines().any(|l| l.starts_with('+') && l.contains("\"ARCHIVED\"")), "{out}");
}

#[test]
fn renaming_a_property_and_changing_a_parameter_type() {
    let scratch = scratch_workspace("rename");
    let root = scratch.root();
    edit_spec(root, |s| {
        let props = s["components"]["schemas"]["SaasAssociationUpdate"]["properties"].as_object_mut().unwrap();
        let label = props.shift_remove("association_label").unwrap();
        props.insert("label".into(), label);
    });
    let out = assert_stale_then_fixed(root, &refs(&both()));
    assert!(out.contains("pub label:"), "{out}");

    edit_spec(root, |s| {
        let params = s.pointer_mut(&format!("{LIST}/get/parameters")).unwrap().as_array_mut().unwrap();
        let from = params.iter_mut().find(|p| p["name"] == "from_object_id").unwrap();
        from["schema"] = json!({"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "From Object Id"});
    });
    let out = assert_stale_then_fixed(root, &refs(&both()));
    assert!(out.contains("pub from_object_id: ::std::option::Option<i64>,"), "{out}");
}

#[test]
fn a_hand_edit_is_undone_and_a_spec_edit_without_regenerating_is_caught() {
    let scratch = scratch_workspace("hand-edit");
    let root = scratch.root();
    let server_file = generated_files()[1].clone();
    let server = root.join(&server_file);
    let original = std::fs::read_to_string(&server).unwrap();
    std::fs::write(
        &server,
        original.replacen("pub score: ::std::option::Option<f64>,", "pub score: ::std::option::Option<f32>,", 1),
    )
    .unwrap();
    assert_stale_then_fixed(root, &[server_file.as_str()]);
    assert_eq!(std::fs::read_to_string(&server).unwrap(), original);

    edit_spec(root, |s| s["info"]["description"] = json!("SaaS associations"));
    assert_stale_then_fixed(root, &refs(&both()));
}

/// `cargo check` of the stub in the scratch workspace; its own target dir
/// under the real one, so that dependencies are built once.
fn check_stub(root: &Path) -> (bool, String) {
    let target = Workspace::this().root.join("target/spec-change");
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .args(["check", "--offline", "--quiet", "--package", "humm-config-stub", "--message-format", "short"])
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// A new operation is named in `check`'s report and served by the stub's
/// engine at once (the stub builds); a removed one is named too, and the
/// stub still builds: its handler for the lost operation is refused when it
/// starts, naming the operation (`contract-stub/tests/serve.rs`).
#[test]
fn adding_or_removing_an_operation_names_it_and_the_stub_still_builds() {
    let scratch = scratch_workspace("operations");
    let root = scratch.root();
    edit_spec(root, |s| {
        let mut archive = s.pointer(&format!("{UPDATE}/put")).unwrap().clone();
        archive["summary"] = json!("Archive Saas Association");
        archive["operationId"] = json!(
            "archive_saas_association_api_integration_sources__source_id__saas_associations__association_id__delete"
        );
        archive.as_object_mut().unwrap().shift_remove("requestBody");
        s.pointer_mut(UPDATE).unwrap()["delete"] = archive;
    });
    // what `cargo xtask check` says before regenerating: the code's diff and
    // the document's difference, against the API as it is committed
    let mut before = String::new();
    let result = codegen::check(&Workspace::new(root), Ok(&humm_config_api::openapi()), &mut before, &mut Vec::new());
    assert!(matches!(result, Err(Failure::Stale)), "{before}");
    assert!(before.lines().any(|l| l.starts_with('+') && l.contains("fn archive_saas_association")), "{before}");
    assert!(
        before.contains(
            "   Different /paths/~1api~1integration-sources~1{source_id}~1saas-associations~1{association_id}/delete: the server does not publish DELETE"
        ),
        "{before}"
    );
    let out = assert_stale_then_fixed(root, &refs(&both()));
    assert!(out.contains("fn archive_saas_association"), "{out}");
    let (ok, errors) = check_stub(root);
    assert!(ok, "the stub serves the new operation by default: {errors}");

    // back to the committed spec, then remove an operation
    copy(&Workspace::this().root.join("openapi.json"), &root.join("openapi.json"));
    edit_spec(root, |s| {
        s.pointer_mut(LIST).unwrap().as_object_mut().unwrap().shift_remove("get");
        let paths = s["paths"].as_object_mut().unwrap();
        paths.retain(|_, item| item.as_object().is_some_and(|i| !i.is_empty()));
    });
    let out = assert_stale_then_fixed(root, &refs(&both()));
    assert!(out.lines().any(|l| l.starts_with('-') && l.contains("fn list_saas_associations")), "{out}");
    let (ok, errors) = check_stub(root);
    assert!(ok, "{errors}");
}
