//! Errors between generated code and dropshot's extractors, as typed values.
//!
//! A generated server wants to say *which* parameter failed, and whether a
//! path segment is a routing refusal rather than a bad value. dropshot's
//! extractors (`Path`, `Query`, `TypedBody`) turn any serde error into an
//! `HttpError` whose only payload is a message string, so nothing typed can
//! cross them. This module therefore owns both ends of that crossing:
//!
//! - the generated deserialisers call [`param`], [`guarded_param`] and
//!   [`RouteRefusal::into_de_error`], which encode a [`ParamError`] or a
//!   [`RouteRefusal`] into the serde error's message;
//! - [`classify`] reads an `HttpError` back into an [`ExtractorError`],
//!   decoding those values, and is the one function that reads dropshot's
//!   own messages, where neither the status nor `error_code` says enough
//!   (dropshot 0.18 answers every extractor failure 400 without a code).
//!   `tests/dropshot_wording.rs` sends real bad requests to a real dropshot
//!   server, so a change of dropshot's wording fails there.
//!
//! The encoding is private: `encode` writes it and `decode` reads it,
//! and nothing outside this module reads or writes it.

use std::fmt::Display;
use std::str::FromStr;

use dropshot::HttpError;
use serde::{Deserialize, Deserializer, Serialize};

/// Where a parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
    /// A field of a multipart body ([`crate::multipart`]).
    Body,
}

impl ParamLocation {
    /// The name OpenAPI (and FastAPI's `loc`) gives it: `path`, `query`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
            Self::Body => "body",
        }
    }
}

/// A parameter whose value did not deserialise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamError {
    pub location: ParamLocation,
    /// The parameter's name on the wire.
    pub name: String,
    /// pydantic's error type for it: `uuid_parsing`, `int_parsing`, `enum`, ...
    pub kind: String,
    /// What the value's deserialiser said.
    pub message: String,
}

/// A request that the router matched only because dropshot routes a literal
/// segment through its variable sibling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteRefusal {
    /// No path of the spec matches: 404.
    NotFound,
    /// The path exists with other methods: 405 with `Allow`.
    MethodNotAllowed { allow: Vec<String> },
}

impl RouteRefusal {
    /// The refusal for a request whose path has these methods (uppercase),
    /// none when no path of the spec matches.
    pub fn for_methods(allow: &[&str]) -> Self {
        if allow.is_empty() {
            Self::NotFound
        } else {
            Self::MethodNotAllowed { allow: allow.iter().map(|m| m.to_string()).collect() }
        }
    }

    /// The serde error that carries this refusal through dropshot's
    /// extractor to [`classify`].
    pub fn into_de_error<E: serde::de::Error>(self) -> E {
        E::custom(encode(&Encoded::Route(self)))
    }
}

/// Deserialises parameter `name` as a `T`; any error becomes a
/// [`ParamError`] that [`classify`] gives back.
pub fn param<'de, D, T>(d: D, location: ParamLocation, name: &'static str, kind: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map_err(|e| param_error(location, name, kind, e))
}

/// Deserialises a path segment that has literal siblings: `refuse` names
/// the [`RouteRefusal`] for a value that is a sibling's literal, any other
/// value parses as a `T` (an error becomes a [`ParamError`]).
pub fn guarded_param<'de, D, T>(
    d: D,
    location: ParamLocation,
    name: &'static str,
    kind: &'static str,
    refuse: fn(&str) -> Option<RouteRefusal>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    let value = String::deserialize(d).map_err(|e| param_error(location, name, kind, e))?;
    if let Some(refusal) = refuse(&value) {
        return Err(refusal.into_de_error());
    }
    value.parse().map_err(|e| param_error(location, name, kind, e))
}

/// Whether `message` is exactly an encoded value (a generated parameter
/// function's error), which the runtime's own extractors pass on unchanged.
pub(crate) fn is_encoded(message: &str) -> bool {
    decode(message).is_some()
}

/// The message that carries a [`ParamError`] to [`classify`], for the
/// runtime's own extractors.
pub(crate) fn encode_param(error: &ParamError) -> String {
    encode(&Encoded::Param(error.clone()))
}

fn param_error<E: serde::de::Error>(location: ParamLocation, name: &str, kind: &str, e: impl Display) -> E {
    let error = ParamError { location, name: name.to_string(), kind: kind.to_string(), message: e.to_string() };
    E::custom(encode(&Encoded::Param(error)))
}

