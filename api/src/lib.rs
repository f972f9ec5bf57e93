//! The SaaS-association operations of the Humm configuration API as a
//! dropshot API trait, generated from the workspace's `openapi.json` by
//! `cargo xtask generate` (never edit `generated.rs` by hand).
//!
//! This crate is the API alone: the trait [`HummConfigApi`], the [`types`] of
//! its bodies and responses, the `…Path`/`…Query` structs of its parameters
//! and the document it publishes ([`openapi`]). It depends on no
//! implementation: the contract stub (`humm-config-stub`) implements it, and
//! so can a team's real server.
//!
//! ```ignore
//! enum MyServer {}
//! impl humm_config_api::HummConfigApi for MyServer {
//!     type Context = MyState;
//!     // one method per operation
//! }
//! let api = humm_config_api::humm_config_api_mod::api_description::<MyServer>()?;
//! let server = dropshot::ServerBuilder::new(api, state, log)
//!     .version_policy(humm_config_api::version_policy()) // routes literal beside variable segments
//!     .start()?;
//! ```
//!
//! Every endpoint's error type is `dropshot_codegen_runtime::ApiError`
//! (`[server] error_type` in `codegen.toml`), which answers with FastAPI's
//! error bodies.

#[rustfmt::skip] // formatted by the generator
mod generated;

// The crate is the generated module: everything it declares is the API (the
// trait, the parameter structs its methods take, the types, the document).
pub use generated::*;
