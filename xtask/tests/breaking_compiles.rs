//! The source claims of `cargo xtask diff`, proved by the compiler: for
//! every case of the breaking-change corpus (`tests/breaking/<case>/`), the
//! client and the server API are generated from `old.json` and from
//! `new.json`, calling code is generated from the old crates ([`calls`]),
//! and `cargo check` compiles that old calling code against the new crates.
//! The case's findings must say `client source` exactly when the old client
//! calling code fails to compile, and `server source` exactly when the old
//! implementation of the server trait does.
//!
//! The calling code is the most exposed *realistic* user, written
//! mechanically from the old generated code (see [`calls`] for each choice):
//!
//! - client: every operation's builder with every parameter set, and the
//!   body built with typify's builder (`types::X::builder().field(v)`), as
//!   the README and this workspace's own tests do; every field of every
//!   success response read at its type, every response enum matched
//!   exhaustively without a wildcard (the catch-all `Unknown(..)` is one
//!   more arm); every value of every request enum constructed;
//! - server: the old trait implemented, every method with its old
//!   signature; every field of every parameter struct and request body read
//!   at its type, request enums matched exhaustively; the answer built with
//!   struct literals (the API crate has no builders), every variant of
//!   every response enum constructed.
//!
//! The old calling code must first compile against the old crates (one
//! `baseline` crate holds all of them), or the generated calling code is
//! wrong and the test says so.
//!
//! All of it is one scratch workspace under `CARGO_TARGET_TMPDIR`
//! (`target/tmp/breaking-compiles/`), one package per case and side, with
//! its own target directory: its dependencies (reqwest, dropshot, …, the
//! versions of this workspace's `Cargo.lock`) build once, the first time
//! (about 2 minutes on 2 cores), and a run after that checks the 35 small
//! crates in one `cargo check --keep-going` (5–10 s after a change of the
//! generator, nothing when nothing changed). Each
//! package's errors come from cargo's JSON messages. It runs offline: the
//! dependencies are a subset of this workspace's, which `cargo test` has
//! already fetched.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::breaking::{Axis, compare};
use xtask::spec::{Spec, Workspace};

const CORPUS: &str = "xtask/tests/breaking";

/// The dependencies of the generated crates (what `codegen-tests` takes).
const DEPS: &[&str] = &[
    "chrono",
    "dropshot",
    "dropshot-codegen-runtime",
    "http",
    "progenitor-client",
    "regress",
    "reqwest",
    "schemars",
    "serde",
    "serde_json",
    "uuid",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Client,
    Server,
}

impl Side {
    fn word(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }

    /// The generated module's name in the scratch crate.
    fn module(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "api",
        }
    }

    fn axis(self) -> Axis {
        match self {
            Side::Client => Axis::ClientSource,
            Side::Server => Axis::ServerSource,
        }
    }

    fn generate(self, spec: &Spec) -> String {
        let code = match self {
            Side::Client => xtask::client::generate(spec),
            Side::Server => xtask::server::generate(spec),
        };
        code.unwrap_or_else(|e| panic!("{}: {e}", spec.file))
    }
}

struct Case {
    name: String,
    claims: BTreeSet<Axis>,
    /// (side, old generated code, new generated code, old calling code)
    sides: Vec<(Side, String, String, String)>,
}

fn load(path: &Path) -> (serde_json::Value, Spec) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = Spec::load(path, &path.with_file_name("codegen.toml")).unwrap_or_else(|e| panic!("{e}"));
    (value, spec)
}

fn cases() -> Vec<Case> {
    let root = Workspace::this().root.join(CORPUS);
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("old.json").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let (old_value, old) = load(&root.join(&name).join("old.json"));
            let (new_value, new) = load(&root.join(&name).join("new.json"));
            let claims =
                compare(&old_value, &new_value, &Default::default(), &[]).into_iter().flat_map(|f| f.axes).collect();
            let sides = [Side::Client, Side::Server]
                .into_iter()
                .map(|side| {
                    let (old_code, new_code) = (side.generate(&old), side.generate(&new));
                    let calling = calls::generate(side, &old_code).unwrap_or_else(|e| panic!("{name}: {e}"));
                    (side, old_code, new_code, calling)
                })
                .collect();
            Case { name, claims, sides }
        })
        .collect()
}

