//! What users read, as golden files in `tests/cli/`: the help, the drift
//! report, the round-trip report and the lowering's notes. Refresh after an
//! intended change with `UPDATE_GOLDEN=1 cargo test -p xtask --test cli` and
//! review the diff.

use std::path::Path;
use std::process::Command;

use serde_json::json;
use xtask::codegen;
use xtask::diag::ExitCode;
use xtask::files::Mode;
use xtask::roundtrip::Report;
use xtask::spec::Workspace;
use xtask::testing::Scratch;

fn assert_golden(name: &str, actual: String) {
    xtask::testing::assert_golden_file(&format!("xtask/tests/cli/{name}"), actual);
}

fn xtask(args: &[&str]) -> (i32, String, String) {
    xtask_in(None, args)
}

/// Runs the binary, on the workspace at `root` if given (`XTASK_ROOT`).
fn xtask_in(root: Option<&Path>, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    if let Some(root) = root {
        command.env("XTASK_ROOT", root);
    }
    let output = command.args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn help() {
    let (code, stdout, _) = xtask(&["--help"]);
    assert_eq!(code, i32::from(ExitCode::Success.code()));
    assert_golden("help.txt", stdout);
}

#[test]
fn an_unknown_task_is_a_usage_error() {
    let (code, _, stderr) = xtask(&["frobnicate"]);
    assert_eq!(code, 2, "clap's exit code for a usage error");
    assert!(stderr.contains("unrecognized subcommand 'frobnicate'"), "{stderr}");
}

#[test]
fn drift_report() {
    let scratch = Scratch::generator_inputs("cli-drift");
    let root = scratch.root();
    let [client, server] = Workspace::this().config().unwrap().generated_files().map(|f| root.join(f));
    let text = std::fs::read_to_string(&client).unwrap();
    std::fs::write(&client, text.replacen("Sends a `PUT` request", "Sends a PUT request", 1)).unwrap();
    std::fs::remove_file(server).unwrap();
    let mut out = String::new();
    let result = codegen::run(&scratch.workspace(), Mode::Check, &mut out);
    assert_eq!(result.unwrap_err().exit_code(), ExitCode::Stale);
    assert_golden("drift-report.txt", out);
}

#[test]
fn round_trip_report() {
    let report = Report {
        differences: vec![(
            "/paths/~1items/get/parameters/limit/schema/type".into(),
            "spec has \"integer\", server has \"string\"".into(),
        )],
        allowed: vec![
            ("error-responses", "/paths/~1items/get/responses/422".into()),
            ("security", "/components/securitySchemes".into()),
        ],
        operations: 1,
    };
    let mut out = String::new();
    report.render(&mut out);
    let fine = Report { operations: 3, ..Default::default() };
    fine.render(&mut out);
    assert_golden("round-trip-report.txt", out);
}

/// A spec that makes the lowering note every kind of decision it takes.
fn spec_with_every_note() -> serde_json::Value {
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": "Notes", "summary": "s", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
        "paths": {"/items/{item_id}": {"get": {
            "operationId": "read_item_items__item_id__get",
            "parameters": [{"name": "item_id", "in": "path", "required": true,
                            "schema": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Item Id"}}],
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                "404": {"$ref": "#/components/responses/NotFound", "description": "no such item"}
            }
        }}},
        "webhooks": {},
        "components": {
            "pathItems": {},
            "responses": {"NotFound": {"description": "not found"}},
            "schemas": {"Item": {"type": "object", "properties": {
                "name": {"type": "string", "examples": ["a", "b", "c"]},
                "label": {"type": "string", "example": "x", "examples": ["y"]},
                "count": {"type": "integer", "minimum": 5, "exclusiveMinimum": 1},
                "picture": {"type": "string", "contentMediaType": "image/png"}
            }}}
        }
    })
}

/// A scratch copy of the workspace's files, with `spec` as its `openapi.json`.
fn scratch_with_spec(name: &str, spec: &serde_json::Value) -> Scratch {
    let scratch = Scratch::generator_inputs(&format!("cli-{name}"));
    std::fs::write(scratch.root().join("openapi.json"), serde_json::to_string_pretty(spec).unwrap()).unwrap();
    scratch
}

