//! The generated inventory server, served for real: a literal segment beside
//! a variable one reaches its own operation, for another method (POST
//! /items/batch beside GET /items/{item_id}) and for the same method (GET
//! /items/featured beside GET /items/{item_id}, through the version policy),
//! and requests that name the wrong one are refused as routing errors. A
//! place two paths name differently (`/items/{item_id}` beside
//! `/items/{id}/owner`) is routed under one name, and a name the route holds
//! already gets a number (`/items/batch/{item_id}` → `{item_id_2}`).
//!
//! Shapes of real exports that dropshot refuses when the API is described:
//! a trailing slash (`/bins/` beside `/bins/labels/` and `/bins/{bin_id}`),
//! a query parameter named like a variable of its route (`/bins/{id}/contents?bin_id=`,
//! routed through `{bin_id}`), a query parameter that is not a scalar
//! (`str | list[str]`) and a path parameter that is not one (`int | str`).
//!
//! Compound segments (`photo.{ext}`, `{lon},{lat}`), which dropshot routes
//! as one variable: split as Starlette matches them, each parameter typed.

use codegen_tests::inventory_server::{self as api, InventoryApi, types};
use dropshot::{HttpError, HttpResponseCreated, HttpResponseOk, Path, Query, RequestContext, TypedBody};
use dropshot_codegen_runtime::MultiQuery;
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

    async fn create_bin(_: RequestContext<()>) -> Result<HttpResponseOk<String>, HttpError> {
        Ok(HttpResponseOk("bin created".into()))
    }

    async fn create_bin_label(
        _: RequestContext<()>,
        path: Path<api::CreateBinLabelPath>,
    ) -> Result<HttpResponseOk<String>, HttpError> {
        assert_eq!(path.into_inner().bin_id, "labels");
        Ok(HttpResponseOk("label created".into()))
    }

    async fn get_bin(
        _: RequestContext<()>,
        path: Path<api::GetBinPath>,
        query: MultiQuery<api::GetBinQuery>,
    ) -> Result<HttpResponseOk<String>, HttpError> {
        let filter = match query.into_inner().filter {
            None => "none".to_string(),
            Some(types::GetBinFilter::String(one)) => format!("one {one}"),
            Some(types::GetBinFilter::Array(all)) => format!("all {}", all.join(",")),
        };
        Ok(HttpResponseOk(format!("bin {} filter {filter}", path.into_inner().bin_id)))
    }

    async fn bin_contents(
        _: RequestContext<()>,
        path: Path<api::BinContentsPath>,
        query: MultiQuery<api::BinContentsQuery>,
    ) -> Result<HttpResponseOk<String>, HttpError> {
        let bin_id = query.into_inner().bin_id.unwrap_or_default();
        Ok(HttpResponseOk(format!("contents of {} for {bin_id}", path.into_inner().id)))
    }

    async fn get_shelf(
        _: RequestContext<()>,
        path: Path<api::GetShelfPath>,
    ) -> Result<HttpResponseOk<String>, HttpError> {
        Ok(HttpResponseOk(match path.into_inner().shelf {
            types::GetShelfShelf::Integer(n) => format!("shelf number {n}"),
            types::GetShelfShelf::String(name) => format!("shelf named {name}"),
        }))
    }

    async fn get_bin_photo(
        _: RequestContext<()>,
        path: Path<api::GetBinPhotoPath>,
    ) -> Result<HttpResponseOk<String>, HttpError> {
        let path = path.into_inner();
        Ok(HttpResponseOk(format!("photo of {} as {}", path.bin_id, path.ext)))
    }

    async fn get_shelf_spot(
        _: RequestContext<()>,
        path: Path<api::GetShelfSpotPath>,
    ) -> Result<HttpResponseOk<String>, HttpError> {
        let path = path.into_inner();
        Ok(HttpResponseOk(format!("{} at {} by {}", path.shelf, path.lon, path.lat)))
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

#[tokio::test]
async fn shapes_dropshot_refuses_to_describe_are_served() {
    // describing the API is where dropshot refused them (a type array, a
    // parameter in the query and the path, a duplicate route)
    let published = api::openapi();
    for path in ["/bins/", "/bins/labels/", "/bins/{bin_id}", "/bins/{id}/contents", "/shelves/{shelf}"] {
        assert!(published["paths"].get(path).is_some(), "{path} is published");
    }
    let server = serve().await;
    let get = |path: &'static str| {
        let server = &server;
        async move { call(server, reqwest::Method::GET, path, None).await }
    };
    let (status, body) = call(&server, reqwest::Method::POST, "/bins/", None).await;
    assert_eq!((status, body.as_str()), (200, Some("bin created")));
    let (status, body) = call(&server, reqwest::Method::POST, "/bins/labels/", None).await;
    assert_eq!((status, body.as_str()), (200, Some("label created")));
    assert_eq!(get("/bins/4").await, (200, serde_json::json!("bin 4 filter none")));
    assert_eq!(get("/bins/4?filter=a").await, (200, serde_json::json!("bin 4 filter one a")));
    assert_eq!(get("/bins/4?filter=a&filter=b").await, (200, serde_json::json!("bin 4 filter all a,b")));
    assert_eq!(get("/bins/4/contents?bin_id=x").await, (200, serde_json::json!("contents of 4 for x")));
    // a segment is text, and text is a `str` first, as pydantic's smart
    // union reads `int | str` from a path
    assert_eq!(get("/shelves/12").await, (200, serde_json::json!("shelf named 12")));
    assert_eq!(get("/shelves/top").await, (200, serde_json::json!("shelf named top")));
    server.close().await.unwrap();
}

#[tokio::test]
async fn compound_segments_are_split_into_their_parameters() {
    let published = api::openapi();
    for path in ["/bins/{bin_id}/photo.{ext}", "/shelves/{shelf}/at/{lon},{lat}"] {
        let names: Vec<&str> = published["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} is published"))
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), if path.starts_with("/bins") { 2 } else { 3 }, "{path}: {names:?}");
    }
    assert!(published["paths"].as_object().unwrap().keys().all(|p| !p.contains('(')), "no placeholder is left");
    let server = serve().await;
    let get = |path: &'static str| {
        let server = &server;
        async move { call(server, reqwest::Method::GET, path, None).await }
    };
    assert_eq!(get("/bins/4/photo.png").await, (200, serde_json::json!("photo of 4 as png")));
    // greedy, as Starlette: the point of a float stays in it
    assert_eq!(get("/shelves/top/at/1.5,-2.25").await, (200, serde_json::json!("top at 1.5 by -2.25")));
    // the literal sibling routed through the same place still reaches its own
    assert_eq!(get("/bins/4/contents?bin_id=x").await, (200, serde_json::json!("contents of 4 for x")));
    // a piece that does not parse is that parameter's error
    let (status, body) = get("/bins/4/photo.gif").await;
    match classified(status, &body) {
        ExtractorError::Param(e) => assert_eq!((e.name.as_str(), e.kind.as_str()), ("ext", "enum"), "{e:?}"),
        other => panic!("{other:?}"),
    }
    let (status, body) = get("/shelves/top/at/east,2").await;
    match classified(status, &body) {
        ExtractorError::Param(e) => assert_eq!(e.name, "lon", "{e:?}"),
        other => panic!("{other:?}"),
    }
    // a segment the template does not fit names no path
    let (status, body) = get("/shelves/top/at/12").await;
    assert_eq!(classified(status, &body), ExtractorError::Route(RouteRefusal::NotFound));
    server.close().await.unwrap();
}
