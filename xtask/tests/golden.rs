//! Golden files: each fixture spec in `tests/fixtures/` generates code that
//! is compared with its committed output in `codegen-tests/src/`, where the
//! `codegen-tests` crate compiles it, so generated code is known to build.
//!
//! After an intended change of the generator, refresh them with
//! `UPDATE_GOLDEN=1 cargo test -p xtask --test golden` and review the diff.

use std::path::Path;

use xtask::files::GeneratedFile;
use xtask::spec::Spec;

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = xtask::spec::Workspace::this().root.join("xtask/tests/fixtures");
    let mut all: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    all.sort();
    all
}

#[test]
fn client_golden_files() {
    let files: Vec<GeneratedFile> = fixtures()
        .iter()
        .map(|path| {
            let spec = Spec::load(path, Path::new("no-codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
            let stem = path.file_stem().unwrap().to_string_lossy();
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
        .map(|path| {
            let spec = Spec::load(path, Path::new("no-codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
            let stem = path.file_stem().unwrap().to_string_lossy();
            let contents = xtask::server::generate(&spec).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            GeneratedFile { path: format!("codegen-tests/src/{stem}_server.rs"), contents }
        })
        .collect();
    xtask::testing::assert_golden(&files);
}

/// The FastAPI app's own export (`fastapi-app/openapi.json`, the coverage
/// target), client side: `codegen-tests/tests/fastapi_live.rs` calls every
/// operation of it against the app itself.
#[test]
fn fastapi_client_golden_file() {
    let path = xtask::spec::Workspace::this().root.join("fastapi-app/openapi.json");
    let spec = Spec::load(&path, Path::new("no-codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
    let contents = xtask::client::generate(&spec).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    xtask::testing::assert_golden(&[GeneratedFile {
        path: "codegen-tests/src/fastapi_client.rs".to_string(),
        contents,
    }]);
}
