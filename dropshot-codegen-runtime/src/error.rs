//! FastAPI's error bodies, for every generated server of a FastAPI spec
//! (`error_type = "dropshot_codegen_runtime::ApiError"` in `codegen.toml`).
//!
//! FastAPI answers `{"detail": "..."}` for errors raised by handlers (401,
//! 404) and `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` with
//! 422 for request validation. dropshot's extractors fail with a 400
//! `HttpError`; [`From<HttpError>`] reads it with [`classify`] and turns
//! each [`ExtractorError`] into FastAPI's answer, naming the offending field
//! where it is known.

use dropshot::{ErrorStatusCode, HttpError, HttpResponseError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use crate::extract::{ExtractorError, JsonBodyErrorKind, PathSegment, RouteRefusal, classify};

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
        Self::from(classify(&e))
    }
}

impl From<ExtractorError> for ApiError {
    fn from(e: ExtractorError) -> Self {
        match e {
            ExtractorError::Param(p) => {
                Self::validation(vec![json!(p.location.as_str()), json!(p.name)], p.message, p.kind)
            }
            ExtractorError::Route(RouteRefusal::NotFound) => Self::message(404, "Not Found"),
            ExtractorError::Route(RouteRefusal::MethodNotAllowed { .. }) => Self::message(405, "Method Not Allowed"),
            ExtractorError::JsonBody { path, kind, message } => {
                let mut loc = vec![json!("body")];
                loc.extend(path.into_iter().map(|segment| match segment {
                    PathSegment::Field(name) => json!(name),
                    PathSegment::Index(i) => json!(i),
                }));
                let kind = match kind {
                    JsonBodyErrorKind::Syntax => "json_invalid",
                    JsonBodyErrorKind::MissingField(field) => {
                        loc.push(json!(field));
                        "missing"
                    }
                    JsonBodyErrorKind::UnknownVariant => "enum",
                    JsonBodyErrorKind::Data => "type_error",
                };
                Self::validation(loc, message, kind)
            }
            ExtractorError::Query { message } => Self::validation(vec![json!("query")], message, "query_error"),
            ExtractorError::UrlPath { message } => Self::validation(vec![json!("path")], message, "path_error"),
            ExtractorError::MissingHeader { name } => {
                Self::validation(vec![json!("header"), json!(name)], "Field required", "missing")
            }
            ExtractorError::Headers { message } => Self::validation(vec![json!("header")], message, "value_error"),
            ExtractorError::MissingCookie { name } => {
                Self::validation(vec![json!("cookie"), json!(name)], "Field required", "missing")
            }
            ExtractorError::Cookies { message } => Self::validation(vec![json!("cookie")], message, "value_error"),
            ExtractorError::Multipart { message } => Self::validation(vec![json!("body")], message, "value_error"),
            ExtractorError::ContentType { message } => {
                Self::validation(vec![json!("body")], message, "model_attributes_type")
            }
            ExtractorError::BodyTooLarge { message } => {
                Self::validation(vec![json!("body")], message, "body_too_large")
            }
            // any other 400 is still a request dropshot could not read
            ExtractorError::Other { status: 400, message } => {
                Self::validation(vec![json!("body")], message, "value_error")
            }
            ExtractorError::Other { status, message } => {
                let detail = match status {
                    404 => "Not Found".to_string(),
                    405 => "Method Not Allowed".to_string(),
                    500 => "Internal Server Error".to_string(),
                    _ => message,
                };
                Self::message(status, detail)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{ParamError, ParamLocation};

    fn item(e: &ApiError) -> &ValidationItem {
        match e.body() {
            ErrorBody::Validation { detail } => &detail[0],
            other => panic!("not a validation error: {other:?}"),
        }
    }

    fn json_body(path: Vec<PathSegment>, kind: JsonBodyErrorKind, message: &str) -> ApiError {
        ApiError::from(ExtractorError::JsonBody { path, kind, message: message.into() })
    }

    #[test]
    fn json_body_errors_name_the_field() {
        let e = json_body(
            vec![PathSegment::Field("score".into())],
            JsonBodyErrorKind::Data,
            "invalid type: string \"x\", expected f64 at line 1 column 14",
        );
        assert_eq!(e.status(), 422);
        assert_eq!(item(&e).loc, vec![json!("body"), json!("score")]);
        assert_eq!(item(&e).kind, "type_error");
        let e = json_body(
            vec![PathSegment::Field("association_ids".into()), PathSegment::Index(1)],
            JsonBodyErrorKind::Data,
            "UUID parsing failed at line 1 column 40",
        );
        assert_eq!(item(&e).loc, vec![json!("body"), json!("association_ids"), json!(1)]);
        let e = json_body(vec![], JsonBodyErrorKind::Syntax, "EOF while parsing an object at line 1 column 1");
        assert_eq!(item(&e).loc, vec![json!("body")]);
        assert_eq!(item(&e).kind, "json_invalid");
        let e = json_body(
            vec![],
            JsonBodyErrorKind::MissingField("status".into()),
            "missing field `status` at line 1 column 2",
        );
        assert_eq!(item(&e).loc, vec![json!("body"), json!("status")]);
        assert_eq!(item(&e).kind, "missing");
    }

    #[test]
    fn parameter_errors_name_the_parameter() {
        let param = |location, name: &str, kind: &str, message: &str| {
            ApiError::from(ExtractorError::Param(ParamError {
                location,
                name: name.into(),
                kind: kind.into(),
                message: message.into(),
            }))
        };
        let e = param(
            ParamLocation::Query,
            "status",
            "enum",
            "unknown variant `MAYBE`, expected one of `SUGGESTED`, `APPROVED`, `REJECTED`",
        );
        assert_eq!(item(&e).loc, vec![json!("query"), json!("status")]);
        assert_eq!(item(&e).kind, "enum");
        assert!(item(&e).msg.starts_with("unknown variant `MAYBE`"));
        let e = param(ParamLocation::Path, "source_id", "uuid_parsing", "UUID parsing failed: invalid length");
        assert_eq!(item(&e).loc, vec![json!("path"), json!("source_id")]);
        assert_eq!(item(&e).kind, "uuid_parsing");
    }

    #[test]
    fn route_refusals_become_404_and_405() {
        let e = ApiError::from(ExtractorError::Route(RouteRefusal::for_methods(&["POST"])));
        assert_eq!((e.status(), e.body().clone()), (405, ErrorBody::Message { detail: "Method Not Allowed".into() }));
        let e = ApiError::from(ExtractorError::Route(RouteRefusal::for_methods(&[])));
        assert_eq!((e.status(), e.body().clone()), (404, ErrorBody::Message { detail: "Not Found".into() }));
    }

    #[test]
    fn header_errors_name_the_header() {
        let e = ApiError::from(ExtractorError::MissingHeader { name: "x-request-id".into() });
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"detail": [{"loc": ["header", "x-request-id"], "msg": "Field required", "type": "missing"}]})
        );
        assert_eq!(e.status(), 422);
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
