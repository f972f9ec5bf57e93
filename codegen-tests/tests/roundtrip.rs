//! The round trip for every fixture server: the document dropshot derives
//! from each generated trait, read in-process, equals its lowered fixture
//! spec up to the named allowances, exactly as `cargo xtask check` proves it
//! for the workspace's own API.

use std::path::{Path, PathBuf};

use serde_json::Value;
use xtask::spec::Spec;

/// The document a generated server publishes.
type Published = fn() -> Value;

/// Each fixture spec and the document of its generated server.
const SERVERS: &[(&str, Published)] = &[
    ("evolving", codegen_tests::evolving_server::openapi),
    ("forms", codegen_tests::forms_server::openapi),
    ("headers", codegen_tests::headers_server::openapi),
    ("inventory", codegen_tests::inventory_server::openapi),
    ("lowered", codegen_tests::lowered_server::openapi),
    ("notes30", codegen_tests::notes30_server::openapi),
    ("raw", codegen_tests::raw_server::openapi),
    ("server_features", codegen_tests::server_features_server::openapi),
];

fn fixtures_dir() -> PathBuf {
    xtask::spec::Workspace::this().root.join("xtask/tests/fixtures")
}

#[test]
fn every_fixture_has_a_server_here() {
    let mut fixtures: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            (path.extension()? == "json").then(|| path.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    fixtures.sort();
    let servers: Vec<&str> = SERVERS.iter().map(|(name, _)| *name).collect();
    assert_eq!(fixtures, servers, "add the new fixture's server to SERVERS (and its module to src/lib.rs)");
}

#[test]
fn every_fixture_server_publishes_its_spec() {
    for (name, openapi) in SERVERS {
        let path = fixtures_dir().join(format!("{name}.json"));
        let spec = Spec::load(&path, Path::new("no-codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
        let report = xtask::roundtrip::compare(&spec.lowered, &openapi());
        assert_eq!(report.differences, vec![], "{name}: the server's document differs from its spec");
        assert_eq!(report.operations, spec.operations.len(), "{name}");
    }
}

#[test]
fn a_difference_in_a_fixture_server_is_caught() {
    let path = fixtures_dir().join("inventory.json");
    let spec = Spec::load(&path, Path::new("no-codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
    let mut published = codegen_tests::inventory_server::openapi();
    let paths = published["paths"].as_object_mut().unwrap();
    let first = paths.keys().next().unwrap().clone();
    paths.shift_remove(&first);
    let report = xtask::roundtrip::compare(&spec.lowered, &published);
    assert!(!report.differences.is_empty());
    assert!(report.differences.iter().all(|(pointer, _)| pointer.starts_with("/paths/")), "{report:?}");
}

/// The FastAPI application's own export: all 38 operations, every feature
/// (cookies, multipart, non-JSON and several success responses, the
/// discriminated union of `/pets`), published as the spec says.
#[test]
fn the_fastapi_server_publishes_its_spec() {
    let path = xtask::spec::Workspace::this().root.join("fastapi-app/openapi.json");
    let spec = Spec::load(&path, Path::new("no-codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
    let report = xtask::roundtrip::compare(&spec.lowered, &codegen_tests::fastapi_server::openapi());
    assert_eq!(report.operations, 38);
    assert_eq!(
        report.differences,
        Vec::<(String, String)>::new(),
        "the FastAPI server's document differs from its spec"
    );
}
