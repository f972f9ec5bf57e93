//! The drift check, as a test: plain `cargo test` fails when the committed
//! generated code no longer matches `openapi.json`. The other tests run the
//! same check on scratch copies of the workspace, so that it is known to
//! catch what it must.

use std::path::Path;

use xtask::codegen::{self, Failure};
use xtask::diag::ExitCode;
use xtask::files::Mode;
use xtask::spec::Workspace;
use xtask::testing::{Scratch, generated_files};

/// The client's generated file, as `codegen.toml` names it.
fn client_file() -> String {
    generated_files()[0].clone()
}

fn check(root: &Path) -> (Result<(), Failure>, String) {
    let mut out = String::new();
    let result = codegen::run(&Workspace::new(root), Mode::Check, &mut out);
    (result, out)
}

#[test]
fn committed_generated_code_matches_openapi_json() {
    let (result, out) = check(&Workspace::this().root);
    assert!(result.is_ok(), "generated code is stale; run `cargo xtask generate`\n{out}");
    assert!(out.contains(&format!("       Fresh {}\n", client_file())), "{out}");
}

#[test]
fn an_edited_generated_file_is_caught_and_not_rewritten() {
    let scratch = Scratch::generator_inputs("drift-edited");
    let root = scratch.root();
    let client = client_file();
    let path = root.join(&client);
    let edited = std::fs::read_to_string(&path).unwrap().replacen("pub struct Client", "pub struct Cliant", 1);
    std::fs::write(&path, &edited).unwrap();
    let (result, out) = check(root);
    assert!(matches!(result, Err(Failure::Stale)), "{out}");
    assert!(out.contains(&format!("       Stale {client}\n")), "{out}");
    assert!(out.contains(&format!("--- {client} (on disk)")), "{out}");
    assert!(out.contains("-pub struct Cliant"), "{out}");
    assert!(out.contains("+pub struct Client"), "{out}");
    assert!(out.ends_with("(run `cargo xtask generate` to update)\n"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited, "check must never write");

    let mut out = String::new();
    codegen::run(&scratch.workspace(), Mode::Write, &mut out).unwrap();
    assert!(out.contains(&format!("     Written {client}")), "{out}");
    assert!(check(root).0.is_ok());
}

#[test]
fn a_changed_description_in_the_spec_is_caught() {
    let scratch = Scratch::generator_inputs("drift-spec");
    let root = scratch.root();
    let spec = root.join("openapi.json");
    let text = std::fs::read_to_string(&spec).unwrap();
    let changed = text.replacen("The source SaaS object", "The SaaS object the association starts from", 1);
    assert_ne!(text, changed);
    std::fs::write(&spec, changed).unwrap();
    let (result, out) = check(root);
    assert!(matches!(result, Err(Failure::Stale)), "{out}");
    assert!(out.contains("+        ///The SaaS object the association starts from"), "{out}");
}

#[test]
fn a_missing_generated_file_is_caught() {
    let scratch = Scratch::generator_inputs("drift-missing");
    let root = scratch.root();
    std::fs::remove_file(root.join(client_file())).unwrap();
    let (result, out) = check(root);
    assert!(matches!(result, Err(Failure::Stale)), "{out}");
    assert!(out.contains(&format!("     Missing {}\n", client_file())), "{out}");
}

#[test]
fn an_invalid_spec_writes_nothing() {
    let scratch = Scratch::generator_inputs("drift-invalid");
    let root = scratch.root();
    let generated = std::fs::read_to_string(root.join(client_file())).unwrap();
    std::fs::write(root.join("openapi.json"), "{\"openapi\": \"2.0\", \"paths\": {}}").unwrap();
    let mut out = String::new();
    let result = codegen::run(&scratch.workspace(), Mode::Write, &mut out);
    let Err(Failure::Spec(e)) = result else { panic!("expected a spec error, got {result:?}") };
    assert_eq!(Failure::Spec(e.clone()).exit_code(), ExitCode::CannotGenerate);
    assert!(e.to_string().starts_with("openapi.json cannot be generated from"), "{e}");
    assert_eq!(std::fs::read_to_string(root.join(client_file())).unwrap(), generated);
}
