//! POSIX path strings: joining, normalising, and keeping targets inside the project root.
//!
//! The core never touches the file system; hosts resolve these relative paths against their
//! working directory (and check symlinks, which only they can see).

use crate::diagnostic::{Diagnostic, ErrorCode};

/// Whether `p` is absolute (POSIX `/x`, or a Windows drive or UNC path).
pub fn is_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with('/')
        || p.starts_with('\\')
        || (b.len() >= 2
            && b.first().is_some_and(u8::is_ascii_alphabetic)
            && b.get(1) == Some(&b':'))
}

/// Lexically normalise: drop `.` and empty segments, fold `..`. Leading `..` segments that
/// climb above the start are kept (see [`escapes`]). `""` becomes `"."`.
pub fn normalize(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => match out.last() {
                Some(&last) if last != ".." => {
                    out.pop();
                }
                _ if absolute => {}
                _ => out.push(".."),
            },
            s => out.push(s),
        }
    }
    let body = out.join("/");
    match (absolute, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// `dir` joined with `rel` (an absolute `rel` wins), normalised.
pub fn join(dir: &str, rel: &str) -> String {
    if is_absolute(rel) || dir.is_empty() || dir == "." {
        normalize(rel)
    } else {
        normalize(&format!("{dir}/{rel}"))
    }
}

/// The directory part of `p` (`""` for a bare file name).
pub fn dirname(p: &str) -> String {
    match p.rfind('/') {
        Some(0) => "/".into(),
        Some(i) => p.get(..i).unwrap_or("").to_string(),
        None => String::new(),
    }
}

/// The last segment of `p`.
pub fn basename(p: &str) -> String {
    p.rsplit('/').next().unwrap_or(p).to_string()
}

/// Whether a normalised relative path climbs out of its root.
pub fn escapes(normalized: &str) -> bool {
    normalized == ".." || normalized.starts_with("../")
}

/// Normalise a target path and refuse one that leaves the project root (absolute, or `..`
/// above it) unless `allow_outside_root`.
///
/// # Errors
/// `PATH_OUTSIDE_ROOT`, or `INVALID_TARGET` for an empty path.
pub fn target_path(raw: &str, allow_outside_root: bool) -> Result<String, Diagnostic> {
    if raw.trim().is_empty() {
        return Err(Diagnostic::error(
            ErrorCode::InvalidTarget,
            "a file target has an empty `path`",
        ));
    }
    if raw.contains('\0') {
        return Err(Diagnostic::error(
            ErrorCode::InvalidTarget,
            "a file target path contains a NUL byte",
        ));
    }
    let n = normalize(raw);
    if !allow_outside_root && (is_absolute(raw) || escapes(&n)) {
        return Err(Diagnostic::error(
            ErrorCode::PathOutsideRoot,
            format!("target path `{raw}` is outside the project directory"),
        )
        .with_hint("use a path inside the project, or allow it explicitly (--allow-outside-root / allowOutsideRoot)"));
    }
    if n == "." {
        return Err(Diagnostic::error(
            ErrorCode::InvalidTarget,
            format!("target path `{raw}` names a directory"),
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_joins() {
        assert_eq!(normalize("./a//b/./c"), "a/b/c");
        assert_eq!(normalize("a/../b"), "b");
        assert_eq!(normalize("a/../../b"), "../b");
        assert_eq!(normalize("/a/../../b"), "/b");
        assert_eq!(normalize(""), ".");
        assert_eq!(join("app", "../x.lock"), "x.lock");
        assert_eq!(join("", ".env"), ".env");
        assert_eq!(join("app", "/abs/x"), "/abs/x");
        assert_eq!(dirname("a/b/Secretfile.yml"), "a/b");
        assert_eq!(dirname("Secretfile.yml"), "");
        assert_eq!(basename("a/b/c.yml"), "c.yml");
    }

    #[test]
    fn target_paths_stay_inside() {
        assert_eq!(target_path("./config/.env", false).unwrap(), "config/.env");
        assert_eq!(target_path("a/../.env", false).unwrap(), ".env");
        for bad in ["../.env", "/etc/passwd", "a/../../x", "C:\\x", "..\\x"] {
            assert_eq!(
                target_path(bad, false).unwrap_err().code,
                ErrorCode::PathOutsideRoot,
                "{bad}"
            );
        }
        assert_eq!(
            target_path("../shared/.env", true).unwrap(),
            "../shared/.env"
        );
        assert_eq!(
            target_path("", false).unwrap_err().code,
            ErrorCode::InvalidTarget
        );
        assert_eq!(
            target_path(".", false).unwrap_err().code,
            ErrorCode::InvalidTarget
        );
    }
}
