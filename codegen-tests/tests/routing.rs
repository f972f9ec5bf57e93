//! The generated inventory server, served for real: a literal segment beside
//! a variable one reaches its own operation, for another method (POST
//! /items/batch beside GET /items/{item_id}) and for the same method (GET
//! /items/featured beside GET /items/{item_id}, through the version policy),
//! and requests that name the wrong one are refused as routing errors. A
//! place two paths name differently (`/items/{item_id}` beside
//! `/items/{id}/owner`) is routed under one name, and a name the route holds
//! already gets a number (`/items/batch/{item_id}` → `{item_id_2}`).

use codegen_tests::inventory_server::{self as api, InventoryApi, types};
use dropshot::{HttpError, HttpResponseCreated, HttpResponseOk, Path, Query, RequestContext, TypedBody};
use dropshot_codegen_runtime::extract::{ExtractorError, RouteRefusal, classify};
use std::collections::HashMap;

enum Inventory {}

fn item(id: i64, name: &str) -> types::Item {
    serde_json::from_value(serde_json::json!({"id": id, "name": name, "kind": "part", "tags": []})).unwrap()
}

impl InventoryApi for Inventory {
    type Context = ();

    async fn health(_: RequestContext<()>) -> Result<HttpResponseOk<HashMap<String, String>>, HttpError> {
        Ok(HttpResponseOk(HashMap::from([("status".to_string(), "ok".to_string())])))
    }

    async fn list_items(
        _: RequestContext<()>,
        query: Query<api::ListItemsQuery>,
    ) -> Result<HttpResponseOk<Vec<types::Item>>, HttpError> {
        let limit = query.into_inner().limit.get();
        Ok(HttpResponseOk(vec![item(limit as i64, "list")]))
    }

    async fn create_items(
        _: RequestContext<()>,
        path: Path<api::CreateItemsPath>,
        body: TypedBody<Vec<types::ItemCreate>>,
    ) -> Result<HttpResponseCreated<Vec<types::Item>>, HttpError> {
        assert_eq!(path.into_inner().item_id, "batch");
        Ok(HttpResponseCreated(body.into_inner().iter().enumerate().map(|(i, c)| item(i as i64, &c.name)).collect()))
    }

    async fn featured_items(
        _: RequestContext<()>,
        path: Path<api::FeaturedItemsPath>,
        query: Query<api::FeaturedItemsQuery>,
    ) -> Result<HttpResponseOk<Vec<types::Item>>, HttpError> {
        assert_eq!(path.into_inner().item_id, "featured");
        Ok(HttpResponseOk(vec![item(query.into_inner().limit, "featured")]))
    }

    async fn get_item(
        _: RequestContext<()>,
        path: Path<api::GetItemPath>,
    ) -> Result<HttpResponseOk<types::Item>, HttpError> {
        let id = path.into_inner().item_id;
        Ok(HttpResponseOk(item(id, &format!("item {id}"))))
    }

    async fn item_owner(
        _: RequestContext<()>,
        path: Path<api::ItemOwnerPath>,
    ) -> Result<HttpResponseOk<String>, HttpError> {
        let path = path.into_inner();
        assert_eq!(path.item_id_2, "owner");
        Ok(HttpResponseOk(format!("owner of {}", path.id)))
    }

    async fn batch_item(
        _: RequestContext<()>,
        path: Path<api::BatchItemPath>,
    ) -> Result<HttpResponseOk<types::Item>, HttpError> {
        let path = path.into_inner();
        assert_eq!(path.item_id_literal, "batch");
        Ok(HttpResponseOk(item(path.item_id, "in a batch")))
    }
}

async fn serve() -> dropshot::HttpServer<()> {
    let api = api::inventory_api_mod::api_description::<Inventory>().unwrap();
    codegen_tests::serve(api, api::version_policy(), "routing")
}

