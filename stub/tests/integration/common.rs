//! What the integration tests share: a stub with the built-in fixtures and a
//! token, and raw requests that the typed client cannot send.

use humm_config_client::Client;
use humm_config_stub::{RunningStub, StubOptions, start, types};
use serde_json::Value;
use uuid::Uuid;

pub const HUBSPOT: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
pub const SALESFORCE: &str = "9b1d2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e";
pub const TOKEN: &str = "s3cret";

pub fn uuid(s: &str) -> Uuid {
    s.parse().unwrap()
}

/// A stub that accepts only [`TOKEN`], and a client that sends it.
pub async fn stub() -> (RunningStub, Client) {
    let stub = start(StubOptions { token: Some(TOKEN.into()), ..Default::default() }).await.unwrap();
    let client = Client::with_bearer_token(&stub.url(), TOKEN).unwrap();
    (stub, client)
}

pub fn first_of(stub: &RunningStub, source: &str) -> types::SaasAssociationResponse {
    stub.store().snapshot().into_iter().find(|a| a.integration_source_id == uuid(source)).unwrap()
}

/// The store as text, to assert that it did not change.
pub fn state(stub: &RunningStub) -> String {
    format!("{:?}", stub.store().snapshot())
}

/// One answer to a raw request.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A request with [`TOKEN`] (unless `auth` says otherwise) and a JSON body.
pub async fn raw(stub: &RunningStub, method: reqwest::Method, path: &str, body: Option<&str>) -> Answer {
    raw_with(stub, method, path, body, Some(&format!("Bearer {TOKEN}")), Some("application/json")).await
}

pub async fn raw_with(
    stub: &RunningStub,
    method: reqwest::Method,
    path: &str,
    body: Option<&str>,
    authorization: Option<&str>,
    content_type: Option<&str>,
) -> Answer {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", stub.url()));
    if let Some(auth) = authorization {
        request = request.header("authorization", auth);
    }
    if let Some(body) = body {
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        request = request.body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    Answer { status, headers, body: response.json().await.unwrap_or(Value::Null) }
}
