//! Cookie parameters: [`Cookies<T>`], the extractor dropshot lacks.
//!
//! dropshot 0.18 has path, query and header extractors, and its parameter
//! metadata (`ApiEndpointParameterLocation`) knows only those three places,
//! so no extractor can describe a cookie parameter to it. [`Cookies<T>`]
//! therefore:
//!
//! - reads the `Cookie` header(s) (`a=1; b=2`, the last of a repeated name
//!   winning, as Starlette's parser does) and deserialises `T` from them
//!   exactly as `dropshot::Query` deserialises a query string (through
//!   `serde_urlencoded`), so a generated `<Op>Cookie` struct's fields go
//!   through [`crate::extract::param`] and a bad value is a 422 naming
//!   `["cookie", name]`; a missing required cookie is
//!   [`crate::extract::ExtractorError::MissingCookie`];
//! - describes `T`'s fields as dropshot describes header parameters, under
//!   names that start with [`COOKIE_PREFIX`]: the generator gives each field
//!   `#[schemars(rename = "<prefix><name>")]` beside its
//!   `#[serde(rename = "<name>")]`. [`crate::publish`] turns every header
//!   parameter so named into the cookie parameter it is, so the published
//!   document says `in: cookie` with the schema derived from the Rust type.

use std::collections::BTreeMap;

use async_trait::async_trait;
use dropshot::{
    ApiEndpointBodyContentType, ExtractorMetadata, Header, HttpError, RequestContext, ServerContext, SharedExtractor,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Starts the (schema) name of a cookie parameter described as a header
/// parameter; [`crate::publish`] strips it and says `in: cookie`.
pub const COOKIE_PREFIX: &str = "x-dropshot-codegen-cookie:";

/// Prefix of the `HttpError` message of a cookie that did not deserialise,
/// which [`crate::extract::classify`] reads.
pub(crate) const ERROR_PREFIX: &str = "unable to parse cookies: ";

/// The cookie parameters of a request, deserialised as a `T`.
#[derive(Debug)]
pub struct Cookies<T>(T);

impl<T> Cookies<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// The request's cookies by name (the last of a repeated name wins), from
/// every `Cookie` header.
pub fn parse_cookies(headers: &http::HeaderMap) -> BTreeMap<String, String> {
    let mut cookies = BTreeMap::new();
    for header in headers.get_all(http::header::COOKIE) {
        let Ok(header) = header.to_str() else { continue };
        for pair in header.split(';') {
            let Some((name, value)) = pair.split_once('=') else { continue };
            let value = value.trim();
            let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
            cookies.insert(name.trim().to_string(), value.to_string());
        }
    }
    cookies
}

#[async_trait]
impl<T> SharedExtractor for Cookies<T>
where
    T: DeserializeOwned + JsonSchema + Send + Sync + 'static,
{
    async fn from_request<Context: ServerContext>(rqctx: &RequestContext<Context>) -> Result<Self, HttpError> {
        let cookies = parse_cookies(rqctx.request.headers());
        let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&cookies).finish();
        serde_urlencoded::from_str(&encoded)
            .map(Cookies)
            .map_err(|e| HttpError::for_bad_request(None, format!("{ERROR_PREFIX}{e}")))
    }

    fn metadata(body_content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        <Header<T> as SharedExtractor>::metadata(body_content_type)
    }
}

/// Turns the header parameters named with [`COOKIE_PREFIX`] (or
/// [`crate::query::QUERY_PREFIX`]) into the cookie (or query) parameters
/// they are, in every operation of `doc`.
pub(crate) fn publish_marked_parameters(doc: &mut Value) {
    let marks = [(COOKIE_PREFIX, "cookie"), (crate::query::QUERY_PREFIX, "query")];
    for operation in crate::operations_mut(doc) {
        let Some(Value::Array(parameters)) = operation.get_mut("parameters") else { continue };
        for p in parameters {
            let Some(name) = p.get("name").and_then(Value::as_str) else { continue };
            if p.get("in").and_then(Value::as_str) != Some("header") {
                continue;
            }
            for (prefix, location) in marks {
                if let Some(name) = name.strip_prefix(prefix) {
                    let name = name.to_string();
                    p["name"] = Value::String(name);
                    p["in"] = Value::String(location.into());
                    break;
                }
            }
        }
    }
}