/// A place in a JSON body, as `serde_path_to_error` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    Field(String),
    Index(u64),
}

/// What was wrong with a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonBodyErrorKind {
    /// Not JSON: a syntax error, or the body ended early.
    Syntax,
    /// A required field is absent.
    MissingField(String),
    /// A string that is none of an enum's values.
    UnknownVariant,
    /// Well-formed JSON of the wrong type or value.
    Data,
}

/// Why an extractor refused a request, or another `HttpError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtractorError {
    /// A generated parameter field did not deserialise.
    Param(ParamError),
    /// A generated path segment names a sibling route.
    Route(RouteRefusal),
    /// The JSON body did not deserialise; `path` is where (empty at the top),
    /// `message` serde's message after the path.
    JsonBody { path: Vec<PathSegment>, kind: JsonBodyErrorKind, message: String },
    /// The query string did not deserialise (not through [`param`]);
    /// `message` is serde's.
    Query { message: String },
    /// The URL path's variables did not deserialise (not through [`param`]);
    /// `message` is dropshot's.
    UrlPath { message: String },
    /// A required header is absent (its name as the spec writes it).
    MissingHeader { name: String },
    /// The headers did not deserialise (not through [`param`]); `message`
    /// is serde's.
    Headers { message: String },
    /// A required cookie is absent ([`crate::cookies`]).
    MissingCookie { name: String },
    /// The cookies did not deserialise (not through [`param`]); `message`
    /// is serde's.
    Cookies { message: String },
    /// A multipart body could not be read as parts ([`crate::multipart`]);
    /// a field that did not deserialise is a [`ExtractorError::Param`].
    Multipart { message: String },
    /// The body's content type is not the endpoint's; `message` is dropshot's.
    ContentType { message: String },
    /// The body exceeds the endpoint's limit; `message` is dropshot's.
    BodyTooLarge { message: String },
    /// Anything else; `message` is dropshot's.
    Other { status: u16, message: String },
}

/// What `e` says, typed: the one reader of dropshot's messages.
///
/// The status decides first: dropshot 0.18 answers every extractor failure
/// 400 without an `error_code` (even an oversized body, not 413, and a wrong
/// content type, not 415), so any other status is not an extractor's. Within
/// a 400 only the message tells the extractors apart.
pub fn classify(e: &HttpError) -> ExtractorError {
    let message = &e.external_message;
    let status = e.status_code.as_u16();
    if status != 400 {
        return ExtractorError::Other { status, message: message.clone() };
    }
    // the prefixes are dropshot's (extractor/query.rs, http_util.rs,
    // extractor/body.rs, extractor/header.rs); what follows them is the serde
    // error's message
    if let Some(rest) = message.strip_prefix("unable to parse query string: ") {
        return decoded(rest).unwrap_or_else(|| ExtractorError::Query { message: rest.to_string() });
    }
    if let Some(rest) = message.strip_prefix("bad parameter in URL path: ") {
        return decoded(rest).unwrap_or_else(|| ExtractorError::UrlPath { message: message.clone() });
    }
    if let Some(rest) = message.strip_prefix("unable to parse JSON body: ") {
        return json_body(rest);
    }
    if let Some(rest) = message.strip_prefix("error processing headers: ") {
        if let Some(typed) = decoded(rest) {
            return typed;
        }
        // serde's own words for a required field that is absent
        return match rest.strip_prefix("missing field `").and_then(|name| name.strip_suffix('`')) {
            Some(name) => ExtractorError::MissingHeader { name: name.to_string() },
            None => ExtractorError::Headers { message: rest.to_string() },
        };
    }
    if let Some(rest) = message.strip_prefix(crate::cookies::ERROR_PREFIX) {
        if let Some(typed) = decoded(rest) {
            return typed;
        }
        return match rest.strip_prefix("missing field `").and_then(|name| name.strip_suffix('`')) {
            Some(name) => ExtractorError::MissingCookie { name: name.to_string() },
            None => ExtractorError::Cookies { message: rest.to_string() },
        };
    }
    if let Some(rest) = message.strip_prefix(crate::multipart::ERROR_PREFIX) {
        return decoded(rest).unwrap_or_else(|| ExtractorError::Multipart { message: rest.to_string() });
    }
    if message.contains("content-type") || message.contains("content type") {
        return ExtractorError::ContentType { message: message.clone() };
    }
    if message.contains("exceeded maximum size") {
        return ExtractorError::BodyTooLarge { message: message.clone() };
    }
    ExtractorError::Other { status, message: message.clone() }
}

