//! Forward-compatible decoding in the client: a deployed client keeps
//! working when the service adds an enum value or a property to what it
//! answers.
//!
//! typify generates exact types: a string enum fails to decode a value it
//! does not list (`unknown variant ARCHIVED, expected one of SUGGESTED,
//! APPROVED, REJECTED`), and a schema with `additionalProperties: false`
//! (pydantic's `extra="forbid"`) becomes a struct with
//! `#[serde(deny_unknown_fields)]`. Both are right for a server, which
//! must refuse what it does not know (the API crate keeps them), and wrong
//! for a client, which must read what a newer service says. So, in the
//! client's `types` module only, for every type *reached from a response*
//! (a type named in the return type of an operation's `send`, success or
//! error, and every type its fields or variants name, transitively):
//!
//! - a string enum (typify's enum of unit variants) gets a last variant
//!   `#[serde(untagged)] Unknown(String)` that holds any other string and
//!   serializes it back unchanged (serde ≥ 1.0.181 reads an untagged variant
//!   after the tagged ones); its `Display` writes the raw value, and it loses
//!   `Copy`, which a `String` cannot have. It is `#[non_exhaustive]`: the
//!   service adds values, so code matching on the enum has a wildcard arm
//!   (which also takes the catch-all), and a value added to the spec is a
//!   new variant that breaks no code (`cargo xtask diff` lists it as
//!   compatible). A team that wants every new value to stop its build
//!   names the enum in `[client] strict-enums`. Where the enum already has a
//!   variant `Unknown` (the value `UNKNOWN`), the catch-all is
//!   `UnknownValue` (then `UnknownValue2`, …).
//!   `FromStr` and `TryFrom<&str>`/`TryFrom<String>` stay exact: a request
//!   built from a string is refused on a typo, before it is sent; sending an
//!   unknown value on purpose means constructing the variant. An enum that
//!   requests and responses share (FastAPI shares enum schemas) is a
//!   response type, so it is lenient when decoded and exact when parsed.
//! - `deny_unknown_fields` is dropped, so that a property the service added
//!   is ignored. An optional property that is missing already decodes (to
//!   `None` or its default).
//!
//! Two exceptions keep what typify's untagged enums (a `oneOf` of objects,
//! FastAPI's discriminated unions) need to choose a member, since serde
//! takes the first member that decodes: an enum that members of one union
//! give one property with different types (`kind: CatKind` and `kind:
//! DogKind`, pydantic's `Literal` discriminators) stays exact, or a cat
//! would take every dog; and a struct that is a member of a union keeps
//! `deny_unknown_fields`, by which typify may tell members apart. A new
//! kind of member, or a new property of a closed member, is then a decoding
//! error rather than a wrong member.
//!
//! Types only sent (request bodies, parameters) stay exact; the client
//! never decodes them. `[client] strict-enums` in `codegen.toml` names the
//! schemas whose enums stay exact even in responses ([`crate::spec`]
//! refuses a name that is not a string enum schema of the spec).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;

/// The preferred name of the catch-all variant, and the stem of the others.
const CATCH_ALL: &str = "Unknown";

