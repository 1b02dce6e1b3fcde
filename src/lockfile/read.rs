//! Reading a lockfile: JSON text -> [`Lockfile`], with a diagnostic that names the field
//! and its line and column when the text is not a lockfile.
//!
//! The text is parsed to a JSON tree first (syntax errors carry serde_json's position),
//! then walked field by field so that a wrong shape names its dotted path
//! (`secrets.db.rotation_count`); the position of that path is found again in the text by
//! a small scanner ([`locate`]). Unknown fields are kept in the `extra` maps so that a
//! lockfile written by a newer version survives a read-modify-write.

use indexmap::IndexMap;

use super::{Lockfile, SecretEntry, SecretfileInfo, TargetUpdate};
use crate::diagnostic::{Diagnostic, ErrorCode, LineIndex};
use crate::model::{Data, DataMap};

/// One step of a path into the JSON tree.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// A wrong shape: where and what.
#[derive(Debug)]
pub(super) struct ShapeError {
    pub path: Vec<Seg>,
    pub message: String,
}

/// Dotted form of a path: `secrets.db.targets["local/file/.env"]`, `x[2]`.
pub(super) fn path_text(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k)
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Key(k) => {
                out.push('[');
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(']');
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn type_name(v: &Data) -> &'static str {
    match v {
        Data::Null => "null",
        Data::Bool(_) => "a boolean",
        Data::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Data::Number(_) => "a number",
        Data::String(_) => "a string",
        Data::Array(_) => "a list",
        Data::Object(_) => "an object",
    }
}

struct Walker {
    path: Vec<Seg>,
}

type Res<T> = Result<T, ShapeError>;

impl Walker {
    fn err<T>(&self, message: String) -> Res<T> {
        Err(ShapeError {
            path: self.path.clone(),
            message,
        })
    }

    fn wrong<T>(&self, v: &Data, expected: &str) -> Res<T> {
        let p = path_text(&self.path);
        self.err(format!("`{p}` must be {expected}, found {}", type_name(v)))
    }

    /// Run `f` with `seg` pushed onto the path.
    fn at<T>(&mut self, seg: Seg, f: impl FnOnce(&mut Self) -> Res<T>) -> Res<T> {
        self.path.push(seg);
        let r = f(self);
        self.path.pop();
        r
    }