/// serde_path_to_error's `path: message at line 1 column 9`, the path left
/// out when it is empty.
fn json_body(rest: &str) -> ExtractorError {
    let (path, message) = match rest.split_once(": ") {
        Some((path, message)) if !path.contains(' ') => (path, message),
        _ => (".", rest),
    };
    let mut segments = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, indexes) = part.split_once('[').map_or((part, None), |(n, i)| (n, Some(i)));
        if !name.is_empty() {
            segments.push(PathSegment::Field(name.to_string()));
        }
        for index in indexes.into_iter().flat_map(|i| i.split('[')) {
            if let Ok(n) = index.trim_end_matches(']').parse() {
                segments.push(PathSegment::Index(n));
            }
        }
    }
    // serde_json's syntax errors, then serde's own data errors
    let kind = if message.contains("EOF")
        || message.contains("expected value")
        || message.contains("key must be")
        || message.contains("trailing")
    {
        JsonBodyErrorKind::Syntax
    } else if let Some(field) = message.strip_prefix("missing field `").and_then(|f| f.split('`').next()) {
        JsonBodyErrorKind::MissingField(field.to_string())
    } else if message.starts_with("unknown variant") {
        JsonBodyErrorKind::UnknownVariant
    } else {
        JsonBodyErrorKind::Data
    };
    ExtractorError::JsonBody { path: segments, kind, message: message.to_string() }
}

fn decoded(rest: &str) -> Option<ExtractorError> {
    decode(rest).map(|encoded| match encoded {
        Encoded::Param(p) => ExtractorError::Param(p),
        Encoded::Route(r) => ExtractorError::Route(r),
    })
}

/// What crosses dropshot in a serde error's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Encoded {
    Param(ParamError),
    Route(RouteRefusal),
}

/// Starts every encoded message; the JSON of the value follows.
const MARKER: &str = "[dropshot-codegen-runtime]";

fn encode(value: &Encoded) -> String {
    // a derived Serialize of strings and enums cannot fail
    format!("{MARKER}{}", serde_json::to_string(value).unwrap_or_default())
}

/// The value when `message` is exactly an encoding, so that text a client
/// sent, quoted inside some other error, is never taken for one.
fn decode(message: &str) -> Option<Encoded> {
    serde_json::from_str(message.strip_prefix(MARKER)?).ok()
}

/// Carries the real schema of a path parameter described to dropshot as
/// text; [`crate::publish`] puts it back.
pub const TEXT_SCHEMA_EXTENSION: &str = "x-dropshot-codegen-schema";

/// The path parameters of an operation whose path has compound segments
/// (`/p/{lon},{lat}`), which dropshot routes as one variable each:
/// `values` are the route's variables as dropshot read them, and each of
/// `compounds` (route variable, the spec's segment, the methods a value it
/// does not fit names) is split as Starlette matches it
/// ([`crate::template::capture`]) into the spec's parameters. `T` (the
/// generated fields, each through [`param`]) is read from the result, as
/// cookies are. A value a compound does not fit is a [`RouteRefusal`].
pub fn compound_path<T: serde::de::DeserializeOwned>(
    values: &[(&str, &str)],
    compounds: &[(&str, &str, &[&str])],
) -> Result<T, String> {
    let mut pairs = form_urlencoded::Serializer::new(String::new());
    for (name, value) in values {
        match compounds.iter().find(|(route, _, _)| route == name) {
            Some((_, segment, allow)) => {
                let Some(parts) = crate::template::capture(segment, value) else {
                    let refusal: serde::de::value::Error = RouteRefusal::for_methods(allow).into_de_error();
                    return Err(refusal.to_string());
                };
                pairs.extend_pairs(parts);
            }
            None => {
                pairs.append_pair(name, value);
            }
        }
    }
    serde_urlencoded::from_str(&pairs.finish()).map_err(|e| e.to_string())
}

