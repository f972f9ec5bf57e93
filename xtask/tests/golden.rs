//! Golden files: each fixture spec in `tests/fixtures/` generates code that
//! is compared with its committed output in `codegen-tests/src/`, where the
//! `codegen-tests` crate compiles it, so generated code is known to build.
//!
//! A fixture's settings are in `<name>.toml` beside it when it has any
//! (as `codegen.toml` for the workspace), else the defaults.
//!
//! After an intended change of the generator, refresh them with
//! `UPDATE_GOLDEN=1 cargo test -p xtask --test golden` and review the diff.

use xtask::files::GeneratedFile;
use xtask::spec::Spec;

/// Every fixture with the name of its golden files: the specs in
/// `tests/fixtures/`, and the FastAPI app's own export
/// (`fastapi-app/openapi.json`, as `fastapi`), which
/// `codegen-tests/tests/fastapi_live.rs` calls against the app itself.
fn fixtures() -> Vec<(std::path::PathBuf, String)> {
    let root = xtask::spec::Workspace::this().root;
    let mut all: Vec<_> = std::fs::read_dir(root.join("xtask/tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (p, stem)
        })
        .collect();
    all.push((root.join("fastapi-app/openapi.json"), "fastapi".to_string()));
    all.sort();
    all
}

#[test]
fn client_golden_files() {
    let files: Vec<GeneratedFile> = fixtures()
        .iter()
        .map(|(path, stem)| {
            let spec = Spec::load(path, &path.with_extension("toml")).unwrap_or_else(|e| panic!("{e}"));
            let contents = xtask::client::generate(&spec).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            GeneratedFile { path: format!("codegen-tests/src/{stem}_client.rs"), contents }
        })
        .collect();
    xtask::testing::assert_golden(&files);
}

#[test]
fn server_golden_files() {
    let files: Vec<GeneratedFile> = fixtures()
        .iter()
        .map(|(path, stem)| {
            let spec = Spec::load(path, &path.with_extension("toml")).unwrap_or_else(|e| panic!("{e}"));
            let contents = xtask::server::generate(&spec).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            GeneratedFile { path: format!("codegen-tests/src/{stem}_server.rs"), contents }
        })
        .collect();
    xtask::testing::assert_golden(&files);
}
