//! Secretfile text to a validated [`Secretfile`]: the front half of the pipeline
//! (`parse -> interpolate -> decode -> validate`), collecting every diagnostic in one pass.

use serde::{Deserialize, Serialize};

use crate::decode;
use crate::diagnostic::{Diagnostic, ErrorCode, Span};
use crate::interpolate::{Env, Jinja, interpolate_tree, resolve_variables};
use crate::model::{Data, DataMap, Secretfile};
use crate::validate;
use crate::yaml::{self, Budgets, Node, Value};

/// A variable file (`-v/--var-file` or an environment lane's `var_files`), read by the host.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct VarFile {
    /// The path as given (shown in the report's `resolved_var_files`).
    pub path: String,
    /// The file's YAML text (a mapping).
    pub text: String,
}

/// Inputs of [`parse_secretfile`] besides the text.
#[derive(Clone, Default)]
pub struct ParseOptions {
    /// Environment variables for `${NAME}` interpolation (the host passes them in).
    pub env: Env,
    /// Variable files merged into `variables`, in order (later wins).
    pub var_files: Vec<VarFile>,
    /// Size, depth and alias budgets.
    pub budgets: Budgets,
}

/// The environment supplies secret values (`UPPER_NAME`): `Debug` shows its names only.
impl std::fmt::Debug for ParseOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseOptions")
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("var_files", &self.var_files)
            .field("budgets", &self.budgets)
            .finish()
    }
}

/// A parsed Secretfile with its diagnostics and what later stages need.
#[derive(Debug, Clone)]
pub struct ParsedSecretfile {
    /// The model (defaults where a field was missing or wrong; check [`Self::is_valid`]).
    pub secretfile: Secretfile,
    /// Every error and warning, in document order.
    pub diagnostics: Vec<Diagnostic>,
    /// The interpolated YAML tree, for locating later problems.
    pub tree: Option<Node>,
}

impl ParsedSecretfile {
    /// Whether no diagnostic is an error.
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The span of the node at a path such as `["secrets", "2", "config", "length"]`.
    pub fn span_at(&self, path: &[&str]) -> Option<Span> {
        span_at(self.tree.as_ref()?, path)
    }
}

