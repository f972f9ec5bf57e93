//! Real bad requests to a real dropshot server, each read back with
//! `classify`: where `classify` reads dropshot's wording, a change of that
//! wording in dropshot fails here rather than only end to end.
//!
//! The endpoints' error type records `classify(&HttpError)` in a table and
//! answers the row's index, which the test looks up.

use std::sync::Mutex;

use dropshot::{
    ApiDescription, ErrorStatusCode, HttpError, HttpResponseError, HttpResponseOk, HttpServer, Path, Query,
    RequestContext, TypedBody, endpoint,
};
use dropshot_codegen_runtime::extract::{
    ExtractorError, JsonBodyErrorKind, ParamError, ParamLocation, PathSegment, RouteRefusal, classify, guarded_param,
    param,
};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

static CLASSIFIED: Mutex<Vec<ExtractorError>> = Mutex::new(Vec::new());

/// Answers the index of its classification in [`CLASSIFIED`].
#[derive(Debug, Serialize, JsonSchema)]
struct Recorded {
    index: usize,
}

impl From<HttpError> for Recorded {
    fn from(e: HttpError) -> Self {
        let mut classified = CLASSIFIED.lock().unwrap();
        classified.push(classify(&e));
        Recorded { index: classified.len() - 1 }
    }
}

impl std::fmt::Display for Recorded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "classification {}", self.index)
    }
}

impl HttpResponseError for Recorded {
    fn status_code(&self) -> ErrorStatusCode {
        ErrorStatusCode::BAD_REQUEST
    }
}

// parameters as the generator writes them: each through a function that
// names it
fn thing_id<'de, D: Deserializer<'de>>(d: D) -> Result<uuid::Uuid, D::Error> {
    param(d, ParamLocation::Path, "id", "uuid_parsing")
}

fn limit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    param(d, ParamLocation::Query, "limit", "int_parsing")
}

fn status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Status>, D::Error> {
    param(d, ParamLocation::Query, "status", "enum")
}

