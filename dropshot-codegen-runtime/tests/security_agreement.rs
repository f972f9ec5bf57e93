//! The security module answers every request of the corpus as FastAPI did:
//! `tests/security/golden.json` holds FastAPI's answers (written by
//! `tests/security/corpus.py --write`, checked against FastAPI by
//! `corpus.py --check` in `.ci/run`): for a refused request the status, the
//! `{"detail": ...}` body and `WWW-Authenticate`; for an accepted one, a
//! status that is not 401 or 403. The documents are the lowered exports, as
//! the stub will read them.

use std::path::PathBuf;

use dropshot_codegen_runtime::security::{Parts, Policy, Security, Semantics};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn lowered(raw: &Value) -> Value {
    xtask::lower::lower(raw).unwrap_or_else(|problems| panic!("the export does not lower: {problems:?}")).doc
}

fn golden() -> Value {
    let text = std::fs::read_to_string(root().join("dropshot-codegen-runtime/tests/security/golden.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn policy(accept: &Value, semantics: Semantics) -> Policy {
    let mut policy = Policy::default().semantics(semantics);
    for (scheme, credentials) in accept.as_object().unwrap() {
        policy = policy.accept(scheme, credentials.as_array().unwrap().iter().map(|c| c.as_str().unwrap()));
    }
    policy
}

#[test]
fn security_agrees_with_fastapi_on_every_case() {
    let golden = golden();
    let coverage: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("fastapi-app/openapi.json")).unwrap()).unwrap();
    let docs = [("coverage", lowered(&coverage)), ("extra", lowered(&golden["extra_openapi"]))];
    let mut securities = Vec::new();
    for (app, doc) in &docs {
        for (name, semantics) in [("openapi", Semantics::OpenApi), ("fastapi", Semantics::FastApiDependencies)] {
            securities.push(((*app, name), Security::new(doc, policy(&golden["accept"][*app], semantics))));
        }
    }
    let cases = golden["cases"].as_array().unwrap();
    let mut differences = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let key = (case["app"].as_str().unwrap(), case["semantics"].as_str().unwrap());
        let security = &securities.iter().find(|(k, _)| *k == key).unwrap().1;
        let mut headers = http::HeaderMap::new();
        for pair in case["headers"].as_array().unwrap() {
            headers.append(
                http::HeaderName::from_bytes(pair[0].as_str().unwrap().as_bytes()).unwrap(),
                http::HeaderValue::from_str(pair[1].as_str().unwrap()).unwrap(),
            );
        }
        let path = case["path"].as_str().unwrap();
        let method = case["method"].as_str().unwrap();
        let op = security.operation(path, method).unwrap_or_else(|| panic!("{name}: no operation {method} {path}"));
        let got = match op.check(&Parts::new(&headers, case["query"].as_str())) {
            Ok(_) => json!("allowed"),
            Err(r) => json!({"status": r.status, "body": r.body(), "www_authenticate": r.www_authenticate}),
        };
        let status = case["status"].as_u64().unwrap();
        let expected = if status == 401 || status == 403 {
            json!({"status": status, "body": case["body"], "www_authenticate": case["www_authenticate"]})
        } else {
            json!("allowed")
        };
        if got != expected {
            differences.push(format!("{name}:\n  fastapi: {expected}\n  ours:    {got}"));
        }
    }
    println!("security agreement: {} of {} cases identical", cases.len() - differences.len(), cases.len());
    assert!(
        differences.is_empty(),
        "{} of {} cases differ:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
}

#[test]
fn the_corpus_covers_every_scheme_and_combination() {
    let golden = golden();
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for prefix in [
        "bearer-",
        "oauth2-",
        "header-key-",
        "query-key-",
        "cookie-",
        "basic-",
        "or-",
        "and-",
        "optional-",
        "global-",
        "public-",
        "two-dependencies-",
        "digest-",
        "oidc-",
        "code-",
    ] {
        let of_kind: Vec<&Value> = cases.iter().filter(|c| c["name"].as_str().unwrap().starts_with(prefix)).collect();
        assert!(!of_kind.is_empty(), "no case {prefix}*");
        let refused = of_kind.iter().filter(|c| c["status"] == 401).count();
        if !matches!(prefix, "optional-" | "public-") {
            assert!(refused > 0 && refused < of_kind.len(), "{prefix}* should have refused and allowed cases");
        }
    }
}
