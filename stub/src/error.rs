//! The error type of every endpoint: FastAPI's error bodies.
//!
//! FastAPI answers `{"detail": "..."}` for errors raised by handlers (401,
//! 404) and `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` with
//! 422 for request validation. dropshot's extractors fail with a 400
//! `HttpError`; [`From<HttpError>`] turns those into FastAPI's 422, naming
//! the offending field where dropshot's message says it (JSON bodies go
//! through `serde_path_to_error`, so their field path is known).

use dropshot::{ErrorStatusCode, HttpError, HttpResponseError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use crate::generated::{RouteRefusal, route_refusal};

/// One item of a 422 body, as pydantic reports it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ValidationItem {
    /// Where: `"body"`, `"query"` or `"path"`, then field names or indexes.
    pub loc: Vec<Value>,
    pub msg: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ErrorBody {
    /// `{"detail": "Not Found"}`: errors raised by a handler.
    Message { detail: String },
    /// `{"detail": [...]}`: request validation failed (422).
    Validation { detail: Vec<ValidationItem> },
}

/// An error response with FastAPI's body.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct ApiError {
    body: ErrorBody,
    #[serde(skip)]
    #[schemars(skip)]
    status: u16,
}

impl ApiError {
    /// An error with a `{"detail": message}` body.
    pub fn message(status: u16, detail: impl Into<String>) -> Self {
        Self { body: ErrorBody::Message { detail: detail.into() }, status }
    }

    /// 401 `{"detail": "Not authenticated"}`, as FastAPI's `HTTPBearer` says it.
    pub fn not_authenticated() -> Self {
        Self::message(401, "Not authenticated")
    }

    /// 404 with a detail naming what was not found.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::message(404, detail)
    }

    /// 422 with one validation item.
    pub fn validation(loc: Vec<Value>, msg: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            body: ErrorBody::Validation { detail: vec![ValidationItem { loc, msg: msg.into(), kind: kind.into() }] },
            status: 422,
        }
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn body(&self) -> &ErrorBody {
        &self.body
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, serde_json::to_string(&self.body).unwrap_or_default())
    }
}