/// Writes `contents` unless the file holds it already, so that cargo
/// rechecks only what changed.
fn write(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// This workspace's `[workspace.dependencies]` entries for [`DEPS`], with
/// path dependencies made absolute, as a `[workspace.dependencies]` table.
fn workspace_dependencies(root: &Path) -> String {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    let deps = manifest["workspace"]["dependencies"].as_table().unwrap();
    let mut out = toml::Table::new();
    let mut workspace = toml::Table::new();
    let mut dependencies = toml::Table::new();
    for name in DEPS {
        let mut dep = deps.get(*name).unwrap_or_else(|| panic!("no workspace dependency {name}")).clone();
        if let Some(path) = dep.get_mut("path") {
            *path = toml::Value::String(root.join(path.as_str().unwrap()).display().to_string());
        }
        dependencies.insert(name.to_string(), dep);
    }
    workspace.insert("dependencies".into(), dependencies.into());
    out.insert("workspace".into(), workspace.into());
    toml::to_string(&out).unwrap()
}

fn package_manifest(name: &str) -> String {
    let deps: String = DEPS.iter().map(|d| format!("{d}.workspace = true\n")).collect();
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{deps}"
    )
}

/// The package name of a case's side.
fn package(case: &str, side: Side) -> String {
    format!("{case}-{}", side.word())
}

/// Lays out the scratch workspace; returns its root.
fn scratch_workspace(cases: &[Case]) -> PathBuf {
    let root = Workspace::this().root;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("breaking-compiles");
    let mut members = vec!["\"baseline\"".to_string()];
    let mut baseline = String::from("#![allow(warnings)]\n");
    for case in cases {
        for (side, old_code, new_code, calling) in &case.sides {
            let pkg = package(&case.name, *side);
            members.push(format!("\"{pkg}\""));
            // the old calling code against the new crate
            write(&dir.join(&pkg).join("Cargo.toml"), &package_manifest(&pkg));
            write(
                &dir.join(&pkg).join("src/lib.rs"),
                &format!("#![allow(warnings)]\nmod {};\n{calling}", side.module()),
            );
            write(&dir.join(&pkg).join(format!("src/{}.rs", side.module())), new_code);
            // and against the old one
            let module = pkg.replace('-', "_");
            let _ = writeln!(baseline, "mod {module};");
            write(
                &dir.join("baseline/src").join(&module).join("mod.rs"),
                &format!("mod {};\n{calling}", side.module()),
            );
            write(&dir.join("baseline/src").join(&module).join(format!("{}.rs", side.module())), old_code);
        }
    }
    write(&dir.join("baseline/Cargo.toml"), &package_manifest("baseline"));
    write(&dir.join("baseline/src/lib.rs"), &baseline);
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "# Written by xtask/tests/breaking_compiles.rs\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n\
             [profile.dev]\ndebug = false\n\n{}",
            members.join(", "),
            workspace_dependencies(&root)
        ),
    );
    // the versions this workspace builds with (cargo drops what the scratch
    // workspace does not use), so that a run needs no network
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// `cargo check` of the whole scratch workspace: each package's errors, as
/// rustc renders them.
fn check(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--workspace", "--keep-going", "--offline", "--message-format=json"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut checked = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let target = message["target"]["name"].as_str().unwrap_or_default().replace('_', "-");
        match message["reason"].as_str() {
            Some("compiler-message") if message["message"]["level"] == "error" => {
                let rendered = message["message"]["rendered"].as_str().unwrap_or_default();
                errors.entry(target).or_default().push(rendered.to_string());
            }
            Some("compiler-artifact") => {
                checked.insert(target);
            }
            _ => {}
        }
    }
    if !output.status.success() && errors.is_empty() {
        panic!("cargo check failed without compiler errors:\n{}", String::from_utf8_lossy(&output.stderr));
    }
    assert!(
        checked.contains("baseline") || errors.contains_key("baseline"),
        "cargo check did not check the baseline:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    errors
}

