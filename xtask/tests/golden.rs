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

/// The FastAPI app's export (`fastapi-app/openapi.json`: forms, multipart
/// uploads, headers, cookies, text, binary and streamed responses, several
/// success statuses), generated as a server; compiled and round-tripped in
/// `codegen-tests`.
#[test]
fn fastapi_server_golden_file() {
    let path = xtask::spec::Workspace::this().root.join("fastapi-app/openapi.json");
    let spec = Spec::load(&path, Path::new("no-codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
    let contents = xtask::server::generate(&spec).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    xtask::testing::assert_golden(&[GeneratedFile { path: "codegen-tests/src/fastapi_server.rs".into(), contents }]);
}

/// Server-only fixtures (`tests/server-fixtures/`): what the server takes
/// and the client does not yet (cookies, multipart bodies, non-JSON and
/// several success responses), served for real in
/// `codegen-tests/tests/server_features.rs`.
#[test]
fn server_only_golden_files() {
    let dir = xtask::spec::Workspace::this().root.join("xtask/tests/server-fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let files: Vec<GeneratedFile> = paths
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
