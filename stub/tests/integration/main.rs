//! The stub's integration tests, in one binary to save link time (as
//! dropshot does): each starts its own stub in-process on 127.0.0.1:0.

mod common;
mod contract;
mod hostile;
mod load;
