//! # secretzero-agent
//!
//! The core of `@secretzero/agent`: SecretZero's agent-guided secret synchronisation as a
//! pure Rust library (compiled to WebAssembly for the npm package).
//!
//! The pipeline is `parse -> interpolate -> validate -> classify -> plan/generate -> report`.
//! Nothing here touches files, processes or the environment: the host passes the Secretfile
//! text, the lockfile text, the environment and the time in, and gets the report and the
//! writes to apply back.

pub mod decode;
pub mod diagnostic;
pub mod model;
pub mod pyjson;
pub mod suggest;
pub mod targets;
pub mod yaml;

pub use diagnostic::{Diagnostic, Error, ErrorCode, LineIndex, Severity, Span};
pub use model::*;