/// The schema of a path parameter whose type is not a scalar (`int | str`,
/// untyped): dropshot refuses to describe it, so it is described as the
/// text a segment is, with `T`'s own schema in [`TEXT_SCHEMA_EXTENSION`]
/// for the published document (the generator's `#[schemars(schema_with)]`).
pub fn described_as_text<T: schemars::JsonSchema>(
    generator: &mut schemars::r#gen::SchemaGenerator,
) -> schemars::schema::Schema {
    let real = generator.subschema_for::<T>();
    let mut text = schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        ..Default::default()
    };
    text.extensions.insert(TEXT_SCHEMA_EXTENSION.into(), serde_json::to_value(real).unwrap_or_default());
    text.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad_request(message: String) -> HttpError {
        HttpError::for_bad_request(None, message)
    }

    #[test]
    fn encoding_round_trips() {
        let values = [
            Encoded::Param(ParamError {
                location: ParamLocation::Query,
                name: "odd: name] [x".into(),
                kind: "enum".into(),
                message: "unknown variant `\"MAYBE\"`".into(),
            }),
            Encoded::Route(RouteRefusal::for_methods(&["GET", "PUT"])),
            Encoded::Route(RouteRefusal::for_methods(&[])),
        ];
        for value in values {
            assert_eq!(decode(&encode(&value)), Some(value));
        }
        assert_eq!(decode("unknown variant `[dropshot-codegen-runtime]{}`"), None);
        let route = encode(&Encoded::Route(RouteRefusal::NotFound));
        assert_eq!(decode(&format!("{route} and more")), None);
    }

    #[test]
    fn errors_cross_serde_and_come_back_typed() {
        let e: serde_json::Error = param::<_, u32>(
            &mut serde_json::Deserializer::from_str("\"x\""),
            ParamLocation::Query,
            "limit",
            "int_parsing",
        )
        .unwrap_err();
        let classified = classify(&bad_request(format!("unable to parse query string: {e}")));
        let ExtractorError::Param(p) = classified else { panic!("not a parameter error: {classified:?}") };
        assert_eq!((p.location, p.name.as_str(), p.kind.as_str()), (ParamLocation::Query, "limit", "int_parsing"));
        assert!(p.message.starts_with("invalid type"), "{}", p.message);

        fn refuse(value: &str) -> Option<RouteRefusal> {
            (value == "batch").then(|| RouteRefusal::for_methods(&["POST"]))
        }
        let guarded = |text: &str| {
            guarded_param::<_, u32>(
                serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text),
                ParamLocation::Path,
                "id",
                "int_parsing",
                refuse,
            )
        };
        assert_eq!(guarded("7"), Ok(7));
        let e = guarded("batch").unwrap_err();
        assert_eq!(
            classify(&bad_request(format!("bad parameter in URL path: {e}"))),
            ExtractorError::Route(RouteRefusal::MethodNotAllowed { allow: vec!["POST".into()] })
        );
        let e = guarded("x").unwrap_err();
        let classified = classify(&bad_request(format!("bad parameter in URL path: {e}")));
        assert!(matches!(classified, ExtractorError::Param(ParamError { location: ParamLocation::Path, .. })));
    }

    #[test]
    fn json_body_paths_are_segments() {
        let classified = classify(&bad_request(
            "unable to parse JSON body: items[1].score: invalid type: string \"x\", expected f64 at line 1 column 9"
                .into(),
        ));
        assert_eq!(
            classified,
            ExtractorError::JsonBody {
                path: vec![
                    PathSegment::Field("items".into()),
                    PathSegment::Index(1),
                    PathSegment::Field("score".into())
                ],
                kind: JsonBodyErrorKind::Data,
                message: "invalid type: string \"x\", expected f64 at line 1 column 9".into(),
            }
        );
    }

    #[test]
    fn header_errors_are_told_apart() {
        let missing = bad_request("error processing headers: missing field `x-request-id`".into());
        assert_eq!(classify(&missing), ExtractorError::MissingHeader { name: "x-request-id".into() });
        let other = bad_request("error processing headers: invalid type".into());
        assert_eq!(classify(&other), ExtractorError::Headers { message: "invalid type".into() });
    }

    #[test]
    fn the_status_decides_before_the_words() {
        let message = "unable to parse query string: x".to_string();
        let e = HttpError::for_client_error(None, dropshot::ClientErrorStatusCode::NOT_FOUND, message.clone());
        assert_eq!(classify(&e), ExtractorError::Other { status: 404, message });
    }
}