#[test]
fn lower_notes() {
    let scratch = scratch_with_spec("notes", &spec_with_every_note());
    let root = scratch.root();
    let (code, stdout, stderr) = xtask_in(Some(root), &["lower"]);
    assert_eq!(code, i32::from(ExitCode::Success.code()), "{stderr}");
    assert!(stdout.contains("\"openapi\": \"3.0.3\""), "{stdout}");
    assert_golden("lower-notes.txt", stderr.clone());

    // `generate` prints the same notes on every run, apart from its report
    let (code, stdout, generate_stderr) = xtask_in(Some(root), &["generate"]);
    assert_eq!(code, i32::from(ExitCode::Success.code()), "{generate_stderr}");
    assert!(stdout.contains("     Written client/src/generated.rs\n"), "{stdout}");
    assert!(!stdout.contains("note:"), "{stdout}");
    assert_eq!(generate_stderr, stderr);
}

#[test]
fn an_operation_that_cannot_be_generated_is_left_out_with_a_note_and_a_count() {
    let mut spec = spec_with_every_note();
    spec["paths"]["/items/{item_id}"]["get"]["parameters"][0]["in"] = json!("matrix");
    let total = spec["paths"].as_object().unwrap().values().map(|item| item.as_object().unwrap().len()).sum::<usize>();
    let scratch = scratch_with_spec("left-out", &spec);
    let (code, stdout, stderr) = xtask_in(Some(scratch.root()), &["generate"]);
    assert_eq!(code, i32::from(ExitCode::Success.code()), "{stderr}");
    assert!(
        stderr.contains(
            "note: openapi.json: /paths/~1items~1{item_id}/get: `read_item_items__item_id__get` left out of the client and the server: "
        ),
        "{stderr}"
    );
    assert!(stderr.contains(" [parameter-location] at /paths/~1items~1{item_id}/get/parameters/0"), "{stderr}");
    let count = format!("   Generated {} of {total} operations (1 left out: see the notes)\n", total - 1);
    assert!(stdout.starts_with(&count), "{stdout}");
    assert!(stdout.contains("     Written client/src/generated.rs\n"), "{stdout}");
}

