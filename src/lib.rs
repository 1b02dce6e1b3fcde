//! # secretzero-agent
//!
//! The core of `@secretzero/agent`: SecretZero's agent-guided secret synchronisation as a
//! pure Rust library (compiled to WebAssembly for the npm package).
//!
//! The pipeline is `parse -> interpolate -> validate -> classify -> plan/generate -> report`.
//! Nothing here touches files, processes or the environment: the host passes the Secretfile
//! text, the lockfile text, the environment and the time in, and gets the report and the
//! writes to apply back.

pub mod api;
pub mod classify;
pub mod decode;
pub mod diagnostic;
pub mod engine;
pub mod generate;
pub mod human;
pub mod instructions;
pub mod interpolate;
#[cfg(test)]
mod json_mutations;
mod json_out;
pub mod lanes;
pub mod lockfile;
pub mod model;
pub mod parse;
pub mod paths;
pub mod pyjson;
pub mod random;
pub mod report;
pub mod schema;
pub mod secret;
mod sorting;
pub mod status;
pub mod steps;
pub mod suggest;
pub mod sync;
pub mod target_id;
pub mod targets;
pub mod timefmt;
pub mod validate;
#[cfg(feature = "wasm")]
pub mod wasm;
mod wire;
pub mod yaml;

pub use diagnostic::{Diagnostic, Error, ErrorCode, LineIndex, Severity, Span};
pub use model::*;
