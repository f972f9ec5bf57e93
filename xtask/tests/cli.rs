//! What users read, as golden files in `tests/cli/`: the help, the drift
//! report and the round-trip report. Refresh after an intended change with
//! `UPDATE_GOLDEN=1 cargo test -p xtask --test cli` and review the diff.

use std::process::Command;

use xtask::codegen;
use xtask::files::Mode;
use xtask::roundtrip::Report;
use xtask::spec::Workspace;
use xtask::testing::Scratch;

fn assert_golden(name: &str, actual: String) {
    xtask::testing::assert_golden_file(&format!("xtask/tests/cli/{name}"), actual);
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
    assert_eq!(code, 0);
    assert_golden("help.txt", stdout);
}

#[test]
fn an_unknown_task_is_a_usage_error() {
    let (code, _, stderr) = xtask(&["frobnicate"]);
    assert_eq!(code, 2);
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
    assert_eq!(result.unwrap_err().exit_code(), 1);
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
