//! The generated server API (`[server] output` in `codegen.toml`): a dropshot
//! API trait generated from the spec.
//!
//! dropshot is code-first: it derives OpenAPI from Rust. We go the other
//! way, and the round-trip check ([`crate::roundtrip`]) proves that what
//! dropshot derives from the generated trait equals the spec.
//!
//! What is generated, for any spec the lowering accepts:
//!
//! - `types`: every component and inline body schema, through typify,
//!   deriving schemars 0.8 `JsonSchema` as dropshot needs;
//! - per operation, `<Op>Path`, `<Op>Query` and `<Op>Header` structs (taken
//!   by `dropshot::Path`, `Query` and `Header`, which matches header names
//!   without regard to case); a field is the parameter's name in snake case
//!   (`x-request-id` → `x_request_id`, a Rust keyword gets a `_`) and keeps
//!   its wire name through `#[serde(rename)]`; each field
//!   deserialised through `dropshot_codegen_runtime::extract::param`, whose
//!   typed error names the parameter and pydantic's error type;
//! - `<Op>Cookie` (taken by `dropshot_codegen_runtime::Cookies`: dropshot
//!   has no cookie extractor, and its parameter metadata no cookie place, so
//!   each field is also named `x-dropshot-codegen-cookie:<name>` for
//!   schemars, and the runtime's `publish` turns those header parameters
//!   into `in: cookie`); an operation with an array query parameter takes
//!   its `<Op>Query` through `dropshot_codegen_runtime::MultiQuery` (dropshot
//!   refuses non-scalar query parameters), described the same way;
//! - a multipart body as `dropshot_codegen_runtime::Multipart<<Op>Multipart>`,
//!   a struct generated here from the body schema's properties: a file
//!   (`type: string, format: binary`) is a `FilePart` (bytes, file name,
//!   content type), a list of files a `Vec<FilePart>`, other fields typify
//!   types parsed from their text. Not dropshot's `MultipartBody`: it
//!   ignores the body limit, hands over a raw stream and publishes no schema;
//! - the success type: dropshot's `HttpResponseOk/Created/Accepted<T>` or
//!   `HttpResponseDeleted` when the operation has exactly one success, 200,
//!   201 or 202 with JSON or 204 without content (what dropshot publishes
//!   exactly); otherwise an `<Op>Response` enum, one variant per status (and
//!   media type, when a status has several: `OkJson`, `OkCsv`), a JSON
//!   variant holding its typed value, any other media type a
//!   `dropshot::Body`, a status without content nothing. The variant sets
//!   status and `Content-Type`, so a handler cannot answer what the spec does
//!   not document; the runtime publishes every variant (see
//!   `dropshot_codegen_runtime::response`). An operation without any 2xx
//!   response is still refused: there is nothing a handler could answer on
//!   success, and dropshot publishes no error responses without a success;
//!   a status range (`2XX`) is refused too;
//! - the `#[dropshot::api_description]` trait `<Title>Api`, one endpoint per
//!   operation (method, path, operationId, tags, a request-body limit from
//!   `codegen.toml`; summary and description as doc comments);
//! - `openapi()`, the document the server publishes, and the route tables;
//!   the code they run is shared by every generated server in the
//!   `dropshot-codegen-runtime` crate.
//!
//! **Routes dropshot's router refuses.** dropshot will not hold a literal
//! segment beside a variable one at the same place (`/things/bulk` beside
//! `/things/{id}`): it panics at registration. FastAPI matches such siblings
//! in order, and most routers let the literal win. We keep both as typed
//! endpoints and give the router only variable segments:
//!
//! - the literal operation is registered at the variable's place
//!   (`/things/{id}`, `unpublished`), and its `<Op>Path` has a field for that
//!   segment which only accepts the literal;
//! - the variable operation's field refuses the literal;
//! - a refusal is a routing error, not a validation error: it is a
//!   `dropshot_codegen_runtime::extract::RouteRefusal` carrying the status
//!   the spec implies (405 with the methods of the path the segment names,
//!   or 404), which `extract::classify` gives back to the error type;
//! - a second trait, in `published`, declares the literal operation at its
//!   real path; it is never routed, only described, and [`openapi`] merges
//!   its document with the main trait's, so the published document lists
//!   every operation where the spec has it;
//! - when the two also share the method (`GET /users/me` beside
//!   `GET /users/{id}`), one dropshot route and method must reach two
//!   endpoints: each literal operation gets a dropshot version range of its
//!   own, the variable one the versions below 1.0.0, and the generated
//!   `version_policy()` (which a server must use) picks the version from the
//!   request's path. Versions are used for nothing else.
//!
//! **Compound segments** (`/bbox/{minx},{miny}.{format}`), which OpenAPI
//! allows and FastAPI serves, and dropshot neither routes nor describes:
//! the segment is routed as one variable (a literal sibling at the place
//! goes through the rule above), and `<Op>Path` is read from
//! `<Op>PathRoute`, the route's variables as text, split as Starlette
//! matches the segment (`dropshot_codegen_runtime::template::capture`) into
//! `<Op>PathFields`, each parameter parsed and refused as any other; a
//! value the segment does not fit is a routing refusal. The operation is
//! published at `template::described_at` (a literal spelling the segment,
//! then one variable per parameter), which `restore_spec_paths` renames to
//! the spec's path in the published document.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Value, json};
use typify::{TypeSpace, TypeSpaceSettings};

use crate::diag::{Problem, ProblemKind as Kind};
use crate::names::escape_keyword;
use dropshot_codegen_runtime::template::{described_at, has_variables, is_compound, segments, variable, variables};

use crate::spec::{Operation, Spec, parameters, resolve};

/// The generated server module, formatted, with its header; or the
/// problem (its file left for the caller to name) that prevents it.
pub fn generate(spec: &Spec) -> Result<String, Problem> {
    let tokens = crate::quietly(|| Generator::new(spec).and_then(|g| g.generate())).map_err(|panic| {
        Problem::new(Kind::GeneratorBug, "", format!("typify cannot generate the server's types yet ({panic})"))
    })??;
    let body = crate::format_tokens(edition_2024_keywords(tokens))?;
    Ok(crate::with_header(spec, "//", &format!("{INNER_ATTRIBUTES}\n{body}")))
}

/// typify's `JsonSchema` impls (of integer enums and constrained scalars)
/// name their argument, and schemars 0.8's module, `gen`, a keyword since
/// Rust 2024 (typify 0.8, tracked by the test
/// `typify_still_names_an_argument_gen`): every such identifier becomes
/// `r#gen`, which every edition reads as the same name.
fn edition_2024_keywords(tokens: TokenStream) -> TokenStream {
    use proc_macro2::{Group, Ident, TokenTree};
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(ident) if ident == "gen" => TokenTree::Ident(Ident::new_raw("gen", ident.span())),
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), edition_2024_keywords(group.stream()));
                inner.set_span(group.span());
                TokenTree::Group(inner)
            }
            other => other,
        })
        .collect()
}

const INNER_ATTRIBUTES: &str = "#![allow(clippy::all, clippy::pedantic, clippy::nursery, clippy::restriction, missing_docs, rust_2018_idioms, unused_qualifications, unused_lifetimes, unused_imports, unused_comparisons, dead_code, unreachable_pub, rustdoc::all)]\n";

struct Generator<'a> {
    spec: &'a Spec,
    /// The lowered spec without the titles of inline bodies
    /// ([`crate::spec::drop_inline_body_titles`]), as the client reads it.
    doc: Value,
    types: TypeSpace,
    routes: Routes,
}

/// How an endpoint takes its request body.
enum Body {
    /// `dropshot::TypedBody<T>` of JSON.
    Json(TokenStream),
    /// `dropshot::TypedBody<T>` of a url-encoded form (dropshot's `content_type`).
    Form(TokenStream),
    /// Bytes or text, as the handler reads them: `dropshot::UntypedBody`.
    Raw,
    /// `multipart/form-data`: `dropshot_codegen_runtime::Multipart<T>` of a
    /// generated struct whose file fields are `FilePart`s.
    Multipart(TokenStream),
}

