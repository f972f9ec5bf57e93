//! The Humm configuration API's SaaS-association operations as a dropshot
//! server: the API trait generated from `openapi.json` ([`generated`]), the
//! error type with FastAPI's shapes ([`error`]).

pub mod error;
pub mod generated;

pub use error::ApiError;
pub use generated::{HummConfigApi, types};