#[test]
fn old_calling_code_compiles_against_new_crates_as_claimed() {
    let cases = cases();
    assert!(cases.len() >= 14, "{}", cases.len());
    let dir = scratch_workspace(&cases);
    let errors = check(&dir);
    if let Some(baseline) = errors.get("baseline") {
        panic!(
            "the generated calling code does not compile against the crates it was generated from \
             ({}):\n{}",
            dir.join("baseline").display(),
            baseline.join("\n")
        );
    }
    let mut table = String::new();
    let mut disagreements = String::new();
    for case in &cases {
        for (side, ..) in &case.sides {
            let pkg = package(&case.name, *side);
            let failed = errors.get(&pkg);
            let claimed = case.claims.contains(&side.axis());
            let _ = writeln!(
                table,
                "{pkg:45} claimed {:5} compiles {}",
                if claimed { "break" } else { "-" },
                failed.is_none()
            );
            if claimed != failed.is_some() {
                let _ = writeln!(
                    disagreements,
                    "{}: `cargo xtask diff` {} `{}`, and the old calling code {} against the new crate ({})",
                    case.name,
                    if claimed { "claims" } else { "does not claim" },
                    side.axis(),
                    if failed.is_some() { "fails to compile" } else { "compiles" },
                    dir.join(&pkg).display()
                );
                for e in failed.into_iter().flatten().take(3) {
                    let _ = writeln!(disagreements, "{e}");
                }
            }
        }
    }
    eprintln!("{table}");
    assert!(disagreements.is_empty(), "the source claims and the compiler disagree:\n{disagreements}");
}

/// The old calling code, generated from the old generated code (parsed with
/// syn): what a user of the old crate wrote.
mod calls {
    use std::collections::{BTreeMap, BTreeSet};

    use proc_macro2::TokenStream;
    use quote::{format_ident, quote};
    use syn::visit_mut::VisitMut;
    use syn::{Fields, GenericArgument, Item, PathArguments, ReturnType, Type, TypePath};

    use super::Side;

    /// A struct or an enum of the generated code, by its path from the
    /// generated module (`types::Item`, `ReadItemPath`).
    enum Def {
        Struct(syn::ItemStruct),
        Enum(syn::ItemEnum),
    }

    struct Code {
        /// `self::client` or `self::api`: how the calling code names the
        /// generated module.
        prefix: String,
        defs: BTreeMap<String, Def>,
        /// Every inherent `impl` block, by the module path of its self type.
        impls: Vec<(String, syn::ItemImpl)>,
        /// The trait of the server, at the module's root.
        traits: Vec<syn::ItemTrait>,
        /// Names the module's root re-exports (`ResponseValue`, `ByteStream`).
        reexports: BTreeSet<String>,
    }

    impl Code {
        fn parse(side: Side, text: &str) -> Result<Code, String> {
            let file = syn::parse_file(text).map_err(|e| e.to_string())?;
            let mut code = Code {
                prefix: format!("self::{}", side.module()),
                defs: BTreeMap::new(),
                impls: Vec::new(),
                traits: Vec::new(),
                reexports: BTreeSet::new(),
            };
            code.collect("", &file.items);
            Ok(code)
        }

        fn collect(&mut self, module: &str, items: &[Item]) {
            let join = |name: String| if module.is_empty() { name } else { format!("{module}::{name}") };
            for item in items {
                match item {
                    Item::Struct(s) => {
                        self.defs.insert(join(s.ident.to_string()), Def::Struct(s.clone()));
                    }
                    Item::Enum(e) => {
                        self.defs.insert(join(e.ident.to_string()), Def::Enum(e.clone()));
                    }
                    Item::Impl(i) if i.trait_.is_none() => self.impls.push((module.to_string(), i.clone())),
                    Item::Trait(t) if module.is_empty() => self.traits.push(t.clone()),
                    Item::Use(u) if module.is_empty() && matches!(u.vis, syn::Visibility::Public(_)) => {
                        let syn::UseTree::Path(p) = &u.tree else { continue };
                        if let syn::UseTree::Group(g) = &*p.tree {
                            for t in &g.items {
                                if let syn::UseTree::Name(n) = t {
                                    self.reexports.insert(n.ident.to_string());
                                }
                            }
                        }
                    }
                    Item::Mod(m) => {
                        if let Some((_, items)) = &m.content {
                            self.collect(&join(m.ident.to_string()), items);
                        }
                    }
                    _ => {}
                }
            }
        }