/// Every identifier in the return types of the `send` methods of `rest`
/// (progenitor's builders and [`crate::client_ops`]'s): the types that
/// responses decode into, among other names (`Result`, `ResponseValue`)
/// that name no type of the `types` module and are ignored.
pub fn response_roots(rest: &syn::File) -> BTreeSet<String> {
    let mut roots = BTreeSet::new();
    fn walk(items: &[syn::Item], roots: &mut BTreeSet<String>) {
        for item in items {
            match item {
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        walk(items, roots);
                    }
                }
                syn::Item::Impl(imp) => {
                    for member in &imp.items {
                        if let syn::ImplItem::Fn(f) = member
                            && f.sig.ident == "send"
                            && let syn::ReturnType::Type(_, ty) = &f.sig.output
                        {
                            idents(ty.to_token_stream(), roots);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    walk(&rest.items, &mut roots);
    roots
}

/// Makes the response types of the `types` module lenient (see the module
/// docs); `strict` holds the Rust names of the enums that stay exact.
pub fn apply(types: &mut [syn::Item], roots: &BTreeSet<String>, strict: &BTreeSet<String>) {
    let reached = reached(types, roots);
    let unions = Unions::of(types);
    let mut catch_alls: BTreeMap<String, syn::Ident> = BTreeMap::new();
    for item in types.iter_mut() {
        match item {
            syn::Item::Struct(s)
                if reached.contains(&s.ident.to_string()) && !unions.members.contains(&s.ident.to_string()) =>
            {
                allow_unknown_fields(&mut s.attrs);
            }
            syn::Item::Enum(e) if reached.contains(&e.ident.to_string()) => {
                allow_unknown_fields(&mut e.attrs);
                let name = e.ident.to_string();
                if is_string_enum(e) && !strict.contains(&name) && !unions.discriminators.contains(&name) {
                    catch_alls.insert(name, add_catch_all(e));
                }
            }
            _ => {}
        }
    }
    for item in types.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let Some(variant) = self_name(imp).and_then(|name| catch_alls.get(&name)) else { continue };
        let is_display =
            imp.trait_.as_ref().and_then(|(path, _)| path.segments.last()).is_some_and(|s| s.ident == "Display");
        if is_display {
            display_raw(imp, variant);
        }
    }
}

/// What typify's untagged enums (a `oneOf`/`anyOf` of objects, FastAPI's
/// discriminated unions among them) rely on to choose their member: serde
/// tries each member in turn and takes the first that decodes, so a member
/// must refuse what is not its own.
#[derive(Default)]
struct Unions {
    /// Structs that are a member of an untagged enum: they keep
    /// `deny_unknown_fields`, by which typify may tell members apart.
    members: BTreeSet<String>,
    /// String enums that tell members apart: the types of a property that
    /// two members of one union type with different enums (`kind: CatKind`,
    /// `kind: DogKind`, from pydantic's `Literal` discriminators). With a
    /// catch-all, the first member would take every value.
    discriminators: BTreeSet<String>,
}

impl Unions {
    fn of(types: &[syn::Item]) -> Unions {
        let structs: BTreeMap<String, &syn::ItemStruct> = types
            .iter()
            .filter_map(|item| match item {
                syn::Item::Struct(s) => Some((s.ident.to_string(), s)),
                _ => None,
            })
            .collect();
        let string_enums: BTreeSet<String> = types
            .iter()
            .filter_map(|item| match item {
                syn::Item::Enum(e) if is_string_enum(e) => Some(e.ident.to_string()),
                _ => None,
            })
            .collect();
        let mut unions = Unions::default();
        for item in types {
            let syn::Item::Enum(e) = item else { continue };
            if !serde_words(&e.attrs).iter().any(|w| w == "untagged") {
                continue;
            }
            // property name → the string enums that members type it with
            let mut typed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for variant in &e.variants {
                let mut names = BTreeSet::new();
                idents(fields_tokens(&variant.fields), &mut names);
                for member in names.iter().filter_map(|n| structs.get(n)) {
                    unions.members.insert(member.ident.to_string());
                    for field in &member.fields {
                        let mut field_types = BTreeSet::new();
                        idents(field.ty.to_token_stream(), &mut field_types);
                        let (Some(ident), Some(enum_name)) =
                            (&field.ident, field_types.into_iter().find(|t| string_enums.contains(t)))
                        else {
                            continue;
                        };
                        typed.entry(ident.to_string()).or_default().insert(enum_name);
                    }
                }
            }
            unions.discriminators.extend(typed.into_values().filter(|enums| enums.len() > 1).flatten());
        }
        unions
    }
}

/// The names of `types` reached from `roots` through fields, variants and
/// aliases.
fn reached(types: &[syn::Item], roots: &BTreeSet<String>) -> BTreeSet<String> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types {
        let (name, tokens) = match item {
            syn::Item::Struct(s) => (&s.ident, fields_tokens(&s.fields)),
            syn::Item::Enum(e) => (&e.ident, e.variants.iter().map(|v| fields_tokens(&v.fields)).collect()),
            syn::Item::Type(t) => (&t.ident, t.ty.to_token_stream()),
            _ => continue,
        };
        idents(tokens, edges.entry(name.to_string()).or_default());
    }
    let mut reached = BTreeSet::new();
    let mut todo: Vec<&String> = roots.iter().filter(|r| edges.contains_key(*r)).collect();
    while let Some(name) = todo.pop() {
        if reached.insert(name.clone()) {
            todo.extend(edges[name].iter().filter(|n| edges.contains_key(*n) && !reached.contains(*n)));
        }
    }
    reached
}

/// The types of `fields`, without their attributes (a `serde(default = "…")`
/// names no type).
fn fields_tokens(fields: &syn::Fields) -> TokenStream {
    fields.iter().map(|f| f.ty.to_token_stream()).collect()
}

fn idents(tokens: TokenStream, out: &mut BTreeSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// typify's enum of a string `enum`: unit variants only, externally tagged.
fn is_string_enum(e: &syn::ItemEnum) -> bool {
    !e.variants.is_empty()
        && e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit))
        && derives_deserialize(&e.attrs)
        && !serde_words(&e.attrs).iter().any(|w| w == "untagged" || w == "tag")
}

/// Whether serde reads the type: an enum of unit variants that it does not
/// (the success statuses of an operation with no body in any) is no string
/// enum of the spec.
fn derives_deserialize(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            .is_ok_and(|paths| paths.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == "Deserialize")))
    })
}