fn refuse_batch(value: &str) -> Option<RouteRefusal> {
    (value == "batch").then(|| RouteRefusal::for_methods(&["POST"]))
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    guarded_param(d, ParamLocation::Path, "number", "int_parsing", refuse_batch)
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ThingPath {
    #[serde(deserialize_with = "thing_id")]
    #[allow(dead_code)]
    id: uuid::Uuid,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Status {
    Open,
    Closed,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct ThingQuery {
    #[serde(default, deserialize_with = "limit")]
    limit: Option<i64>,
    #[serde(default, deserialize_with = "status")]
    status: Option<Status>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct NumberPath {
    #[serde(deserialize_with = "number")]
    #[allow(dead_code)]
    number: i64,
}

// plain serde, not through `param`
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct RawPath {
    id: uuid::Uuid,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct RawQuery {
    n: i64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Item {
    score: f64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Thing {
    name: String,
    score: f64,
    items: Vec<Item>,
    #[serde(default)]
    status: Option<Status>,
}

#[endpoint { method = GET, path = "/things/{id}" }]
async fn get_thing(
    _: RequestContext<()>,
    _: Path<ThingPath>,
    _: Query<ThingQuery>,
) -> Result<HttpResponseOk<()>, Recorded> {
    Ok(HttpResponseOk(()))
}

#[endpoint { method = GET, path = "/numbers/{number}" }]
async fn get_number(_: RequestContext<()>, _: Path<NumberPath>) -> Result<HttpResponseOk<()>, Recorded> {
    Ok(HttpResponseOk(()))
}

#[endpoint { method = GET, path = "/raw/{id}" }]
async fn get_raw(_: RequestContext<()>, _: Path<RawPath>, _: Query<RawQuery>) -> Result<HttpResponseOk<()>, Recorded> {
    Ok(HttpResponseOk(()))
}

#[endpoint { method = POST, path = "/things", request_body_max_bytes = 256 }]
async fn post_thing(_: RequestContext<()>, _: TypedBody<Thing>) -> Result<HttpResponseOk<()>, Recorded> {
    Ok(HttpResponseOk(()))
}

fn serve() -> HttpServer<()> {
    let mut api = ApiDescription::new();
    api.register(get_thing).unwrap();
    api.register(get_number).unwrap();
    api.register(get_raw).unwrap();
    api.register(post_thing).unwrap();
    let log = dropshot::ConfigLogging::StderrTerminal { level: dropshot::ConfigLoggingLevel::Error }
        .to_logger("dropshot-wording")
        .unwrap();
    let config = dropshot::ConfigDropshot { bind_address: "127.0.0.1:0".parse().unwrap(), ..Default::default() };
    dropshot::ServerBuilder::new(api, (), log).config(config).start().unwrap()
}

/// What `classify` made of the error dropshot met for this request.
async fn classified(
    server: &HttpServer<()>,
    method: reqwest::Method,
    path: &str,
    body: Option<(&str, String)>,
) -> ExtractorError {
    let mut request = reqwest::Client::new().request(method, format!("http://{}{path}", server.local_addr()));
    if let Some((content_type, body)) = body {
        request = request.header("content-type", content_type).body(body);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 400, "{path}");
    let recorded: serde_json::Value = response.json().await.unwrap();
    let index = recorded["index"].as_u64().unwrap() as usize;
    CLASSIFIED.lock().unwrap()[index].clone()
}

fn param_error(e: ExtractorError) -> ParamError {
    match e {
        ExtractorError::Param(p) => p,
        other => panic!("not a parameter error: {other:?}"),
    }
}

const ID: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

#[tokio::test]
async fn parameters_and_route_refusals_come_back_typed() {
    let server = serve();
    let get = |path: String| {
        let server = &server;
        async move { classified(server, reqwest::Method::GET, &path, None).await }
    };

    let p = param_error(get("/things/not-a-uuid".into()).await);
    assert_eq!((p.location, p.name.as_str(), p.kind.as_str()), (ParamLocation::Path, "id", "uuid_parsing"));
    assert!(p.message.contains("UUID parsing failed"), "{}", p.message);

    let p = param_error(get(format!("/things/{ID}?limit=many")).await);
    assert_eq!((p.location, p.name.as_str(), p.kind.as_str()), (ParamLocation::Query, "limit", "int_parsing"));

    let p = param_error(get(format!("/things/{ID}?status=maybe")).await);
    assert_eq!((p.location, p.name.as_str(), p.kind.as_str()), (ParamLocation::Query, "status", "enum"));
    assert!(p.message.starts_with("unknown variant `maybe`"), "{}", p.message);

    assert_eq!(
        get("/numbers/batch".into()).await,
        ExtractorError::Route(RouteRefusal::MethodNotAllowed { allow: vec!["POST".into()] })
    );
    let p = param_error(get("/numbers/x".into()).await);
    assert_eq!((p.location, p.name.as_str(), p.kind.as_str()), (ParamLocation::Path, "number", "int_parsing"));

    // fields that do not go through `param` still say where
    let e = get("/raw/nope?n=1".into()).await;
    assert!(matches!(e, ExtractorError::UrlPath { .. }), "{e:?}");
    let e = get(format!("/raw/{ID}?n=x")).await;
    assert!(matches!(e, ExtractorError::Query { .. }), "{e:?}");
    server.close().await.unwrap();
}

#[tokio::test]
async fn json_body_errors_carry_their_path_and_kind() {
    let server = serve();
    let post = |body: &str| {
        let server = &server;
        let body = body.to_string();
        async move {
            match classified(server, reqwest::Method::POST, "/things", Some(("application/json", body))).await {
                ExtractorError::JsonBody { path, kind, message } => {
                    assert!(message.contains(" at line "), "{message}");
                    (path, kind)
                }
                other => panic!("not a JSON body error: {other:?}"),
            }
        }
    };
    let field = |name: &str| PathSegment::Field(name.into());

    assert_eq!(post("{not json").await, (vec![], JsonBodyErrorKind::Syntax));
    assert_eq!(post("").await, (vec![], JsonBodyErrorKind::Syntax));
    assert_eq!(post(r#"{"name": "a", "score": 1"#).await, (vec![], JsonBodyErrorKind::Syntax));
    assert_eq!(post(r#"{"score": 1, "items": []}"#).await, (vec![], JsonBodyErrorKind::MissingField("name".into())));
    assert_eq!(
        post(r#"{"name": "a", "score": 1, "items": [{"score": 1}, {"score": "x"}]}"#).await,
        (vec![field("items"), PathSegment::Index(1), field("score")], JsonBodyErrorKind::Data)
    );
    assert_eq!(
        post(r#"{"name": "a", "score": 1, "items": [], "status": "maybe"}"#).await,
        (vec![field("status")], JsonBodyErrorKind::UnknownVariant)
    );
    assert_eq!(post(r#""a string""#).await, (vec![], JsonBodyErrorKind::Data));
    server.close().await.unwrap();
}

#[tokio::test]
async fn content_type_and_size_refusals_are_recognised() {
    let server = serve();
    let body = r#"{"name": "a", "score": 1, "items": []}"#;
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let e = classified(&server, reqwest::Method::POST, "/things", Some((content_type, body.into()))).await;
        assert!(matches!(e, ExtractorError::ContentType { .. }), "{content_type}: {e:?}");
    }
    let huge = format!(r#"{{"name": "{}", "score": 1, "items": []}}"#, "x".repeat(1024));
    let e = classified(&server, reqwest::Method::POST, "/things", Some(("application/json", huge))).await;
    assert!(matches!(e, ExtractorError::BodyTooLarge { .. }), "{e:?}");
    server.close().await.unwrap();
}
