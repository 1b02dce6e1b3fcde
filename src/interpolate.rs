//! `${NAME}` / `${NAME:-default}` substitution and Jinja `{{ ... }}` rendering (spec §3).
//!
//! Load time: every string of the Secretfile outside `agent_instructions` goes through the
//! shell-style pass (variables first, then the environment the host passed in), then, if it
//! contains `{{`, through Jinja with `var` bound to the variables. `variables` values are
//! themselves interpolated first, in order (a deliberate difference from the reference,
//! whose documentation promises it and whose code does not).
//!
//! Report time: each pending secret's `agent_instructions` are rendered with `var`,
//! `secret_name` and `target` (spec §3.5).
//!
//! Jinja runs in minijinja's sandbox (no I/O, no code execution) with a fuel limit, lenient
//! undefined values (render as "" and are falsy, like the reference's silent undefined) and a
//! formatter that prints values the way Python/Jinja2 does (`True`, `None`, `1.0`).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;
use minijinja::value::{Enumerator, Object, ObjectRepr, ValueKind};
use minijinja::{Environment, UndefinedBehavior};

use crate::model::{AgentInstructions, Data, DataMap, Secret};
use crate::yaml::{Node, Value};

/// The environment variables the host passes in (the core never reads a process environment).
pub type Env = BTreeMap<String, String>;

/// Fuel (instruction budget) of one Jinja render: enough for any real template, small enough
/// that `{% for i in range(10**9) %}` stops at once.
const JINJA_FUEL: u64 = 100_000;

/// Fuel of all the renders of one [`Jinja`] together (one Secretfile load, one sync): a file
/// with thousands of fuel-hungry strings must not add up to minutes. Once spent, further
/// templates are kept as written, like templates that fail.
const JINJA_TOTAL_FUEL: u64 = 5_000_000;

/// A reusable Jinja renderer configured like the reference's Jinja2 environment.
pub struct Jinja {
    env: Environment<'static>,
    files: Environment<'static>,
    /// What is left of [`JINJA_TOTAL_FUEL`].
    fuel: Cell<u64>,
}

impl Default for Jinja {
    fn default() -> Self {
        Jinja::new()
    }
}

impl Jinja {
    /// A sandboxed renderer: lenient undefined, no autoescape, fuel-limited, Python-style output.
    pub fn new() -> Self {
        let env = Self::environment(false);
        let files = Self::environment(true);
        Jinja {
            env,
            files,
            fuel: Cell::new(JINJA_TOTAL_FUEL),
        }
    }

    fn environment(keep_trailing_newline: bool) -> Environment<'static> {
        let mut env = Environment::new();
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(keep_trailing_newline)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        env.set_fuel(Some(JINJA_FUEL));
        env.set_recursion_limit(32);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_formatter(|out, _state, value| {
            out.write_str(&py_text(value)).map_err(|_| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "output failed")
            })
        });
        env
    }

    /// Render a whole template file (a `local/template` target): trailing newline kept,
    /// errors returned (the caller fails the secrets that feed it).
    pub fn render_file(&self, source: &str, ctx: &minijinja::Value) -> Result<String, String> {
        self.render_with(&self.files, source, ctx)
            .map_err(|e| match e.line() {
                Some(line) => format!("template error on line {line}: {}", e.kind()),
                None => format!("template error: {}", e.kind()),
            })
    }

    /// Render `source` with `ctx`; `None` when rendering fails (the caller keeps the text).
    pub fn render(&self, source: &str, ctx: &minijinja::Value) -> Option<String> {
        self.render_with(&self.env, source, ctx).ok()
    }

    /// Render within what is left of the total fuel, and charge what the render used (a
    /// failed render is charged the whole per-render fuel).
    fn render_with(
        &self,
        env: &Environment<'static>,
        source: &str,
        ctx: &minijinja::Value,
    ) -> Result<String, minijinja::Error> {
        let left = self.fuel.get();
        if left == 0 {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::OutOfFuel,
                "the templates of this file used up their total fuel",
            ));
        }
        let result = env
            .template_from_str(source)
            .and_then(|t| t.render_captured(ctx.clone()));
        let used = match &result {
            Ok(c) => c.state().fuel_levels().map_or(JINJA_FUEL, |(used, _)| used),
            Err(_) => JINJA_FUEL,
        };
        self.fuel.set(left.saturating_sub(used.max(1)));
        result.map(minijinja::Captured::into_output)
    }
}