    fn object<'a>(&self, v: &'a Data) -> Res<&'a DataMap> {
        match v {
            Data::Object(m) => Ok(m),
            other => self.wrong(other, "an object"),
        }
    }

    fn string(&self, v: &Data) -> Res<String> {
        match v {
            Data::String(s) => Ok(s.clone()),
            other => self.wrong(other, "a string"),
        }
    }

    fn opt_string(&self, v: &Data) -> Res<Option<String>> {
        match v {
            Data::Null => Ok(None),
            Data::String(s) => Ok(Some(s.clone())),
            other => self.wrong(other, "a string or null"),
        }
    }

    fn integer(&self, v: &Data) -> Res<i64> {
        match v {
            Data::Number(n) => match n.as_i64() {
                Some(i) => Ok(i),
                None => self.err(format!(
                    "`{}` must be an integer between {} and {}",
                    path_text(&self.path),
                    i64::MIN,
                    i64::MAX
                )),
            },
            other => self.wrong(other, "an integer"),
        }
    }

    fn required<'a>(&self, m: &'a DataMap, key: &str) -> Res<&'a Data> {
        match m.get(key) {
            Some(v) => Ok(v),
            None => {
                let p = path_text(&self.path);
                let whose = if p.is_empty() {
                    "the lockfile".to_string()
                } else {
                    format!("`{p}`")
                };
                self.err(format!("{whose} is missing the required field `{key}`"))
            }
        }
    }

    /// The keys of `m` not in `known`, in order.
    fn extra(m: &DataMap, known: &[&str]) -> DataMap {
        m.iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn lockfile(&mut self, v: &Data) -> Res<Lockfile> {
        let m = match v {
            Data::Object(m) => m,
            other => {
                return self.err(format!(
                    "the lockfile must be a json object, found {}",
                    type_name(other)
                ));
            }
        };
        let mut lf = Lockfile::default();
        if let Some(v) = m.get("version") {
            lf.version = self.at(Seg::Key("version".into()), |w| w.string(v))?;
        }
        if let Some(v) = m.get("secrets") {
            lf.secrets = self.at(Seg::Key("secrets".into()), |w| {
                let mut out = IndexMap::new();
                for (name, e) in w.object(v)? {
                    let entry = w.at(Seg::Key(name.clone()), |w| w.entry(e))?;
                    out.insert(name.clone(), entry);
                }
                Ok(out)
            })?;
        }
        if let Some(v) = m.get("secretfile") {
            lf.secretfile = self.at(Seg::Key("secretfile".into()), |w| match v {
                Data::Null => Ok(None),
                other => w.secretfile(other).map(Some),
            })?;
        }
        if let Some(v) = m.get("metadata") {
            lf.metadata = self.at(Seg::Key("metadata".into()), |w| w.object(v).cloned())?;
        }
        lf.extra = Self::extra(m, Lockfile::FIELDS);
        Ok(lf)
    }

    fn entry(&mut self, v: &Data) -> Res<SecretEntry> {
        let m = self.object(v)?;
        let hash = self.required(m, "hash")?;
        let created_at = self.required(m, "created_at")?;
        let updated_at = self.required(m, "updated_at")?;
        let mut e = SecretEntry {
            hash: self.at(Seg::Key("hash".into()), |w| w.string(hash))?,
            created_at: self.at(Seg::Key("created_at".into()), |w| w.string(created_at))?,
            updated_at: self.at(Seg::Key("updated_at".into()), |w| w.string(updated_at))?,
            ..SecretEntry::default()
        };
        if let Some(v) = m.get("last_rotated") {
            e.last_rotated = self.at(Seg::Key("last_rotated".into()), |w| w.opt_string(v))?;
        }
        if let Some(v) = m.get("rotation_count") {
            e.rotation_count = self.at(Seg::Key("rotation_count".into()), |w| w.integer(v))?;
        }
        if let Some(v) = m.get("definition_hash") {
            e.definition_hash = self.at(Seg::Key("definition_hash".into()), |w| w.opt_string(v))?;
        }
        if let Some(v) = m.get("targets") {
            e.targets = self.at(Seg::Key("targets".into()), |w| {
                let mut out = IndexMap::new();
                for (id, h) in w.object(v)? {
                    let h = w.at(Seg::Key(id.clone()), |w| w.string(h))?;
                    out.insert(id.clone(), h);
                }
                Ok(out)
            })?;
        }
        if let Some(v) = m.get("target_provenance") {
            e.target_provenance = self.at(Seg::Key("target_provenance".into()), |w| {
                let mut out = IndexMap::new();
                for (id, list) in w.object(v)? {
                    let updates = w.at(Seg::Key(id.clone()), |w| match list {
                        Data::Array(items) => {
                            let mut ups = Vec::with_capacity(items.len());
                            for (i, u) in items.iter().enumerate() {
                                ups.push(w.at(Seg::Index(i), |w| w.update(u))?);
                            }
                            Ok(ups)
                        }
                        other => w.wrong(other, "a list"),
                    })?;
                    out.insert(id.clone(), updates);
                }
                Ok(out)
            })?;
        }
        e.extra = Self::extra(m, SecretEntry::FIELDS);
        Ok(e)
    }

    fn update(&mut self, v: &Data) -> Res<TargetUpdate> {
        let m = self.object(v)?;
        let at = self.required(m, "updated_at")?;
        let mut u = TargetUpdate {
            updated_at: self.at(Seg::Key("updated_at".into()), |w| w.string(at))?,
            ..TargetUpdate::default()
        };
        if let Some(v) = m.get("actor") {
            u.actor = self.at(Seg::Key("actor".into()), |w| w.object(v).cloned())?;
        }
        u.extra = Self::extra(m, TargetUpdate::FIELDS);
        Ok(u)
    }

    fn secretfile(&mut self, v: &Data) -> Res<SecretfileInfo> {
        let m = self.object(v)?;
        let filename = self.required(m, "filename")?;
        let hash = self.required(m, "hash")?;
        let synced_at = self.required(m, "synced_at")?;
        let mut s = SecretfileInfo {
            filename: self.at(Seg::Key("filename".into()), |w| w.string(filename))?,
            hash: self.at(Seg::Key("hash".into()), |w| w.string(hash))?,
            synced_at: self.at(Seg::Key("synced_at".into()), |w| w.string(synced_at))?,
            ..SecretfileInfo::default()
        };
        if let Some(v) = m.get("var_files") {
            s.var_files = self.at(Seg::Key("var_files".into()), |w| match v {
                Data::Array(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (i, f) in items.iter().enumerate() {
                        out.push(w.at(Seg::Index(i), |w| w.string(f))?);
                    }
                    Ok(out)
                }
                other => w.wrong(other, "a list of file names"),
            })?;
        }
        if let Some(v) = m.get("variables_hash") {
            s.variables_hash = self.at(Seg::Key("variables_hash".into()), |w| w.opt_string(v))?;
        }
        if let Some(v) = m.get("sync_identity") {
            s.sync_identity = self.at(Seg::Key("sync_identity".into()), |w| match v {
                Data::Null => Ok(None),
                other => w.object(other).cloned().map(Some),
            })?;
        }
        if let Some(v) = m.get("manifest_spec_version") {
            s.manifest_spec_version = self.at(Seg::Key("manifest_spec_version".into()), |w| {
                w.opt_string(v)
            })?;
        }
        s.extra = Self::extra(m, SecretfileInfo::FIELDS);
        Ok(s)
    }
}

