//! TEMPORARY stub, replaced by the generators branch.
#![allow(missing_docs)]
use crate::diagnostic::Diagnostic;
use crate::model::{Data, DataMap};
pub struct ConfigProblem {
    pub key: Option<String>,
    pub diagnostic: Diagnostic,
}
pub fn check_config(_kind: &str, _config: &DataMap) -> Vec<ConfigProblem> {
    Vec::new()
}
pub fn static_payload(config: &DataMap) -> Option<&Data> {
    if config.contains_key("default") {
        config.get("default")
    } else {
        config.get("value")
    }
}
pub fn needs_prompt(payload: Option<&Data>) -> bool {
    match payload {
        None | Some(Data::Null) => true,
        Some(Data::String(s)) => {
            s.starts_with("${")
                && s.ends_with('}')
                && s.len() > 3
                && !s[2..s.len() - 1].contains('}')
                || false
        }
        _ => false,
    }
}
pub struct SecretValue(String);
impl SecretValue {
    pub fn into_exposed(self) -> String {
        self.0
    }
}
pub fn generate(
    _kind: &str,
    _config: &DataMap,
    _rng: &mut crate::random::OsRandom,
) -> Result<SecretValue, Diagnostic> {
    Err(Diagnostic::error(crate::ErrorCode::Internal, "stub"))
}