/// Python `str()` of a Jinja value as Jinja2 would print it.
fn py_text(v: &minijinja::Value) -> String {
    match v.kind() {
        ValueKind::Undefined => String::new(),
        ValueKind::None => "None".into(),
        ValueKind::Bool => if v.is_true() { "True" } else { "False" }.into(),
        ValueKind::String => v.as_str().unwrap_or_default().to_string(),
        ValueKind::Number => match v.as_i64() {
            Some(i) if !v.to_string().contains('.') => i.to_string(),
            _ => f64::try_from(v.clone())
                .map(crate::pyjson::float_repr)
                .unwrap_or_else(|_| v.to_string()),
        },
        _ => py_repr_jinja(v),
    }
}

fn py_repr_jinja(v: &minijinja::Value) -> String {
    match v.kind() {
        ValueKind::String => py_quote(v.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<String> = v
                .try_iter()
                .map(|it| it.map(|x| py_repr_jinja(&x)).collect())
                .unwrap_or_default();
            format!("[{}]", items.join(", "))
        }
        ValueKind::Map => {
            let items: Vec<String> = v
                .try_iter()
                .map(|it| {
                    it.map(|k| {
                        let val = v.get_item(&k).unwrap_or_default();
                        format!("{}: {}", py_repr_jinja(&k), py_repr_jinja(&val))
                    })
                    .collect()
                })
                .unwrap_or_default();
            format!("{{{}}}", items.join(", "))
        }
        _ => py_text(v),
    }
}

/// Python `repr()` of a string (single quotes unless the text holds `'` and no `"`).
fn py_quote(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python `str()` of a JSON value (`True`, `None`, `1.0`, `['a', 1]`, `{'k': 'v'}`).
pub fn python_str(v: &Data) -> String {
    match v {
        Data::String(s) => s.clone(),
        other => python_repr(other),
    }
}

fn python_repr(v: &Data) -> String {
    match v {
        Data::Null => "None".into(),
        Data::Bool(true) => "True".into(),
        Data::Bool(false) => "False".into(),
        Data::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => crate::pyjson::float_repr(f),
            _ => n.to_string(),
        },
        Data::String(s) => py_quote(s),
        Data::Array(items) => format!(
            "[{}]",
            items.iter().map(python_repr).collect::<Vec<_>>().join(", ")
        ),
        Data::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", py_quote(k), python_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// How `${...}` placeholders are resolved.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ShellMode {
    /// Load time: variables, then the environment, `:-` defaults.
    Load,
    /// agent_instructions: variables only, everything else verbatim.
    Instructions,
}

/// Whether `s` contains the two bytes `pair` in a row: `str::contains` builds a substring
/// searcher per call, which costs more than the scan itself on the short strings of a
/// Secretfile (every string of the tree is checked).
fn has_pair(s: &str, pair: [u8; 2]) -> bool {
    s.as_bytes().windows(2).any(|w| w == pair)
}

/// Whether `s` holds `${` or `{{` (something to interpolate), in one pass over the bytes.
fn has_interpolation(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| matches!(w, [b'$' | b'{', b'{']))
}

