//! Header parameters, served for real: the generated client sends them (its
//! builder has one typed setter each), the generated server reads them
//! without regard to case, applies the spec's default to an absent optional
//! one, and a missing or malformed header is a typed error naming it, as
//! FastAPI's 422 does (`["header", "x-request-id"]`).

use codegen_tests::headers_client;
use codegen_tests::headers_server::{self as api, HeadersApi, types};
use dropshot::{HttpError, HttpResponseOk, Path, RequestContext};
use dropshot_codegen_runtime::extract::{ExtractorError, ParamLocation, classify};

enum Headers {}

impl HeadersApi for Headers {
    type Context = ();

    async fn read_thing(
        _: RequestContext<()>,
        path: Path<api::ReadThingPath>,
        headers: dropshot::Header<api::ReadThingHeader>,
    ) -> Result<HttpResponseOk<types::Thing>, HttpError> {
        let headers = headers.into_inner();
        Ok(HttpResponseOk(types::Thing {
            id: path.into_inner().thing_id,
            request_id: headers.x_request_id,
            language: headers.accept_language,
            retry: headers.x_retry,
        }))
    }
}

fn serve() -> dropshot::HttpServer<()> {
    codegen_tests::serve(api::headers_api_mod::api_description::<Headers>().unwrap(), api::version_policy(), "headers")
}

#[tokio::test]
async fn the_client_sends_headers_the_server_reads() {
    let server = serve();
    let client = headers_client::Client::new(&format!("http://{}", server.local_addr()));
    let thing = client
        .read_thing()
        .thing_id(7)
        .x_request_id("req-1")
        .accept_language("de")
        .x_retry(3)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (thing.id, thing.request_id.as_str(), thing.language.as_deref(), thing.retry),
        (7, "req-1", Some("de"), 3)
    );

    // optional headers left out: none, and the spec's default
    let thing = client.read_thing().thing_id(8).x_request_id("req-2").send().await.unwrap().into_inner();
    assert_eq!((thing.language, thing.retry), (None, 0));
    server.close().await.unwrap();
}

/// A raw request with these headers: the status, and what an error type
/// would read from the `HttpError` (this server's error type is
/// `HttpError` itself, which keeps only the message).
async fn raw(server: &dropshot::HttpServer<()>, headers: &[(&str, &str)]) -> (u16, Option<ExtractorError>) {
    let mut request = reqwest::Client::new().get(format!("http://{}/things/1", server.local_addr()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let classified = body["message"].as_str().map(|m| classify(&HttpError::for_bad_request(None, m.to_string())));
    (status, classified)
}

#[tokio::test]
async fn header_names_ignore_case_and_bad_headers_are_named() {
    let server = serve();
    assert_eq!(raw(&server, &[("X-Request-ID", "abc")]).await.0, 200);

    let (status, classified) = raw(&server, &[]).await;
    assert_eq!(status, 400);
    assert_eq!(classified, Some(ExtractorError::MissingHeader { name: "x-request-id".into() }));

    let (status, classified) = raw(&server, &[("x-request-id", "abc"), ("x-retry", "soon")]).await;
    assert_eq!(status, 400);
    let Some(ExtractorError::Param(p)) = classified else { panic!("not a parameter error: {classified:?}") };
    assert_eq!((p.location, p.name.as_str(), p.kind.as_str()), (ParamLocation::Header, "x-retry", "int_parsing"));
    server.close().await.unwrap();
}
