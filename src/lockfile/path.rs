//! Where the lockfile lives (spec §3.6), as pure POSIX path logic.
//!
//! The reference derives the lockfile path from the Secretfile path with Python's
//! `pathlib`, and prints it as `resolved_lockfile` in the `--json` report. To print the
//! same text we reproduce the relevant `pathlib` behaviour on strings: `.` components and
//! repeated slashes vanish, `..` is kept by joins and collapsed only by `resolve()`, and a
//! relative explicit or lane lockfile becomes absolute (joined to the Secretfile's
//! directory and the working directory). Symbolic links are not followed (the core has no
//! file system); Windows paths are out of scope: hosts on Windows pass POSIX-style paths.

/// The lockfile name that counts as "not given" when passed explicitly: the CLI's default
/// value of `-l/--lockfile`.
pub const DEFAULT_LOCKFILE: &str = ".gitsecrets.lock";
/// The machine-local lockfile (secrets with `local: true`), next to the shared one.
pub const LOCAL_LOCKFILE: &str = ".gitsecrets.local.lock";

/// Where a resolved lockfile path came from (`lockfile_source` in the reference).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockfileSource {
    /// An explicit `-l/--lockfile` other than the default name.
    RuntimeFlag,
    /// The selected environment lane's `lockfile`.
    EnvironmentProfile,
    /// Derived from the Secretfile name (`Secretfile.yml` -> `.gitsecrets.lock`, `X.yml` ->
    /// `X.lock`).
    DefaultDerived,
}

impl LockfileSource {
    /// The reference's name for this source.
    pub fn as_str(self) -> &'static str {
        match self {
            LockfileSource::RuntimeFlag => "runtime_flag",
            LockfileSource::EnvironmentProfile => "environment_profile",
            LockfileSource::DefaultDerived => "default_derived",
        }
    }
}

/// A resolved lockfile path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedLockfile {
    /// The path, printed as the reference prints `resolved_lockfile`: relative when derived
    /// from a relative Secretfile path, absolute when an explicit or lane lockfile was
    /// relative (joined to the Secretfile directory and `cwd`), as given when absolute.
    pub path: String,
    /// Where it came from.
    pub source: LockfileSource,
}

/// A `pathlib.PurePosixPath`: an optional root (`/`, or exactly `//`) and parts without
/// `.` or empty components.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PurePath {
    root: &'static str,
    parts: Vec<String>,
}

impl PurePath {
    fn new(s: &str) -> Self {
        let root = if s.starts_with("//") && !s.starts_with("///") {
            "//"
        } else if s.starts_with('/') {
            "/"
        } else {
            ""
        };
        let parts = s
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .map(str::to_string)
            .collect();
        PurePath { root, parts }
    }

    fn is_absolute(&self) -> bool {
        !self.root.is_empty()
    }

    fn text(&self) -> String {
        if self.root.is_empty() && self.parts.is_empty() {
            return ".".into();
        }
        format!("{}{}", self.root, self.parts.join("/"))
    }

    fn name(&self) -> &str {
        self.parts.last().map_or("", String::as_str)
    }

    fn parent(&self) -> PurePath {
        let mut p = self.clone();
        p.parts.pop();
        p
    }

    fn join(&self, other: &PurePath) -> PurePath {
        if other.is_absolute() {
            return other.clone();
        }
        let mut p = self.clone();
        p.parts.extend(other.parts.iter().cloned());
        p
    }

    /// `Path.resolve()` without symlinks: absolute (joined to `cwd`), `..` collapsed.
    fn resolve(&self, cwd: &str) -> PurePath {
        let abs = if self.is_absolute() {
            self.clone()
        } else {
            PurePath::new(cwd).join(self)
        };
        let mut parts: Vec<String> = Vec::new();
        for p in abs.parts {
            if p == ".." {
                parts.pop();
            } else {
                parts.push(p);
            }
        }
        PurePath {
            root: if abs.root.is_empty() { "" } else { abs.root },
            parts,
        }
    }
}

/// Python's `PurePath(path).name`: the last component (`""` for `/` or `.`).
pub fn basename(path: &str) -> String {
    PurePath::new(path).name().to_string()
}

/// Python's `PurePath.stem`: the name without its last suffix (`a.b.yml` -> `a.b`; a
/// leading dot or a trailing dot is not a suffix: `.hidden`, `x.`).
fn stem(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 && i + 1 < name.len() => name.get(..i).unwrap_or(name),
        _ => name,
    }
}

