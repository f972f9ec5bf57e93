//! What the generated server takes beyond path, query, header, JSON and form
//! parameters, served for real (`xtask/tests/fixtures/server_features.json`):
//! cookies (parsed, and a bad one named as FastAPI's 422 names it,
//! `["cookie", name]`), a multipart body with a file and form fields, an
//! HTML response with its content type, and one operation answering 200
//! with bytes or 204 without a body.

use codegen_tests::server_features_server::{self as api, ServerFeaturesApi, types};
use dropshot::{HttpError, HttpResponseCreated, HttpResponseOk, Path, RequestContext};
use dropshot_codegen_runtime::extract::{ExtractorError, ParamLocation, classify};
use dropshot_codegen_runtime::{Cookies, Multipart};

enum Features {}

impl ServerFeaturesApi for Features {
    type Context = ();

    async fn whoami(
        _: RequestContext<()>,
        cookies: Cookies<api::WhoamiCookie>,
    ) -> Result<HttpResponseOk<types::Whoami>, HttpError> {
        let cookies = cookies.into_inner();
        Ok(HttpResponseOk(types::Whoami { session: cookies.session, visits: cookies.visits.unwrap_or(0) }))
    }

    async fn upload(
        _: RequestContext<()>,
        body: Multipart<api::UploadMultipart>,
    ) -> Result<HttpResponseCreated<types::Uploaded>, HttpError> {
        let body = body.into_inner();
        Ok(HttpResponseCreated(types::Uploaded {
            filename: body.file.filename.unwrap_or_default(),
            size: body.file.content.len() as i64,
            title: body.title,
            revision: body.revision,
        }))
    }

    async fn card(_: RequestContext<()>) -> Result<api::CardResponse, HttpError> {
        Ok(api::CardResponse::Ok("<h1>bolt</h1>".into()))
    }

    async fn read_image(
        _: RequestContext<()>,
        path: Path<api::ReadImagePath>,
    ) -> Result<api::ReadImageResponse, HttpError> {
        Ok(match path.into_inner().image_id {
            1 => api::ReadImageResponse::Ok(vec![0u8, 159, 146, 150].into()),
            _ => api::ReadImageResponse::NoContent,
        })
    }
}

const CONTENT_TYPE: &str = "multipart/form-data; boundary=XyZ";

