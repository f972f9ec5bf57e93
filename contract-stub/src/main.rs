//! `contract-stub`: the contract stub for any spec, as a binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Serves every operation of an OpenAPI export (a FastAPI service's
/// `openapi.json`) as that service would answer, stateful where the paths
/// say so, for contract tests.
#[derive(Parser)]
#[command(name = "contract-stub", version)]
struct Flags {
    /// The spec to serve (default: the workspace's openapi.json)
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
    /// codegen.toml beside it (default: next to the spec)
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// JSON object from collection paths to arrays of items to start with
    #[arg(long, value_name = "PATH")]
    fixtures: Option<PathBuf>,
    /// Accept only this bearer token (HTTP bearer, OAuth2, OpenID Connect); repeat for more
    #[arg(long)]
    token: Vec<String>,
    /// Accept only this key for every API key scheme; repeat for more
    #[arg(long)]
    api_key: Vec<String>,
    /// Accept only this `user:password` for HTTP basic; repeat for more
    #[arg(long)]
    basic: Vec<String>,
    /// Log level: error, warn, info (each request), debug
    #[arg(long, default_value = "info")]
    log_level: String,
    /// Print the OpenAPI 3.0.3 document the stub serves (the export lowered,
    /// for tools that read only 3.0, such as schemathesis on a 3.1 export
    /// they stop on) and exit
    #[arg(long)]
    print_openapi: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let flags = Flags::parse();
    let spec = contract_stub::load_spec(flags.spec.as_deref(), flags.config.as_deref())?;
    if flags.print_openapi {
        println!("{}", serde_json::to_string_pretty(&*spec.doc)?);
        return Ok(());
    }
    let credentials = contract_stub::Credentials { tokens: flags.token, api_keys: flags.api_key, basic: flags.basic };
    let policy = contract_stub::policy(&spec.doc, &credentials);
    let mut options = contract_stub::Options::new(spec);
    options.policy = Some(policy);
    options.bind = flags.bind;
    options.log_level = contract_stub::log_level(&flags.log_level)?;
    if let Some(path) = &flags.fixtures {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        options.fixtures =
            Some(serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: not JSON ({e})", path.display()))?);
    }
    let stub = contract_stub::start(options).await?;
    println!("contract-stub listening on {}", stub.url());
    for line in contract_stub::describe(stub.engine()) {
        println!("{line}");
    }
    tokio::signal::ctrl_c().await?;
    eprintln!("shutting down");
    stub.stop().await
}
