//! The validator answers every body of the corpus exactly as FastAPI +
//! pydantic did: `tests/pydantic/golden.json` holds FastAPI's answers
//! (written by `tests/pydantic/corpus.py --write`, checked against FastAPI
//! by `corpus.py --check` in `.ci/run`); the schemas come from the lowered
//! exports, lowered here by xtask as the generators lower them, so the test
//! follows every change of the export or of the lowering.

use std::path::PathBuf;

use dropshot_codegen_runtime::validate::{Validator, render_422, request_body_schema};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn lowered(raw: &Value) -> Value {
    xtask::lower::lower(raw).unwrap_or_else(|problems| panic!("the export does not lower: {problems:?}")).doc
}

fn golden() -> Value {
    let text = std::fs::read_to_string(root().join("dropshot-codegen-runtime/tests/pydantic/golden.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_validator_agrees_with_fastapi_on_every_case() {
    let golden = golden();
    let coverage: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("fastapi-app/openapi.json")).unwrap()).unwrap();
    let coverage = lowered(&coverage);
    let extra = lowered(&golden["extra_openapi"]);
    let cases = golden["cases"].as_array().unwrap();
    let mut differences = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let doc = if case["app"] == "coverage" { &coverage } else { &extra };
        let (schema, required) =
            request_body_schema(doc, case["path"].as_str().unwrap(), case["method"].as_str().unwrap())
                .unwrap_or_else(|| panic!("{name}: no JSON body in the spec"));
        let got = match Validator::new(doc).validate_body(schema, required, case["body"].as_str().unwrap().as_bytes()) {
            Ok(value) => json!({"value": value}),
            Err(errors) => {
                // the bytes too, but where Python writes a float's exponent
                // with a sign (`1e+20`), which serde_json does not
                let text = case["text"].as_str().unwrap_or_default();
                if render_422(&errors) != text && !text.contains("e+") {
                    differences
                        .push(format!("{name}: rendered\n  fastapi: {text}\n  ours:    {}", render_422(&errors)));
                }
                json!({"detail": errors})
            }
        };
        let expected =
            if case["status"] == 422 { json!({"detail": case["detail"]}) } else { json!({"value": case["value"]}) };
        if got != expected {
            differences.push(format!(
                "{name}: {}\n  fastapi: {}\n  ours:    {}",
                case["body"].as_str().unwrap().chars().take(160).collect::<String>(),
                expected,
                got
            ));
        }
    }
    let agreeing = cases.len()
        - differences.iter().map(|d| d.split(':').next().unwrap()).collect::<std::collections::BTreeSet<_>>().len();
    println!("pydantic agreement: {agreeing} of {} cases identical", cases.len());
    assert!(
        differences.is_empty(),
        "{} of {} cases differ:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
}

#[test]
fn the_corpus_covers_every_error_type() {
    let golden = golden();
    let mut seen = std::collections::BTreeSet::new();
    for case in golden["cases"].as_array().unwrap() {
        for item in case["detail"].as_array().into_iter().flatten() {
            seen.insert(item["type"].as_str().unwrap().to_string());
        }
    }
    let wanted = [
        "missing",
        "json_invalid",
        "model_attributes_type",
        "dict_type",
        "list_type",
        "string_type",
        "int_type",
        "int_parsing",
        "int_from_float",
        "float_type",
        "float_parsing",
        "bool_type",
        "bool_parsing",
        "uuid_parsing",
        "uuid_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
        "datetime_from_date_parsing",
        "datetime_type",
        "enum",
        "literal_error",
        "too_short",
        "too_long",
        "string_too_short",
        "string_too_long",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "multiple_of",
        "string_pattern_mismatch",
        "extra_forbidden",
        "union_tag_invalid",
        "union_tag_not_found",
        "decimal_parsing",
        "decimal_type",
        "tuple_type",
        "bytes_type",
        "int_parsing_size",
    ];
    let missing: Vec<&str> = wanted.iter().copied().filter(|w| !seen.contains(*w)).collect();
    assert!(missing.is_empty(), "no case of {missing:?}");
    assert!(golden["cases"].as_array().unwrap().len() >= 80);
}