impl HttpResponseError for ApiError {
    fn status_code(&self) -> ErrorStatusCode {
        ErrorStatusCode::from_u16(self.status).unwrap_or(ErrorStatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<HttpError> for ApiError {
    fn from(e: HttpError) -> Self {
        let message = e.external_message.clone();
        if let Some(refusal) = route_refusal(&message) {
            return match refusal {
                RouteRefusal::NotFound => Self::message(404, "Not Found"),
                RouteRefusal::MethodNotAllowed { .. } => Self::message(405, "Method Not Allowed"),
            };
        }
        let status = e.status_code.as_u16();
        if status != 400 {
            // dropshot's own 4xx/5xx (body too large is 400 too, see below)
            let detail = match status {
                404 => "Not Found".to_string(),
                405 => "Method Not Allowed".to_string(),
                500 => "Internal Server Error".to_string(),
                _ => message,
            };
            return Self::message(status, detail);
        }
        validation_from_message(&message)
    }
}

/// Reads dropshot's extractor message into a FastAPI validation item.
fn validation_from_message(message: &str) -> ApiError {
    // the generated parameter structs name the parameter in their errors
    if let Some(start) = message.find("[param:") {
        let rest = &message[start + "[param:".len()..];
        // [param:<location>:<name>:<pydantic error type>] <message>
        if let Some((place, msg)) = rest.split_once("] ") {
            let mut parts = place.splitn(3, ':');
            if let (Some(location), Some(name), Some(kind)) = (parts.next(), parts.next(), parts.next()) {
                return ApiError::validation(vec![json!(location), json!(name)], msg, kind);
            }
        }
    }
    if let Some(rest) = message.strip_prefix("unable to parse JSON body: ") {
        // serde_path_to_error: "field.sub[0]: message at line 1 column 9"
        let (path, msg) = match rest.split_once(": ") {
            Some((path, msg)) if !path.contains(' ') => (path, msg),
            _ => (".", rest),
        };
        let mut loc = vec![json!("body")];
        for part in path.split('.').filter(|p| !p.is_empty()) {
            let (name, indexes) = part.split_once('[').map(|(n, i)| (n, Some(i))).unwrap_or((part, None));
            if !name.is_empty() {
                loc.push(json!(name));
            }
            for index in indexes.into_iter().flat_map(|i| i.split('[')) {
                if let Ok(n) = index.trim_end_matches(']').parse::<u64>() {
                    loc.push(json!(n));
                }
            }
        }
        let kind = if msg.contains("EOF")
            || msg.contains("expected value")
            || msg.contains("key must be")
            || msg.contains("trailing")
        {
            "json_invalid"
        } else if msg.starts_with("missing field") {
            if let Some(field) = msg.split('`').nth(1) {
                loc.push(json!(field));
            }
            "missing"
        } else if msg.starts_with("unknown variant") {
            "enum"
        } else {
            "type_error"
        };
        return ApiError::validation(loc, msg, kind);
    }
    if let Some(rest) = message.strip_prefix("unable to parse query string: ") {
        return ApiError::validation(vec![json!("query")], rest, "query_error");
    }
    if message.contains("URL path") || message.contains("path parameter") {
        return ApiError::validation(vec![json!("path")], message, "path_error");
    }
    if message.contains("content-type") || message.contains("content type") {
        return ApiError::validation(vec![json!("body")], message, "model_attributes_type");
    }
    if message.contains("exceeded maximum size") {
        return ApiError::validation(vec![json!("body")], message, "body_too_large");
    }
    ApiError::validation(vec![json!("body")], message, "value_error")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(e: &ApiError) -> &ValidationItem {
        match e.body() {
            ErrorBody::Validation { detail } => &detail[0],
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn json_body_errors_name_the_field() {
        let e = ApiError::from(HttpError::for_bad_request(
            None,
            "unable to parse JSON body: score: invalid type: string \"x\", expected f64 at line 1 column 14".into(),
        ));
        assert_eq!(e.status(), 422);
        assert_eq!(item(&e).loc, vec![json!("body"), json!("score")]);
        assert_eq!(item(&e).kind, "type_error");
        let e = ApiError::from(HttpError::for_bad_request(
            None,
            "unable to parse JSON body: association_ids[1]: UUID parsing failed at line 1 column 40".into(),
        ));
        assert_eq!(item(&e).loc, vec![json!("body"), json!("association_ids"), json!(1)]);
        let e = ApiError::from(HttpError::for_bad_request(
            None,
            "unable to parse JSON body: EOF while parsing an object at line 1 column 1".into(),
        ));
        assert_eq!(item(&e).loc, vec![json!("body")]);
        assert_eq!(item(&e).kind, "json_invalid");
        let e = ApiError::from(HttpError::for_bad_request(
            None,
            "unable to parse JSON body: .: missing field `status` at line 1 column 2".into(),
        ));
        assert_eq!(item(&e).loc, vec![json!("body"), json!("status")]);
        assert_eq!(item(&e).kind, "missing");
    }

    #[test]
    fn parameter_errors_name_the_parameter() {
        let e = ApiError::from(HttpError::for_bad_request(None, "unable to parse query string: [param:query:status:enum] unknown variant `MAYBE`, expected one of `SUGGESTED`, `APPROVED`, `REJECTED`".into()));
        assert_eq!(item(&e).loc, vec![json!("query"), json!("status")]);
        assert_eq!(item(&e).kind, "enum");
        assert!(item(&e).msg.starts_with("unknown variant `MAYBE`"));
        let e = ApiError::from(HttpError::for_bad_request(
            None,
            "bad parameter in URL path: [param:path:source_id:uuid_parsing] UUID parsing failed: invalid length".into(),
        ));
        assert_eq!(item(&e).loc, vec![json!("path"), json!("source_id")]);
        assert_eq!(item(&e).kind, "uuid_parsing");
    }

    #[test]
    fn route_refusals_become_404_and_405() {
        let e =
            ApiError::from(HttpError::for_bad_request(None, "bad parameter in URL path: [route-refusal:POST]".into()));
        assert_eq!((e.status(), e.body().clone()), (405, ErrorBody::Message { detail: "Method Not Allowed".into() }));
        let e = ApiError::from(HttpError::for_bad_request(None, "bad parameter: [route-refusal:]".into()));
        assert_eq!(e.status(), 404);
    }

    #[test]
    fn bodies_have_fastapi_shapes() {
        assert_eq!(
            serde_json::to_value(ApiError::not_authenticated()).unwrap(),
            json!({"detail": "Not authenticated"})
        );
        assert_eq!(
            serde_json::to_value(ApiError::validation(vec![json!("query"), json!("status")], "bad", "enum")).unwrap(),
            json!({"detail": [{"loc": ["query", "status"], "msg": "bad", "type": "enum"}]})
        );
    }
}
