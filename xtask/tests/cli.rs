//! What users read, as golden files in `tests/cli/`: the help, the drift
//! report and the round-trip report. Refresh after an intended change with
//! `UPDATE_GOLDEN=1 cargo test -p xtask --test cli` and review the diff.

use std::path::Path;
use std::process::Command;

use xtask::codegen;
use xtask::diag::ExitCode;
use xtask::files::{self, GeneratedFile, Mode, Status};
use xtask::roundtrip::Report;
use xtask::spec::Workspace;

fn assert_golden(name: &str, actual: String) {
    let file = GeneratedFile { path: format!("xtask/tests/cli/{name}"), contents: actual };
    let mode = if std::env::var_os("UPDATE_GOLDEN").is_some() { Mode::Write } else { Mode::Check };
    match files::ensure(&Workspace::this().root, &file, mode).unwrap() {
        Status::Fresh | Status::Written => {}
        Status::Missing => panic!("missing golden file {} (create it with UPDATE_GOLDEN=1)", file.path),
        Status::Stale { diff } => panic!("{} differs (refresh with UPDATE_GOLDEN=1 if intended):\n{diff}", file.path),
    }
}

fn xtask(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().unwrap();
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
    let root = std::env::temp_dir().join(format!("xtask-cli-drift-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let from = Workspace::this().root;
    for file in ["openapi.json", "codegen.toml", "client/src/generated.rs", "server/src/generated.rs"] {
        std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
        std::fs::copy(from.join(file), root.join(file)).unwrap();
    }
    let client = root.join("client/src/generated.rs");
    let text = std::fs::read_to_string(&client).unwrap();
    std::fs::write(&client, text.replacen("Sends a `PUT` request", "Sends a PUT request", 1)).unwrap();
    std::fs::remove_file(root.join("server/src/generated.rs")).unwrap();
    let mut out = String::new();
    let result = codegen::run(&Workspace::new(&root), Mode::Check, &mut out);
    assert_eq!(result.unwrap_err().exit_code(), ExitCode::Stale);
    assert_golden("drift-report.txt", out);
    let _ = std::fs::remove_dir_all(Path::new(&root));
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
