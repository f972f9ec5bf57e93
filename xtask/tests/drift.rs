//! The drift check, as a test: plain `cargo test` fails when the committed
//! generated code no longer matches `openapi.json`. The other tests run the
//! same check on scratch copies of the workspace, so that it is known to
//! catch what it must.

use std::path::{Path, PathBuf};

use xtask::codegen::{self, Failure};
use xtask::diag::ExitCode;
use xtask::files::Mode;
use xtask::spec::Workspace;

/// The files the check reads, copied to a fresh scratch workspace.
fn scratch_copy(name: &str) -> PathBuf {
    let from = Workspace::this().root;
    let to = std::env::temp_dir().join(format!("xtask-drift-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    for file in ["openapi.json", "codegen.toml", "client/src/generated.rs", "server/src/generated.rs"] {
        let src = from.join(file);
        if src.exists() {
            std::fs::create_dir_all(to.join(file).parent().unwrap()).unwrap();
            std::fs::copy(&src, to.join(file)).unwrap();
        }
    }
    to
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
    assert!(out.contains("       Fresh client/src/generated.rs\n"), "{out}");
}

#[test]
fn an_edited_generated_file_is_caught_and_not_rewritten() {
    let root = scratch_copy("edited");
    let path = root.join("client/src/generated.rs");
    let edited = std::fs::read_to_string(&path).unwrap().replacen("pub struct Client", "pub struct Cliant", 1);
    std::fs::write(&path, &edited).unwrap();
    let (result, out) = check(&root);
    assert!(matches!(result, Err(Failure::Stale)), "{out}");
    assert!(out.contains("       Stale client/src/generated.rs\n"), "{out}");
    assert!(out.contains("--- client/src/generated.rs (on disk)"), "{out}");
    assert!(out.contains("-pub struct Cliant"), "{out}");
    assert!(out.contains("+pub struct Client"), "{out}");
    assert!(out.ends_with("(run `cargo xtask generate` to update)\n"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited, "check must never write");

    let mut out = String::new();
    codegen::run(&Workspace::new(&root), Mode::Write, &mut out).unwrap();
    assert!(out.contains("     Written client/src/generated.rs"), "{out}");
    assert!(check(&root).0.is_ok());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_changed_description_in_the_spec_is_caught() {
    let root = scratch_copy("spec");
    let spec = root.join("openapi.json");
    let text = std::fs::read_to_string(&spec).unwrap();
    let changed = text.replacen("The source SaaS object", "The SaaS object the association starts from", 1);
    assert_ne!(text, changed);
    std::fs::write(&spec, changed).unwrap();
    let (result, out) = check(&root);
    assert!(matches!(result, Err(Failure::Stale)), "{out}");
    assert!(out.contains("+        ///The SaaS object the association starts from"), "{out}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_missing_generated_file_is_caught() {
    let root = scratch_copy("missing");
    std::fs::remove_file(root.join("client/src/generated.rs")).unwrap();
    let (result, out) = check(&root);
    assert!(matches!(result, Err(Failure::Stale)), "{out}");
    assert!(out.contains("     Missing client/src/generated.rs\n"), "{out}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_invalid_spec_writes_nothing() {
    let root = scratch_copy("invalid");
    let generated = std::fs::read_to_string(root.join("client/src/generated.rs")).unwrap();
    std::fs::write(root.join("openapi.json"), "{\"openapi\": \"2.0\", \"paths\": {}}").unwrap();
    let mut out = String::new();
    let result = codegen::run(&Workspace::new(&root), Mode::Write, &mut out);
    let Err(Failure::Spec(e)) = result else { panic!("expected a spec error, got {result:?}") };
    assert_eq!(Failure::Spec(e.clone()).exit_code(), ExitCode::CannotGenerate);
    assert!(e.to_string().starts_with("openapi.json cannot be generated from"), "{e}");
    assert_eq!(std::fs::read_to_string(root.join("client/src/generated.rs")).unwrap(), generated);
    let _ = std::fs::remove_dir_all(&root);
}