/// Locate a node by path segments (mapping keys, or list indexes as decimal text).
pub fn span_at(root: &Node, path: &[&str]) -> Option<Span> {
    let mut node = root;
    for seg in path {
        node = match &node.value {
            Value::Map(_) => node.get(seg)?,
            Value::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node.span)
}

/// Locate the *key* of the mapping entry at `path` (for "unknown key" diagnostics).
pub fn key_span_at(root: &Node, path: &[&str]) -> Option<Span> {
    let (last, parent) = path.split_last()?;
    let mut node = root;
    for seg in parent {
        node = match &node.value {
            Value::Map(_) => node.get(seg)?,
            Value::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    node.as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some(last))
        .map(|(k, _)| k.span)
}

/// Parse, interpolate, decode and validate a Secretfile.
///
/// Never fails: problems are in [`ParsedSecretfile::diagnostics`].
pub fn parse_secretfile(text: &str, options: &ParseOptions) -> ParsedSecretfile {
    let mut diagnostics = Vec::new();
    let failed = |diagnostics: Vec<Diagnostic>| ParsedSecretfile {
        secretfile: Secretfile::default(),
        diagnostics,
        tree: None,
    };
    let doc = match yaml::parse(text, &options.budgets) {
        Ok(doc) => doc,
        Err(d) => return failed(vec![d]),
    };
    diagnostics.extend(doc.warnings);
    // An empty mapping (`{}`) is as empty as no document, as in the reference.
    let root = doc
        .root
        .filter(|r| !matches!(&r.value, Value::Map(m) if m.is_empty()));
    let Some(mut root) = root else {
        diagnostics.push(
            Diagnostic::error(ErrorCode::EmptySecretfile, "the secretfile is empty")
                .at(Some(crate::LineIndex::new(text).span(0, 0)))
                .with_hint("declare at least `secrets: []`"),
        );
        return failed(diagnostics);
    };
    if !matches!(root.value, Value::Map(_)) {
        diagnostics.push(
            Diagnostic::error(
                ErrorCode::NotAMapping,
                format!(
                    "the top level must be a mapping, found {}",
                    root.type_name()
                ),
            )
            .at(Some(root.span))
            .with_hint("start the file with keys such as `variables:` and `secrets:`"),
        );
        return failed(diagnostics);
    }

    let jinja = Jinja::new();
    let raw_vars = raw_variables(
        &root,
        &options.var_files,
        &mut diagnostics,
        &options.budgets,
    );
    let vars = resolve_variables(&raw_vars, &options.env, &jinja);
    diagnostics.extend(interpolate_tree(&mut root, &vars, &options.env, &jinja));

    let mut secretfile = decode::secretfile(&root, &mut diagnostics);
    secretfile.variables = vars;
    validate::validate(&secretfile, &root, &mut diagnostics);
    crate::sorting::sort_by_key(&mut diagnostics, |d| {
        (d.line.unwrap_or(usize::MAX), d.column.unwrap_or(0))
    });
    ParsedSecretfile {
        secretfile,
        diagnostics,
        tree: Some(root),
    }
}

/// The document's `variables` merged with the var files (deep merge, later wins).
fn raw_variables(
    root: &Node,
    var_files: &[VarFile],
    diags: &mut Vec<Diagnostic>,
    budgets: &Budgets,
) -> DataMap {
    let mut vars = match root.get("variables").map(decode::to_data) {
        Some(Data::Object(m)) => m,
        _ => DataMap::new(),
    };
    for vf in var_files {
        match yaml::parse(&vf.text, budgets) {
            Ok(doc) => match doc.root.as_ref().map(decode::to_data) {
                Some(Data::Object(m)) => deep_merge(&mut vars, &m),
                None => {}
                Some(_) => diags.push(
                    Diagnostic::error(
                        ErrorCode::WrongType,
                        format!("var file `{}` must be a mapping", vf.path),
                    )
                    .with_hint("a var file holds `name: value` pairs"),
                ),
            },
            Err(mut d) => {
                d.message = format!("var file `{}`: {}", vf.path, d.message);
                d.span = None;
                diags.push(d);
            }
        }
    }
    vars
}

/// Deep-merge `src` into `dst`: nested maps merge, everything else is replaced.
pub fn deep_merge(dst: &mut DataMap, src: &DataMap) {
    for (k, v) in src {
        match (dst.get_mut(k), v) {
            (Some(Data::Object(d)), Data::Object(s)) => deep_merge(d, s),
            _ => {
                dst.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ParsedSecretfile {
        parse_secretfile(text, &ParseOptions::default())
    }

    #[test]
    fn empty_and_non_mapping_documents() {
        assert_eq!(parse("").diagnostics[0].code, ErrorCode::EmptySecretfile);
        assert_eq!(
            parse("# nothing\n").diagnostics[0].code,
            ErrorCode::EmptySecretfile
        );
        assert_eq!(
            parse("- a\n- b\n").diagnostics[0].code,
            ErrorCode::NotAMapping
        );
        assert_eq!(
            parse("just text\n").diagnostics[0].code,
            ErrorCode::NotAMapping
        );
        assert!(parse("secrets: []\n").is_valid());
    }

    #[test]
    fn interpolates_outside_instructions_only() {
        let mut opts = ParseOptions::default();
        opts.env.insert("REGION".into(), "eu".into());
        let p = parse_secretfile(
            "variables:\n  app: demo\nsecrets:\n  - name: s\n    kind: static\n    config: {default: '${app}-${REGION}-{{ var.app }}'}\n    agent_instructions:\n      summary: '${REGION} {{ var.app }}'\n      steps: []\n",
            &opts,
        );
        assert!(p.is_valid(), "{:?}", p.diagnostics);
        let s = &p.secretfile.secrets[0];
        assert_eq!(s.config["default"], "demo-eu-demo");
        assert_eq!(
            s.agent_instructions.as_ref().unwrap().summary,
            "${REGION} {{ var.app }}"
        );
    }

    #[test]
    fn broken_jinja_is_kept_with_a_warning() {
        let p = parse("secrets:\n  - {name: a, kind: static, config: {default: 'x-{{ var.y '}}\n");
        assert!(p.is_valid());
        assert_eq!(p.secretfile.secrets[0].config["default"], "x-{{ var.y ");
        assert_eq!(p.diagnostics[0].code, ErrorCode::TemplateRender);
        assert_eq!(p.diagnostics[0].line, Some(2));
    }

    #[test]
    fn var_files_merge_deep_and_later_wins() {
        let opts = ParseOptions {
            var_files: vec![
                VarFile {
                    path: "a.yml".into(),
                    text: "db: {host: a, port: 1}\nx: 1\n".into(),
                },
                VarFile {
                    path: "b.yml".into(),
                    text: "db: {port: 2}\n".into(),
                },
            ],
            ..ParseOptions::default()
        };
        let p = parse_secretfile("variables:\n  db: {user: u}\nsecrets: []\n", &opts);
        assert_eq!(
            p.secretfile.variables["db"],
            serde_json::json!({"user": "u", "host": "a", "port": 2})
        );
        assert_eq!(p.secretfile.variables["x"], 1);
    }
}