/// A documented success response: status, description, and the media type
/// and schema of each of its contents.
type DocumentedResponse = (u16, String, Vec<(String, Option<Value>)>);

/// One operation, ready to be emitted.
struct Endpoint<'a> {
    op: &'a Operation,
    doc: String,
    tags: Vec<String>,
    path_struct: Option<TokenStream>,
    published_path_struct: Option<TokenStream>,
    query_struct: Option<TokenStream>,
    /// The query has an array parameter: `dropshot_codegen_runtime::MultiQuery`.
    multi_query: bool,
    header_struct: Option<TokenStream>,
    cookie_struct: Option<TokenStream>,
    body: Option<Body>,
    response: TokenStream,
    /// The path dropshot routes (the spec's path, or its variable form).
    route_path: String,
    /// The path the published description declares: the spec's, or where
    /// dropshot can describe it ([`described_at`]).
    published_path: String,
    /// Registered at a variable's place: routed, but published separately.
    shadowed: bool,
    /// `deprecated: true` in the spec (FastAPI's `deprecated=True`).
    deprecated: bool,
}

impl<'a> Generator<'a> {
    fn new(spec: &'a Spec) -> Result<Self, Problem> {
        let mut type_settings = TypeSpaceSettings::default();
        type_settings.with_type_mod("types").with_struct_builder(false).with_derive("schemars::JsonSchema".to_string());
        let mut types = TypeSpace::new(&type_settings);
        let mut lowered = spec.lowered.clone();
        crate::spec::drop_clashing_titles(&mut lowered);
        let components = lowered.pointer("/components/schemas").and_then(Value::as_object);
        let defs = components
            .into_iter()
            .flatten()
            .map(|(name, schema)| {
                to_json_schema(schema, &crate::pointer::join("/components/schemas", name)).map(|s| (name.clone(), s))
            })
            .collect::<Result<Vec<_>, _>>()?;
        types.add_ref_types(defs).map_err(|e| {
            Problem::new(
                Kind::UnsupportedSchema,
                "/components/schemas",
                format!("typify cannot generate these schemas: {e}"),
            )
        })?;
        let routes = Routes::new(&spec.operations);
        let mut doc = lowered;
        crate::spec::drop_inline_body_titles(&mut doc, spec);
        Ok(Self { spec, doc, types, routes })
    }

    fn add_type(&mut self, schema: &Value, name: String, pointer: &str) -> Result<TokenStream, Problem> {
        let schema = to_json_schema(schema, pointer)?;
        let id = self.types.add_type_with_name(&schema, Some(name)).map_err(|e| {
            Problem::new(Kind::UnsupportedSchema, pointer, format!("typify cannot generate this schema: {e}"))
        })?;
        let ty = self.types.get_type(&id).map_err(|e| Problem::new(Kind::GeneratorBug, pointer, e.to_string()))?;
        Ok(ty.ident())
    }