/// The lockfile path for a Secretfile, by the reference's rules (spec §3.6):
///
/// 1. `explicit` (`-l/--lockfile`), unless it is empty or exactly `.gitsecrets.lock` (the
///    CLI default, which counts as not given); relative -> resolved against the Secretfile's
///    directory (and `cwd` when that is relative), giving an absolute path.
/// 2. else the selected lane's `lockfile`, resolved the same way;
/// 3. else derived in the Secretfile's directory: `Secretfile.yml` -> `.gitsecrets.lock`,
///    any other `X.ext` -> `X.lock`; relative when `secretfile_path` is.
///
/// `cwd` is the absolute working directory (used only for 1 and 2 with a relative
/// Secretfile path). Verified against the reference CLI (`resolved_lockfile`).
///
/// ```
/// use secretzero_agent::lockfile::resolve_lockfile_path;
/// let r = resolve_lockfile_path("sub/Secretfile.yml", None, None, "/work");
/// assert_eq!(r.path, "sub/.gitsecrets.lock");
/// let r = resolve_lockfile_path("sub/Secretfile.yml", Some("other.lock"), None, "/work");
/// assert_eq!(r.path, "/work/sub/other.lock");
/// ```
pub fn resolve_lockfile_path(
    secretfile_path: &str,
    explicit: Option<&str>,
    lane_lockfile: Option<&str>,
    cwd: &str,
) -> ResolvedLockfile {
    let sf = PurePath::new(secretfile_path);
    let dir = sf.parent();
    let resolve = |given: &str| {
        let p = PurePath::new(given);
        if p.is_absolute() {
            p.text()
        } else {
            dir.join(&p).resolve(cwd).text()
        }
    };
    if let Some(e) = explicit.filter(|e| !e.is_empty() && *e != DEFAULT_LOCKFILE) {
        return ResolvedLockfile {
            path: resolve(e),
            source: LockfileSource::RuntimeFlag,
        };
    }
    if let Some(l) = lane_lockfile.filter(|l| !l.is_empty()) {
        return ResolvedLockfile {
            path: resolve(l),
            source: LockfileSource::EnvironmentProfile,
        };
    }
    let name = sf.name();
    let file = if name == "Secretfile.yml" {
        DEFAULT_LOCKFILE.to_string()
    } else {
        format!("{}.lock", stem(name))
    };
    ResolvedLockfile {
        path: dir.join(&PurePath::new(&file)).text(),
        source: LockfileSource::DefaultDerived,
    }
}