/// One left-to-right pass over `\$\{([^}]+)\}`; substituted text is not re-scanned.
fn shell_pass(text: &str, vars: &DataMap, env: &Env, mode: ShellMode) -> String {
    if !has_pair(text, *b"${") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let body_and_more = after.get(2..).unwrap_or("");
        match body_and_more.find('}') {
            Some(end) if end > 0 => {
                let expr = body_and_more.get(..end).unwrap_or("");
                let whole = after.get(..end + 3).unwrap_or(after);
                out.push_str(&resolve(expr, whole, vars, env, mode));
                rest = body_and_more.get(end + 1..).unwrap_or("");
            }
            _ => {
                // `${}` or no closing brace: not a placeholder; keep `$` and go on.
                out.push('$');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

fn resolve(expr: &str, whole: &str, vars: &DataMap, env: &Env, mode: ShellMode) -> String {
    let (name, default) = match expr.split_once(":-") {
        Some((n, d)) => (n, Some(d)),
        None => (expr, None),
    };
    if mode == ShellMode::Instructions {
        return match vars.get(expr) {
            Some(v) => python_str(v),
            None => whole.to_string(),
        };
    }
    if let Some(v) = vars.get(name) {
        return python_str(v);
    }
    match (env.get(name), default) {
        (Some(v), _) => v.clone(),
        (None, Some(d)) => d.to_string(),
        (None, None) => whole.to_string(),
    }
}

/// Convert a JSON value to a Jinja value.
fn jinja_value(v: &Data) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(v))
}

/// Interpolate one load-time string: shell pass, then Jinja if it contains `{{`.
pub fn load_string(
    text: &str,
    vars: &DataMap,
    env: &Env,
    jinja: &Jinja,
    ctx: &minijinja::Value,
) -> String {
    let s = shell_pass(text, vars, env, ShellMode::Load);
    if has_pair(&s, *b"{{") {
        jinja.render(&s, ctx).unwrap_or(s)
    } else {
        s
    }
}

/// Interpolate the `variables` block itself, in order: each value may use the environment
/// (`${HOME:-/tmp}`) and earlier variables (`${a}`, `{{ var.a }}`).
///
/// The Jinja context grows with the variables resolved so far; it is one shared object
/// ([`VarsSoFar`]) rather than a copy per variable, which would make a file with many
/// variables quadratic.
pub fn resolve_variables(raw: &DataMap, env: &Env, jinja: &Jinja) -> DataMap {
    let mut done = DataMap::new();
    let so_far = Arc::new(VarsSoFar::default());
    let mut ctx = BTreeMap::new();
    ctx.insert("var", minijinja::Value::from_dyn_object(so_far.clone()));
    let ctx = minijinja::Value::from(ctx);
    for (k, v) in raw {
        let resolved = map_strings(v, &mut |s| load_string(s, &done, env, jinja, &ctx));
        so_far.insert(k, jinja_value(&resolved));
        done.insert(k.clone(), resolved);
    }
    // Later variables may also be referenced by earlier ones through Jinja only after the
    // pass; keep the single ordered pass (documented) for predictability.
    done
}

/// The `var` of Jinja while `variables` are being resolved: the variables resolved so far,
/// looked up in place.
#[derive(Debug, Default)]
struct VarsSoFar(Mutex<IndexMap<String, minijinja::Value>>);

impl VarsSoFar {
    fn insert(&self, key: &str, value: minijinja::Value) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(key.to_string(), value);
        }
    }
}

impl Object for VarsSoFar {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        self.0.lock().ok()?.get(key.as_str()?).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.0.lock() {
            Ok(m) => Enumerator::Values(
                m.keys()
                    .map(|k| minijinja::Value::from(k.as_str()))
                    .collect(),
            ),
            Err(_) => Enumerator::Empty,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        self.0.lock().ok().map(|m| m.len())
    }
}

fn var_context(vars: &DataMap) -> minijinja::Value {
    let mut ctx = BTreeMap::new();
    ctx.insert("var", jinja_value(&Data::Object(vars.clone())));
    minijinja::Value::from(ctx)
}