    fn generate(mut self) -> Result<TokenStream, Problem> {
        let ops: Vec<&Operation> = self.spec.operations.iter().collect();
        let mut endpoints = Vec::new();
        let mut support = Vec::new();
        for op in ops {
            endpoints.push(self.endpoint(op, &mut support)?);
        }
        let trait_name = self.trait_name();
        let trait_ident = format_ident!("{}", trait_name);
        let trait_mod = format_ident!("{}_mod", trait_name.to_snake_case());
        let error: syn::Type = syn::parse_str(&self.spec.config.server.error_type).map_err(|e| {
            Problem::in_file(Kind::Config, "codegen.toml", format!("[server] error_type is not a Rust type: {e}"))
        })?;
        let error = quote!(#error);
        let main_endpoints = endpoints.iter().map(|e| self.endpoint_tokens(e, &error, false));
        let published: Vec<Vec<TokenStream>> = publishing_groups(endpoints.iter().filter(|e| e.shadowed))
            .into_iter()
            .map(|group| group.into_iter().map(|e| self.endpoint_tokens(e, &error, true)).collect())
            .collect();
        let title = self.spec.lowered.pointer("/info/title").and_then(Value::as_str).unwrap_or("API").to_string();
        let version = self.spec.lowered.pointer("/info/version").and_then(Value::as_str).unwrap_or("0.0.0").to_string();
        let types = self.types.to_stream();
        let trait_doc = format!(
            "The operations of {title}, one endpoint each.\n\nImplement it on an empty enum with `type Context`, and serve `{trait_mod}::api_description::<YourImpl>()`."
        );
        let published_mod = match published.as_slice() {
            [] => quote! {
                fn published_description() -> Option<dropshot::ApiDescription<dropshot::StubContext>> { None }
            },
            [published] => quote! {
                /// The operations that are routed at a variable's place (see
                /// the module docs of the generator), declared at their real
                /// paths. Never routed: only described, for [`openapi`].
                pub mod published {
                    use super::*;
                    #[dropshot::api_description]
                    pub trait Published {
                        type Context;
                        #(#published)*
                    }
                }
                fn published_description() -> Option<dropshot::ApiDescription<dropshot::StubContext>> {
                    Some(published::published_mod::stub_api_description().expect("the published operations form a valid description"))
                }
            },
            groups => {
                // one description cannot hold them all at their real paths
                // (dropshot's router again): each group can
                let mods = groups.iter().enumerate().map(|(i, group)| {
                    let m = format_ident!("published_{}", i + 1);
                    quote! {
                        /// Operations routed at a variable's place (see the
                        /// module docs of the generator), declared at their
                        /// real paths, in groups that dropshot's router can
                        /// each hold. Never routed: only described, for [`openapi`].
                        pub mod #m {
                            use super::*;
                            #[dropshot::api_description]
                            pub trait Published {
                                type Context;
                                #(#group)*
                            }
                        }
                    }
                });
                let descriptions = (1..=groups.len()).map(|i| {
                    let m = format_ident!("published_{i}");
                    quote!(#m::published_mod::stub_api_description().expect("the published operations form a valid description"))
                });
                quote! {
                    #(#mods)*
                    fn published_description() -> Vec<dropshot::ApiDescription<dropshot::StubContext>> {
                        vec![#(#descriptions),*]
                    }
                }
            }
        };
        let literal_versions =
            self.routes.literal_versions.iter().map(|(path, method, major)| quote!((#path, #method, #major)));
        // dropshot drops a path's trailing slash (`/users/`) from its document:
        // put back where the spec has one
        // and compound segments (`{lon},{lat}`), which it cannot describe
        let renamed =
            |path: &str| path.len() > 1 && path.ends_with('/') || segments(path).iter().any(|s| is_compound(s));
        let publish_call = if self.spec.operations.iter().any(|op| renamed(&op.path)) {
            quote! {
                let mut doc = dropshot_codegen_runtime::publish(main, published_description(), API_TITLE, API_VERSION);
                dropshot_codegen_runtime::restore_spec_paths(&mut doc, ROUTES);
                doc
            }
        } else {
            quote! { dropshot_codegen_runtime::publish(main, published_description(), API_TITLE, API_VERSION) }
        };
        let route_table = self.routes.methods.iter().map(|(path, methods)| {
            let methods = methods.iter();
            quote!((#path, &[#(#methods),*]))
        });
        Ok(quote! {
            /// Types of the bodies and responses, generated by typify.
            #[allow(clippy::all)]
            pub mod types {
                #types
            }

            #(#support)*

            #[doc = #trait_doc]
            #[dropshot::api_description]
            pub trait #trait_ident {
                type Context;
                #(#main_endpoints)*
            }

            #published_mod

            /// Title of the published document.
            pub const API_TITLE: &str = #title;
            /// Version of the published document.
            pub const API_VERSION: &str = #version;

            /// The OpenAPI document this server publishes: what dropshot
            /// derives from the trait, with the operations routed at a
            /// variable's place put back at their own paths.
            pub fn openapi() -> serde_json::Value {
                let main = #trait_mod::stub_api_description().expect("the generated trait forms a valid description");
                #publish_call
            }

            /// Every path of the spec with its methods, for answers that
            /// dropshot's router gives without the endpoints (405 `Allow`).
            pub const ROUTES: dropshot_codegen_runtime::Routes = &[#(#route_table),*];

            /// The methods of the spec path that `path` names (a literal
            /// segment beats a variable one, as in FastAPI's ordered routes);
            /// `None` when no path of the spec matches.
            pub fn allowed_methods(path: &str) -> Option<&'static [&'static str]> {
                dropshot_codegen_runtime::allowed_methods(ROUTES, path)
            }

            /// Literal operations that share dropshot's route and method
            /// with a variable one: (spec path, method, major version).
            pub const LITERAL_ROUTE_VERSIONS: dropshot_codegen_runtime::LiteralRoutes = &[#(#literal_versions),*];

            /// The version policy a server of this API must use: versions
            /// only tell apart operations that share a route and a method.
            pub fn version_policy() -> dropshot::VersionPolicy {
                dropshot_codegen_runtime::version_policy(LITERAL_ROUTE_VERSIONS)
            }
        })
    }

    fn trait_name(&self) -> String {
        let title = self.spec.lowered.pointer("/info/title").and_then(Value::as_str).unwrap_or("Service");
        let base = title.to_upper_camel_case();
        let base = base.strip_suffix("Api").unwrap_or(&base).to_string();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            "ServiceApi".into()
        } else {
            format!("{base}Api")
        }
    }

    fn endpoint(&mut self, op: &'a Operation, support: &mut Vec<TokenStream>) -> Result<Endpoint<'a>, Problem> {
        let doc_value = self.doc.pointer(&op.pointer).cloned().unwrap_or(Value::Null);
        let pascal = op.name.trim_end_matches('_').to_upper_camel_case();
        let summary = doc_value.get("summary").and_then(Value::as_str).unwrap_or("");
        let description = doc_value.get("description").and_then(Value::as_str).unwrap_or("");
        let doc = [summary, description].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join("\n\n");
        let tags = doc_value
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default();

        let route = self.routes.route_of(op);
        let mut path_fields = Vec::new();
        // the same fields without serde's or schemars' attributes, and their
        // names, for an `<Op>Path` read from compound segments
        let mut plain_path_fields = Vec::new();
        let mut path_field_idents = Vec::new();
        let mut published_fields = Vec::new();
        let mut query_fields = Vec::new();
        let mut header_fields = Vec::new();
        let mut cookie_fields = Vec::new();
        let params = parameters(&self.spec.lowered, &op.pointer);
        for (pointer, p) in &params {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
            let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
            let schema = p.get("schema").cloned().unwrap_or(json!({}));
            let ty = self.add_type(
                &schema,
                format!("{pascal}{}", name.to_upper_camel_case()),
                &format!("{pointer}/schema"),
            )?;
            let ty = if required || is_option(&ty) || schema.get("default").is_some() {
                ty
            } else {
                quote!(::std::option::Option<#ty>)
            };
            let default_attr = match schema.get("default") {
                Some(default) if !required && !is_option(&ty) => {
                    // the spec's default, applied when the parameter is absent
                    let f = format!("default_{}_{}", op.name.trim_end_matches('_'), field_ident(&name));
                    let f_ident = format_ident!("{}", f);
                    let text = default.to_string();
                    let expect = format!("the default of `{name}` in the spec fits its type");
                    support.push(quote! {
                        fn #f_ident() -> #ty { serde_json::from_str(#text).expect(#expect) }
                    });
                    Some(quote!(#[serde(default = #f)]))
                }
                _ => None,
            };
            let field = field_ident(&name);
            let rename = (field != name).then(|| quote!(#[serde(rename = #name)]));
            let doc = p.get("description").and_then(Value::as_str).map(|d| quote!(#[doc = #d]));
            let field_ident = syn::Ident::new(&field, Span::call_site());
            // every parameter deserialises through a function that names it
            // in its error, so that a 422 can say which one is wrong
            let param_fn = format!("param_{}_{}", op.name.trim_end_matches('_'), field);
            let param_ident = format_ident!("{}", param_fn);
            let kind = pydantic_error_type(&self.spec.lowered, &schema);
            let place = match location {
                "path" => quote!(Path),
                "header" => quote!(Header),
                "cookie" => quote!(Cookie),
                _ => quote!(Query),
            };
            let place = quote!(dropshot_codegen_runtime::extract::ParamLocation::#place);
            let call = match (location, self.routes.guard_for(op, &name)) {
                ("path", Some(check_fn)) => {
                    let check = format_ident!("{}", check_fn);
                    quote!(dropshot_codegen_runtime::extract::guarded_param(d, #place, #name, #kind, #check))
                }
                _ => quote!(dropshot_codegen_runtime::extract::param(d, #place, #name, #kind)),
            };
            support.push(quote! {
                fn #param_ident<'de, D: serde::Deserializer<'de>>(d: D) -> Result<#ty, D::Error> {
                    #call
                }
            });
            let optional_default = (default_attr.is_none() && is_option(&ty)).then(|| quote!(#[serde(default)]));
            let field_tokens = quote! { #doc #rename #default_attr #optional_default #[serde(deserialize_with = #param_fn)] pub #field_ident: #ty, };
            match location {
                "path" => {
                    // a segment dropshot would refuse to describe (an
                    // untyped `{}`, `int | str`) is described as the text it
                    // is, carrying its own schema for the published document
                    let described = (!is_dropshot_scalar(&self.spec.lowered, &schema)).then(|| {
                        let with = format!("dropshot_codegen_runtime::extract::described_as_text::<{ty}>");
                        quote!(#[schemars(schema_with = #with)])
                    });
                    // read from the route's name for the place where it differs
                    let routed = match route.renamed.get(&name) {
                        Some(routed) => {
                            quote! { #doc #described #[serde(rename = #routed)] #[serde(deserialize_with = #param_fn)] pub #field_ident: #ty, }
                        }
                        None => quote! { #described #field_tokens },
                    };
                    path_fields.push(routed);
                    plain_path_fields.push(quote! { #doc pub #field_ident: #ty, });
                    path_field_idents.push(field_ident.clone());
                    published_fields.push(quote! { #doc #described #rename pub #field_ident: #ty, });
                }
                "header" => header_fields.push(field_tokens),
                "cookie" => {
                    // described to dropshot as a header parameter under a
                    // marked name, which `publish` turns into a cookie
                    let described = format!("{}{name}", dropshot_codegen_runtime::cookies::COOKIE_PREFIX);
                    let rename = rename.unwrap_or_else(|| quote!(#[serde(rename = #name)]));
                    cookie_fields.push(quote! { #doc #rename #[schemars(rename = #described)] #default_attr #optional_default #[serde(deserialize_with = #param_fn)] pub #field_ident: #ty, });
                }
                _ => {
                    // an array parameter is the name repeated, which only the
                    // runtime's `MultiQuery` reads (and describes, as a header
                    // parameter under a marked name)
                    let resolved = resolve(&self.spec.lowered, &schema);
                    let one = match resolved.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
                        Some([only]) => resolve(&self.spec.lowered, only),
                        _ => resolved,
                    };
                    // and so is one that dropshot's `Query` refuses: not a
                    // scalar (an untyped `{}`, `str | list[str]`), or named
                    // like a variable of the route (`/tools/{id}?id=`)
                    let is_array = one.get("type").and_then(Value::as_str) == Some("array")
                        || !is_dropshot_scalar(&self.spec.lowered, &schema)
                        || route_variables(&route.path).any(|v| v == name);
                    let described = format!("{}{name}", dropshot_codegen_runtime::query::QUERY_PREFIX);
                    let marked_rename = rename.clone().unwrap_or_else(|| quote!(#[serde(rename = #name)]));
                    let marked = quote! { #doc #marked_rename #[schemars(rename = #described)] #default_attr #optional_default #[serde(deserialize_with = #param_fn)] pub #field_ident: #ty, };
                    query_fields.push((field_tokens, marked, is_array));
                }
            }
        }
        // literal segments that the router sees as variables
        let param_names: BTreeSet<String> =
            params.iter().filter_map(|(_, p)| p.get("name").and_then(Value::as_str)).map(field_ident).collect();
        for (var, literal, check_fn) in self.routes.literal_fields(op) {
            let mut field = field_ident(&var);
            if param_names.contains(&field) {
                // the route's name for this place is a parameter's elsewhere in the path
                field.push_str("_literal");
            }
            let field_ident = syn::Ident::new(&field, Span::call_site());
            let rename = (field_ident != var).then(|| quote!(#[serde(rename = #var)]));
            let check = check_fn.to_string();
            let doc = format!(
                "Always `{literal}`: this operation's path has the literal `{literal}` where a sibling route has `{{{var}}}`, and dropshot routes both through `{{{var}}}`."
            );
            path_fields
                .push(quote! { #[doc = #doc] #rename #[serde(deserialize_with = #check)] pub #field_ident: String, });
            plain_path_fields.push(quote! { #[doc = #doc] pub #field_ident: String, });
            path_field_idents.push(field_ident);
        }
        support.extend(self.routes.check_fns(op));

        let path_ident = format_ident!("{pascal}Path");
        let published_path_ident = format_ident!("{pascal}PublishedPath");
        let query_ident = format_ident!("{pascal}Query");
        let derive = quote!(#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]);
        let shadowed = route.differs();
        let path_struct = (!path_fields.is_empty()).then(|| {
            let doc = format!("Path parameters of `{}`.", op.name);
            if route.compound_segments.is_empty() {
                support.push(quote! { #[doc = #doc] #derive pub struct #path_ident { #(#path_fields)* } });
            } else {
                support.extend(self.compound_path_struct(
                    op,
                    &route,
                    &pascal,
                    &doc,
                    &path_fields,
                    &plain_path_fields,
                    &path_field_idents,
                ));
            }
            quote!(#path_ident)
        });
        let published_path_struct = if !shadowed {
            path_struct.clone()
        } else if published_fields.is_empty() {
            None
        } else {
            let doc = format!("Path parameters of `{}` at its published path.", op.name);
            support.push(quote! { #[doc = #doc] #derive pub struct #published_path_ident { #(#published_fields)* } });
            Some(quote!(#published_path_ident))
        };
        let multi_query = query_fields.iter().any(|(_, _, is_array)| *is_array);
        let query_fields: Vec<TokenStream> =
            query_fields.into_iter().map(|(plain, marked, _)| if multi_query { marked } else { plain }).collect();
        let query_struct = (!query_fields.is_empty()).then(|| {
            let doc = format!("Query parameters of `{}`.", op.name);
            support.push(quote! { #[doc = #doc] #derive pub struct #query_ident { #(#query_fields)* } });
            quote!(#query_ident)
        });
        // header names are matched without regard to case, as HTTP wants
        let header_ident = format_ident!("{pascal}Header");
        let header_struct = (!header_fields.is_empty()).then(|| {
            let doc = format!("Header parameters of `{}`.", op.name);
            support.push(quote! { #[doc = #doc] #derive pub struct #header_ident { #(#header_fields)* } });
            quote!(#header_ident)
        });
        // cookies are read from the `Cookie` header by the runtime's extractor
        let cookie_ident = format_ident!("{pascal}Cookie");
        let cookie_struct = (!cookie_fields.is_empty()).then(|| {
            let doc = format!("Cookie parameters of `{}`.", op.name);
            support.push(quote! { #[doc = #doc] #derive pub struct #cookie_ident { #(#cookie_fields)* } });
            quote!(#cookie_ident)
        });

        // the spec checks allow one media type of `spec::BODY_MEDIA_TYPES`
        let body = match doc_value.pointer("/requestBody") {
            Some(body) => {
                let body = resolve(&self.doc, body).clone();
                let (media, schema) = body
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.iter().next())
                    .map(|(media, m)| (media.clone(), m.get("schema").cloned().unwrap_or(json!({}))))
                    .unwrap_or_else(|| ("application/json".into(), json!({})));
                if crate::spec::RAW_BODY_MEDIA_TYPES.contains(&media.as_str()) {
                    Some(Body::Raw)
                } else if media == "multipart/form-data" {
                    let pointer = format!("{}/requestBody/content/multipart~1form-data/schema", op.pointer);
                    Some(Body::Multipart(self.multipart_struct(&op.name, &schema, &pascal, &pointer, support)?))
                } else {
                    let ty = self.add_type(&schema, format!("{pascal}Body"), &format!("{}/requestBody", op.pointer))?;
                    Some(if media == "application/json" { Body::Json(ty) } else { Body::Form(ty) })
                }
            }
            None => None,
        };
        let response = self.response(op, &doc_value, &pascal, support)?;
        Ok(Endpoint {
            op,
            doc,
            tags,
            path_struct,
            published_path_struct,
            query_struct,
            multi_query,
            header_struct,
            cookie_struct,
            body,
            response,
            route_path: route.path,
            published_path: described_at(&op.path),
            shadowed,
            deprecated: doc_value.get("deprecated") == Some(&Value::Bool(true)),
        })
    }

    /// `<Op>Path` of an operation with compound segments (`{lon},{lat}`):
    /// dropshot routes each as one variable, so the struct is read from
    /// `<Op>PathRoute` (the route's variables as text, which is also what it
    /// describes to dropshot) and split by
    /// `dropshot_codegen_runtime::extract::compound_path` into
    /// `<Op>PathFields`, whose fields parse each parameter as any other.
    #[allow(clippy::too_many_arguments)]
    fn compound_path_struct(
        &self,
        op: &Operation,
        route: &Route,
        pascal: &str,
        doc: &str,
        fields: &[TokenStream],
        plain_fields: &[TokenStream],
        idents: &[syn::Ident],
    ) -> Vec<TokenStream> {
        let path_ident = format_ident!("{pascal}Path");
        let route_ident = format_ident!("{pascal}PathRoute");
        let fields_ident = format_ident!("{pascal}PathFields");
        let route_name = route_ident.to_string();
        let route_vars: Vec<&str> = route_variables(&route.path).collect();
        let route_fields = route_vars.iter().enumerate().map(|(n, v)| {
            let f = format_ident!("v{n}");
            quote!(#[serde(rename = #v)] pub #f: String,)
        });
        let values = route_vars.iter().enumerate().map(|(n, v)| {
            let f = format_ident!("v{n}");
            quote!((#v, route.#f.as_str()))
        });
        let segs = route_segments(&op.path);
        let compounds = route.compound_segments.iter().map(|(i, var, seg)| {
            // a value the segment does not fit names the paths with a
            // plain variable there, as FastAPI's router would
            let allow = self.routes.allowed(&segs, *i, seg, false);
            quote!((#var, #seg, &[#(#allow),*]))
        });
        let route_doc = format!("The route's variables of `{}`, as dropshot reads them.", op.name);
        let fields_doc = format!("The path parameters of `{}`, read from the route's variables.", op.name);
        vec![quote! {
            #[doc = #route_doc]
            #[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
            pub struct #route_ident { #(#route_fields)* }
            #[doc = #fields_doc]
            #[derive(serde::Deserialize)]
            struct #fields_ident { #(#fields)* }
            #[doc = #doc]
            #[derive(Debug, Clone, serde::Deserialize)]
            #[serde(try_from = #route_name)]
            pub struct #path_ident { #(#plain_fields)* }
            impl schemars::JsonSchema for #path_ident {
                fn schema_name() -> String {
                    <#route_ident as schemars::JsonSchema>::schema_name()
                }
                fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::schema::Schema {
                    <#route_ident as schemars::JsonSchema>::json_schema(generator)
                }
            }
            impl TryFrom<#route_ident> for #path_ident {
                type Error = String;
                fn try_from(route: #route_ident) -> Result<Self, String> {
                    let fields: #fields_ident =
                        dropshot_codegen_runtime::extract::compound_path(&[#(#values),*], &[#(#compounds),*])?;
                    Ok(Self { #(#idents: fields.#idents),* })
                }
            }
        }]
    }

    /// The success type of an operation: dropshot's own typed response when
    /// the operation has one success, 200/201/202 with JSON or 204 without
    /// content; otherwise a generated `<Op>Response` enum (see
    /// `dropshot_codegen_runtime::response`).
    fn response(
        &mut self,
        op: &Operation,
        doc_value: &Value,
        pascal: &str,
        support: &mut Vec<TokenStream>,
    ) -> Result<TokenStream, Problem> {
        let responses = doc_value.get("responses").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut success: Vec<(&String, &Value)> = responses.iter().filter(|(code, _)| code.starts_with('2')).collect();
        if success.is_empty() {
            // a route whose declared status is a redirect (FastAPI's
            // `status_code=302` beside a `RedirectResponse`) answers it on success
            success = responses.iter().filter(|(code, _)| code.starts_with('3')).collect();
        }
        let pointer = format!("{}/responses", op.pointer);
        if success.is_empty() {
            let message = format!("`{}` documents no success response", op.operation_id);
            return Err(Problem::new(Kind::SuccessResponses, pointer, message)
                .fix("a handler must answer something on success, so document a 2xx response in the service")
                .operation(&op.operation_id));
        }
        // (status, description, media type and schema of each content)
        let mut documented: Vec<DocumentedResponse> = Vec::new();
        for (code, response) in &success {
            let Some(status) = code.parse::<u16>().ok().filter(|s| (200..400).contains(s)) else {
                let message = format!("`{}` documents the status range `{code}`", op.operation_id);
                return Err(Problem::new(Kind::UnsupportedStatus, format!("{pointer}/{code}"), message)
                    .fix("a handler answers one status, so document each 2xx status it answers in the service")
                    .operation(&op.operation_id));
            };
            let response = resolve(&self.doc, response).clone();
            let description = response.get("description").and_then(Value::as_str).unwrap_or_default().to_string();
            let content = response
                .get("content")
                .and_then(Value::as_object)
                .map(|c| c.iter().map(|(media, m)| (media.clone(), m.get("schema").cloned())).collect())
                .unwrap_or_default();
            documented.push((status, description, content));
        }
        // dropshot's own typed responses, which publish exactly this
        if let [(status, _, content)] = documented.as_slice() {
            let simple = match (status, content.as_slice()) {
                (204, []) => Some(quote!(dropshot::HttpResponseDeleted)),
                (200..=202, [(media, Some(schema))]) if media == "application/json" => {
                    let t = self.add_type(schema, format!("{pascal}Response"), &format!("{pointer}/{status}"))?;
                    Some(match status {
                        200 => quote!(dropshot::HttpResponseOk<#t>),
                        201 => quote!(dropshot::HttpResponseCreated<#t>),
                        _ => quote!(dropshot::HttpResponseAccepted<#t>),
                    })
                }
                (200, []) => Some(quote!(dropshot::HttpResponseOk<()>)),
                _ => None,
            };
            if let Some(simple) = simple {
                return Ok(simple);
            }
        }
        self.response_enum(op, pascal, &pointer, documented, support)
    }

    /// `<Op>Response`: one variant per documented (status, media type), which
    /// sets both; its `HttpResponse` metadata carries every one of them to
    /// the published document.
    fn response_enum(
        &mut self,
        op: &Operation,
        pascal: &str,
        pointer: &str,
        documented: Vec<DocumentedResponse>,
        support: &mut Vec<TokenStream>,
    ) -> Result<TokenStream, Problem> {
        let rt = quote!(dropshot_codegen_runtime::response);
        let mut variants = Vec::new();
        let mut arms = Vec::new();
        let mut status_arms = Vec::new();
        let mut entries = Vec::new();
        for (status, description, content) in &documented {
            let status_name = status_variant(*status);
            let several = content.len() > 1;
            let contents: Vec<Option<&(String, Option<Value>)>> =
                if content.is_empty() { vec![None] } else { content.iter().map(Some).collect() };
            for c in contents {
                let name = match c {
                    Some((media, _)) if several => format!("{status_name}{}", media_suffix(media)),
                    _ => status_name.clone(),
                };
                let variant = format_ident!("{name}");
                let (doc, variant_tokens, arm, entry) = match c {
                    None => (
                        format!("{status}: {description}"),
                        quote!(#variant),
                        quote!(Self::#variant => #rt::empty(#status),),
                        quote!(#rt::Documented { status: #status, description: #description, content: None }),
                    ),
                    Some((media, schema)) if is_json(media) => {
                        let ty = match schema {
                            Some(schema) => self.add_type(
                                schema,
                                format!("{pascal}{name}Body"),
                                &format!("{pointer}/{status}/content/{}/schema", crate::pointer::escape(media)),
                            )?,
                            None => quote!(serde_json::Value),
                        };
                        (
                            format!("{status} `{media}`: {description}"),
                            quote!(#variant(#ty)),
                            quote!(Self::#variant(value) => #rt::json(#status, #media, &value),),
                            quote!(#rt::Documented { status: #status, description: #description, content: Some((#media, #rt::json_schema::<#ty>)) }),
                        )
                    }
                    Some((media, _)) => {
                        let schema_fn = if media.starts_with("text/") {
                            quote!(#rt::text_schema)
                        } else {
                            quote!(#rt::binary_schema)
                        };
                        (
                            format!(
                                "{status} `{media}`: {description}\n\nThe body as text, bytes or a stream (`dropshot::Body::wrap`); the variant sets the status and the content type."
                            ),
                            quote!(#variant(dropshot::Body)),
                            quote!(Self::#variant(body) => #rt::raw(#status, #media, body),),
                            quote!(#rt::Documented { status: #status, description: #description, content: Some((#media, #schema_fn)) }),
                        )
                    }
                };
                let pattern = match c {
                    None => quote!(Self::#variant),
                    Some(_) => quote!(Self::#variant(_)),
                };
                variants.push(quote!(#[doc = #doc] #variant_tokens,));
                arms.push(arm);
                status_arms.push(quote!(#pattern => #status,));
                entries.push(entry);
            }
        }
        let ident = format_ident!("{pascal}Response");
        let doc =
            format!("The success responses of `{}`: each variant answers its status with its content type.", op.name);
        support.push(quote! {
            #[doc = #doc]
            pub enum #ident {
                #(#variants)*
            }
            impl #rt::Responses for #ident {
                const DOCUMENTED: &'static [#rt::Documented] = &[#(#entries),*];
            }
            impl dropshot::HttpResponse for #ident {
                fn to_result(self) -> #rt::HandlerResult {
                    match self {
                        #(#arms)*
                    }
                }
                fn response_metadata() -> dropshot::ApiEndpointResponse {
                    #rt::metadata::<Self>()
                }
                fn status_code(&self) -> #rt::StatusCode {
                    #rt::status(match self {
                        #(#status_arms)*
                    })
                }
            }
        });
        Ok(quote!(#ident))
    }

    /// `<Op>Multipart`: the fields of a multipart body, a file (`type:
    /// string, format: binary`) as a `FilePart`, other fields as typify
    /// types parsed from their text.
    fn multipart_struct(
        &mut self,
        op_name: &str,
        schema: &Value,
        pascal: &str,
        pointer: &str,
        support: &mut Vec<TokenStream>,
    ) -> Result<TokenStream, Problem> {
        let mut object = resolve(&self.doc, schema).clone();
        if let Some(Value::Array(all)) = object.get("allOf")
            && let [only] = all.as_slice()
        {
            object = resolve(&self.doc, only).clone();
        }
        let required: Vec<String> = object
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        let properties = object.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut fields = Vec::new();
        for (name, property) in &properties {
            let resolved = resolve(&self.doc, property).clone();
            let is_file = |s: &Value| {
                let s = resolve(&self.doc, s);
                s.get("type").and_then(Value::as_str) == Some("string")
                    && s.get("format").and_then(Value::as_str) == Some("binary")
            };
            let nullable = resolved.get("nullable") == Some(&Value::Bool(true));
            let is_required = required.contains(name);
            let file_part = quote!(dropshot_codegen_runtime::FilePart);
            let ty = if is_file(&resolved) {
                if nullable { quote!(::std::option::Option<#file_part>) } else { file_part }
            } else if resolved.get("type").and_then(Value::as_str) == Some("array")
                && resolved.get("items").is_some_and(is_file)
            {
                quote!(::std::vec::Vec<#file_part>)
            } else {
                self.add_type(
                    property,
                    format!("{pascal}{}", name.to_upper_camel_case()),
                    &format!("{pointer}/properties/{}", crate::pointer::escape(name)),
                )?
            };
            let default = resolved.get("default").filter(|d| !d.is_null());
            let ty = if is_required || is_option(&ty) || default.is_some() {
                ty
            } else {
                quote!(::std::option::Option<#ty>)
            };
            let default_attr = match default {
                Some(default) if !is_required && !is_option(&ty) => {
                    let f = format!("default_{}_body_{}", pascal.to_snake_case(), field_ident(name));
                    let f_ident = format_ident!("{}", f);
                    let text = default.to_string();
                    let expect = format!("the default of `{name}` in the spec fits its type");
                    support.push(quote! {
                        fn #f_ident() -> #ty { serde_json::from_str(#text).expect(#expect) }
                    });
                    Some(quote!(#[serde(default = #f)]))
                }
                _ => is_option(&ty).then(|| quote!(#[serde(default)])),
            };
            let field = field_ident(name);
            let rename = (&field != name).then(|| quote!(#[serde(rename = #name)]));
            let doc = resolved.get("description").and_then(Value::as_str).map(|d| quote!(#[doc = #d]));
            let field = syn::Ident::new(&field, Span::call_site());
            fields.push(quote! { #doc #rename #default_attr pub #field: #ty, });
        }
        let ident = format_ident!("{pascal}Multipart");
        let doc = format!("The parts of the multipart body of `{op_name}`: a file is a `FilePart`.");
        support.push(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
            pub struct #ident { #(#fields)* }
        });
        Ok(quote!(#ident))
    }

    fn endpoint_tokens(&self, e: &Endpoint<'_>, error: &TokenStream, published: bool) -> TokenStream {
        let method = format_ident!("{}", e.op.method.to_uppercase());
        let path = if published { e.published_path.clone() } else { e.route_path.clone() };
        let operation_id = &e.op.operation_id;
        let tags = &e.tags;
        let limit = self.spec.config.server.request_body_max_bytes;
        let unpublished = (!published && e.shadowed).then(|| quote!(unpublished = true,));
        let deprecated = e.deprecated.then(|| quote!(deprecated = true,));
        let versions = match (published, self.routes.versions.get(&e.op.operation_id)) {
            (false, Some((from, until))) => {
                let v = |major: &Option<u64>| major.map(|m| format!("{m}.0.0"));
                match (v(from), v(until)) {
                    (Some(f), Some(u)) => Some(quote!(versions = #f..#u,)),
                    (None, Some(u)) => Some(quote!(versions = ..#u,)),
                    (Some(f), None) => Some(quote!(versions = #f..,)),
                    (None, None) => None,
                }
            }
            _ => None,
        };
        let limit = e.body.as_ref().map(|_| quote!(request_body_max_bytes = #limit,));
        let content_type = match e.body {
            Some(Body::Form(_)) => Some(quote!(content_type = "application/x-www-form-urlencoded",)),
            Some(Body::Multipart(_)) => Some(quote!(content_type = "multipart/form-data",)),
            _ => None,
        };
        let name = syn::Ident::new(&e.op.name, Span::call_site());
        let path_struct = if published { &e.published_path_struct } else { &e.path_struct };
        let path_arg = path_struct.as_ref().map(|p| quote!(path: dropshot::Path<#p>,));
        let query_arg = e.query_struct.as_ref().map(|q| {
            if e.multi_query {
                quote!(query: dropshot_codegen_runtime::MultiQuery<#q>,)
            } else {
                quote!(query: dropshot::Query<#q>,)
            }
        });
        let header_arg = e.header_struct.as_ref().map(|h| quote!(headers: dropshot::Header<#h>,));
        let cookie_arg = e.cookie_struct.as_ref().map(|c| quote!(cookies: dropshot_codegen_runtime::Cookies<#c>,));
        let body_arg = e.body.as_ref().map(|body| match body {
            Body::Json(ty) | Body::Form(ty) => quote!(body: dropshot::TypedBody<#ty>,),
            Body::Raw => quote!(body: dropshot::UntypedBody,),
            Body::Multipart(ty) => quote!(body: dropshot_codegen_runtime::Multipart<#ty>,),
        });
        let response = &e.response;
        let mut doc = e.doc.clone();
        if e.shadowed && !published {
            let why = if segments(&e.op.path).iter().any(|s| is_compound(s)) {
                "dropshot routes no segment that mixes text and variables"
            } else {
                "dropshot cannot hold it beside a sibling"
            };
            doc.push_str(&format!(
                "\n\nRouted through `{}` (the spec's `{}`) because {why}; published at its own path by [`openapi`].",
                e.route_path, e.op.path
            ));
        }
        let doc = (!doc.is_empty()).then(|| quote!(#[doc = #doc]));
        quote! {
            #doc
            #[endpoint {
                method = #method,
                path = #path,
                operation_id = #operation_id,
                tags = [#(#tags),*],
                #limit
                #content_type
                #unpublished
                #deprecated
                #versions
            }]
            async fn #name(
                rqctx: dropshot::RequestContext<Self::Context>,
                #path_arg
                #query_arg
                #header_arg
                #cookie_arg
                #body_arg
            ) -> Result<#response, #error>;
        }
    }
}

/// The pydantic error type for a parameter of this schema that does not
/// parse, as FastAPI reports it in a 422.
fn pydantic_error_type(doc: &Value, schema: &Value) -> &'static str {
    let mut schema = resolve(doc, schema);
    if let Some(Value::Array(all)) = schema.get("allOf")
        && let [only] = all.as_slice()
    {
        schema = resolve(doc, only);
    }
    if schema.get("enum").is_some() {
        return "enum";
    }
    match (schema.get("type").and_then(Value::as_str), schema.get("format").and_then(Value::as_str)) {
        (_, Some("uuid")) => "uuid_parsing",
        (_, Some("date-time")) => "datetime_parsing",
        (Some("integer"), _) => "int_parsing",
        (Some("number"), _) => "float_parsing",
        (Some("boolean"), _) => "bool_parsing",
        _ => "value_error",
    }
}

/// The variant name of a success status.
fn status_variant(status: u16) -> String {
    match status {
        200 => "Ok".into(),
        201 => "Created".into(),
        202 => "Accepted".into(),
        203 => "NonAuthoritativeInformation".into(),
        204 => "NoContent".into(),
        205 => "ResetContent".into(),
        206 => "PartialContent".into(),
        207 => "MultiStatus".into(),
        208 => "AlreadyReported".into(),
        226 => "ImUsed".into(),
        other => format!("Status{other}"),
    }
}

/// What tells apart the variants of one status with several media types:
/// `application/json` → `Json`, `text/csv` → `Csv`.
fn media_suffix(media: &str) -> String {
    let subtype = media.split(';').next().unwrap_or(media).rsplit('/').next().unwrap_or(media);
    subtype.to_upper_camel_case()
}

/// JSON, or a `+json` media type.
fn is_json(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or(media).trim();
    media == "application/json" || media.ends_with("+json")
}

fn is_option(ty: &TokenStream) -> bool {
    let ty = ty.to_string().replace(' ', "");
    ty.starts_with("::std::option::Option<") || ty.starts_with("Option<")
}

fn field_ident(name: &str) -> String {
    escape_keyword(&name.to_snake_case())
}

/// Whether dropshot takes a parameter of this (3.0.3) schema as a path or
/// `Query` parameter: what the Rust type typify makes of it describes
/// one scalar (a string, number, integer or boolean, an enum of them, one
/// of them that may be null).
fn is_dropshot_scalar(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
        return is_dropshot_scalar(doc, only);
    }
    if schema.get("anyOf").or_else(|| schema.get("oneOf")).is_some() {
        return false;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string" | "integer" | "number" | "boolean") => true,
        // an enum typify types by its values
        None => schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| !values.is_empty() && values.iter().all(|v| v.is_string() || v.is_null())),
        _ => false,
    }
}

/// The segments of a spec path as dropshot routes it: a trailing slash is
/// no segment, as dropshot ignores it (`/users/` is routed as `/users`,
/// which holds no place beside `/users/{id}`).
fn route_segments(path: &str) -> Vec<&str> {
    let mut s = segments(path);
    if s.len() > 1 && s.last() == Some(&"") {
        s.pop();
    }
    s
}

/// The variable names of a route's path (`/a/{b}/{c}` → `b`, `c`).
fn route_variables(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

/// A 3.0.3 schema as the JSON Schema (draft 7) that typify reads: `nullable`
/// becomes a `null` type or an `anyOf` with `null`, and boolean
/// `exclusiveMinimum`/`exclusiveMaximum` become numeric. `pointer` places
/// the problem when it is not a schema typify can read.
pub fn to_json_schema(schema: &Value, pointer: &str) -> Result<schemars::schema::Schema, Problem> {
    let converted = convert(schema);
    serde_json::from_value(converted)
        .map_err(|e| Problem::new(Kind::UnsupportedSchema, pointer, format!("not a schema typify can read: {e}")))
}

fn convert(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let v = match k.as_str() {
                    "properties" => Value::Object(
                        v.as_object()
                            .map(|m| m.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
                            .unwrap_or_default(),
                    ),
                    "items" | "additionalProperties" | "not" => convert(v),
                    "allOf" | "anyOf" | "oneOf" => {
                        Value::Array(v.as_array().map(|a| a.iter().map(convert).collect()).unwrap_or_default())
                    }
                    _ => v.clone(),
                };
                out.insert(k.clone(), v);
            }
            for (flag, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
                if out.get(flag) == Some(&Value::Bool(true)) {
                    if let Some(b) = out.shift_remove(bound) {
                        out.insert(flag.to_string(), b);
                    } else {
                        out.shift_remove(flag);
                    }
                } else if out.get(flag) == Some(&Value::Bool(false)) {
                    out.shift_remove(flag);
                }
            }
            if let Some(example) = out.shift_remove("example") {
                out.insert("examples".into(), json!([example]));
            }
            if out.shift_remove("nullable") == Some(Value::Bool(true)) {
                match out.get("type").cloned() {
                    Some(Value::String(t)) if !out.contains_key("enum") => {
                        out.insert("type".into(), json!([t, "null"]));
                    }
                    _ => {
                        let annotations = ["title", "description", "default", "examples"];
                        let mut outer = serde_json::Map::new();
                        for a in annotations {
                            if let Some(v) = out.shift_remove(a) {
                                outer.insert(a.into(), v);
                            }
                        }
                        let inner = match (out.len(), out.get("allOf")) {
                            (1, Some(Value::Array(all))) if all.len() == 1 => all[0].clone(),
                            _ => Value::Object(out),
                        };
                        outer.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                        return Value::Object(outer);
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------
// Routing around dropshot's literal-beside-variable refusal

/// Where each operation is routed, and the segment checks that keep literal
/// and variable siblings apart.
struct Routes {
    /// operationId → route
    routes: BTreeMap<String, Route>,
    /// operationId → dropshot version range (from, until) in major versions,
    /// for operations that share a route and a method with another
    versions: BTreeMap<String, (Option<u64>, Option<u64>)>,
    /// (spec path, METHOD, major version) of the literal operations among
    /// those, which the version policy picks by path
    literal_versions: Vec<(String, String, u64)>,
    /// All spec paths with their methods (uppercase).
    methods: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Debug, Clone)]
struct Route {
    /// The path dropshot routes.
    path: String,
    shadowed: bool,
    /// (segment index, variable name, literal) for literal segments routed as variables.
    literal_segments: Vec<(usize, String, String)>,
    /// (segment index, variable name, the spec's segment) for compound
    /// segments (`{lon},{lat}`), routed as one variable and split by the
    /// generated `<Op>Path`.
    compound_segments: Vec<(usize, String, String)>,
    /// (segment index, variable name, literals refused) for variable segments with literal siblings.
    guarded_variables: Vec<(usize, String, Vec<String>)>,
    /// spec name → route name, for variables the route names as a sibling
    /// path does (`{id}` routed as `{data_product_id}`)
    renamed: BTreeMap<String, String>,
}

impl Route {
    /// Whether dropshot routes the operation elsewhere than its spec path
    /// (so that the published description is a second endpoint).
    fn differs(&self) -> bool {
        self.shadowed || !self.renamed.is_empty()
    }
}

impl Routes {
    fn new(ops: &[Operation]) -> Self {
        let mut methods: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for op in ops {
            methods.entry(op.path.clone()).or_default().insert(op.method.to_uppercase());
        }
        // dropshot's router is a tree whose node holds either literal
        // children or one variable child, under one name: lay out every
        // spec path place by place. At a place where any path has a
        // variable, every path through that node is routed through it: a
        // literal there becomes the variable with a check that it is that
        // literal (`literal_segments`); a variable named otherwise than the
        // first path (in the document's order) names it reads its parameter from that name
        // (`renamed`). A name the route already holds nearer the root gets a
        // suffix (`{token_id}` under `/tokens/{token_id}` becomes
        // `{token_id_2}`). FastAPI's router holds any of these.
        // in the document's order, so that a path added later (as services
        // grow) does not rename the places its elders named
        let mut paths: Vec<&String> = Vec::new();
        for op in ops {
            if !paths.contains(&&op.path) {
                paths.push(&op.path);
            }
        }
        let spec_segs: Vec<Vec<&str>> = paths.iter().map(|p| route_segments(p)).collect();
        let mut routed: Vec<Vec<String>> = vec![Vec::new(); paths.len()];
        let depth = spec_segs.iter().map(Vec::len).max().unwrap_or(0);
        for i in 0..depth {
            let mut nodes: BTreeMap<Vec<String>, Vec<usize>> = BTreeMap::new();
            for (k, _) in spec_segs.iter().enumerate().filter(|(_, s)| s.len() > i) {
                nodes.entry(normalise(&routed[k])).or_default().push(k);
            }
            for members in nodes.into_values() {
                // a compound segment is routed as a variable too, named
                // after its variables when no plain variable names the place
                let first = members.iter().find_map(|&k| variable(spec_segs[k][i]).map(str::to_string)).or_else(|| {
                    members
                        .iter()
                        .find(|&&k| is_compound(spec_segs[k][i]))
                        .map(|&k| variables(spec_segs[k][i]).join("_"))
                });
                let Some(first) = first else {
                    for k in members {
                        routed[k].push(spec_segs[k][i].to_string());
                    }
                    continue;
                };
                let held: BTreeSet<&str> = routed[members[0]].iter().filter_map(|s| variable(s)).collect();
                let mut name = first.clone();
                let mut n = 2;
                while held.contains(name.as_str()) {
                    name = format!("{first}_{n}");
                    n += 1;
                }
                for k in members {
                    routed[k].push(format!("{{{name}}}"));
                }
            }
        }
        let index: BTreeMap<&str, usize> = paths.iter().enumerate().map(|(k, p)| (p.as_str(), k)).collect();
        let mut routes = BTreeMap::new();
        for op in ops {
            let k = index[op.path.as_str()];
            let segs = &spec_segs[k];
            let mut literal_segments = Vec::new();
            let mut compound_segments = Vec::new();
            let mut guarded_variables = Vec::new();
            let mut renamed = BTreeMap::new();
            for (i, (seg, routed_seg)) in segs.iter().zip(&routed[k]).enumerate() {
                let Some(name) = variable(routed_seg) else { continue };
                match variable(seg) {
                    None if is_compound(seg) => compound_segments.push((i, name.to_string(), seg.to_string())),
                    None => literal_segments.push((i, name.to_string(), seg.to_string())),
                    Some(v) => {
                        if v != name {
                            renamed.insert(v.to_string(), name.to_string());
                        }
                        // the literals routed through the same node
                        let node = normalise(&routed[k][..i]);
                        let literals: Vec<String> = (0..paths.len())
                            .filter(|&q| {
                                spec_segs[q].len() > i
                                    && !has_variables(spec_segs[q][i])
                                    && normalise(&routed[q][..i]) == node
                            })
                            .map(|q| spec_segs[q][i].to_string())
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect();
                        if !literals.is_empty() {
                            guarded_variables.push((i, v.to_string(), literals));
                        }
                    }
                }
            }
            let path = format!("/{}", routed[k].join("/"));
            routes.insert(
                op.operation_id.clone(),
                Route {
                    shadowed: !literal_segments.is_empty() || !compound_segments.is_empty(),
                    path,
                    literal_segments,
                    compound_segments,
                    guarded_variables,
                    renamed,
                },
            );
        }
        // Operations that share dropshot's route *and* method (GET /users/me
        // beside GET /users/{id}) cannot both be registered plainly: each
        // literal one gets a version range of its own, the variable one the
        // versions below 1.0.0, and a version policy picks the version from
        // the request's path (see `version_policy` in the generated code).
        let mut groups: BTreeMap<(String, String), Vec<&Operation>> = BTreeMap::new();
        for op in ops {
            groups.entry((op.method.to_uppercase(), routes[&op.operation_id].path.clone())).or_default().push(op);
        }
        let mut versions = BTreeMap::new();
        let mut literal_versions = Vec::new();
        let mut next = 1u64;
        for ((method, _), group) in groups.iter().filter(|(_, g)| g.len() > 1) {
            for op in group {
                if routes[&op.operation_id].shadowed {
                    versions.insert(op.operation_id.clone(), (Some(next), Some(next + 1)));
                    literal_versions.push((op.path.clone(), method.clone(), next));
                    next += 1;
                } else {
                    versions.insert(op.operation_id.clone(), (None, Some(1)));
                }
            }
        }
        Self { routes, methods, versions, literal_versions }
    }

    fn route_of(&self, op: &Operation) -> Route {
        self.routes[&op.operation_id].clone()
    }

    /// The check function of a variable segment that has literal siblings.
    fn guard_for(&self, op: &Operation, name: &str) -> Option<String> {
        self.routes[&op.operation_id]
            .guarded_variables
            .iter()
            .find(|(_, v, _)| v == name)
            .map(|(i, _, _)| check_fn_name(op, *i))
    }

    /// Fields for literal segments routed as variables: (variable, literal, check fn).
    fn literal_fields(&self, op: &Operation) -> Vec<(String, String, String)> {
        self.routes[&op.operation_id]
            .literal_segments
            .iter()
            .map(|(i, var, lit)| (var.clone(), lit.clone(), check_fn_name(op, *i)))
            .collect()
    }

    /// The methods of the spec path that a request path (as segments, with
    /// `segment` at index `i`) names; empty when no spec path matches.
    fn allowed(&self, segs: &[&str], i: usize, segment: &str, want_literal: bool) -> Vec<String> {
        let mut allowed = BTreeSet::new();
        for (path, methods) in &self.methods {
            let s = route_segments(path);
            if s.len() != segs.len() || normalise(&s[..i]) != normalise(&segs[..i]) {
                continue;
            }
            let matches_here = if want_literal { s[i] == segment } else { variable(s[i]).is_some() };
            let rest_matches = s[i + 1..]
                .iter()
                .zip(&segs[i + 1..])
                .all(|(a, b)| a == b || variable(a).is_some() && variable(b).is_some());
            if matches_here && rest_matches {
                allowed.extend(methods.iter().cloned());
            }
        }
        allowed.into_iter().collect()
    }

    fn check_fns(&self, op: &Operation) -> Vec<TokenStream> {
        let route = &self.routes[&op.operation_id];
        let segs = route_segments(&op.path);
        let mut out = Vec::new();
        for (i, _var, lit) in &route.literal_segments {
            // another value at this place names the variable sibling's path
            let allowed = self.allowed(&segs, *i, lit, false);
            let f = format_ident!("{}", check_fn_name(op, *i));
            let refusal = refusal(&allowed);
            out.push(quote! {
                fn #f<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
                    let value = <String as serde::Deserialize>::deserialize(d)?;
                    if value == #lit { Ok(value) } else { Err(#refusal.into_de_error()) }
                }
            });
        }
        // a variable segment's check, which `extract::guarded_param` runs
        // before parsing the value
        for (i, _var, literals) in &route.guarded_variables {
            let f = format_ident!("{}", check_fn_name(op, *i));
            let arms = literals.iter().map(|lit| {
                let refusal = refusal(&self.allowed(&segs, *i, lit, true));
                quote!(#lit => Some(#refusal),)
            });
            out.push(quote! {
                fn #f(value: &str) -> Option<dropshot_codegen_runtime::extract::RouteRefusal> {
                    match value {
                        #(#arms)*
                        _ => None,
                    }
                }
            });
        }
        out
    }
}

/// The refusal of a request whose path has these methods (404 when none).
/// The endpoints published at their real paths, in groups that dropshot's
/// router can each hold (in order, each into the first group it fits): at
/// one place of a group, literals or one variable, never both, and a
/// variable under one name.
fn publishing_groups<'e, 'a>(endpoints: impl Iterator<Item = &'e Endpoint<'a>>) -> Vec<Vec<&'e Endpoint<'a>>> {
    /// For each node (the edges from the root), its literal children or its
    /// variable's name.
    #[derive(Default)]
    struct Tree(BTreeMap<Vec<String>, (BTreeSet<String>, Option<String>)>);
    impl Tree {
        fn fits(&self, path: &str) -> bool {
            let mut node = Vec::new();
            for seg in route_segments(path) {
                if let Some((literals, var)) = self.0.get(&node) {
                    let fits = match variable(seg) {
                        Some(v) => literals.is_empty() && var.as_deref().is_none_or(|name| name == v),
                        None => var.is_none(),
                    };
                    if !fits {
                        return false;
                    }
                }
                node.push(if variable(seg).is_some() { "{}".to_string() } else { seg.to_string() });
            }
            true
        }
        fn add(&mut self, path: &str) {
            let mut node = Vec::new();
            for seg in route_segments(path) {
                let entry = self.0.entry(node.clone()).or_default();
                match variable(seg) {
                    Some(v) => entry.1 = Some(v.to_string()),
                    None => {
                        entry.0.insert(seg.to_string());
                    }
                }
                node.push(if variable(seg).is_some() { "{}".to_string() } else { seg.to_string() });
            }
        }
    }
    let mut groups: Vec<(Tree, Vec<&Endpoint<'a>>)> = Vec::new();
    for e in endpoints {
        let at = match groups.iter().position(|(tree, _)| tree.fits(&e.published_path)) {
            Some(at) => at,
            None => {
                groups.push((Tree::default(), Vec::new()));
                groups.len() - 1
            }
        };
        groups[at].0.add(&e.published_path);
        groups[at].1.push(e);
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

fn refusal(allowed: &[String]) -> TokenStream {
    quote!(dropshot_codegen_runtime::extract::RouteRefusal::for_methods(&[#(#allowed),*]))
}

fn check_fn_name(op: &Operation, i: usize) -> String {
    format!("route_segment_{}_{}", op.name.trim_end_matches('_'), i)
}

/// Segments with variables reduced to a placeholder, so that prefixes with
/// different variable names compare equal.
fn normalise<S: AsRef<str>>(segs: &[S]) -> Vec<String> {
    segs.iter()
        .map(|s| if variable(s.as_ref()).is_some() { "{}".to_string() } else { s.as_ref().to_string() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upstream: typify 0.8 names a `JsonSchema` impl's argument `gen`,
    /// which Rust 2024 reserves. When this fails, typify has stopped, and
    /// `edition_2024_keywords` can go.
    #[test]
    fn typify_still_names_an_argument_gen() {
        let mut settings = TypeSpaceSettings::default();
        settings.with_derive("schemars::JsonSchema".to_string());
        let mut types = TypeSpace::new(&settings);
        let schema: schemars::schema::Schema =
            serde_json::from_value(json!({"type": "integer", "enum": [101, 102]})).unwrap();
        types.add_type_with_name(&schema, Some("Action".into())).unwrap();
        let code = types.to_stream().to_string();
        assert!(code.contains("gen : & mut :: schemars :: gen :: SchemaGenerator"), "{code}");
        let fixed = edition_2024_keywords(types.to_stream()).to_string();
        assert!(
            !fixed.contains(" gen ") && fixed.contains("r#gen : & mut :: schemars :: r#gen :: SchemaGenerator"),
            "{fixed}"
        );
    }
}
