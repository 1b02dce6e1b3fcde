//! TEMPORARY stub, replaced by the generators branch.
#![allow(missing_docs)]
pub struct OsRandom;
