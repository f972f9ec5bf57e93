//! Query strings with array parameters: [`MultiQuery<T>`].
//!
//! FastAPI takes a list in the query as the parameter repeated
//! (`?tags=a&tags=b`). dropshot's `Query` refuses, when the API description
//! is built, any query parameter that is not a scalar, and its
//! `serde_urlencoded` cannot read a repeated name into a `Vec` either. The
//! generator uses [`MultiQuery<T>`] instead of `dropshot::Query` only for the
//! operations that have an array query parameter:
//!
//! - it reads the query string's pairs, grouped by name in order, and
//!   deserialises `T` from them as [`crate::multipart`] reads form fields (a
//!   `Vec` takes every value, anything else the last one, parsed from its
//!   text); the errors are those of `dropshot::Query`, so a 422 names
//!   `["query", name]`;
//! - it describes `T`'s fields as dropshot describes header parameters (which
//!   it does not require to be scalars), under names that start with
//!   [`QUERY_PREFIX`] (the generator's `#[schemars(rename)]`), and
//!   [`crate::publish`] turns them into the query parameters they are.

use async_trait::async_trait;
use dropshot::{
    ApiEndpointBodyContentType, ExtractorMetadata, Header, HttpError, RequestContext, ServerContext, SharedExtractor,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::extract::ParamLocation;
use crate::multipart::Fields;

/// Starts the (schema) name of a query parameter described as a header
/// parameter; [`crate::publish`] strips it and says `in: query`.
pub const QUERY_PREFIX: &str = "x-dropshot-codegen-query:";

/// The query parameters of a request, some of them repeated, as a `T`.
#[derive(Debug)]
pub struct MultiQuery<T>(T);

impl<T> MultiQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

#[async_trait]
impl<T> SharedExtractor for MultiQuery<T>
where
    T: DeserializeOwned + JsonSchema + Send + Sync + 'static,
{
    async fn from_request<Context: ServerContext>(rqctx: &RequestContext<Context>) -> Result<Self, HttpError> {
        let query = rqctx.request.uri().query().unwrap_or("");
        let mut fields: Vec<(String, Vec<String>)> = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match fields.iter_mut().find(|(n, _)| *n == name) {
                Some((_, values)) => values.push(value.into_owned()),
                None => fields.push((name.into_owned(), vec![value.into_owned()])),
            }
        }
        // dropshot's own prefix, so that `classify` reads it as `Query`'s
        T::deserialize(Fields::of_text(fields)).map(MultiQuery).map_err(|e| {
            HttpError::for_bad_request(
                None,
                format!("unable to parse query string: {}", e.encoded(ParamLocation::Query)),
            )
        })
    }

    fn metadata(body_content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        <Header<T> as SharedExtractor>::metadata(body_content_type)
    }
}
