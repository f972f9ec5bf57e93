//! Hostile requests: each gets the status and body the spec documents (or
//! FastAPI's for routing), and the store is unchanged afterwards.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

fn base() -> String {
    format!("/api/integration-sources/{HUBSPOT}/saas-associations")
}

/// Asserts a 422 whose first item has this `loc` prefix and `type`.
fn assert_validation(answer: &Answer, loc: serde_json::Value, kind: &str) {
    assert_eq!(answer.status, 422, "{answer:?}");
    let item = &answer.body["detail"][0];
    assert_eq!(item["loc"], loc, "{answer:?}");
    assert_eq!(item["type"], kind, "{answer:?}");
    assert!(item["msg"].as_str().is_some_and(|m| !m.is_empty()), "{answer:?}");
}

#[tokio::test]
async fn malformed_bodies_are_422_naming_the_field() {
    let (stub, _) = stub().await;
    let before = state(&stub);
    let put = format!("{}/{}", base(), first_of(&stub, HUBSPOT).id);

    // pydantic's types and FastAPI's places (the offset of a JSON error)
    let a = raw(&stub, Method::PUT, &put, Some("{not json")).await;
    assert_validation(&a, json!(["body", 1]), "json_invalid");
    let a = raw(&stub, Method::PUT, &put, Some("")).await;
    assert_validation(&a, json!(["body"]), "missing");
    let a = raw(&stub, Method::PUT, &put, Some(r#"{"score": "high"}"#)).await;
    assert_validation(&a, json!(["body", "score"]), "float_parsing");
    assert_eq!(a.body["detail"][0]["msg"], "Input should be a valid number, unable to parse string as a number");
    assert_eq!(a.body["detail"][0]["input"], "high");
    let a = raw(&stub, Method::PUT, &put, Some(r#"{"status": "MAYBE"}"#)).await;
    assert_validation(&a, json!(["body", "status"]), "enum");
    let a = raw(&stub, Method::PUT, &put, Some(r#"{"relationship_type": 7}"#)).await;
    assert_eq!(a.body["detail"][0]["loc"], json!(["body", "relationship_type"]), "{a:?}");
    let a = raw(&stub, Method::PUT, &put, Some(r#""a string""#)).await;
    assert_validation(&a, json!(["body"]), "model_attributes_type");
    let bulk = format!("{}/bulk-status", base());
    let a = raw(&stub, Method::POST, &bulk, Some(r#"{"association_ids": ["x"], "status": "APPROVED"}"#)).await;
    assert_validation(&a, json!(["body", "association_ids", 0]), "uuid_parsing");
    // every error at once, in the model's order
    let a = raw(&stub, Method::POST, &bulk, Some(r#"{"association_ids": []}"#)).await;
    assert_validation(&a, json!(["body", "association_ids"]), "too_short");
    assert_eq!(a.body["detail"][1]["loc"], json!(["body", "status"]), "{a:?}");
    assert_eq!(a.body["detail"][1]["type"], "missing", "{a:?}");

    assert_eq!(state(&stub), before);
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn a_body_past_the_limit_is_refused_in_fastapis_shape_whatever_its_size() {
    let (stub, _) = stub().await;
    let before = state(&stub);
    let put = format!("{}/{}", base(), first_of(&stub, HUBSPOT).id);
    // 10 MiB, and 20 MiB: past what dropshot reads by itself, where it
    // answered its own `{"request_id", "message"}`
    for mib in [10, 20] {
        let huge = format!(r#"{{"association_label": "{}"}}"#, "x".repeat(mib * 1024 * 1024));
        let a = raw(&stub, Method::PUT, &put, Some(&huge)).await;
        assert_eq!(a.status, 413, "{mib} MiB: {}", a.status);
        assert_eq!(a.body, json!({"detail": "the request body is larger than 1048576 bytes"}), "{mib} MiB");
    }
    // a body of a realistic size (above dropshot's default 1024 bytes) is fine
    let evidence = json!({"evidence": {"columns": vec!["a_long_column_name"; 200]}}).to_string();
    assert!(evidence.len() > 4096);
    let a = raw(&stub, Method::PUT, &put, Some(&evidence)).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_ne!(state(&stub), before);
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn invalid_uuids_and_enums_in_path_and_query_are_422() {
    let (stub, _) = stub().await;
    let before = state(&stub);
    let a = raw(&stub, Method::GET, "/api/integration-sources/not-a-uuid/saas-associations", None).await;
    assert_validation(&a, json!(["path", "source_id"]), "uuid_parsing");
    let a = raw(&stub, Method::PUT, &format!("{}/12345", base()), Some("{}")).await;
    assert_validation(&a, json!(["path", "association_id"]), "uuid_parsing");
    let a = raw(&stub, Method::GET, &format!("{}?from_object_id=nope", base()), None).await;
    assert_validation(&a, json!(["query", "from_object_id"]), "uuid_parsing");
    let a = raw(&stub, Method::GET, &format!("{}?status=MAYBE", base()), None).await;
    assert_validation(&a, json!(["query", "status"]), "enum");
    let a = raw(&stub, Method::GET, &format!("{}?type=foreign_key", base()), None).await;
    assert_validation(&a, json!(["query", "type"]), "enum");
    let a = raw(
        &stub,
        Method::POST,
        &format!("{}/bulk-status?job_id=1", base()),
        Some(r#"{"association_ids": [], "status": "APPROVED"}"#),
    )
    .await;
    assert_validation(&a, json!(["query", "job_id"]), "uuid_parsing");
    assert_eq!(state(&stub), before);
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn wrong_content_type_is_422() {
    let (stub, _) = stub().await;
    let before = state(&stub);
    let put = format!("{}/{}", base(), first_of(&stub, HUBSPOT).id);
    let auth = format!("Bearer {TOKEN}");
    for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let a = raw_with(&stub, Method::PUT, &put, Some(r#"{"score": 0.5}"#), Some(&auth), Some(ct)).await;
        assert_validation(&a, json!(["body"]), "model_attributes_type");
    }
    assert_eq!(state(&stub), before);
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn missing_wrong_or_malformed_bearer_is_401() {
    let (stub, _) = stub().await;
    let before = state(&stub);
    let put = format!("{}/{}", base(), first_of(&stub, HUBSPOT).id);
    let body = Some(r#"{"status": "REJECTED"}"#);
    let cases: [(Option<&str>, &str); 6] = [
        (None, "Not authenticated"),
        (Some("Bearer"), "Not authenticated"),
        (Some("Bearer "), "Not authenticated"),
        (Some("Basic czNjcmV0OnB3"), "Not authenticated"),
        (Some("s3cret"), "Not authenticated"),
        (Some("Bearer s3cre"), "Invalid authentication credentials"),
    ];
    for (auth, detail) in cases {
        let a = raw_with(&stub, Method::PUT, &put, body, auth, Some("application/json")).await;
        assert_eq!((a.status, &a.body), (401, &json!({ "detail": detail })), "{auth:?}");
        assert_eq!(a.header("www-authenticate"), Some("Bearer"), "{auth:?}");
    }
    let a = raw_with(&stub, Method::GET, &base(), None, None, None).await;
    assert_eq!(a.status, 401);
    let a = raw_with(
        &stub,
        Method::POST,
        &format!("{}/bulk-status", base()),
        Some(r#"{"association_ids": ["3c90c3cc-0d44-4b50-8888-8dd25736052a"], "status": "APPROVED"}"#),
        None,
        Some("application/json"),
    )
    .await;
    assert_eq!(a.status, 401);
    assert_eq!(state(&stub), before);
    stub.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow() {
    let (stub, _) = stub().await;
    let before = state(&stub);
    let id = first_of(&stub, HUBSPOT).id;
    for path in ["/", "/api", "/api/nowhere", &format!("{}/{id}/extra", base()), "/openapi.json"] {
        let a = raw(&stub, Method::GET, path, None).await;
        assert_eq!((a.status, &a.body), (404, &json!({"detail": "Not Found"})), "{path}");
    }
    let cases = [
        (Method::DELETE, base(), "GET"),
        (Method::POST, base(), "GET"),
        (Method::GET, format!("{}/{id}", base()), "PUT"),
        (Method::DELETE, format!("{}/{id}", base()), "PUT"),
        (Method::POST, format!("{}/{id}", base()), "PUT"),
        (Method::PUT, format!("{}/bulk-status", base()), "POST"),
        (Method::GET, format!("{}/bulk-status", base()), "POST"),
        (Method::PATCH, format!("{}/bulk-status", base()), "POST"),
    ];
    for (method, path, allow) in cases {
        let a = raw(&stub, method.clone(), &path, Some("{}")).await;
        assert_eq!((a.status, &a.body), (405, &json!({"detail": "Method Not Allowed"})), "{method} {path}");
        assert_eq!(a.header("allow"), Some(allow), "{method} {path}");
    }
    assert_eq!(state(&stub), before);
    stub.stop().await.unwrap();
}
