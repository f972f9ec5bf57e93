//! A form body, served for real: FastAPI's OAuth2 password login
//! (`xtask/tests/fixtures/forms.json`, taken from the FastAPI app's export).
//! The generated client sends the typed form url-encoded, the generated
//! server reads it through dropshot's form `TypedBody`, and a JSON body where
//! the form belongs is refused.

use codegen_tests::forms_client;
use codegen_tests::forms_server::{self as api, FormsApi, types};
use dropshot::{HttpError, HttpResponseOk, RequestContext, TypedBody};

enum Forms {}

impl FormsApi for Forms {
    type Context = ();

    async fn login(
        _: RequestContext<()>,
        body: TypedBody<types::BodyLoginAuthTokenPost>,
    ) -> Result<HttpResponseOk<types::Token>, HttpError> {
        let form = body.into_inner();
        if (form.username.as_str(), form.password.as_str()) != ("alice", "secret") {
            return Err(HttpError::for_client_error(
                None,
                dropshot::ClientErrorStatusCode::UNAUTHORIZED,
                "Incorrect username or password".into(),
            ));
        }
        Ok(HttpResponseOk(types::Token {
            access_token: format!("token-for-{}-scope-{}", form.username, form.scope),
            token_type: types::TokenType::default(),
        }))
    }
}

fn serve() -> dropshot::HttpServer<()> {
    codegen_tests::serve(api::forms_api_mod::api_description::<Forms>().unwrap(), api::version_policy(), "forms")
}

fn form(username: &str, password: &str) -> forms_client::types::BodyLoginAuthTokenPost {
    forms_client::types::BodyLoginAuthTokenPost {
        client_id: None,
        client_secret: None,
        grant_type: Some("password".parse().unwrap()),
        password: password.into(),
        scope: "items:read".into(),
        username: username.into(),
    }
}

#[tokio::test]
async fn the_client_logs_in_through_the_form() {
    let server = serve();
    let client = forms_client::Client::new(&format!("http://{}", server.local_addr()));
    let token = client.login().body(form("alice", "secret")).send().await.unwrap().into_inner();
    assert_eq!(token.access_token, "token-for-alice-scope-items:read");
    assert_eq!(serde_json::to_value(token.token_type).unwrap(), "bearer");

    let refused = client.login().body(form("alice", "wrong")).send().await.unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401));
    server.close().await.unwrap();
}

#[tokio::test]
async fn the_server_reads_forms_and_refuses_json() {
    let server = serve();
    let url = format!("http://{}/auth/token", server.local_addr());
    let http = reqwest::Client::new();
    // scope left out: the spec's default, the empty string
    let response = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=password&username=alice&password=secret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let token: serde_json::Value = response.json().await.unwrap();
    assert_eq!(token["access_token"], "token-for-alice-scope-");

    let response = http.post(&url).json(&serde_json::json!({"username": "alice", "password": "secret"})).send().await;
    assert_eq!(response.unwrap().status().as_u16(), 400, "a JSON body where the form belongs");
    server.close().await.unwrap();
}
