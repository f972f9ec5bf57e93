//! `humm-config-stub`: the contract stub as a binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use humm_config_stub::{StubOptions, fixtures, start};

/// A stateful stub of the Humm configuration API's SaaS-association
/// operations, generated from openapi.json, for contract tests.
#[derive(Parser)]
#[command(name = "humm-config-stub", version)]
struct Flags {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// JSON array of associations to start with (default: the built-in set)
    #[arg(long, value_name = "PATH")]
    fixtures: Option<PathBuf>,
    /// Accept only this bearer token (default: any non-empty token)
    #[arg(long, env = "HUMM_STUB_TOKEN")]
    token: Option<String>,
    /// Print the server's own OpenAPI document and exit
    #[arg(long)]
    print_openapi: bool,
    /// Log level: error, warn, info (each request), debug
    #[arg(long, default_value = "info")]
    log_level: String,
}

/// mimalloc: a request allocates and frees a few dozen small buffers, and
/// glibc's allocator took a sixth of the stub's CPU time under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    // the spec is read (lowered and checked, once per process) while the
    // runtime starts its threads: most of a cold start is these two
    std::thread::spawn(|| humm_config_stub::spec().map(drop));
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(serve())
}

async fn serve() -> anyhow::Result<()> {
    let flags = Flags::parse();
    if flags.print_openapi {
        println!("{}", serde_json::to_string_pretty(&humm_config_stub::openapi())?);
        return Ok(());
    }
    let fixtures = match &flags.fixtures {
        Some(path) => fixtures::load(path).map_err(anyhow::Error::msg)?,
        None => fixtures::default_fixtures(),
    };
    let log_level = contract_stub::log_level(&flags.log_level)?;
    let count = fixtures.len();
    let stub = start(StubOptions { bind: flags.bind, fixtures, token: flags.token, log_level }).await?;
    println!("humm-config-stub listening on {} ({count} associations)", stub.url());
    for line in stub.describe() {
        println!("{line}");
    }
    tokio::signal::ctrl_c().await?;
    eprintln!("shutting down");
    stub.stop().await
}