#[test]
fn a_spec_that_cannot_be_generated_from_exits_2() {
    let mut spec = spec_with_every_note();
    spec["openapi"] = json!("2.0");
    let scratch = scratch_with_spec("refused", &spec);
    let (code, stdout, stderr) = xtask_in(Some(scratch.root()), &["generate"]);
    assert_eq!(code, i32::from(ExitCode::CannotGenerate.code()), "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("error: openapi.json cannot be generated from (1 problem):\n"), "{stderr}");
    assert!(stderr.contains(" [version]\n"), "{stderr}");
}

/// Runs the binary as `cargo run` in another checkout runs it when the two
/// share a target directory: the same binary, with that checkout's
/// `CARGO_MANIFEST_DIR`, from that checkout's folder.
fn xtask_from_checkout(checkout: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .env_remove("XTASK_ROOT")
        .env("CARGO_MANIFEST_DIR", checkout.join("xtask"))
        .current_dir(checkout)
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn a_binary_shared_by_two_checkouts_acts_on_the_one_it_runs_in() {
    let other = Scratch::generator_inputs("cli-other-checkout");
    let root = other.root();
    xtask::testing::copy(&Workspace::this().root.join("Cargo.toml"), &root.join("Cargo.toml"));
    let spec = root.join("openapi.json");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, text.replacen("The source SaaS object", "The SaaS object it starts from", 1)).unwrap();
    let client = Workspace::this().config().unwrap().client.output;

    let (code, stdout, stderr) = xtask_from_checkout(root, &["check"]);
    assert_eq!(code, i32::from(ExitCode::Stale.code()), "{stdout}{stderr}");
    assert!(stdout.contains(&format!("       Stale {client}\n")), "{stdout}");
    let (code, stdout, stderr) = xtask_from_checkout(root, &["generate"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(std::fs::read_to_string(root.join(&client)).unwrap().contains("The SaaS object it starts from"));
    let (code, stdout, stderr) = xtask_from_checkout(root, &["check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    // this checkout was neither read nor written
    let mut out = String::new();
    assert!(codegen::run(&Workspace::this(), Mode::Check, &mut out).is_ok(), "{out}");
}

/// A scratch copy of the generator's inputs, committed in a git repository
/// of its own.
fn scratch_repo(name: &str) -> Scratch {
    let scratch = Scratch::generator_inputs(name);
    for args in [&["init", "-q"][..], &["add", "-A"], &["commit", "-q", "-m", "spec"]] {
        let output = Command::new("git")
            .current_dir(scratch.root())
            .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    scratch
}

fn edit_spec(root: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = root.join("openapi.json");
    let mut spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut spec);
    std::fs::write(&path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
}

/// `cargo xtask diff` in every format: a required response property
/// removed (reached by three operations) and a response enum value added
/// fail; accepting both in `codegen.toml` makes the run pass.
#[test]
fn diff_report() {
    let scratch = scratch_repo("cli-diff");
    let root = scratch.root();
    let (code, stdout, stderr) = xtask_in(Some(root), &["diff"]);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "    Compared openapi.json with HEAD:openapi.json: no changes\n"),
        "{stderr}"
    );

    edit_spec(root, |s| {
        let schemas = &mut s["components"]["schemas"];
        schemas["SaasAssociationResponse"]["properties"].as_object_mut().unwrap().shift_remove("association_label");
        let required = schemas["SaasAssociationResponse"]["required"].as_array_mut().unwrap();
        required.retain(|r| r != "association_label");
        schemas["AssociationStatus"]["enum"].as_array_mut().unwrap().push(json!("ARCHIVED"));
        // a refactor, no change: the status property's anyOf-null written as a 3.0 nullable $ref
        schemas["SaasAssociationUpdate"]["properties"]["status"] =
            json!({"allOf": [{"$ref": "#/components/schemas/AssociationStatus"}], "nullable": true});
    });
    let mut all = String::new();
    for format in ["text", "json", "markdown"] {
        let (code, stdout, stderr) = xtask_in(Some(root), &["diff", "--format", format]);
        assert_eq!(code, i32::from(ExitCode::Breaking.code()), "{stdout}{stderr}");
        all.push_str(&format!("$ cargo xtask diff --format {format}\n{stdout}\n"));
    }
    assert_golden("diff-report.txt", all);

    let config = root.join("codegen.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("\n[breaking.ignore]\n"), "codegen.toml has a [breaking.ignore] table");
    let text = text.replace(
        "\n[breaking.ignore]\n",
        concat!(
            "\n[breaking.ignore]\n",
            "\"response-property-removed@/components/schemas/SaasAssociationResponse/properties/association_label\" = \"no client reads it\"\n",
            "\"#/components/schemas/AssociationStatus\" = \"clients are upgraded first\"\n",
        ),
    );
    std::fs::write(&config, &text).unwrap();
    let (code, stdout, stderr) = xtask_in(Some(root), &["diff"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("  = accepted in codegen.toml [breaking.ignore]: no client reads it\n"), "{stdout}");

    // a reason is required
    std::fs::write(&config, text.replace("\"no client reads it\"", "\" \"")).unwrap();
    let (code, _, stderr) = xtask_in(Some(root), &["diff"]);
    assert_eq!(code, i32::from(ExitCode::CannotGenerate.code()), "{stderr}");
    assert!(stderr.contains("gives no reason; say why the change is accepted"), "{stderr}");
}

#[test]
fn diff_without_a_committed_spec_is_a_note() {
    let scratch = Scratch::generator_inputs("cli-diff-no-git");
    let (code, stdout, stderr) = xtask_in(Some(scratch.root()), &["diff"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "note: not a git repository, so there is no committed openapi.json to compare with; nothing to compare\n"
    );
    let (code, _, stderr) = xtask_in(Some(scratch.root()), &["diff", "--base", "HEAD"]);
    assert_eq!(code, i32::from(ExitCode::Other.code()), "a named base must exist");
    assert!(stderr.starts_with("error: not a git repository"), "{stderr}");
}

/// `check` runs the diff against HEAD: nothing for an unchanged spec, and a
/// failing change fails it with its own exit code once the code is fresh.
#[test]
fn check_reports_breaking_changes() {
    let scratch = scratch_repo("cli-check-diff");
    let root = scratch.root();
    let mut out = String::new();
    let result = codegen::check(&Workspace::new(root), Err("not needed here"), &mut out, &mut Vec::new());
    assert!(result.is_ok(), "{out}");
    assert!(out.contains("    Compared openapi.json with HEAD:openapi.json: no changes\n"), "{out}");

    edit_spec(root, |s| {
        s["components"]["schemas"]["AssociationStatus"]["enum"].as_array_mut().unwrap().pop();
    });
    let (code, _, stderr) = xtask_in(Some(root), &["generate"]);
    assert_eq!(code, 0, "{stderr}");
    let mut out = String::new();
    let result = codegen::check(&Workspace::new(root), Err("not needed here"), &mut out, &mut Vec::new());
    assert_eq!(result.unwrap_err().exit_code(), ExitCode::Breaking, "{out}");
    assert!(
        out.contains("error: client source, client wire, server source: request enum value `REJECTED` removed\n"),
        "{out}"
    );
}