        /// The generated item a path names from `module`, if any.
        fn resolve(&self, module: &str, path: &syn::Path) -> Option<String> {
            if path.leading_colon.is_some() {
                return None;
            }
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
            let mut rest = segments.as_slice();
            while let Some(first) = rest.first() {
                match first.as_str() {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            let candidates =
                [base.iter().map(|s| s.to_string()).chain(rest.iter().cloned()).collect::<Vec<_>>(), rest.to_vec()];
            if let [name] = rest
                && self.reexports.contains(name)
                && !self.defs.contains_key(name)
            {
                return Some(name.clone());
            }
            candidates.into_iter().map(|c| c.join("::")).find(|c| self.defs.contains_key(c))
        }

        /// `ty` written from the calling code: generated items by their full
        /// path through the generated module.
        fn absolute(&self, module: &str, ty: &Type) -> Type {
            struct Rewrite<'a>(&'a Code, &'a str);
            impl VisitMut for Rewrite<'_> {
                fn visit_type_path_mut(&mut self, tp: &mut TypePath) {
                    syn::visit_mut::visit_type_path_mut(self, tp);
                    if tp.qself.is_none()
                        && let Some(key) = self.0.resolve(self.1, &tp.path)
                    {
                        let args = tp.path.segments.last().unwrap().arguments.clone();
                        let mut path: syn::Path = syn::parse_str(&format!("{}::{key}", self.0.prefix)).unwrap();
                        path.segments.last_mut().unwrap().arguments = args;
                        tp.path = path;
                    }
                }
            }
            let mut ty = ty.clone();
            Rewrite(self, module).visit_type_mut(&mut ty);
            ty
        }

        /// The generated item an absolute type names.
        fn def_of(&self, ty: &Type) -> Option<(&str, &Def)> {
            let Type::Path(tp) = ty else { return None };
            let text = quote!(#tp).to_string().replace(' ', "");
            let key = text.strip_prefix(&format!("{}::", self.prefix))?;
            self.defs.get_key_value(key).map(|(k, d)| (k.as_str(), d))
        }

        /// The module of a definition's key.
        fn module_of(key: &str) -> &str {
            key.rsplit_once("::").map(|(m, _)| m).unwrap_or("")
        }

        /// The field types of a struct (absolute), by name or position.
        fn fields(&self, key: &str, fields: &Fields) -> Vec<(Option<syn::Ident>, bool, Type)> {
            fields
                .iter()
                .map(|f| {
                    (
                        f.ident.clone(),
                        matches!(f.vis, syn::Visibility::Public(_)),
                        self.absolute(Self::module_of(key), &f.ty),
                    )
                })
                .collect()
        }

        /// The setters of a builder: `fn name<V>(self, value: V) where V:
        /// TryInto<T>` → (name, T absolute), in `module`'s impl of `ty`.
        fn setters(&self, module: &str, ty: &str) -> Vec<(syn::Ident, Type)> {
            let mut out = Vec::new();
            for (m, imp) in &self.impls {
                let Type::Path(self_ty) = &*imp.self_ty else { continue };
                if m != module || self_ty.path.segments.last().unwrap().ident != ty {
                    continue;
                }
                for item in &imp.items {
                    let syn::ImplItem::Fn(f) = item else { continue };
                    if matches!(f.sig.inputs.first(), Some(syn::FnArg::Receiver(_)))
                        && f.sig.inputs.len() == 2
                        && let Some(target) = try_into_target(&f.sig)
                    {
                        out.push((f.sig.ident.clone(), self.absolute(m, &target)));
                    }
                }
            }
            out
        }
    }

    /// `T` of a `V: TryInto<T>` bound of a method.
    fn try_into_target(sig: &syn::Signature) -> Option<Type> {
        let bounds = sig
            .generics
            .params
            .iter()
            .filter_map(|p| match p {
                syn::GenericParam::Type(t) => Some(t.bounds.iter().collect::<Vec<_>>()),
                _ => None,
            })
            .chain(sig.generics.where_clause.iter().flat_map(|w| {
                w.predicates.iter().filter_map(|p| match p {
                    syn::WherePredicate::Type(t) => Some(t.bounds.iter().collect()),
                    _ => None,
                })
            }))
            .flatten();
        for bound in bounds {
            let syn::TypeParamBound::Trait(t) = bound else { continue };
            let last = t.path.segments.last()?;
            if last.ident == "TryInto"
                && let PathArguments::AngleBracketed(args) = &last.arguments
                && let Some(GenericArgument::Type(target)) = args.args.first()
            {
                return Some(target.clone());
            }
        }
        None
    }

    /// The type arguments of a path type's last segment, and its name.
    fn args_of(ty: &Type) -> Option<(String, Vec<Type>)> {
        let Type::Path(tp) = ty else { return None };
        let last = tp.path.segments.last()?;
        let args = match &last.arguments {
            PathArguments::AngleBracketed(a) => a
                .args
                .iter()
                .filter_map(|a| match a {
                    GenericArgument::Type(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Some((last.ident.to_string(), args))
    }

    /// A Rust identifier for a definition's key.
    fn mangle(key: &str) -> String {
        key.replace("::", "_")
    }

    /// The generated types reachable from `roots` (fields, variants, type
    /// arguments), by key.
    fn reachable(code: &Code, roots: &[Type]) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<Type> = roots.to_vec();
        while let Some(ty) = todo.pop() {
            if let Some((key, def)) = code.def_of(&ty) {
                if !seen.insert(key.to_string()) {
                    continue;
                }
                match def {
                    Def::Struct(s) => todo.extend(code.fields(key, &s.fields).into_iter().map(|f| f.2)),
                    Def::Enum(e) => {
                        for v in &e.variants {
                            todo.extend(code.fields(key, &v.fields).into_iter().map(|f| f.2));
                        }
                    }
                }
            }
            match &ty {
                Type::Tuple(t) => todo.extend(t.elems.iter().cloned()),
                Type::Reference(r) => todo.push((*r.elem).clone()),
                _ => {
                    if let Some((_, args)) = args_of(&ty) {
                        todo.extend(args);
                    }
                }
            }
        }
        seen
    }

    /// Where a value is written: passed straight to a builder's setter
    /// (`TryInto<T>`: a typify builder will do), or anywhere else.
    #[derive(Clone, Copy, PartialEq)]
    enum Place {
        Setter,
        Nested,
    }

    struct Gen<'a> {
        code: &'a Code,
        side: Side,
    }

    impl Gen<'_> {
        /// An expression of type `ty`, as a user writes it: typed, so that
        /// a changed type does not compile (`Default::default()` for a leaf,
        /// with the type named).
        fn value(&self, ty: &Type, place: Place, depth: usize) -> TokenStream {
            if let Type::Tuple(t) = ty {
                let elems = t.elems.iter().map(|e| self.value(e, Place::Nested, depth + 1));
                return quote!((#(#elems,)*));
            }
            if let Some((key, def)) = self.code.def_of(ty) {
                return match def {
                    Def::Struct(s) => self.struct_value(ty, key, s, place, depth),
                    Def::Enum(e) => {
                        let v = &e.variants[0];
                        self.variant(ty, key, v, depth)
                    }
                };
            }
            let Some((name, args)) = args_of(ty) else { return quote!(<#ty as ::std::default::Default>::default()) };
            let deep = depth > 4;
            match (name.as_str(), args.as_slice()) {
                ("Option", [inner]) if deep => quote!(::std::option::Option::<#inner>::None),
                ("Option", [inner]) => {
                    let v = self.value(inner, Place::Nested, depth + 1);
                    quote!(::std::option::Option::Some(#v))
                }
                ("Vec", [inner]) if deep => quote!(::std::vec::Vec::<#inner>::new()),
                ("Vec", [inner]) => {
                    let v = self.value(inner, Place::Nested, depth + 1);
                    quote!(::std::vec![#v])
                }
                ("Box", [inner]) => {
                    let v = self.value(inner, Place::Nested, depth + 1);
                    quote!(::std::boxed::Box::new(#v))
                }
                ("HashMap" | "BTreeMap" | "Map" | "IndexMap", [k, v]) if !deep => {
                    let (k, v) = (self.value(k, Place::Nested, depth + 1), self.value(v, Place::Nested, depth + 1));
                    quote!(<#ty as ::std::iter::FromIterator<_>>::from_iter([(#k, #v)]))
                }
                (n, [inner]) if n.starts_with("HttpResponse") => {
                    let v = self.value(inner, Place::Nested, depth + 1);
                    let Type::Path(tp) = ty else { unreachable!() };
                    let mut path = tp.path.clone();
                    path.segments.last_mut().unwrap().arguments = PathArguments::None;
                    quote!(#path(#v))
                }
                (n, []) if n.starts_with("HttpResponse") => quote!(#ty()),
                _ => quote!(<#ty as ::std::default::Default>::default()),
            }
        }

        fn struct_value(&self, ty: &Type, key: &str, s: &syn::ItemStruct, place: Place, depth: usize) -> TokenStream {
            let fields = self.code.fields(key, &s.fields);
            let has_builder = self.side == Side::Client
                && !self.code.setters(&format!("{}::builder", Code::module_of(key)), &s.ident.to_string()).is_empty();
            if has_builder {
                // typify's builder: what the README and this workspace's tests use
                let setters = self.code.setters(&format!("{}::builder", Code::module_of(key)), &s.ident.to_string());
                let calls = setters.iter().map(|(name, t)| {
                    let v = self.value(t, Place::Setter, depth + 1);
                    quote!(.#name(#v))
                });
                let builder = quote!(#ty::builder() #(#calls)*);
                return if place == Place::Setter {
                    builder
                } else {
                    quote!(<#ty as ::std::convert::TryFrom<_>>::try_from(#builder).unwrap())
                };
            }
            match &s.fields {
                Fields::Named(_) if fields.iter().all(|f| f.1) => {
                    let inits = fields.iter().map(|(name, _, t)| {
                        let v = self.value(t, Place::Nested, depth + 1);
                        quote!(#name: #v)
                    });
                    quote!(#ty { #(#inits,)* })
                }
                Fields::Unnamed(_) if fields.iter().all(|f| f.1) => {
                    let inits = fields.iter().map(|(_, _, t)| self.value(t, Place::Nested, depth + 1));
                    quote!(#ty(#(#inits,)*))
                }
                Fields::Unit => quote!(#ty),
                // private fields: only serde makes one
                _ => quote!(::serde_json::from_value::<#ty>(::serde_json::Value::Null).unwrap()),
            }
        }

        fn variant(&self, ty: &Type, key: &str, v: &syn::Variant, depth: usize) -> TokenStream {
            let name = &v.ident;
            let fields = self.code.fields(key, &v.fields);
            match &v.fields {
                Fields::Unit => quote!(#ty::#name),
                Fields::Unnamed(_) => {
                    let vs = fields.iter().map(|(_, _, t)| self.value(t, Place::Nested, depth + 1));
                    quote!(#ty::#name(#(#vs,)*))
                }
                Fields::Named(_) => {
                    let vs = fields.iter().map(|(n, _, t)| {
                        let v = self.value(t, Place::Nested, depth + 1);
                        quote!(#n: #v)
                    });
                    quote!(#ty::#name { #(#vs,)* })
                }
            }
        }

        /// Statements that read `expr` (a reference to a `ty`) as a user
        /// does: at its type, into every field, every enum matched.
        fn read(&self, ty: &Type, expr: TokenStream, depth: usize) -> TokenStream {
            let x = format_ident!("x{depth}");
            let mut out = quote!(let _: &#ty = #expr;);
            if let Some((key, _)) = self.code.def_of(ty) {
                let f = format_ident!("read_{}", mangle(key));
                out.extend(quote!(#f(#expr);));
                return out;
            }
            let Some((name, args)) = args_of(ty) else { return out };
            let inner = match (name.as_str(), args.as_slice()) {
                ("Option", [inner]) => {
                    let r = self.read(inner, quote!(#x), depth + 1);
                    quote!(if let ::std::option::Option::Some(#x) = #expr { #r })
                }
                ("Vec", [inner]) => {
                    let r = self.read(inner, quote!(#x), depth + 1);
                    quote!(for #x in #expr { #r })
                }
                ("Box", [inner]) => self.read(inner, quote!(&**#expr), depth + 1),
                ("HashMap" | "BTreeMap" | "Map" | "IndexMap", [_, v]) => {
                    let r = self.read(v, quote!(#x), depth + 1);
                    quote!(for #x in (#expr).values() { #r })
                }
                _ => quote!(),
            };
            out.extend(inner);
            out
        }

        /// `fn read_<T>(v: &T)` for each generated type in `keys`.
        fn readers(&self, keys: &BTreeSet<String>) -> TokenStream {
            let mut out = TokenStream::new();
            for key in keys {
                let ty: Type = syn::parse_str(&format!("{}::{key}", self.code.prefix)).unwrap();
                let f = format_ident!("read_{}", mangle(key));
                let body = match &self.code.defs[key] {
                    Def::Struct(s) => {
                        let fields = self.code.fields(key, &s.fields);
                        let reads = fields.iter().enumerate().filter(|f| f.1.1).map(|(i, (name, _, t))| {
                            let member = match name {
                                Some(n) => quote!(#n),
                                None => {
                                    let i = syn::Index::from(i);
                                    quote!(#i)
                                }
                            };
                            let r = self.read(t, quote!(&v.#member), 1);
                            quote!({ #r })
                        });
                        quote!(#(#reads)*)
                    }
                    Def::Enum(e) => {
                        // every variant, no wildcard: the exhaustive match
                        let arms = e.variants.iter().map(|v| {
                            let name = &v.ident;
                            let fields = self.code.fields(key, &v.fields);
                            let binds: Vec<_> = (0..fields.len()).map(|i| format_ident!("f{i}")).collect();
                            let reads = fields.iter().zip(&binds).map(|((_, _, t), b)| self.read(t, quote!(#b), 1));
                            let pattern = match &v.fields {
                                Fields::Unit => quote!(#ty::#name),
                                Fields::Unnamed(_) => quote!(#ty::#name(#(#binds),*)),
                                Fields::Named(_) => {
                                    let names = fields.iter().map(|f| f.0.clone().unwrap());
                                    quote!(#ty::#name { #(#names: #binds),* })
                                }
                            };
                            quote!(#pattern => { #(#reads)* })
                        });
                        quote!(match v { #(#arms)* })
                    }
                };
                out.extend(quote!(pub fn #f(v: &#ty) { #body }));
            }
            out
        }

        /// `fn all_<E>() -> Vec<E>`: every variant of each enum in `keys`.
        fn constructors(&self, keys: &BTreeSet<String>) -> TokenStream {
            let mut out = TokenStream::new();
            for key in keys {
                let Def::Enum(e) = &self.code.defs[key] else { continue };
                let ty: Type = syn::parse_str(&format!("{}::{key}", self.code.prefix)).unwrap();
                let f = format_ident!("all_{}", mangle(key));
                let values = e.variants.iter().map(|v| self.variant(&ty, key, v, 1));
                out.extend(quote!(pub fn #f() -> ::std::vec::Vec<#ty> { ::std::vec![#(#values),*] }));
            }
            out
        }
    }

    pub(super) fn generate(side: Side, old: &str) -> Result<String, String> {
        let code = Code::parse(side, old)?;
        let writer = Gen { code: &code, side };
        let (functions, requests, responses) = match side {
            Side::Client => client(&writer),
            Side::Server => server(&writer)?,
        };
        let (read, make) = match side {
            Side::Client => (responses, requests),
            Side::Server => (requests, responses),
        };
        let readers = writer.readers(&reachable(&code, &read));
        let constructors = writer.constructors(&reachable(&code, &make));
        let file: syn::File = syn::parse2(quote!(#functions #readers #constructors)).map_err(|e| e.to_string())?;
        Ok(prettyplease::unparse(&file))
    }

    /// A function per operation calling its builder; the types sent and
    /// the types answered.
    fn client(writer: &Gen<'_>) -> (TokenStream, Vec<Type>, Vec<Type>) {
        let code = writer.code;
        let prefix: syn::Path = syn::parse_str(&code.prefix).unwrap();
        let (mut out, mut requests, mut responses) = (TokenStream::new(), Vec::new(), Vec::new());
        for (module, imp) in &code.impls {
            let Type::Path(self_ty) = &*imp.self_ty else { continue };
            if !module.is_empty() || self_ty.path.segments.last().unwrap().ident != "Client" {
                continue;
            }
            for item in &imp.items {
                let syn::ImplItem::Fn(f) = item else { continue };
                let ReturnType::Type(_, ret) = &f.sig.output else { continue };
                let Type::Path(ret) = &**ret else { continue };
                let segments: Vec<_> = ret.path.segments.iter().map(|s| s.ident.to_string()).collect();
                let [first, builder] = segments.as_slice() else { continue };
                if first != "builder" || f.sig.inputs.len() != 1 {
                    continue;
                }
                let method = &f.sig.ident;
                let setters = code.setters("builder", builder).into_iter().map(|(name, t)| {
                    requests.push(t.clone());
                    let v = writer.value(&t, Place::Setter, 0);
                    quote!(.#name(#v))
                });
                let setters: Vec<_> = setters.collect();
                // Result<ResponseValue<T>, Error<E>>
                let send = code.impls.iter().filter(|(m, i)| m == "builder" && matches!(&*i.self_ty, Type::Path(p) if p.path.segments.last().unwrap().ident == builder.as_str())).flat_map(|(_, i)| &i.items).find_map(|i| match i {
                    syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f.sig.output.clone()),
                    _ => None,
                });
                let Some(ReturnType::Type(_, result)) = send else { continue };
                let result = code.absolute("builder", &result);
                let Some((_, ok_err)) = args_of(&result) else { continue };
                let [ok, err] = ok_err.as_slice() else { continue };
                let success =
                    args_of(ok).and_then(|(_, a)| a.into_iter().next()).unwrap_or_else(|| syn::parse_quote!(()));
                let error = args_of(err).and_then(|(_, a)| a.into_iter().next());
                responses.push(success.clone());
                let read = writer.read(&success, quote!(&value), 0);
                let read_error = error.map(|e| {
                    responses.push(e.clone());
                    let r = writer.read(&e, quote!(&value), 0);
                    quote!(::std::result::Result::Err(#prefix::Error::ErrorResponse(response)) => { let value = response.into_inner(); #r })
                });
                let name = format_ident!("call_{method}");
                out.extend(quote! {
                    pub async fn #name(client: &#prefix::Client) {
                        match client.#method() #(#setters)* .send().await {
                            ::std::result::Result::Ok(response) => { let value = response.into_inner(); #read }
                            #read_error
                            ::std::result::Result::Err(_) => {}
                        }
                    }
                });
            }
        }
        (out, requests, responses)
    }

    /// An implementation of the server trait: every method with its old
    /// signature, reading what it is given and answering its success type.
    fn server(writer: &Gen<'_>) -> Result<(TokenStream, Vec<Type>, Vec<Type>), String> {
        let code = writer.code;
        let [api] = code.traits.as_slice() else { return Err(format!("{} traits", code.traits.len())) };
        let trait_path: syn::Path = syn::parse_str(&format!("{}::{}", code.prefix, api.ident)).unwrap();
        let (mut methods, mut requests, mut responses) = (TokenStream::new(), Vec::new(), Vec::new());
        for item in &api.items {
            let syn::TraitItem::Fn(f) = item else { continue };
            let mut sig = f.sig.clone();
            let mut reads = Vec::new();
            for input in sig.inputs.iter_mut() {
                let syn::FnArg::Typed(arg) = input else { continue };
                *arg.ty = code.absolute("", &arg.ty);
                let syn::Pat::Ident(name) = &*arg.pat else { continue };
                let name = &name.ident;
                match args_of(&arg.ty) {
                    Some((n, args)) if n != "RequestContext" && args.len() == 1 => {
                        let t = &args[0];
                        requests.push(t.clone());
                        let r = writer.read(t, quote!(&value), 0);
                        reads.push(quote!({ let value: #t = #name.into_inner(); #r }));
                    }
                    _ => reads.push(quote!(let _ = #name;)),
                }
            }
            let ReturnType::Type(_, ret) = &mut sig.output else { continue };
            **ret = code.absolute("", ret);
            let Some((_, ok_err)) = args_of(ret) else { continue };
            let ok = ok_err[0].clone();
            responses.push(ok.clone());
            let value = writer.value(&ok, Place::Nested, 0);
            methods.extend(quote!(#sig { #(#reads)* ::std::result::Result::Ok(#value) }));
        }
        let out = quote! {
            pub enum OldImpl {}
            impl #trait_path for OldImpl {
                type Context = ();
                #methods
            }
        };
        Ok((out, requests, responses))
    }
}
