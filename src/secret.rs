//! [`SecretValue`]: a secret that cannot be printed by accident.
//!
//! Every generated or supplied secret travels through the library inside a `SecretValue`.
//! Its `Debug` and `Display` print `[redacted]`, it has no `Serialize` impl (so it cannot end
//! up in a report or a log by way of serde), and [`SecretValue::expose`] is the only way to
//! read it. Because `expose` is greppable, every call site must carry an `// EXPOSE:` comment
//! saying why the value has to leave its box there (writing a target, hashing for the
//! lockfile, ...); a call without one is a review finding.
//!
//! Equality is constant-time in the contents (the length is not hidden), and the bytes are
//! overwritten with zeros on drop on a best-effort basis (without `unsafe` or a dependency the
//! compiler may in theory elide the wipe, and copies made before the value was boxed, or
//! handed out by [`SecretValue::into_exposed`], are not covered).

use std::fmt;

/// What `Debug` and `Display` print instead of the value.
pub const REDACTED: &str = "[redacted]";

/// A secret string whose `Debug`/`Display` print `[redacted]`.
///
/// ```
/// use secretzero_agent::secret::SecretValue;
///
/// let s = SecretValue::new("hunter2".to_string());
/// assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
/// // EXPOSE: doc example showing the only way out.
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, Default)]
pub struct SecretValue(String);

impl SecretValue {
    /// Box `value`.
    pub fn new(value: String) -> Self {
        SecretValue(value)
    }

    /// The value itself. Every call site must justify itself with an `// EXPOSE:` comment
    /// (why the value must leave the box here, and where it goes).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Take the value out of the box, consuming it. The same rule as [`Self::expose`] applies:
    /// justify the call with an `// EXPOSE:` comment. The returned `String` is no longer
    /// redacted nor wiped on drop.
    pub fn into_exposed(mut self) -> String {
        std::mem::take(&mut self.0)
    }

    /// Length of the value in bytes (UTF-8).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretValue {
    fn from(value: String) -> Self {
        SecretValue(value)
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for SecretValue {
    /// Constant-time in the contents: every byte is compared whatever the first difference.
    /// Values of different lengths compare unequal at once (the length is not secret).
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
        std::hint::black_box(diff) == 0
    }
}

impl Eq for SecretValue {}

impl Drop for SecretValue {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        // Keep the writes observable so the optimiser does not drop them as dead stores.
        std::hint::black_box(&bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn redacted_everywhere() {
        let s = SecretValue::new("s3cr3t-value".into());
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{:?}", Some(&s)), "Some([redacted])");
        assert_eq!(format!("{:#?}", vec![s.clone()]), "[\n    [redacted],\n]");
        assert_eq!(s.len(), 12);
        assert!(!s.is_empty());
        // EXPOSE: test of the accessor.
        assert_eq!(s.expose(), "s3cr3t-value");
        // EXPOSE: test of the consuming accessor.
        assert_eq!(s.into_exposed(), "s3cr3t-value");
    }

    #[test]
    fn equality_compares_contents() {
        let a = SecretValue::new("abc".into());
        assert_eq!(a, SecretValue::new("abc".into()));
        assert_ne!(a, SecretValue::new("abd".into()));
        assert_ne!(a, SecretValue::new("ab".into()));
        assert_ne!(a, SecretValue::new("xbc".into()));
        assert_eq!(SecretValue::default(), SecretValue::new(String::new()));
        assert!(SecretValue::default().is_empty());
    }

    proptest! {
        #[test]
        fn debug_and_display_never_show_the_value(v in "\\PC{1,64}") {
            let s = SecretValue::new(v.clone());
            prop_assert_eq!(format!("{s:?}"), REDACTED);
            prop_assert_eq!(format!("{s}"), REDACTED);
            prop_assert_eq!(format!("{:?}", (1, &s)), "(1, [redacted])");
            // EXPOSE: round-trip check.
            prop_assert_eq!(s.expose(), v.as_str());
        }
    }
}