/// A multipart body of (name, file name, content) parts.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, content) in parts {
        body.extend_from_slice(format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(filename) = filename {
            let head = format!("; filename=\"{filename}\"\r\nContent-Type: image/png");
            body.extend_from_slice(head.as_bytes());
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    body
}

fn classified(body: &serde_json::Value) -> ExtractorError {
    classify(&HttpError::for_bad_request(None, body["message"].as_str().unwrap().to_string()))
}

#[tokio::test]
async fn cookies_multipart_and_typed_responses_are_served() {
    let server = codegen_tests::serve(
        api::server_features_api_mod::api_description::<Features>().unwrap(),
        api::version_policy(),
        "server-features",
    );
    let base = format!("http://{}", server.local_addr());
    let http = reqwest::Client::new();

    // cookies: parsed, an optional one absent, a bad one named
    let me: serde_json::Value = http
        .get(format!("{base}/whoami"))
        .header("cookie", "other=1; session=abc; visits=3")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me, serde_json::json!({"session": "abc", "visits": 3}));
    let me: serde_json::Value =
        http.get(format!("{base}/whoami")).header("cookie", "session=abc").send().await.unwrap().json().await.unwrap();
    assert_eq!(me["visits"], 0);
    let bad = http.get(format!("{base}/whoami")).header("cookie", "session=abc; visits=many").send().await.unwrap();
    assert_eq!(bad.status(), 400);
    match classified(&bad.json().await.unwrap()) {
        ExtractorError::Param(p) => {
            assert_eq!(
                (p.location, p.name.as_str(), p.kind.as_str()),
                (ParamLocation::Cookie, "visits", "int_parsing")
            );
        }
        other => panic!("not a cookie parameter error: {other:?}"),
    }
    let missing = http.get(format!("{base}/whoami")).send().await.unwrap();
    assert_eq!(classified(&missing.json().await.unwrap()), ExtractorError::MissingCookie { name: "session".into() });
    let as_fastapi = dropshot_codegen_runtime::ApiError::from(ExtractorError::MissingCookie { name: "session".into() });
    assert_eq!(
        serde_json::to_value(&as_fastapi).unwrap(),
        serde_json::json!({"detail": [{"loc": ["cookie", "session"], "msg": "Field required", "type": "missing"}]})
    );

    // multipart: a file and two form fields, one of them parsed as an integer
    let form =
        multipart(&[("file", Some("bolt.png"), &[7u8; 300]), ("title", None, b"Bolt"), ("revision", None, b"2")]);
    let uploaded = http.post(format!("{base}/upload")).header("content-type", CONTENT_TYPE).body(form);
    let uploaded = uploaded.send().await.unwrap();
    assert_eq!(uploaded.status(), 201);
    let uploaded: serde_json::Value = uploaded.json().await.unwrap();
    assert_eq!(uploaded, serde_json::json!({"filename": "bolt.png", "size": 300, "title": "Bolt", "revision": 2}));
    let form = multipart(&[("file", Some("a"), b"x"), ("title", None, b"Bolt"), ("revision", None, b"two")]);
    let bad = http.post(format!("{base}/upload")).header("content-type", CONTENT_TYPE).body(form);
    let bad = bad.send().await.unwrap();
    match classified(&bad.json().await.unwrap()) {
        ExtractorError::Param(p) => {
            assert_eq!(
                (p.location, p.name.as_str(), p.kind.as_str()),
                (ParamLocation::Body, "revision", "int_parsing")
            );
        }
        other => panic!("not a body field error: {other:?}"),
    }

    // an HTML response with its content type
    let card = http.get(format!("{base}/card")).send().await.unwrap();
    assert_eq!((card.status().as_u16(), card.headers()["content-type"].to_str().unwrap()), (200, "text/html"));
    assert_eq!(card.text().await.unwrap(), "<h1>bolt</h1>");

    // one operation, 200 with bytes or 204 without a body
    let image = http.get(format!("{base}/images/1")).send().await.unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "application/octet-stream");
    assert_eq!(image.bytes().await.unwrap().as_ref(), &[0u8, 159, 146, 150]);
    let none = http.get(format!("{base}/images/2")).send().await.unwrap();
    assert_eq!(none.status(), 204);
    assert!(none.headers().get("content-type").is_none());
    assert!(none.bytes().await.unwrap().is_empty());
    server.close().await.unwrap();
}

#[test]
fn the_server_publishes_its_spec() {
    let path = xtask::spec::Workspace::this().root.join("xtask/tests/fixtures/server_features.json");
    let spec =
        xtask::spec::Spec::load(&path, std::path::Path::new("no-codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
    let published = api::openapi();
    let report = xtask::roundtrip::compare(&spec.lowered, &published);
    assert_eq!(report.differences, vec![]);
    assert_eq!(report.operations, 4);
    // what dropshot alone could not say, put right by the runtime
    assert_eq!(published["paths"]["/whoami"]["get"]["parameters"][0]["in"], "cookie");
    assert!(published.pointer("/paths/~1upload/post/requestBody/content/multipart~1form-data/schema").is_some());
    assert!(published.pointer("/paths/~1card/get/responses/200/content/text~1html").is_some());
    let image = &published["paths"]["/images/{image_id}"]["get"]["responses"];
    assert!(image.pointer("/200/content/application~1octet-stream").is_some());
    assert!(image["204"].get("content").is_none());
}

/// pydantic titles both `Cat.kind` and `Dog.kind` "Kind"; each literal must
/// keep its own type, or the generated server refuses every dog.
#[test]
fn each_member_of_a_discriminated_union_keeps_its_own_tag() {
    use codegen_tests::fastapi_server::types::PetsCreatePetBody as Pet;
    for pet in [serde_json::json!({"kind": "cat", "name": "Tom"}), serde_json::json!({"kind": "dog", "name": "Rex"})] {
        let parsed: Pet = serde_json::from_value(pet.clone()).unwrap_or_else(|e| panic!("{pet}: {e}"));
        assert_eq!(serde_json::to_value(&parsed).unwrap()["kind"], pet["kind"]);
    }
    assert!(serde_json::from_value::<Pet>(serde_json::json!({"kind": "bird", "name": "Tweety"})).is_err());
}