fn map_strings(v: &Data, f: &mut dyn FnMut(&str) -> String) -> Data {
    match v {
        Data::String(s) => Data::String(f(s)),
        Data::Array(items) => Data::Array(items.iter().map(|x| map_strings(x, f)).collect()),
        Data::Object(m) => Data::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), map_strings(x, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Interpolate every string of the YAML tree in place, except the `variables` block (resolved
/// separately) and anything under an `agent_instructions` key. Keys are never interpolated.
pub fn interpolate_tree(
    root: &mut Node,
    vars: &DataMap,
    env: &Env,
    jinja: &Jinja,
) -> Vec<crate::Diagnostic> {
    let ctx = var_context(vars);
    let mut warnings = Vec::new();
    let mut f = |s: &str, span: crate::Span| {
        let shell = shell_pass(s, vars, env, ShellMode::Load);
        if !has_pair(&shell, *b"{{") {
            return shell;
        }
        match jinja.render(&shell, &ctx) {
            Some(out) => out,
            None => {
                // The reference keeps the text silently; we keep it and say so (without
                // quoting it: the string may be a value).
                warnings.push(
                    crate::Diagnostic::warning(
                        crate::ErrorCode::TemplateRender,
                        "a `{{ ... }}` expression in this string could not be rendered; the text is kept as written",
                    )
                    .at(Some(span))
                    .with_hint("check the Jinja syntax (balanced `{{ }}`, quotes, filter names)"),
                );
                shell
            }
        }
    };
    if let Value::Map(entries) = &mut root.value {
        for (k, v) in entries.iter_mut() {
            if k.as_str() == Some("variables") {
                continue;
            }
            walk(v, &mut f);
        }
    }
    warnings
}

fn walk(node: &mut Node, f: &mut dyn FnMut(&str, crate::Span) -> String) {
    let span = node.span;
    match &mut node.value {
        Value::Str(s) if has_interpolation(s) => {
            *s = f(s, span);
        }
        Value::Seq(items) => items.iter_mut().for_each(|n| walk(n, f)),
        Value::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                if k.as_str() == Some("agent_instructions") {
                    continue;
                }
                walk(v, f);
            }
        }
        _ => {}
    }
}

/// Render a secret's `agent_instructions` for the report (spec §3.5).
pub fn render_instructions(
    secret: &Secret,
    vars: &DataMap,
    jinja: &Jinja,
) -> Option<AgentInstructions> {
    let ai = secret.agent_instructions.as_ref()?;
    let mut ctx = BTreeMap::new();
    ctx.insert("var", jinja_value(&Data::Object(vars.clone())));
    ctx.insert("secret_name", minijinja::Value::from(secret.name.clone()));
    let mut target = DataMap::new();
    if let Some(t) = secret.targets.first() {
        target.insert("provider".into(), Data::String(t.provider.clone()));
        target.insert("kind".into(), Data::String(t.kind.clone()));
        for (k, v) in &t.config {
            target.insert(k.clone(), v.clone());
        }
    }
    ctx.insert("target", jinja_value(&Data::Object(target)));
    let ctx = minijinja::Value::from(ctx);
    let render = |s: &str| -> String {
        let shell = shell_pass(s, vars, &Env::new(), ShellMode::Instructions);
        if has_pair(&shell, *b"{{") {
            jinja.render(&shell, &ctx).unwrap_or(shell)
        } else {
            shell
        }
    };
    // Required texts fall back to the original when they render empty.
    let keep = |s: &str| -> String {
        let r = render(s);
        if r.is_empty() { s.to_string() } else { r }
    };
    let mut out = ai.clone();
    out.summary = keep(&ai.summary);
    for step in &mut out.steps {
        step.action = keep(&step.action);
        step.description = keep(&step.description);
        if let Some(params) = &mut step.params {
            for v in params.values_mut() {
                if let Data::String(s) = v {
                    *s = render(s);
                }
            }
        }
    }
    let render_opt = |o: &mut Option<String>| {
        if let Some(s) = o {
            *s = render(s);
        }
    };
    render_opt(&mut out.automation_hint);
    render_opt(&mut out.estimated_time);
    render_opt(&mut out.fallback);
    render_opt(&mut out.documentation_url);
    for list in [&mut out.prerequisites, &mut out.required_tools]
        .into_iter()
        .flatten()
    {
        for item in list.iter_mut() {
            *item = render(item);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(v: Data) -> DataMap {
        v.as_object().unwrap().clone()
    }

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn shell_rules_follow_the_reference() {
        let v = vars(json!({"a": "A", "n": 3, "b": true, "l": ["x", 1]}));
        let e = env(&[("E", "env"), ("EMPTY", "")]);
        let cases = [
            ("${a}", "A"),
            ("${n}-${b}", "3-True"),
            ("${l}", "['x', 1]"),
            ("${E}", "env"),
            ("${MISSING}", "${MISSING}"),
            ("${MISSING:-dflt}", "dflt"),
            ("${EMPTY:-dflt}", ""),
            ("${a:-dflt}", "A"),
            ("x${a}y${E}z", "xAyenvz"),
            ("${}", "${}"),
            ("${unclosed", "${unclosed"),
            ("$a", "$a"),
        ];
        for (input, want) in cases {
            assert_eq!(shell_pass(input, &v, &e, ShellMode::Load), want, "{input}");
        }
        // Substituted text is not re-scanned.
        let v2 = vars(json!({"a": "${b}", "b": "no"}));
        assert_eq!(shell_pass("${a}", &v2, &e, ShellMode::Load), "${b}");
    }

    #[test]
    fn jinja_is_lenient_and_pythonic() {
        let j = Jinja::new();
        let v = vars(json!({"env": "dev", "flag": true, "none": null, "f": 1.0}));
        let ctx = var_context(&v);
        let e = Env::new();
        assert_eq!(load_string("eu-{{ var.env }}", &v, &e, &j, &ctx), "eu-dev");
        assert_eq!(load_string("{{ var.missing }}", &v, &e, &j, &ctx), "");
        assert_eq!(
            load_string("{{ var.missing or 'd' }}", &v, &e, &j, &ctx),
            "d"
        );
        assert_eq!(
            load_string(
                "{{ var.flag }}/{{ var.none }}/{{ var.f }}",
                &v,
                &e,
                &j,
                &ctx
            ),
            "True/None/1.0"
        );
        // Broken templates are kept as written.
        assert_eq!(load_string("{{ var.env ", &v, &e, &j, &ctx), "{{ var.env ");
        // A runaway loop runs out of fuel and the text is kept.
        let bomb = "{% for i in range(100000000) %}x{% endfor %}{{ 1 }}";
        assert_eq!(load_string(bomb, &v, &e, &j, &ctx), bomb);
    }

    #[test]
    fn many_variables_and_templates_stay_cheap() {
        // 20,000 variables, each a template over the ones before: linear, not quadratic.
        let j = Jinja::new();
        let raw: DataMap = (0..20_000)
            .map(|i| {
                (
                    format!("v{i}"),
                    json!(format!("{{{{ var|length }}}}-{{{{ var.v0 }}}}")),
                )
            })
            .collect();
        let start = std::time::Instant::now();
        let out = resolve_variables(&raw, &env(&[]), &j);
        assert_eq!(out["v0"], "0-");
        assert_eq!(out["v3"], "3-0-");
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
        // The total fuel runs out: later templates are kept as written.
        let j = Jinja::new();
        let ctx = var_context(&DataMap::new());
        let hungry = "{% for i in range(30000) %}{% endfor %}{{ 1 }}";
        let e = Env::new();
        let v = DataMap::new();
        let rendered = (0..200)
            .filter(|_| load_string(hungry, &v, &e, &j, &ctx) == "1")
            .count();
        assert!((10..200).contains(&rendered), "{rendered}");
    }

    #[test]
    fn variables_resolve_env_and_earlier_variables() {
        let j = Jinja::new();
        let raw = vars(
            json!({"region": "${REGION:-eu-west-1}", "bucket": "app-{{ var.region }}", "again": "${bucket}"}),
        );
        let out = resolve_variables(&raw, &env(&[]), &j);
        assert_eq!(out["region"], "eu-west-1");
        assert_eq!(out["bucket"], "app-eu-west-1");
        assert_eq!(out["again"], "app-eu-west-1");
        let out = resolve_variables(&raw, &env(&[("REGION", "us-east-2")]), &j);
        assert_eq!(out["bucket"], "app-us-east-2");
    }

    #[test]
    fn instructions_render_with_secret_and_target() {
        let j = Jinja::new();
        let secret: Secret = serde_json::from_value(json!({
            "name": "stripe", "kind": "static",
            "targets": [{"provider": "local", "kind": "file", "config": {"path": ".env"}}],
            "agent_instructions": {
                "summary": "Get {{ secret_name }} into {{ target.path }} for ${project} ${HOME}",
                "steps": [{"action": "{{ var.nothing }}", "description": "d ${x:-y}", "params": {"p": "{{ secret_name }}", "n": 1}}],
                "prerequisites": ["{{ var.nothing }}"],
                "automation_hint": "{{ target.kind }}"
            }
        }))
        .unwrap();
        let v = vars(json!({"project": "acme"}));
        let r = render_instructions(&secret, &v, &j).unwrap();
        assert_eq!(r.summary, "Get stripe into .env for acme ${HOME}");
        assert_eq!(r.steps[0].action, "{{ var.nothing }}");
        assert_eq!(r.steps[0].description, "d ${x:-y}");
        assert_eq!(r.steps[0].params.as_ref().unwrap()["p"], "stripe");
        assert_eq!(r.prerequisites.unwrap(), vec![String::new()]);
        assert_eq!(r.automation_hint.as_deref(), Some("file"));
    }
}
