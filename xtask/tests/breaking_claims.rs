//! The claims of `cargo xtask diff`, proved for every case of the
//! breaking-change corpus (`tests/breaking/<case>/`):
//!
//! - the source axes by the compiler: the client and the server API are
//!   generated from `old.json` and from `new.json`, calling code is
//!   generated from the old crates ([`calls`]), and `cargo check` compiles
//!   that old calling code against the new crates. The case's findings must
//!   say `client source` exactly when the old client calling code fails to
//!   compile, and `server source` exactly when the old implementation of the
//!   server trait does
//!   ([`old_calling_code_compiles_against_new_crates_as_claimed`]);
//! - the wire axes against FastAPI: the case's old and new apps
//!   (`make_cases.py serve`) under uvicorn, the old client calling the new
//!   service and the new client the old one, with the same calling code run
//!   ([`old_clients_talk_to_new_services_as_claimed`]).
//!
//! The calling code is the most exposed *realistic* user, written
//! mechanically from the old generated code (see [`calls`] for each choice):
//!
//! - client: every operation's builder with every parameter set, and the
//!   body built with typify's builder (`types::X::builder().field(v)`), as
//!   the README and this workspace's own tests do (optional setters only in
//!   the wire test's full mode); every field of every success response
//!   taken at its type by value (a reference would let a newtype pass for
//!   the type it derefs to), every response enum matched
//!   exhaustively without a wildcard (the catch-all `Unknown(..)` is one
//!   more arm); every value of every request enum constructed;
//! - server: the old trait implemented, every method with its old
//!   signature; every field of every parameter struct and request body
//!   taken at its type, request enums matched exhaustively; the answer built with
//!   struct literals (the API crate has no builders), every variant of
//!   every response enum constructed.
//!
//! The old calling code must first compile against the old crates (one
//! `baseline` crate holds all of them), or the generated calling code is
//! wrong and the test says so.
//!
//! All of it is one scratch workspace under `CARGO_TARGET_TMPDIR`
//! (`target/tmp/breaking-claims/`), one package per case and side, with
//! its own target directory: its dependencies (reqwest, dropshot, …, the
//! versions of this workspace's `Cargo.lock`) build once, the first time
//! (about 2 minutes on 2 cores), and a run after that checks the 37 small
//! crates in one `cargo check --keep-going` (5–10 s after a change of the
//! generator, nothing when nothing changed); the wire test's runner, `wire`,
//! is one more package, built (not only checked) with every client. Each
//! package's errors come from cargo's JSON messages. It runs offline: the
//! dependencies are a subset of this workspace's, which `cargo test` has
//! already fetched.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use xtask::breaking::{Axis, compare};
use xtask::spec::{Spec, Workspace};
use xtask::testing::Service;

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
    /// The operations (Rust method names) each axis's findings reach.
    reaches: BTreeMap<Axis, BTreeSet<String>>,
    /// (side, old generated code, new generated code, old calling code)
    sides: Vec<(Side, String, String, String)>,
    /// The calling code of the new client (for the wire test's new client
    /// against the old service).
    new_client_calls: String,
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
            let findings = compare(&old_value, &new_value, &Default::default(), &[]);
            let claims = findings.iter().flat_map(|f| f.axes.iter().copied()).collect();
            let mut reaches: BTreeMap<Axis, BTreeSet<String>> = BTreeMap::new();
            for f in &findings {
                for axis in &f.axes {
                    reaches.entry(*axis).or_default().extend(f.operations.iter().map(|o| o.1.clone()));
                }
            }
            let sides: Vec<(Side, String, String, String)> = [Side::Client, Side::Server]
                .into_iter()
                .map(|side| {
                    let (old_code, new_code) = (side.generate(&old), side.generate(&new));
                    let calling = calls::generate(side, &old_code).unwrap_or_else(|e| panic!("{name}: {e}"));
                    (side, old_code, new_code, calling)
                })
                .collect();
            let new_client_calls = calls::generate(Side::Client, &sides[0].2).unwrap_or_else(|e| panic!("{name}: {e}"));
            Case { name, claims, reaches, sides, new_client_calls }
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

