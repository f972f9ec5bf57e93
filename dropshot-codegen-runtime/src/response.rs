//! Success responses that dropshot's typed responses cannot say: several
//! success statuses for one operation (`200` with the image, `204` without
//! one), and bodies that are not JSON (`text/html`, `text/csv`,
//! `application/octet-stream`, `text/event-stream`, ...).
//!
//! dropshot's `HttpResponseOk<T>` and friends have one status and a JSON
//! body, and its `HttpResponse` metadata (`ApiEndpointResponse`) holds one
//! status and one schema, which it always publishes as `application/json`.
//! So the generator emits, per such operation, an enum with one variant per
//! documented success (status, media type): a JSON variant holds its typed
//! value, any other media type a [`dropshot::Body`] (text, bytes or a
//! stream), a status without content nothing. Its `HttpResponse` impl sets
//! the status and the `Content-Type` from the variant, so a handler cannot
//! answer a status or a media type its operation does not document.
//!
//! **Publishing them.** The enum's `response_metadata()` is [`metadata`]: one
//! schema whose extension [`RESPONSES_EXTENSION`] holds every documented
//! response (status, description, media type and the schema derived from
//! the variant's Rust type, through dropshot's own schema generator, so the
//! JSON types land in the document's components as usual). dropshot
//! preserves `x-` extensions; [`crate::publish`] replaces that placeholder
//! response with the responses it carries. So the published document has
//! the spec's statuses and media types, taken from the Rust types, not
//! copied from the spec, and the round trip compares them for real.

use std::marker::PhantomData;

use dropshot::{ApiEndpointResponse, Body, HttpError, HttpResponse, HttpResponseOk};
use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// The schema extension that carries an operation's documented success
/// responses from [`metadata`] to [`crate::publish`].
pub const RESPONSES_EXTENSION: &str = "x-dropshot-codegen-responses";

/// The schema of one documented response's content: from the variant's
/// Rust type (`|g| g.subschema_for::<T>()`), or [`text_schema`] /
/// [`binary_schema`] for a [`Body`].
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// What `dropshot::HttpResponse::to_result` returns.
pub type HandlerResult = Result<http::Response<Body>, HttpError>;

/// The status type of `dropshot::HttpResponse::status_code`.
pub type StatusCode = http::StatusCode;

/// The schema of a JSON variant's type `T`, as dropshot derives it.
pub fn json_schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// One documented success response of a generated response enum.
#[derive(Debug, Clone, Copy)]
pub struct Documented {
    pub status: u16,
    pub description: &'static str,
    /// Media type and schema; `None` for a response without content.
    pub content: Option<(&'static str, SchemaFn)>,
}

/// A generated response enum: its documented success responses.
pub trait Responses {
    const DOCUMENTED: &'static [Documented];
}

/// The `HttpResponse::response_metadata` of a generated response enum: its
/// first documented status, with a placeholder schema that carries every
/// documented response to [`crate::publish`].
pub fn metadata<R: Responses + 'static>() -> ApiEndpointResponse {
    let mut m = <HttpResponseOk<Carrier<R>> as HttpResponse>::response_metadata();
    if let Some(first) = R::DOCUMENTED.first() {
        m.success = http::StatusCode::from_u16(first.status).ok();
        m.description = Some(first.description.to_string());
    }
    m
}

/// The body of a JSON variant, with its media type and status.
pub fn json<T: Serialize>(status: u16, media_type: &'static str, value: &T) -> HandlerResult {
    let body = serde_json::to_vec(value).map_err(|e| HttpError::for_internal_error(e.to_string()))?;
    build(status, Some(media_type), Body::from(body))
}

/// The body of a text, binary or streaming variant, with its media type and
/// status.
pub fn raw(status: u16, media_type: &'static str, body: Body) -> HandlerResult {
    build(status, Some(media_type), body)
}

/// A variant without content.
pub fn empty(status: u16) -> HandlerResult {
    build(status, None, Body::empty())
}

/// The status of a variant (the generator only writes valid codes).
pub fn status(code: u16) -> StatusCode {
    http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
}

fn build(status: u16, media_type: Option<&str>, body: Body) -> HandlerResult {
    let mut builder = http::Response::builder().status(self::status(status));
    if let Some(media_type) = media_type {
        builder = builder.header(http::header::CONTENT_TYPE, media_type);
    }
    builder.body(body).map_err(|e| HttpError::for_internal_error(e.to_string()))
}

/// The schema of a text body: a string.
pub fn text_schema(_: &mut SchemaGenerator) -> Schema {
    SchemaObject { instance_type: Some(InstanceType::String.into()), ..Default::default() }.into()
}

/// The schema of a binary body: a string of bytes (`format: binary`).
pub fn binary_schema(_: &mut SchemaGenerator) -> Schema {
    SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        format: Some("binary".into()),
        ..Default::default()
    }
    .into()
}

/// The placeholder that dropshot publishes as the operation's (JSON)
/// response schema: never serialised, only described.
struct Carrier<R>(PhantomData<fn() -> R>);

impl<R> Serialize for Carrier<R> {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("a response description is never sent"))
    }
}

impl<R: Responses> JsonSchema for Carrier<R> {
    fn schema_name() -> String {
        "DocumentedResponses".into()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut responses = Map::new();
        for d in R::DOCUMENTED {
            let mut response = json!({"description": d.description});
            if let Some((media_type, schema)) = d.content {
                let schema = serde_json::to_value(schema(generator)).unwrap_or(Value::Null);
                response["content"] = json!({ media_type: {"schema": schema} });
            }
            responses.insert(d.status.to_string(), response);
        }
        let mut object = SchemaObject::default();
        object.extensions.insert(RESPONSES_EXTENSION.into(), Value::Object(responses));
        object.into()
    }
}

/// Replaces, in every operation of `doc`, the placeholder response of
/// [`metadata`] with the responses it carries.
pub(crate) fn publish_documented(doc: &mut Value) {
    let pointer = format!("/content/application~1json/schema/{RESPONSES_EXTENSION}");
    for operation in crate::operations_mut(doc) {
        let Some(Value::Object(responses)) = operation.get_mut("responses") else { continue };
        let carried: Vec<(String, Map<String, Value>)> = responses
            .iter()
            .filter_map(|(code, r)| Some((code.clone(), r.pointer(&pointer)?.as_object()?.clone())))
            .collect();
        for (code, documented) in carried {
            responses.shift_remove(&code);
            let rest = std::mem::take(responses);
            responses.extend(documented);
            responses.extend(rest);
        }
    }
}