async fn call(
    server: &dropshot::HttpServer<()>,
    method: reqwest::Method,
    path: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new().request(method, format!("http://{}{path}", server.local_addr()));
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or_default())
}

/// What an error type would read from the `HttpError` this server answered
/// (its error type is `HttpError` itself, which keeps only the message).
fn classified(status: u16, body: &serde_json::Value) -> ExtractorError {
    assert_eq!(status, 400, "{body}");
    classify(&HttpError::for_bad_request(None, body["message"].as_str().unwrap().to_string()))
}

#[tokio::test]
async fn literal_and_variable_siblings_reach_their_own_operations() {
    let server = serve().await;
    let (status, body) = call(&server, reqwest::Method::GET, "/items/featured", None).await;
    assert_eq!((status, body[0]["name"].as_str()), (200, Some("featured")));
    assert_eq!(body[0]["id"], 3, "the spec's default limit");
    let (status, body) = call(&server, reqwest::Method::GET, "/items/featured?limit=5", None).await;
    assert_eq!((status, body[0]["id"].as_i64()), (200, Some(5)));
    let (status, body) = call(&server, reqwest::Method::GET, "/items/42", None).await;
    assert_eq!((status, body["name"].as_str()), (200, Some("item 42")));
    let (status, body) = call(&server, reqwest::Method::POST, "/items/batch", Some(r#"[{"name": "bolt"}]"#)).await;
    assert_eq!((status, body[0]["name"].as_str()), (201, Some("bolt")));
    let (status, body) = call(&server, reqwest::Method::GET, "/items", None).await;
    assert_eq!((status, body[0]["id"].as_i64()), (200, Some(50)));
    server.close().await.unwrap();
}

#[tokio::test]
async fn a_place_named_otherwise_by_another_path_reaches_its_operation() {
    let server = serve().await;
    let (status, body) = call(&server, reqwest::Method::GET, "/items/7/owner", None).await;
    assert_eq!((status, body.as_str()), (200, Some("owner of 7")));
    let (status, body) = call(&server, reqwest::Method::GET, "/items/batch/8", None).await;
    assert_eq!((status, body["id"].as_i64(), body["name"].as_str()), (200, Some(8), Some("in a batch")));
    let (status, body) = call(&server, reqwest::Method::GET, "/items/8", None).await;
    assert_eq!((status, body["name"].as_str()), (200, Some("item 8")));
    // the parameter is read from the route's name and named as the spec names it
    let (status, body) = call(&server, reqwest::Method::GET, "/items/x/owner", None).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("id"), "{body}");
    assert_eq!(api::allowed_methods("/items/7/owner"), Some(&["GET"][..]));
    assert_eq!(api::allowed_methods("/items/batch/8"), Some(&["GET"][..]));
    server.close().await.unwrap();
}

#[tokio::test]
async fn a_segment_naming_the_other_route_is_a_routing_refusal() {
    let server = serve().await;
    // GET /items/batch: the literal path exists, with POST only
    let (status, body) = call(&server, reqwest::Method::GET, "/items/batch", None).await;
    assert_eq!(
        classified(status, &body),
        ExtractorError::Route(RouteRefusal::MethodNotAllowed { allow: vec!["POST".into()] })
    );
    // POST /items/42: the variable path exists, with GET only
    let (status, body) = call(&server, reqwest::Method::POST, "/items/42", Some("[]")).await;
    assert_eq!(
        classified(status, &body),
        ExtractorError::Route(RouteRefusal::MethodNotAllowed { allow: vec!["GET".into()] })
    );
    assert_eq!(api::allowed_methods("/items/featured"), Some(&["GET"][..]));
    assert_eq!(api::allowed_methods("/items/9"), Some(&["GET"][..]));
    assert_eq!(api::allowed_methods("/items/batch"), Some(&["POST"][..]));
    assert_eq!(api::allowed_methods("/nowhere"), None);
    server.close().await.unwrap();
}
