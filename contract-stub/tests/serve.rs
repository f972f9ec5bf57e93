//! The contract stub served for real on 127.0.0.1, on the Coverage API's
//! export: state across requests, fixtures, and how it describes itself.

use std::path::PathBuf;

use serde_json::{Value, json};

fn coverage_spec() -> contract_stub::Spec {
    let root = xtask::spec::Workspace::this().root;
    let spec: PathBuf = root.join("fastapi-app/openapi.json");
    contract_stub::load_spec(Some(&spec), None).expect("the Coverage API's export loads")
}

#[tokio::test]
async fn state_survives_between_requests_and_fixtures_load() {
    let mut options = contract_stub::Options::new(coverage_spec());
    let pet = json!({"kind": "cat", "name": "Tom", "lives": 9});
    options.fixtures = Some(json!({"/pets": [pet]}));
    let stub = contract_stub::start(options).await.unwrap();
    let http = reqwest::Client::new();
    let url = stub.url();
    let read: Value = http.get(format!("{url}/pets/Tom")).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["name"], "Tom");
    assert_eq!(read["lives"], 9);
    let created = http
        .post(format!("{url}/pets"))
        .json(&json!({"kind": "dog", "name": "Rex", "good_boy": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let all: Value = http.get(format!("{url}/pets")).send().await.unwrap().json().await.unwrap();
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Tom", "Rex"]);
    let missing = http.get(format!("{url}/pets/Felix")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap(), json!({"detail": "Not Found"}));
    stub.stop().await.unwrap();
}

#[test]
fn fixtures_that_fit_no_resource_are_refused_with_their_place() {
    let mut options = contract_stub::Options::new(coverage_spec());
    options.fixtures = Some(json!({"/nowhere": []}));
    let e = contract_stub::engine(options).unwrap_err().to_string();
    assert!(e.contains("/nowhere: not a resource of the spec"), "{e}");
    let mut options = contract_stub::Options::new(coverage_spec());
    options.fixtures = Some(json!({"/pets": [{"kind": "cat"}]}));
    let e = contract_stub::engine(options).unwrap_err().to_string();
    assert!(e.contains("/pets[0]: not a valid item"), "{e}");
}

#[test]
fn every_operation_is_described() {
    let engine = contract_stub::engine(contract_stub::Options::new(coverage_spec())).unwrap();
    let lines = contract_stub::describe(&engine);
    assert_eq!(lines.len(), 38);
    assert!(lines.contains(&"  stateful      create_item_items_post (create /items)".to_string()), "{lines:#?}");
    assert!(lines.contains(&"  example       health_health_get".to_string()), "{lines:#?}");
}

#[test]
fn an_override_for_an_operation_the_spec_lacks_is_refused_by_name() {
    let mut options = contract_stub::Options::new(coverage_spec());
    let handler: dropshot_codegen_runtime::mock::Handler =
        std::sync::Arc::new(|_, _| dropshot_codegen_runtime::mock::Reply::Default);
    options.overrides.insert("list_saas_associations_gone".into(), handler);
    let e = contract_stub::engine(options).unwrap_err().to_string();
    assert_eq!(e, "an override names operation `list_saas_associations_gone`, which the spec does not have");
}

#[tokio::test]
async fn given_credentials_are_the_only_ones_accepted() {
    let spec = coverage_spec();
    let credentials = contract_stub::Credentials { api_keys: vec!["k1".into()], ..Default::default() };
    let mut options = contract_stub::Options::new(spec.clone());
    options.policy = Some(contract_stub::policy(&spec.doc, &credentials));
    let stub = contract_stub::start(options).await.unwrap();
    let item = json!({"name": "Lamp", "sku": "AB-1", "price": 3});
    let http = reqwest::Client::new();
    let post =
        |key: &'static str| http.post(format!("{}/items", stub.url())).header("x-api-key", key).json(&item).send();
    assert_eq!(post("k1").await.unwrap().status(), 201);
    let refused = post("k2").await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.json::<Value>().await.unwrap(), json!({"detail": "Invalid API key"}));
    stub.stop().await.unwrap();
}