/// The words of the `#[serde(...)]` attributes (`untagged`, `tag`, …).
fn serde_words(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut words = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        if let Ok(metas) =
            attr.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        {
            words.extend(metas.iter().filter_map(|m| m.path().get_ident()).map(ToString::to_string));
        }
    }
    words
}

/// Drops `deny_unknown_fields` from the `#[serde(...)]` attributes (and an
/// attribute left empty).
fn allow_unknown_fields(attrs: &mut Vec<syn::Attribute>) {
    attrs.retain_mut(|attr| {
        if !attr.path().is_ident("serde") {
            return true;
        }
        let Ok(metas) =
            attr.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        else {
            return true;
        };
        if !metas.iter().any(|m| m.path().is_ident("deny_unknown_fields")) {
            return true;
        }
        let kept: Vec<&syn::Meta> = metas.iter().filter(|m| !m.path().is_ident("deny_unknown_fields")).collect();
        if kept.is_empty() {
            return false;
        }
        *attr = syn::parse_quote!(#[serde(#(#kept),*)]);
        true
    });
}

/// Adds the catch-all variant to a string enum, drops `Copy`, and returns
/// the variant's name.
fn add_catch_all(e: &mut syn::ItemEnum) -> syn::Ident {
    let taken: BTreeSet<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
    let name = std::iter::once(CATCH_ALL.to_string())
        .chain((1..).map(|n| if n == 1 { format!("{CATCH_ALL}Value") } else { format!("{CATCH_ALL}Value{n}") }))
        .find(|n| !taken.contains(n))
        .expect("an unused name");
    let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
    for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) =
            attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths.iter().filter(|p| !p.is_ident("Copy")).collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    e.attrs.push(syn::parse_quote!(#[non_exhaustive]));
    e.variants.push(syn::parse_quote! {
        /// A value this client does not know, kept as it came: the service
        /// added it after the client was generated. It serializes back
        /// unchanged; parsing a string (`FromStr`) never gives it.
        #[serde(untagged)]
        #ident(::std::string::String)
    });
    ident
}

/// The last identifier of an impl's self type.
fn self_name(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// typify's `Display` of a string enum matches every variant; the
/// catch-all writes its raw value.
fn display_raw(imp: &mut syn::ItemImpl, variant: &syn::Ident) {
    use syn::visit_mut::VisitMut;
    struct AddArm<'a>(&'a syn::Ident);
    impl VisitMut for AddArm<'_> {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            let variant = self.0;
            m.arms.push(syn::parse_quote!(Self::#variant(ref value) => f.write_str(value),));
        }
    }
    for member in &mut imp.items {
        if let syn::ImplItem::Fn(f) = member
            && f.sig.ident == "fmt"
        {
            AddArm(variant).visit_block_mut(&mut f.block);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(source: &str) -> Vec<syn::Item> {
        syn::parse_file(source).unwrap().items
    }

    fn text(items: Vec<syn::Item>) -> String {
        let mut file: syn::File = syn::parse_quote!();
        file.items = items;
        prettyplease::unparse(&file)
    }

    const SOURCE: &str = r#"
        #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
        pub enum State { #[serde(rename = "UNKNOWN")] Unknown, #[serde(rename = "ON")] On }
        impl ::std::fmt::Display for State {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match *self { Self::Unknown => f.write_str("UNKNOWN"), Self::On => f.write_str("ON") }
            }
        }
        #[derive(Clone, Copy)]
        pub enum Sent { #[serde(rename = "a")] A }
        #[derive(Clone, Copy)]
        pub enum Kept { #[serde(rename = "b")] B }
        #[serde(deny_unknown_fields)]
        pub struct Answer { pub state: ::std::vec::Vec<State>, pub kept: Kept }
        #[serde(rename = "x", deny_unknown_fields)]
        pub struct Request { pub sent: Sent }
    "#;

    #[test]
    fn response_types_are_lenient_and_request_types_exact() {
        let mut items = types(SOURCE);
        let roots = ["Result", "Answer"].map(String::from).into();
        apply(&mut items, &roots, &["Kept".to_string()].into());
        let out = text(items);
        // the catch-all avoids the variant typify named after `UNKNOWN`
        assert!(out.contains("#[serde(untagged)]\n    UnknownValue(::std::string::String)"), "{out}");
        assert!(out.contains("Self::UnknownValue(ref value) => f.write_str(value)"), "{out}");
        assert!(
            out.contains(
                "#[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]\n#[non_exhaustive]\npub enum State"
            ),
            "{out}"
        );
        // strict and request-only enums keep their derives and have no catch-all
        assert!(out.contains("#[derive(Clone, Copy)]\npub enum Sent"), "{out}");
        assert!(out.contains("#[derive(Clone, Copy)]\npub enum Kept"), "{out}");
        assert_eq!(out.matches("#[non_exhaustive]").count(), 1, "{out}");
        assert_eq!(out.matches("untagged").count(), 1, "{out}");
        // unknown fields: allowed in the answer, still refused in the request
        assert!(!out.contains("deny_unknown_fields)]\npub struct Answer"), "{out}");
        assert!(out.contains("#[serde(rename = \"x\", deny_unknown_fields)]\npub struct Request"), "{out}");
    }

    #[test]
    fn an_emptied_serde_attribute_goes() {
        let mut items = types(SOURCE);
        apply(&mut items, &["Request".to_string()].into(), &BTreeSet::new());
        let out = text(items);
        assert!(out.contains("#[serde(rename = \"x\")]\npub struct Request"), "{out}");
        assert!(out.contains("#[serde(deny_unknown_fields)]\npub struct Answer"), "{out}");
    }

    #[test]
    fn what_a_union_chooses_by_stays_exact() {
        let mut items = types(
            r#"
            #[derive(Deserialize, Clone, Copy)] pub enum CatKind { #[serde(rename = "cat")] Cat }
            #[derive(Deserialize, Clone, Copy)] pub enum DogKind { #[serde(rename = "dog")] Dog }
            #[derive(Deserialize, Clone, Copy)] pub enum Mood { #[serde(rename = "calm")] Calm }
            #[serde(deny_unknown_fields)] pub struct Cat { pub kind: CatKind, pub mood: Mood }
            #[serde(deny_unknown_fields)] pub struct Dog { pub kind: DogKind, pub mood: ::std::option::Option<Mood> }
            #[serde(untagged)] pub enum Pet { Cat(Cat), Dog(::std::boxed::Box<Dog>) }
            "#,
        );
        apply(&mut items, &["Pet".to_string()].into(), &BTreeSet::new());
        let out = text(items);
        assert!(out.contains("#[derive(Deserialize, Clone, Copy)]\npub enum CatKind"), "{out}");
        assert!(out.contains("#[derive(Deserialize, Clone, Copy)]\npub enum DogKind"), "{out}");
        // a property that all members type alike tells none apart
        assert!(out.contains("#[derive(Deserialize, Clone)]\n#[non_exhaustive]\npub enum Mood"), "{out}");
        assert_eq!(out.matches("deny_unknown_fields").count(), 2, "{out}");
    }

    /// The success statuses of an operation without a body in any
    /// (`enum DeleteResponse { Ok, NoContent }`) are no string enum.
    #[test]
    fn an_enum_serde_does_not_read_gets_no_catch_all() {
        let mut items = types("pub enum DeleteResponse { Ok, NoContent }");
        apply(&mut items, &["DeleteResponse".to_string()].into(), &BTreeSet::new());
        assert_eq!(text(items), "pub enum DeleteResponse {\n    Ok,\n    NoContent,\n}\n");
    }

    #[test]
    fn roots_are_the_send_return_types() {
        let rest: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> Op<'a> {
                    pub fn body(self) -> Self { self }
                    pub async fn send(self) -> Result<ResponseValue<::std::vec::Vec<types::Answer>>, Error<types::Oops>> { todo!() }
                }
            }
        };
        let roots = response_roots(&rest);
        assert!(roots.contains("Answer") && roots.contains("Oops"), "{roots:?}");
        assert!(!roots.contains("Self"));
    }
}
