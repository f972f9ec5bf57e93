//! Multipart bodies (`multipart/form-data`: FastAPI's `File()`/`UploadFile`
//! with `Form()` fields beside them): [`Multipart<T>`].
//!
//! dropshot's own `MultipartBody` hands the handler a raw `multer` stream,
//! ignores the endpoint's `request_body_max_bytes`, and publishes the body
//! as `multipart/form-data` with the schema `{type: string, format: binary}`,
//! not the spec's object. [`Multipart<T>`] instead:
//!
//! - reads the body as dropshot's `UntypedBody` does (so the endpoint's
//!   limit holds), splits it into parts with `multer`, and deserialises the
//!   generated `<Op>Body` struct from them: a file field is a [`FilePart`]
//!   (its bytes, file name and content type), a repeated part a `Vec`, a
//!   text field its typed value parsed from the text (as a url-encoded form's
//!   fields are); a field that does not parse, or a required one that is
//!   absent, is a 422 naming `["body", field]`;
//! - describes itself as dropshot describes a `TypedBody<T>` of content type
//!   `multipart/form-data`: the published body is `T`'s schema, in which a
//!   [`FilePart`] is `{type: string, format: binary}`, as in FastAPI's
//!   export.

use std::fmt;

use async_trait::async_trait;
use bytes::Bytes;
use dropshot::{
    ApiEndpointBodyContentType, ExclusiveExtractor, ExtractorMetadata, HttpError, RequestContext, ServerContext,
    TypedBody, UntypedBody,
};
use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject};
use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use crate::extract::{ParamError, ParamLocation};

/// Prefix of the `HttpError` message of a multipart body that could not be
/// read, which [`crate::extract::classify`] reads.
pub(crate) const ERROR_PREFIX: &str = "unable to parse multipart body: ";

/// A multipart body, deserialised as a `T`.
#[derive(Debug)]
pub struct Multipart<T>(T);

impl<T> Multipart<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// One uploaded file: a part of a multipart body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilePart {
    /// The part's `filename`, when the client sent one.
    pub filename: Option<String>,
    /// The part's `Content-Type`, when the client sent one.
    pub content_type: Option<String>,
    pub content: Bytes,
}

/// The struct name through which a [`FilePart`] asks the part deserialiser
/// for the whole part rather than its text.
const FILE_PART: &str = "$dropshot_codegen_runtime::FilePart";
const FILE_PART_FIELDS: &[&str] = &["filename", "content_type", "content"];

impl JsonSchema for FilePart {
    fn schema_name() -> String {
        "FilePart".into()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            format: Some("binary".into()),
            ..Default::default()
        }
        .into()
    }
}

impl<'de> serde::Deserialize<'de> for FilePart {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FilePart;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<FilePart, A::Error> {
                let mut part = FilePart::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "filename" => part.filename = map.next_value()?,
                        "content_type" => part.content_type = map.next_value()?,
                        _ => part.content = Bytes::from(map.next_value::<serde_bytes_buf::ByteBuf>()?.0),
                    }
                }
                Ok(part)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FilePart, E> {
                Ok(FilePart { content: Bytes::copy_from_slice(v.as_bytes()), ..Default::default() })
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<FilePart, E> {
                Ok(FilePart { content: Bytes::copy_from_slice(v), ..Default::default() })
            }
        }
        d.deserialize_struct(FILE_PART, FILE_PART_FIELDS, V)
    }
}

/// A `Vec<u8>` read through `deserialize_byte_buf` (serde's `Vec<u8>` reads
/// a sequence).
mod serde_bytes_buf {
    use serde::de::{Deserializer, Error, Visitor};
    use std::fmt;

    pub(super) struct ByteBuf(pub(super) Vec<u8>);

    impl<'de> serde::Deserialize<'de> for ByteBuf {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = ByteBuf;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v.to_vec()))
                }
                fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v))
                }
                fn visit_str<E: Error>(self, v: &str) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v.as_bytes().to_vec()))
                }
            }
            d.deserialize_byte_buf(V)
        }
    }
}

/// One part as received.
#[derive(Debug, Clone)]
struct Part {
    filename: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

#[async_trait]
impl<T> ExclusiveExtractor for Multipart<T>
where
    T: DeserializeOwned + JsonSchema + Send + Sync + 'static,
{
    async fn from_request<Context: ServerContext>(
        rqctx: &RequestContext<Context>,
        request: hyper_request::Request,
    ) -> Result<Self, HttpError> {
        let content_type =
            request.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let boundary = multer::parse_boundary(&content_type).map_err(|_| {
            HttpError::for_bad_request(
                None,
                format!("expected content type \"multipart/form-data\" with a boundary, got \"{content_type}\""),
            )
        })?;
        let body = <UntypedBody as ExclusiveExtractor>::from_request(rqctx, request).await?;
        let data = Bytes::copy_from_slice(body.as_bytes());
        let stream = futures_util::stream::once(std::future::ready(Ok::<Bytes, std::io::Error>(data)));
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut fields: Vec<(String, Vec<Part>)> = Vec::new();
        let unreadable = |e: multer::Error| HttpError::for_bad_request(None, format!("{ERROR_PREFIX}{e}"));
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_string();
            let filename = field.file_name().map(str::to_string);
            let content_type = field.content_type().map(|m| m.to_string());
            let data = field.bytes().await.map_err(unreadable)?;
            let part = Part { filename, content_type, data };
            match fields.iter_mut().find(|(n, _)| *n == name) {
                Some((_, parts)) => parts.push(part),
                None => fields.push((name, vec![part])),
            }
        }
        T::deserialize(Fields { fields: fields.into_iter(), current: None })
            .map(Multipart)
            .map_err(|e| HttpError::for_bad_request(None, format!("{ERROR_PREFIX}{}", e.encoded(ParamLocation::Body))))
    }

