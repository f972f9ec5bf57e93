//! The contract stub against the live FastAPI application, request by
//! request: `differential/record.py` sent one sequence of requests (valid
//! and invalid; creating, reading, updating and deleting) to the Coverage API
//! under uvicorn and recorded its answers in `differential/answers.json`
//! (`.ci/run` checks with `--check` that they are what FastAPI answers
//! today). This test sends the same sequence to the stub of the same export
//! and compares status, content type and body, with server-chosen ids and
//! timestamps (any UUID or date-time string) made equal.
//!
//! The agreement is a ratchet: `differential/agreeing.txt` lists the steps
//! whose answers are identical. A listed step that stops agreeing fails the
//! test, and so does a step that starts agreeing without being listed (so
//! that the list, and the figures in the README, stay true).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};

fn dir() -> PathBuf {
    xtask::spec::Workspace::this().root.join("contract-stub/tests/differential")
}

/// `{sN.field}` replaced by field of step N's answer from the stub.
fn substitute(text: &str, answers: &[Value]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{s") {
        let Some(end) = rest[start..].find('}') else { break };
        let reference = &rest[start + 2..start + end];
        out.push_str(&rest[..start]);
        match reference.split_once('.').and_then(|(n, field)| Some((n.parse::<usize>().ok()?, field))) {
            Some((n, field)) => match &answers[n][field] {
                Value::String(s) => out.push_str(s),
                other => out.push_str(&other.to_string()),
            },
            None => out.push_str(&rest[start..=start + end]),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

fn substitute_value(value: &Value, answers: &[Value]) -> Value {
    match value {
        Value::String(s) => Value::String(substitute(s, answers)),
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute_value(v, answers)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), substitute_value(v, answers))).collect())
        }
        other => other.clone(),
    }
}

/// Server-chosen values made equal: UUIDs and date-times.
fn normalise(value: &Value) -> Value {
    match value {
        Value::String(s) if uuid_like(s) => json!("<uuid>"),
        Value::String(s)
            if s.len() >= 20 && s.as_bytes().get(10) == Some(&b'T') && s[..4].bytes().all(|b| b.is_ascii_digit()) =>
        {
            json!("<date-time>")
        }
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect()),
        other => other.clone(),
    }
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36
        && s.chars()
            .enumerate()
            .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
}

#[tokio::test]
async fn the_stub_answers_as_the_live_fastapi_application() {
    let steps: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir().join("answers.json")).unwrap()).unwrap();
    let listed: BTreeSet<usize> = std::fs::read_to_string(dir().join("agreeing.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    let spec =
        contract_stub::load_spec(Some(&xtask::spec::Workspace::this().root.join("fastapi-app/openapi.json")), None)
            .unwrap();
    let stub = contract_stub::start(contract_stub::Options::new(spec)).await.unwrap();
    let http = reqwest::Client::new();
    let mut answers: Vec<Value> = Vec::new();
    let (mut same_status, mut same_answer) = (0, 0);
    let mut agreeing = BTreeSet::new();
    let mut report = String::new();
    for (i, step) in steps.iter().enumerate() {
        let r = &step["request"];
        let method = reqwest::Method::from_bytes(r["method"].as_str().unwrap().as_bytes()).unwrap();
        let path = substitute(r["path"].as_str().unwrap(), &answers);
        let mut request = http.request(method, format!("{}{path}", stub.url()));
        if let Some(query) = r.get("query").and_then(Value::as_object) {
            let pairs: Vec<(String, String)> =
                query.iter().map(|(k, v)| (k.clone(), substitute(v.as_str().unwrap_or_default(), &answers))).collect();
            request = request.query(&pairs);
        }
        for (name, value) in r.get("headers").and_then(Value::as_object).into_iter().flatten() {
            request = request.header(name.as_str(), value.as_str().unwrap());
        }
        if let Some(body) = r.get("json") {
            request = request.json(&substitute_value(body, &answers));
        }
        if let Some(content) = r.get("content").and_then(Value::as_str) {
            request = request.body(content.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = response.bytes().await.unwrap();
        let mut answer = json!({"status": status, "content_type": content_type});
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v)
                if content_type.as_deref().is_some_and(|c| c.starts_with("application/json")) && !bytes.is_empty() =>
            {
                answer["json"] = v;
            }
            _ => answer["text"] = json!(String::from_utf8_lossy(&bytes)),
        }
        let expected = &step["answer"];
        // a body-less answer's content type is not compared (FastAPI sends
        // `application/json` on some 204s and none on others)
        let body_less = expected.get("text") == Some(&json!("")) && answer.get("text") == Some(&json!(""));
        let same = expected["status"] == answer["status"]
            && (body_less || expected["content_type"] == answer["content_type"])
            && normalise(&expected["json"]) == normalise(&answer["json"])
            && expected.get("text") == answer.get("text");
        if expected["status"] == answer["status"] {
            same_status += 1;
        }
        if same {
            same_answer += 1;
            agreeing.insert(i);
        } else {
            report.push_str(&format!(
                "step {i}: {} {path}\n  FastAPI: {}\n  stub:    {}\n",
                r["method"].as_str().unwrap(),
                normalise(expected),
                normalise(&answer)
            ));
        }
        answers.push(answer.get("json").cloned().unwrap_or(Value::Null));
    }
    stub.stop().await.unwrap();
    let total = steps.len();
    println!("differential: {same_status} of {total} statuses and {same_answer} of {total} answers identical");
    println!("{report}");
    let stopped: Vec<&usize> = listed.difference(&agreeing).collect();
    let started: Vec<&usize> = agreeing.difference(&listed).collect();
    assert!(stopped.is_empty(), "steps that agreed no longer do: {stopped:?}\n{report}");
    assert!(started.is_empty(), "steps that now agree: add them to differential/agreeing.txt: {started:?}");
}