/// The machine-local lockfile next to `lockfile_path`: `.gitsecrets.local.lock` in the
/// same directory.
pub fn local_lockfile_path(lockfile_path: &str) -> String {
    PurePath::new(lockfile_path)
        .parent()
        .join(&PurePath::new(LOCAL_LOCKFILE))
        .text()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every vector was produced by the reference CLI: `secretzero agent sync --json
    /// --dry-run -f F [-l L] [-e E]` run in the directory shown, reading `resolved_lockfile`
    /// (see the report of the lockfile work for the exact commands). `sub/lane.yml` has
    /// lanes `dev` (default, `lockfile: lanes/dev.lock`), `abs` (`/tmp/abs/lane.lock`) and
    /// `up` (`../up.lock`).
    #[test]
    fn matches_reference_resolved_lockfile() {
        let lanes = |e: &str| match e {
            "dev" => Some("lanes/dev.lock"),
            "abs" => Some("/tmp/abs/lane.lock"),
            "up" => Some("../up.lock"),
            _ => None,
        };
        type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, &'a str);
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            // (cwd, -f, -l, lane lockfile, resolved_lockfile)
            ("/tmp/P", "Secretfile.yml", None, None, ".gitsecrets.lock"),
            ("/tmp/P", "sub/Secretfile.yml", None, None, "sub/.gitsecrets.lock"),
            ("/tmp/P", "/tmp/P/sub/Secretfile.yml", None, None, "/tmp/P/sub/.gitsecrets.lock"),
            ("/tmp/P", "sub/app.yml", None, None, "sub/app.lock"),
            ("/tmp/P", "sub/Secretfile.yml", Some("other.lock"), None, "/tmp/P/sub/other.lock"),
            ("/tmp/P", "sub/app.yml", Some(".gitsecrets.lock"), None, "sub/app.lock"),
            ("/tmp/P", "sub/app.yml", Some("./.gitsecrets.lock"), None, "/tmp/P/sub/.gitsecrets.lock"),
            ("/tmp/P", "sub/Secretfile.yml", Some("../x.lock"), None, "/tmp/P/x.lock"),
            ("/tmp/P", "sub/Secretfile.yml", Some("/abs/y.lock"), None, "/abs/y.lock"),
            ("/tmp/P", "./sub//Secretfile.yml", None, None, "sub/.gitsecrets.lock"),
            ("/tmp/P", "sub/secretfile.yml", None, None, "sub/secretfile.lock"),
            ("/tmp/P", "sub/app.yaml", None, None, "sub/app.lock"),
            ("/tmp/P", "sub/app", None, None, "sub/app.lock"),
            ("/tmp/P", "sub/a.b.yml", None, None, "sub/a.b.lock"),
            ("/tmp/P", "sub/.hidden", None, None, "sub/.hidden.lock"),
            ("/tmp/P", "sub/x.", None, None, "sub/x..lock"),
            ("/tmp/P/other", "../sub/Secretfile.yml", None, None, "../sub/.gitsecrets.lock"),
            ("/tmp/P", "sub/Secretfile.yml", Some(""), None, "sub/.gitsecrets.lock"),
            ("/tmp/P", "sub/Secretfile.yml", Some("sub/../z.lock"), None, "/tmp/P/sub/z.lock"),
            ("/tmp/P", "sub/Secretfile.yml", Some("~/t.lock"), None, "/tmp/P/sub/~/t.lock"),
            ("/tmp/P", "sub/lane.yml", None, lanes("dev"), "/tmp/P/sub/lanes/dev.lock"),
            ("/tmp/P", "sub/lane.yml", None, lanes("abs"), "/tmp/abs/lane.lock"),
            ("/tmp/P", "sub/lane.yml", None, lanes("up"), "/tmp/P/up.lock"),
            ("/tmp/P", "sub/lane.yml", Some("mine.lock"), lanes("dev"), "/tmp/P/sub/mine.lock"),
            ("/tmp/P", "sub/lane.yml", Some(".gitsecrets.lock"), lanes("dev"), "/tmp/P/sub/lanes/dev.lock"),
            ("/tmp/P", "/tmp/P/sub/lane.yml", None, lanes("dev"), "/tmp/P/sub/lanes/dev.lock"),
            ("/tmp/P", "Secretfile.yml", Some("x.lock"), None, "/tmp/P/x.lock"),
            ("/tmp/P/sub", "./Secretfile.yml", Some("./x.lock"), None, "/tmp/P/sub/x.lock"),
            ("/tmp/P", "sub/Secretfile.yml", Some("sub/"), None, "/tmp/P/sub/sub"),
        ];
        for (cwd, file, explicit, lane, want) in cases {
            let got = resolve_lockfile_path(file, explicit, lane, cwd);
            assert_eq!(
                got.path, want,
                "cwd={cwd} -f {file} -l {explicit:?} lane={lane:?}"
            );
        }
    }

    #[test]
    fn sources_are_named_like_the_reference() {
        let r = resolve_lockfile_path("Secretfile.yml", Some(".gitsecrets.lock"), None, "/w");
        assert_eq!(r.source.as_str(), "default_derived");
        let r = resolve_lockfile_path("Secretfile.yml", None, Some("l.lock"), "/w");
        assert_eq!(r.source.as_str(), "environment_profile");
        let r = resolve_lockfile_path("Secretfile.yml", Some("l.lock"), Some("m.lock"), "/w");
        assert_eq!(r.source.as_str(), "runtime_flag");
    }

    #[test]
    fn local_lockfile_sits_next_to_the_shared_one() {
        // The reference: `global_lockfile_path.parent / ".gitsecrets.local.lock"`.
        assert_eq!(
            local_lockfile_path(".gitsecrets.lock"),
            ".gitsecrets.local.lock"
        );
        assert_eq!(
            local_lockfile_path("sub/app.lock"),
            "sub/.gitsecrets.local.lock"
        );
        assert_eq!(
            local_lockfile_path("/abs/y.lock"),
            "/abs/.gitsecrets.local.lock"
        );
    }

    #[test]
    fn basename_is_pathlib_name() {
        assert_eq!(basename("sub/Secretfile.yml"), "Secretfile.yml");
        assert_eq!(basename("./x//"), "x");
        assert_eq!(basename("/"), "");
    }
}