    fn metadata(_: ApiEndpointBodyContentType) -> ExtractorMetadata {
        <TypedBody<T> as ExclusiveExtractor>::metadata(ApiEndpointBodyContentType::MultipartFormData)
    }
}

/// dropshot's request type, as its `ExclusiveExtractor` names it.
mod hyper_request {
    pub type Request = http::Request<dropshot::Body>;
}

/// Why a multipart body did not deserialise: the field (when known),
/// pydantic's error type and the message.
#[derive(Debug)]
pub struct Error {
    field: Option<String>,
    kind: &'static str,
    message: String,
}

impl Error {
    fn parsing(kind: &'static str, text: &str) -> Self {
        Self { field: None, kind, message: format!("cannot parse `{text}` ({kind})") }
    }

    fn at(mut self, field: &str) -> Self {
        self.field.get_or_insert_with(|| field.to_string());
        self
    }

    /// The message that crosses dropshot: the typed parameter error when
    /// the field is known (or the one a generated parameter function
    /// raised already).
    pub(crate) fn encoded(&self, location: ParamLocation) -> String {
        if crate::extract::is_encoded(&self.message) {
            return self.message.clone();
        }
        match &self.field {
            Some(name) => crate::extract::encode_param(&ParamError {
                location,
                name: name.clone(),
                kind: self.kind.to_string(),
                message: self.message.clone(),
            }),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<M: fmt::Display>(message: M) -> Self {
        Self { field: None, kind: "value_error", message: message.to_string() }
    }

    fn missing_field(field: &'static str) -> Self {
        Self { field: Some(field.to_string()), kind: "missing", message: "Field required".into() }
    }
}

/// The body: a map of field names to their parts.
pub(crate) struct Fields {
    fields: std::vec::IntoIter<(String, Vec<Part>)>,
    current: Option<(String, Vec<Part>)>,
}

impl Fields {
    /// Text fields (a query string's), each name with its values in order.
    pub(crate) fn of_text(fields: Vec<(String, Vec<String>)>) -> Self {
        let fields: Vec<(String, Vec<Part>)> = fields
            .into_iter()
            .map(|(name, values)| {
                let parts = values
                    .into_iter()
                    .map(|v| Part { filename: None, content_type: None, data: Bytes::from(v) })
                    .collect();
                (name, parts)
            })
            .collect();
        Self { fields: fields.into_iter(), current: None }
    }
}

impl<'de> Deserializer<'de> for Fields {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((name, parts)) = self.fields.next() else { return Ok(None) };
        let key = seed.deserialize(name.as_str().into_deserializer()).map_err(|e: Error| e.at(&name))?;
        self.current = Some((name, parts));
        Ok(Some(key))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (name, parts) = self.current.take().unwrap_or_default();
        seed.deserialize(Parts(parts)).map_err(|e| e.at(&name))
    }
}

/// Every part of one field: a sequence for a `Vec`, else the last one (as
/// Starlette's form data gives a repeated field).
struct Parts(Vec<Part>);

macro_rules! forward_to_last {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.last()?.$method(visitor)
        }
    )*};
}

impl Parts {
    fn last(mut self) -> Result<PartDeserializer, Error> {
        self.0.pop().map(PartDeserializer).ok_or_else(|| de::Error::missing_field(""))
    }
}

impl<'de> Deserializer<'de> for Parts {
    type Error = Error;

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(de::value::SeqDeserializer::new(self.0.into_iter().map(PartDeserializer)))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.last()?.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.last()?.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    /// A type that says nothing of its own (an untagged `str | list[str]`,
    /// any JSON value): a repeated name is the list of its values, one
    /// value the value.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.len() > 1 { self.deserialize_seq(visitor) } else { self.last()?.deserialize_any(visitor) }
    }

    forward_to_last! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string deserialize_bytes
        deserialize_byte_buf deserialize_unit deserialize_map deserialize_identifier deserialize_ignored_any
    }
}

/// One part: its text parsed as the field's type asks, or its bytes, or
/// (for a [`FilePart`]) the whole part.
struct PartDeserializer(Part);

impl PartDeserializer {
    fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.0.data).map_err(|e| Error {
            field: None,
            kind: "string_unicode",
            message: format!("not UTF-8 text: {e}"),
        })
    }
}