fn invalid(message: String) -> Diagnostic {
    Diagnostic::error(ErrorCode::InvalidLockfile, message).with_hint(
        "fix the lockfile by hand or restore it from version control; \
         deleting it makes the next sync generate new values for every secret",
    )
}

/// Parse lockfile text. Empty (or whitespace-only) text is an empty lockfile.
// `Diagnostic` is the crate's error type everywhere (as in `yaml::parse`); boxing it here
// alone would make the API inconsistent.
#[allow(clippy::result_large_err)]
pub(super) fn parse(text: &str) -> Result<Lockfile, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Lockfile::default());
    }
    let idx = LineIndex::new(text);
    let value: Data = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let full = e.to_string();
            let msg = full
                .rfind(" at line ")
                .and_then(|i| full.get(..i))
                .unwrap_or(&full);
            let offset = byte_offset(text, e.line(), e.column());
            let span = idx.span(offset, offset);
            return Err(invalid(format!("the lockfile is not valid json: {msg}")).at(Some(span)));
        }
    };
    let mut w = Walker { path: Vec::new() };
    w.lockfile(&value).map_err(|e| {
        let span = locate(text, &e.path).map(|o| idx.span(o, o));
        invalid(e.message).with_path(path_text(&e.path)).at(span)
    })
}

/// Byte offset of serde_json's (1-based line, 1-based byte column) position.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0usize;
    if line > 1 {
        for (i, (pos, _)) in text.match_indices('\n').enumerate() {
            if i + 2 == line {
                start = pos + 1;
                break;
            }
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
}

/// Byte offset in `text` (valid JSON) of the value at `path` (the last occurrence of a
/// duplicated key, which is the one a JSON parser keeps). `None` if absent.
pub(super) fn locate(text: &str, path: &[Seg]) -> Option<usize> {
    let mut s = Scanner {
        b: text.as_bytes(),
        text,
        pos: 0,
    };
    s.find(path)
}

struct Scanner<'a> {
    b: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skip a string starting at `"`, returning its raw text (with quotes).
    fn string(&mut self) -> Option<&str> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return self.text.get(start..self.pos);
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skip one value of any kind.
    fn skip(&mut self) -> Option<()> {
        self.ws();
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.pos += 1;
                }
                b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' if depth > 0 => self.pos += 1,
                _ => {
                    // a scalar: run to the next delimiter
                    while !matches!(
                        self.peek(),
                        None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                    ) {
                        self.pos += 1;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }

    fn find(&mut self, path: &[Seg]) -> Option<usize> {
        self.ws();
        let Some((first, rest)) = path.split_first() else {
            return Some(self.pos);
        };
        match first {
            Seg::Key(want) => {
                if self.peek()? != b'{' {
                    return None;
                }
                self.pos += 1;
                let mut found = None;
                loop {
                    self.ws();
                    match self.peek()? {
                        b'}' => break,
                        b',' => {
                            self.pos += 1;
                            continue;
                        }
                        _ => {}
                    }
                    let raw = self.string()?;
                    let key: String = serde_json::from_str(raw).ok()?;
                    self.ws();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.pos += 1;
                    self.ws();
                    if &key == want {
                        found = Some(self.pos);
                    }
                    self.skip()?;
                }
                self.pos = found?;
                self.find(rest)
            }
            Seg::Index(want) => {
                if self.peek()? != b'[' {
                    return None;
                }
                self.pos += 1;
                let mut i = 0usize;
                loop {
                    self.ws();
                    match self.peek()? {
                        b']' => return None,
                        b',' => {
                            self.pos += 1;
                            continue;
                        }
                        _ => {}
                    }
                    if i == *want {
                        return self.find(rest);
                    }
                    self.skip()?;
                    i += 1;
                }
            }
        }
    }
}