/// The start of the wire test's runner (`wire/src/main.rs`); its `run`
/// calls every case's `call_all` in every mode, with each client against
/// each service.
const WIRE_MAIN: &str = r#"//! Written by xtask/tests/breaking_claims.rs: every case's old and new
//! client call the case's old and new service; one JSON line per call.
#![allow(warnings)]

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base = std::env::args().nth(1).expect("the services' base URL");
    run(&base).await;
}

/// The minimal request (optional parameters and fields unset) and the full
/// one, with each enum value in turn.
fn modes(variants: usize) -> Vec<(bool, usize)> {
    (0..variants).flat_map(|v| [(false, v), (true, v)]).collect()
}

fn report(case: &str, client: &str, service: &str, mode: (bool, usize), outcomes: Vec<(&str, Result<(u16, String), String>)>) {
    for (operation, outcome) in outcomes {
        let line = serde_json::json!({
            "case": case, "client": client, "service": service, "full": mode.0, "variant": mode.1,
            "operation": operation,
            "ok": outcome.as_ref().ok(), "error": outcome.as_ref().err(),
        });
        println!("{line}");
    }
}

"#;

/// This workspace's `[workspace.dependencies]` entries for [`DEPS`], with
/// path dependencies made absolute, as a `[workspace.dependencies]` table.
fn workspace_dependencies(root: &Path) -> String {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    let deps = manifest["workspace"]["dependencies"].as_table().unwrap();
    let mut out = toml::Table::new();
    let mut workspace = toml::Table::new();
    let mut dependencies = toml::Table::new();
    for name in DEPS.iter().chain(&["tokio"]) {
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
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("breaking-claims");
    let mut members = vec!["\"baseline\"".to_string()];
    let mut baseline = String::from("#![allow(warnings)]\n");
    for case in cases {
        for (side, old_code, new_code, calling) in &case.sides {
            let pkg = package(&case.name, *side);
            members.push(format!("\"{pkg}\""));
            // the old calling code against the new crate, a crate of its own
            // as a user's dependency is (`#[non_exhaustive]` binds only
            // other crates)
            let generated = format!("{pkg}-new");
            members.push(format!("\"{generated}\""));
            write(&dir.join(&generated).join("Cargo.toml"), &package_manifest(&generated));
            write(&dir.join(&generated).join("src/lib.rs"), &format!("#![allow(warnings)]\n{new_code}"));
            write(
                &dir.join(&pkg).join("Cargo.toml"),
                &format!("{}{generated} = {{ path = \"../{generated}\" }}\n", package_manifest(&pkg)),
            );
            write(
                &dir.join(&pkg).join("src/lib.rs"),
                &format!(
                    "#![allow(warnings)]\nmod {} {{\n    pub use {}::*;\n}}\n{calling}",
                    side.module(),
                    generated.replace('-', "_")
                ),
            );
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
    // the wire test's runner: every case's old and new client, each with
    // the calling code generated from it
    let mut wire = String::from(WIRE_MAIN);
    for (version, index) in [("old", 1), ("new", 2)] {
        let _ = writeln!(wire, "mod {version} {{");
        for case in cases {
            let (_, old_code, new_code, old_calls) = &case.sides[0];
            let (code, calling) = if index == 1 { (old_code, old_calls) } else { (new_code, &case.new_client_calls) };
            let module = case.name.replace('-', "_");
            let _ = writeln!(wire, "    pub mod {module};");
            let at = dir.join("wire/src").join(version).join(&module);
            write(&at.join("mod.rs"), &format!("pub mod client;\n{calling}"));
            write(&at.join("client.rs"), code);
        }
        let _ = writeln!(wire, "}}");
    }
    let _ = writeln!(wire, "async fn run(base: &str) {{");
    for case in cases {
        let module = case.name.replace('-', "_");
        for client in ["old", "new"] {
            for service in ["old", "new"] {
                let _ = writeln!(
                    wire,
                    "    let client = {client}::{module}::authenticate(&{client}::{module}::client::Client::new(&format!(\"{{base}}/{}/{service}\")));\n    \
                     for mode in modes({client}::{module}::VARIANTS) {{\n        \
                     report(\"{}\", \"{client}\", \"{service}\", mode, {client}::{module}::call_all(&client, mode).await);\n    }}",
                    case.name, case.name
                );
            }
        }
    }
    let _ = writeln!(wire, "}}");
    members.push("\"wire\"".into());
    write(&dir.join("wire/Cargo.toml"), &format!("{}tokio.workspace = true\n", package_manifest("wire")));
    write(&dir.join("wire/src/main.rs"), &wire);
    write(&dir.join("baseline/Cargo.toml"), &package_manifest("baseline"));
    write(&dir.join("baseline/src/lib.rs"), &baseline);
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "# Written by xtask/tests/breaking_claims.rs\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n\
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

/// Runs cargo in the scratch workspace, with its own target directory.
fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

/// `cargo check` of the whole scratch workspace: each package's errors, as
/// rustc renders them.
fn check(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let output = cargo(
        dir,
        &["check", "--workspace", "--exclude", "wire", "--keep-going", "--offline", "--message-format=json"],
    );
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

/// The corpus and its scratch workspace, laid out once for both tests.
fn prepared() -> &'static (Vec<Case>, PathBuf) {
    static PREPARED: std::sync::OnceLock<(Vec<Case>, PathBuf)> = std::sync::OnceLock::new();
    PREPARED.get_or_init(|| {
        let cases = cases();
        assert!(cases.len() >= 30, "{}", cases.len());
        let dir = scratch_workspace(&cases);
        (cases, dir)
    })
}

#[test]
fn old_calling_code_compiles_against_new_crates_as_claimed() {
    let (cases, dir) = prepared();
    let errors = check(dir);
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
    for case in cases {
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

/// The corpus's services: every case's old and new FastAPI app, under
/// `/<case>/old` and `/<case>/new` of one uvicorn on 127.0.0.1
/// (`make_cases.py serve PORT`, through `scripts/fastapi-app`, which
/// installs the pinned venv the first time), supervised: it ends with this
/// value, and with the test process however that ends.
struct Services {
    service: Service,
    port: u16,
}

impl Services {
    fn start() -> Services {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("breaking-services-{port}.log"));
        let script = format!("{CORPUS}/make_cases.py");
        let service = Service::start("scripts/fastapi-app", &["python", &script, "serve", &port.to_string()], log);
        Services { service, port }
    }

    /// Waits until uvicorn listens (it binds once every app is built).
    fn wait(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(600);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            self.service.assert_running("the corpus's services");
            assert!(Instant::now() < deadline, "the corpus's services did not start in time");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Builds the wire test's runner (the scratch workspace's `wire`).
fn build_runner(dir: &Path) -> PathBuf {
    let output = cargo(dir, &["build", "-p", "wire", "--offline"]);
    assert!(
        output.status.success(),
        "the wire test's runner does not build ({}):\n{}",
        dir.join("wire").display(),
        String::from_utf8_lossy(&output.stderr)
    );
    dir.join("target/debug/wire")
}

/// One call of the runner: a client (`old` or `new`) against a service.
#[derive(serde::Deserialize)]
struct Call {
    case: String,
    client: String,
    service: String,
    full: bool,
    variant: usize,
    operation: String,
    /// (status, media type) of a success the client read
    ok: Option<(u16, String)>,
    error: Option<String>,
}

impl Call {
    fn mode(&self) -> String {
        format!("{} request, enum value {}", if self.full { "full" } else { "minimal" }, self.variant)
    }
}

/// The wire claims of `cargo xtask diff`, tested against FastAPI: every
/// case's old client calls the case's new service (client wire) and its new
/// client the old service (server wire). Each client makes every call of
/// its spec, twice (the minimal request, with only what is required, and
/// the full one), once for each value of its request enums (see
/// [`calls`]), and reads every answer into its types.
///
/// A side breaks when one of its calls fails (refused, an undocumented
/// status, a body its types cannot read) or is answered in another media
/// type than the same call gets from the service the client was generated
/// from. Against its own service, every call of each client must succeed,
/// or the corpus's app or the calling code is wrong. The case's findings
/// must claim `client wire` exactly when the old client breaks, and
/// `server wire` exactly when the new client does; the failing operations
/// must be among those the findings of that axis reach.
#[test]
fn old_clients_talk_to_new_services_as_claimed() {
    let (cases, dir) = prepared();
    let mut services = Services::start();
    let runner = build_runner(dir);
    services.wait();
    let output = Command::new(&runner).arg(format!("http://127.0.0.1:{}", services.port)).output().unwrap();
    assert!(output.status.success(), "{}:\n{}", runner.display(), String::from_utf8_lossy(&output.stderr));
    let calls: Vec<Call> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let mut table = String::new();
    let mut wrong = String::new();
    for case in cases {
        let of = |client: &str, service: &str| -> Vec<&Call> {
            calls.iter().filter(|c| c.case == case.name && c.client == client && c.service == service).collect()
        };
        for version in ["old", "new"] {
            let own = of(version, version);
            assert!(!own.is_empty(), "{}: no calls of the {version} client", case.name);
            for c in own.iter().filter(|c| c.error.is_some()) {
                let _ = writeln!(
                    wrong,
                    "{}: the {version} client fails against its own service: {} ({}): {}",
                    case.name,
                    c.operation,
                    c.mode(),
                    c.error.as_deref().unwrap()
                );
            }
        }
        for (axis, client, service) in [(Axis::ClientWire, "old", "new"), (Axis::ServerWire, "new", "old")] {
            let own: BTreeMap<_, _> = of(client, client)
                .into_iter()
                .filter_map(|c| Some(((c.operation.as_str(), c.full, c.variant), c.ok.as_ref()?.1.as_str())))
                .collect();
            let failures: Vec<(&Call, String)> = of(client, service)
                .into_iter()
                .filter_map(|c| match (&c.ok, &c.error) {
                    (_, Some(e)) => Some((c, e.clone())),
                    (Some((_, media)), None) => {
                        let expected = own.get(&(c.operation.as_str(), c.full, c.variant)).copied().unwrap_or_default();
                        (media != expected)
                            .then(|| (c, format!("answered as `{media}`, where its own service answers `{expected}`")))
                    }
                    (None, None) => Some((c, "no outcome".into())),
                })
                .collect();
            let claimed = case.claims.contains(&axis);
            let _ = writeln!(
                table,
                "{:36} {:12} claimed {:5} {} of {} calls fail",
                case.name,
                axis.to_string(),
                if claimed { "break" } else { "-" },
                failures.len(),
                of(client, service).len()
            );
            let reached = case.reaches.get(&axis).cloned().unwrap_or_default();
            if claimed == failures.is_empty() {
                let _ = writeln!(
                    wrong,
                    "{}: `cargo xtask diff` {} `{axis}`, and the {client} client {} against the {service} service",
                    case.name,
                    if claimed { "claims" } else { "does not claim" },
                    if failures.is_empty() { "makes every call" } else { "fails" },
                );
            }
            for (c, why) in failures.iter().filter(|(c, _)| claimed && !reached.contains(&c.operation)) {
                let _ = writeln!(
                    wrong,
                    "{}: `{}` fails ({}), which no `{axis}` finding reaches: {why}",
                    case.name,
                    c.operation,
                    c.mode()
                );
            }
            for (c, why) in failures.iter().filter(|_| !claimed).take(3) {
                let _ = writeln!(wrong, "  {} ({}): {why}", c.operation, c.mode());
            }
        }
    }
    eprintln!("{table}");
    assert!(wrong.is_empty(), "the wire claims and the services disagree:\n{wrong}");
}

/// The old calling code, generated from the old generated code (parsed with
/// syn): what a user of the old crate wrote.
mod calls {
    use std::collections::{BTreeMap, BTreeSet};

    use proc_macro2::TokenStream;
    use quote::{ToTokens, format_ident, quote};
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
        /// The fields a builder starts without (`Err(..)` in its `new` or
        /// `default`), by (module, builder): its required setters.
        required: BTreeMap<(String, String), BTreeSet<String>>,
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
                required: BTreeMap::new(),
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
                    Item::Impl(i) => {
                        let default =
                            i.trait_.as_ref().is_some_and(|(p, _)| p.segments.last().unwrap().ident == "Default");
                        if i.trait_.is_none() || default {
                            self.record_required(module, i);
                        }
                        if i.trait_.is_none() {
                            self.impls.push((module.to_string(), i.clone()));
                        }
                    }
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

        /// A builder's required fields, from the `Self { .. }` of its `new`
        /// (progenitor) or `default` (typify): those it starts as `Err(..)`.
        fn record_required(&mut self, module: &str, imp: &syn::ItemImpl) {
            struct Inits(BTreeSet<String>);
            impl VisitMut for Inits {
                fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
                    for f in &e.fields {
                        if let (syn::Member::Named(name), syn::Expr::Call(call)) = (&f.member, &f.expr)
                            && matches!(&*call.func, syn::Expr::Path(p) if p.path.segments.last().unwrap().ident == "Err")
                        {
                            self.0.insert(name.to_string());
                        }
                    }
                }
            }
            let Type::Path(self_ty) = &*imp.self_ty else { return };
            let ty = self_ty.path.segments.last().unwrap().ident.to_string();
            for item in &imp.items {
                let syn::ImplItem::Fn(f) = item else { continue };
                if f.sig.ident == "new" || f.sig.ident == "default" {
                    let mut inits = Inits(BTreeSet::new());
                    inits.visit_block_mut(&mut f.block.clone());
                    self.required.entry((module.to_string(), ty.clone())).or_default().extend(inits.0);
                }
            }
        }

        /// The methods of the generated `Client` (its inherent impls at the
        /// module's root).
        fn client_methods(&self) -> impl Iterator<Item = &syn::ImplItemFn> {
            self.impls
                .iter()
                .filter(|(m, i)| {
                    m.is_empty()
                        && matches!(&*i.self_ty, Type::Path(p) if p.path.segments.last().unwrap().ident == "Client")
                })
                .flat_map(|(_, i)| &i.items)
                .filter_map(|item| match item {
                    syn::ImplItem::Fn(f) => Some(f),
                    _ => None,
                })
        }

        /// The required setters of a builder (see [`Code::record_required`]).
        fn required(&self, module: &str, ty: &str) -> BTreeSet<String> {
            self.required.get(&(module.to_string(), ty.to_string())).cloned().unwrap_or_default()
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

    /// `#recv.#name(#v)`, or for an optional setter, that only in the wire
    /// test's full mode (`mode.0`): the minimal request leaves it unset.
    fn optional_setter(recv: TokenStream, name: &syn::Ident, v: TokenStream, required: bool) -> TokenStream {
        if required { quote!(#recv.#name(#v)) } else { quote!(if mode.0 { #recv.#name(#v) } else { #recv }) }
    }

    /// The catch-all variant of a forward-compatible enum
    /// (`#[serde(untagged)] Unknown(String)`), which no request sends.
    fn is_catch_all(v: &syn::Variant) -> bool {
        v.attrs.iter().any(|a| a.path().is_ident("serde") && a.meta.to_token_stream().to_string().contains("untagged"))
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
                    // the server's answer: the first variant; the client's
                    // request: the `mode.1`-th known variant (the wire test
                    // sends each in turn), never the catch-all
                    Def::Enum(e) if self.side == Side::Client => {
                        let known = e.variants.iter().filter(|v| !is_catch_all(v));
                        let values: Vec<_> = known.map(|v| self.variant(ty, key, v, depth)).collect();
                        quote!({ let all: ::std::vec::Vec<#ty> = ::std::vec![#(#values),*]; all[mode.1 % all.len()].clone() })
                    }
                    Def::Enum(e) => self.variant(ty, key, &e.variants[0], depth),
                };
            }
            let Some((name, args)) = args_of(ty) else { return quote!(<#ty as ::std::default::Default>::default()) };
            let deep = depth > 4;
            match (name.as_str(), args.as_slice()) {
                // a request's strings: the shortest and the longest candidate
                ("String", []) if self.side == Side::Client => quote!({
                    let s: ::std::string::String = STRINGS[if mode.1 % 2 == 0 { 0 } else { STRINGS.len() - 1 }].into();
                    s
                }),
                (n, []) if n.starts_with("NonZero") => quote!(#ty::MIN),
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
            // typify's constrained string (`struct X(String)`, private,
            // `TryFrom<&str>`): the shortest or the longest candidate it takes
            if self.side == Side::Client
                && let [(None, false, inner)] = fields.as_slice()
                && quote!(#inner).to_string().replace(' ', "").ends_with("string::String")
            {
                return quote!({
                    let all: ::std::vec::Vec<#ty> = STRINGS
                        .iter()
                        .filter_map(|c| <#ty as ::std::convert::TryFrom<&str>>::try_from(*c).ok())
                        .collect();
                    (if mode.1 % 2 == 0 { all.first() } else { all.last() }).cloned().expect("a candidate string it takes")
                });
            }
            let has_builder = self.side == Side::Client
                && !self.code.setters(&format!("{}::builder", Code::module_of(key)), &s.ident.to_string()).is_empty();
            if has_builder {
                // typify's builder: what the README and this workspace's tests use
                let module = format!("{}::builder", Code::module_of(key));
                let setters = self.code.setters(&module, &s.ident.to_string());
                let required = self.code.required(&module, &s.ident.to_string());
                let calls = setters.iter().map(|(name, t)| {
                    let v = self.value(t, Place::Setter, depth + 1);
                    optional_setter(quote!(b), name, v, required.contains(&name.to_string()))
                });
                let builder = quote!({ let b = #ty::builder(); #(let b = #calls;)* b });
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
            // a field is taken by value (cloned), as code that moves it out
            // does: a reference would pass for a newtype that derefs to the
            // old type (typify's constrained strings deref to `String`)
            let mut out = if depth == 0 { quote!(let _: &#ty = #expr;) } else { quote!(let _: #ty = (#expr).clone();) };
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
                        // a `#[non_exhaustive]` enum of another crate needs a
                        // wildcard arm, as every user's match has
                        let wildcard =
                            e.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")).then(|| quote!(_ => {}));
                        quote!(match v { #(#arms)* #wildcard })
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
                // (a client's values read `mode`: here, the first)
                out.extend(quote!(pub fn #f() -> ::std::vec::Vec<#ty> {
                    let mode: (bool, usize) = (false, 0);
                    ::std::vec![#(#values),*]
                }));
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

    /// A function per operation calling its builder, `call_<method>(client,
    /// mode)`, and `call_all` calling each: in `mode.0` (full) every
    /// parameter and body field is set, else only the required ones; each
    /// request enum sends its `mode.1`-th value. Each returns the answer's
    /// status and media type, or what failed. Also the types sent and the
    /// types answered.
    fn client(writer: &Gen<'_>) -> (TokenStream, Vec<Type>, Vec<Type>) {
        let code = writer.code;
        let prefix: syn::Path = syn::parse_str(&code.prefix).unwrap();
        let (mut out, mut requests, mut responses) = (TokenStream::new(), Vec::new(), Vec::new());
        let mut runs = Vec::new();
        for f in code.client_methods() {
            let ReturnType::Type(_, ret) = &f.sig.output else { continue };
            let Type::Path(ret) = &**ret else { continue };
            let segments: Vec<_> = ret.path.segments.iter().map(|s| s.ident.to_string()).collect();
            let [first, builder] = segments.as_slice() else { continue };
            if first != "builder" || f.sig.inputs.len() != 1 {
                continue;
            }
            let method = &f.sig.ident;
            // the body's builder starts as `Ok(default)`, which `send()`
            // refuses when a field is missing: a body is always set
            let mut required = code.required("builder", builder);
            required.insert("body".into());
            let setters = code.setters("builder", builder).into_iter().map(|(name, t)| {
                requests.push(t.clone());
                let v = writer.value(&t, Place::Setter, 0);
                optional_setter(quote!(request), &name, v, required.contains(&name.to_string()))
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
            let success = args_of(ok).and_then(|(_, a)| a.into_iter().next()).unwrap_or_else(|| syn::parse_quote!(()));
            let error = args_of(err).and_then(|(_, a)| a.into_iter().next());
            responses.push(success.clone());
            let read = writer.read(&success, quote!(&value), 0);
            let read_error = error.map(|e| {
                responses.push(e.clone());
                let r = writer.read(&e, quote!(&value), 0);
                quote! {
                    ::std::result::Result::Err(#prefix::Error::ErrorResponse(response)) => {
                        let status = response.status();
                        let value = response.into_inner();
                        #r
                        ::std::result::Result::Err(::std::format!("{status}: {value:?}"))
                    }
                }
            });
            let name = format_ident!("call_{method}");
            out.extend(quote! {
                pub async fn #name(client: &#prefix::Client, mode: (bool, usize)) -> Outcome {
                    let request = client.#method();
                    #(let request = #setters;)*
                    match request.send().await {
                        ::std::result::Result::Ok(response) => {
                            let status = response.status().as_u16();
                            let media = response.headers().get("content-type").and_then(|v| v.to_str().ok());
                            let media = media.unwrap_or_default().split(';').next().unwrap().trim().to_string();
                            let value = response.into_inner();
                            #read
                            ::std::result::Result::Ok((status, media))
                        }
                        #read_error
                        ::std::result::Result::Err(e) => ::std::result::Result::Err(e.to_string()),
                    }
                }
            });
            runs.push(quote!((::std::stringify!(#method), #name(client, mode).await)));
        }
        let variants = code
            .defs
            .values()
            .filter_map(|d| match d {
                Def::Enum(e) => Some(e.variants.iter().filter(|v| !is_catch_all(v)).count()),
                Def::Struct(_) => None,
            })
            .max()
            .unwrap_or(1)
            // and the strings' shortest and longest
            .max(2);
        let strings = [0, 1, 2, 3, 4, 5, 8, 10, 16, 32, 64, 100, 128, 200, 255, 256].map(|n| "a".repeat(n));
        // every credential method (`with_bearer`, `with_api_key`, …): the
        // wire test's services take `secret` for each
        let credentials = code.client_methods().filter_map(|f| {
            // the credential setters take `impl Into<String>`s
            let setter = f.sig.ident.to_string().starts_with("with_")
                && f.sig.asyncness.is_none()
                && f.sig.inputs.iter().skip(1).all(|a| a.to_token_stream().to_string().contains("Into"));
            let name = &f.sig.ident;
            match f.sig.inputs.len() {
                2 if setter => Some(quote!(.#name("secret"))),
                3 if setter => Some(quote!(.#name("ada", "secret"))),
                _ => None,
            }
        });
        out.extend(quote! {
            /// The strings a request sends (of `a`, by length), where its
            /// type takes them: the shortest and the longest in turn.
            pub const STRINGS: &[&str] = &[#(#strings),*];

            /// The client with every credential it can carry set.
            pub fn authenticate(client: &#prefix::Client) -> #prefix::Client {
                ::std::clone::Clone::clone(client) #(#credentials)*
            }

            /// How many values the largest enum has: `call_all`'s `mode.1`
            /// runs over `0..VARIANTS` to send each.
            pub const VARIANTS: usize = #variants;

            /// A call's answer: its status and media type, or what went wrong.
            pub type Outcome = ::std::result::Result<(u16, ::std::string::String), ::std::string::String>;

            /// Every operation called once, in `mode`: (every optional
            /// parameter and field set, which value of each request enum).
            pub async fn call_all(client: &#prefix::Client, mode: (bool, usize)) -> ::std::vec::Vec<(&'static str, Outcome)> {
                ::std::vec![#(#runs),*]
            }
        });
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