impl IntoDeserializer<'_, Error> for PartDeserializer {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parse_scalar {
    ($($method:ident $visit:ident $ty:ty, $kind:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let text = self.text()?.trim();
            let value: $ty = text.parse().map_err(|_| Error::parsing($kind, text))?;
            visitor.$visit(value)
        }
    )*};
}

impl<'de> Deserializer<'de> for PartDeserializer {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match std::str::from_utf8(&self.0.data) {
            Ok(text) => visitor.visit_str(text),
            Err(_) => visitor.visit_bytes(&self.0.data),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // pydantic's spellings of a boolean
        let text = self.text()?.trim().to_ascii_lowercase();
        match text.as_str() {
            "true" | "1" | "yes" | "on" | "t" | "y" => visitor.visit_bool(true),
            "false" | "0" | "no" | "off" | "f" | "n" => visitor.visit_bool(false),
            _ => Err(Error::parsing("bool_parsing", &text)),
        }
    }

    parse_scalar! {
        deserialize_i8 visit_i8 i8, "int_parsing";
        deserialize_i16 visit_i16 i16, "int_parsing";
        deserialize_i32 visit_i32 i32, "int_parsing";
        deserialize_i64 visit_i64 i64, "int_parsing";
        deserialize_i128 visit_i128 i128, "int_parsing";
        deserialize_u8 visit_u8 u8, "int_parsing";
        deserialize_u16 visit_u16 u16, "int_parsing";
        deserialize_u32 visit_u32 u32, "int_parsing";
        deserialize_u64 visit_u64 u64, "int_parsing";
        deserialize_u128 visit_u128 u128, "int_parsing";
        deserialize_f32 visit_f32 f32, "float_parsing";
        deserialize_f64 visit_f64 f64, "float_parsing";
        deserialize_char visit_char char, "string_type";
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.text()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bytes(&self.0.data)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_byte_buf(self.0.data.to_vec())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(de::value::SeqDeserializer::new(std::iter::once(self)))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name != FILE_PART {
            return self.deserialize_any(visitor);
        }
        let Part { filename, content_type, data } = self.0;
        let entries: Vec<(&'static str, Entry)> = vec![
            ("filename", Entry::Text(filename)),
            ("content_type", Entry::Text(content_type)),
            ("content", Entry::Bytes(data)),
        ];
        visitor.visit_map(de::value::MapDeserializer::new(entries.into_iter()))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let text: String = self.text()?.to_string();
        visitor.visit_enum(text.into_deserializer())
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// A value of a [`FilePart`]'s map.
enum Entry {
    Text(Option<String>),
    Bytes(Bytes),
}

impl IntoDeserializer<'_, Error> for Entry {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Entry {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Entry::Text(None) => visitor.visit_none(),
            Entry::Text(Some(text)) => visitor.visit_some(text.into_deserializer()),
            Entry::Bytes(bytes) => visitor.visit_byte_buf(bytes.to_vec()),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Upload {
        file: FilePart,
        files: Vec<FilePart>,
        title: String,
        revision: u32,
        comment: Option<String>,
        tags: Vec<String>,
    }

    fn part(data: &str, filename: Option<&str>) -> Part {
        Part {
            filename: filename.map(str::to_string),
            content_type: filename.map(|_| "text/plain".to_string()),
            data: Bytes::copy_from_slice(data.as_bytes()),
        }
    }

    fn fields(list: Vec<(&str, Vec<Part>)>) -> Fields {
        let list: Vec<(String, Vec<Part>)> = list.into_iter().map(|(n, p)| (n.to_string(), p)).collect();
        Fields { fields: list.into_iter(), current: None }
    }

    #[test]
    fn parts_deserialise_as_typed_fields() {
        let upload = Upload::deserialize(fields(vec![
            ("file", vec![part("hello", Some("a.txt"))]),
            ("files", vec![part("1", Some("1.txt")), part("2", Some("2.txt"))]),
            ("title", vec![part("Report", None)]),
            ("revision", vec![part("3", None)]),
            ("tags", vec![part("a", None)]),
        ]))
        .unwrap();
        assert_eq!(upload.file.filename.as_deref(), Some("a.txt"));
        assert_eq!(upload.file.content_type.as_deref(), Some("text/plain"));
        assert_eq!(&upload.file.content[..], b"hello");
        assert_eq!(upload.files.len(), 2);
        assert_eq!((upload.title.as_str(), upload.revision, upload.comment), ("Report", 3, None));
        assert_eq!(upload.tags, vec!["a".to_string()]);
    }

    #[test]
    fn errors_name_the_field() {
        let e = Upload::deserialize(fields(vec![("revision", vec![part("x", None)])])).unwrap_err();
        assert_eq!((e.field.as_deref(), e.kind), (Some("revision"), "int_parsing"));
        let e = Upload::deserialize(fields(vec![("revision", vec![part("3", None)])])).unwrap_err();
        assert_eq!((e.field.as_deref(), e.kind), (Some("file"), "missing"));
    }
}
