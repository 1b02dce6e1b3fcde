//! The human-readable sync report, in the seed's format (spec §7 plus the 💡 Automation,
//! ⏱️ Estimated time and 📚 Docs lines).
//!
//! Plain text unless the host asks for colour (it does so only on a TTY without `NO_COLOR`).
//! Lines wrap at the given width with a hanging indent. Nothing here can print a value: the
//! report holds none.

use crate::report::{SecretDetail, SyncReport};

/// Options of the text report.
#[derive(Clone, Debug)]
pub struct TextOptions {
    /// ANSI colours. Default false.
    pub color: bool,
    /// Line width for rules and wrapping. Default 80 (minimum 40).
    pub width: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            width: 80,
        }
    }
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn green(&self, t: &str) -> String {
        self.paint("1;32", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("1;33", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("1;31", t)
    }
    fn cyan(&self, t: &str) -> String {
        self.paint("36", t)
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}

/// Render the report as text (ends with a newline).
pub fn render(report: &SyncReport, opts: &TextOptions) -> String {
    let width = opts.width.max(40);
    let st = Style { color: opts.color };
    let mut out: Vec<String> = Vec::new();

    if !report.synced_secrets.is_empty() {
        out.push(String::new());
        let verb = if report.dry_run {
            "Would sync"
        } else {
            "Successfully synced"
        };
        out.push(st.green(&format!(
            "✅ {verb} {} secret(s):",
            report.synced_secrets.len()
        )));
        out.extend(report.synced_secrets.iter().map(|n| format!("  • {n}")));
    }
    if !report.already_synced.is_empty() {
        out.push(String::new());
        out.push(format!(
            "ℹ️  {} secret(s) already in lockfile (skipped):",
            report.already_synced.len()
        ));
        out.extend(report.already_synced.iter().map(|n| format!("  • {n}")));
    }
    let mut labelled = false;
    if !report.pending_secrets.is_empty() {
        out.push(String::new());
        out.push(st.yellow(&format!(
            "⏳ {} secret(s) require manual intervention:",
            report.pending_secrets.len()
        )));
        for (name, p) in &report.pending_secrets {
            let ai = &p.instructions;
            out.push(String::new());
            out.push(st.cyan(&rule(name, width)));
            out.extend(wrap(&format!("  Summary: {}", ai.summary), width, 11));
            if !ai.steps.is_empty() {
                out.push(String::new());
                out.push("  Steps:".into());
                labelled |= render_steps(&mut out, &ai.steps, width, &st);
            }
            let mut extra = Vec::new();
            if let Some(pre) = ai.prerequisites.as_ref().filter(|p| !p.is_empty()) {
                extra.extend(wrap(
                    &format!("  📋 Prerequisites: {}", pre.join("; ")),
                    width,
                    4,
                ));
            }
            if let Some(tools) = ai.required_tools.as_ref().filter(|t| !t.is_empty()) {
                extra.extend(wrap(
                    &format!("  🔧 Required tools: {}", tools.join(", ")),
                    width,
                    4,
                ));
            }
            let level = ai
                .automation_level
                .map(|l| l.as_str())
                .unwrap_or("semi_automated");
            let hint = match ai.automation_hint.as_deref().filter(|h| !h.is_empty()) {
                Some(h) => h.to_string(),
                None => level.replace('_', " "),
            };
            extra.extend(wrap(&format!("  💡 Automation: {hint}"), width, 4));
            if let Some(t) = ai.estimated_time.as_deref().filter(|t| !t.is_empty()) {
                extra.push(format!("  ⏱️ Estimated time: {t}"));
            }
            if let Some(f) = ai.fallback.as_deref().filter(|f| !f.is_empty()) {
                extra.extend(wrap(&format!("  🛟 Fallback: {f}"), width, 4));
            }
            if let Some(d) = ai.documentation_url.as_deref().filter(|d| !d.is_empty()) {
                extra.push(format!("  📚 Docs: {d}"));
            }
            out.push(String::new());
            out.extend(extra);
        }
    }
    if labelled {
        out.push(String::new());
        out.extend(wrap(TRUST_LINE, width, 2).into_iter().map(|l| st.dim(&l)));
    }
    if !report.failed_secrets.is_empty() {
        out.push(String::new());
        out.push(st.red(&format!(
            "❌ {} secret(s) failed:",
            report.failed_secrets.len()
        )));
        for (name, msg) in &report.failed_secrets {
            out.extend(wrap(&format!("  • {name}: {msg}"), width, 4));
        }
    }
    if let Some(r) = report
        .sync_results
        .refresh
        .as_ref()
        .filter(|r| r.mismatch_targets > 0)
    {
        out.push(String::new());
        let verb = if report.dry_run {
            "would prune"
        } else {
            "pruned"
        };
        let entries = if r.mismatch_targets == 1 {
            "entry"
        } else {
            "entries"
        };
        let secrets = if r.mismatch_secrets == 1 {
            "secret"
        } else {
            "secrets"
        };
        out.push(st.yellow(&format!(
            "⚠ Refreshed lockfile targets: {verb} {} stale target {entries} across {} {secrets}",
            r.mismatch_targets, r.mismatch_secrets
        )));
    }
    if let Some(engine) = report
        .sync_results
        .engine
        .as_ref()
        .filter(|e| !e.details.is_empty())
    {
        out.push(String::new());
        out.push(st.bold("Synced Secret Details"));
        out.extend(details_table(
            &engine.details,
            &report.already_synced,
            report.dry_run,
        ));
    }

    out.push(String::new());
    out.push(st.bold("📊 Summary:"));
    if report.dry_run {
        out.push(st.yellow("DRY RUN MODE - No changes applied"));
    }
    let s = &report.automation_summary;
    out.push(format!("  Synced:   {}", s.fully_synced));
    if s.already_synced > 0 {
        out.push(format!("  Already synced: {}", s.already_synced));
    }
    out.push(format!("  Pending:  {}", s.requires_intervention));
    out.push(format!("  Failed:   {}", s.failed));
    if !report.dry_run && s.fully_synced > 0 {
        let stored = report
            .sync_results
            .engine
            .as_ref()
            .map(|e| e.details.iter().filter(|d| d.stored).count())
            .unwrap_or(0);
        out.push(format!(
            "  Validated in lockfile: {stored}/{}",
            s.fully_synced
        ));
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Options of [`render_instructions`].
#[derive(Clone, Debug, Default)]
pub struct InstructionsTextOptions {
    /// Colours and width.
    pub text: TextOptions,
    /// Also prerequisites, required tools, automation, estimated time, fallback and docs
    /// (`--detailed`).
    pub detailed: bool,
    /// Leave out the `Agent instructions (N ...)` header and the "No ... secrets" line (for
    /// one secret shown on its own, as `--interactive` does).
    pub bare: bool,
}

/// Render an instructions report as text: the reference's `agent instructions` layout (a
/// rule per secret, summary, numbered steps with their descriptions; with `detailed`, the
/// optional sections too). Ends with a newline.
pub fn render_instructions(
    r: &crate::instructions::InstructionsResponse,
    opts: &InstructionsTextOptions,
) -> String {
    use crate::instructions::InstructionScope;
    let width = opts.text.width.max(40);
    let st = Style {
        color: opts.text.color,
    };
    let mut out: Vec<String> = Vec::new();
    let mut labelled = false;
    let pending = r.scope == InstructionScope::Pending;
    if r.secrets.is_empty() {
        if !opts.bare {
            out.push(st.dim(if pending {
                "No pending secrets with agent instructions"
            } else {
                "No secrets with agent instructions"
            }));
        }
    } else if !opts.bare {
        out.push(String::new());
        let label = if pending {
            "pending manual"
        } else {
            "all configured"
        };
        let plural = if r.secrets.len() == 1 { "" } else { "s" };
        out.push(format!(
            "{} ({} {label} secret{plural})",
            st.bold("Agent instructions"),
            r.secrets.len()
        ));
    }
    let section = |out: &mut Vec<String>, title: &str, lines: Option<&Vec<String>>| {
        if let Some(lines) = lines.filter(|l| !l.is_empty()) {
            out.push(String::new());
            out.push(st.yellow(&format!("  {title}:")));
            for l in lines {
                out.extend(wrap(&format!("    • {l}"), width, 6));
            }
        }
    };
    for (name, entry) in &r.secrets {
        let ai = &entry.instructions;
        out.push(String::new());
        out.push(st.cyan(&rule(name, width)));
        out.extend(wrap(&format!("  Summary: {}", ai.summary), width, 11));
        if opts.detailed {
            section(&mut out, "Prerequisites", ai.prerequisites.as_ref());
            section(&mut out, "Required tools", ai.required_tools.as_ref());
        }
        if !ai.steps.is_empty() {
            out.push(String::new());
            out.push(st.bold("  Steps:"));
            labelled |= render_steps(&mut out, &ai.steps, width, &st);
        }
        if !opts.detailed {
            continue;
        }
        let mut extra = Vec::new();
        let hint = ai
            .automation_hint
            .clone()
            .filter(|h| !h.is_empty())
            .or_else(|| ai.automation_level.map(|l| l.as_str().replace('_', " ")));
        if let Some(h) = hint {
            extra.extend(wrap(&format!("  Automation: {h}"), width, 4));
        }
        if let Some(t) = ai.estimated_time.as_deref().filter(|t| !t.is_empty()) {
            extra.extend(wrap(&format!("  Estimated time: {t}"), width, 4));
        }
        if let Some(f) = ai.fallback.as_deref().filter(|f| !f.is_empty()) {
            extra.extend(wrap(&format!("  Fallback: {f}"), width, 4));
        }
        if let Some(d) = ai.documentation_url.as_deref().filter(|d| !d.is_empty()) {
            extra.push(format!("  Docs: {d}"));
        }
        if !extra.is_empty() {
            out.push(String::new());
            out.extend(extra);
        }
    }
    if out.is_empty() {
        return String::new();
    }
    if labelled {
        out.push(String::new());
        out.extend(wrap(TRUST_LINE, width, 2).into_iter().map(|l| st.dim(&l)));
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Diagnostics as `FILE:LINE:COL: error[CODE]: message` lines, each followed by an indented
/// `hint:` line when there is one (what the CLI prints to stderr).
pub fn render_diagnostics(file: &str, diagnostics: &[crate::Diagnostic], color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();
    for d in diagnostics {
        let kind = if d.is_error() {
            st.red("error")
        } else {
            st.yellow("warning")
        };
        let place = match (d.line, d.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            _ => file.to_string(),
        };
        out.push_str(&format!("{place}: {kind}[{}]: {}", d.code, d.message));
        if let Some(p) = &d.path {
            out.push_str(&format!(" (at `{p}`)"));
        }
        out.push('\n');
        if let Some(h) = &d.hint {
            out.push_str(&format!("  {} {h}\n", st.dim("hint:")));
        }
    }
    out
}

/// Printed under pending instructions that contain command or link steps.
const TRUST_LINE: &str = "  Steps marked [command] or [link] come from the Secretfile, not from SecretZero: read them before running or opening them. SecretZero never runs them.";

/// Numbered steps with their descriptions; command-like and link steps are labelled
/// (they come from the repository and may be hostile). Returns whether any was labelled.
fn render_steps(
    out: &mut Vec<String>,
    steps: &[crate::model::Step],
    width: usize,
    st: &Style,
) -> bool {
    let mut labelled = false;
    for (i, step) in steps.iter().enumerate() {
        let marker = format!("    {}. ", i + 1);
        let indent = display_width(&marker);
        let optional = if step.required { "" } else { " (optional)" };
        let label = match crate::steps::classify_step(&step.action).kind {
            crate::steps::StepKind::Command => "[command] ",
            crate::steps::StepKind::Url => "[link] ",
            crate::steps::StepKind::Instruction => "",
        };
        labelled |= !label.is_empty();
        out.extend(wrap(
            &format!("{marker}{label}{}{optional}", step.action),
            width,
            indent,
        ));
        if !step.description.is_empty() {
            let desc = format!("{}{}", " ".repeat(indent), step.description);
            out.extend(wrap(&desc, width, indent).into_iter().map(|l| st.dim(&l)));
        }
    }
    labelled
}

/// A full-width rule with the name centred: `──── name ────`.
fn rule(name: &str, width: usize) -> String {
    let label = format!(" {name} ");
    let w = display_width(&label);
    if w + 2 >= width {
        return format!("── {name} ──");
    }
    let left = (width - w) / 2;
    let right = width - w - left;
    format!("{}{label}{}", "─".repeat(left), "─".repeat(right))
}

fn details_table(details: &[SecretDetail], _already: &[String], dry_run: bool) -> Vec<String> {
    let rows: Vec<[String; 4]> = details
        .iter()
        .map(|d| {
            let (status, result) = if !d.errors.is_empty() {
                ("✗ Failed".to_string(), "Failed".to_string())
            } else if d.skipped {
                (
                    "⊙".to_string(),
                    format!("Skipped ({})", d.reason.clone().unwrap_or_default()),
                )
            } else if dry_run {
                ("•".to_string(), "Would store".to_string())
            } else if d.stored {
                ("✓".to_string(), "Stored & Validated".to_string())
            } else {
                ("•".to_string(), "Processed".to_string())
            };
            [status, d.name.clone(), d.kind.clone(), result]
        })
        .collect();
    let headers = ["Status", "Secret Name", "Type", "Result"];
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    // Rich gives the centred status column two extra cells; keep the reference's look.
    if let Some(w) = widths.first_mut() {
        *w += 2;
    }
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(display_width(cell));
        }
    }
    let line = |l: &str, m: &str, r: &str| {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("{l}{}{r}", parts.join(m))
    };
    let row = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(widths.iter())
            .enumerate()
            .map(|(i, (c, w))| {
                let pad = w - display_width(c);
                if i == 0 {
                    let left = pad / 2;
                    format!(" {}{c}{} ", " ".repeat(left), " ".repeat(pad - left))
                } else {
                    format!(" {c}{} ", " ".repeat(pad))
                }
            })
            .collect();
        format!("│{}│", parts.join("│"))
    };
    let mut out = vec![line("╭", "┬", "╮")];
    out.push(row(&headers.map(String::from)));
    out.push(line("├", "┼", "┤"));
    for r in &rows {
        out.push(row(r));
    }
    out.push(line("╰", "┴", "╯"));
    out
}

/// Terminal display width: East Asian wide characters and emoji count 2, combining marks
/// and variation selectors 0.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    match u {
        0 => 0,
        0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F | 0x20D0..=0x20FF => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x1F680..=0x1F6FF
        | 0x2705
        | 0x274C
        | 0x23F3
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// Word-wrap `line` at `width`; continuation lines are indented by `indent` spaces.
fn wrap(line: &str, width: usize, indent: usize) -> Vec<String> {
    if display_width(line) <= width {
        return vec![line.to_string()];
    }
    let lead = line.len() - line.trim_start().len();
    let mut out = Vec::new();
    let mut current = line.get(..lead).unwrap_or("").to_string();
    let mut current_w = display_width(&current);
    let mut first_word = true;
    for word in line.trim_start().split(' ') {
        let w = display_width(word);
        if !first_word && current_w + 1 + w > width {
            out.push(current);
            current = " ".repeat(indent);
            current_w = indent;
            first_word = true;
        }
        if !first_word {
            current.push(' ');
            current_w += 1;
        }
        current.push_str(word);
        current_w += w;
        first_word = false;
    }
    out.push(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgentInstructions, AutomationLevel, Step};
    use crate::report::{AutomationSummary, PendingSecret, SyncStatus};

    fn sample() -> SyncReport {
        let mut r = SyncReport {
            status: SyncStatus::Partial,
            synced_secrets: vec!["database_password".into(), "jwt_secret".into()],
            resolved_mode: "auto".into(),
            resolved_lockfile: ".gitsecrets.lock".into(),
            ..SyncReport::default()
        };
        r.pending_secrets.insert(
            "stripe_api_key".into(),
            PendingSecret {
                instructions: AgentInstructions {
                    summary: "Sign up for Stripe and generate API key".into(),
                    steps: vec![
                        Step {
                            action: "Visit https://dashboard.stripe.com/register".into(),
                            description: "Create a Stripe account".into(),
                            params: None,
                            required: true,
                        },
                        Step {
                            action: "Navigate to Developers > API Keys".into(),
                            description: "Access API key management".into(),
                            params: None,
                            required: true,
                        },
                    ],
                    automation_hint: Some("Manual only – requires email verification".into()),
                    estimated_time: Some("5-10 minutes".into()),
                    documentation_url: Some("https://stripe.com/docs/keys".into()),
                    automation_level: Some(AutomationLevel::ManualOnly),
                    ..AgentInstructions::default()
                },
            },
        );
        r.failed_secrets.insert(
            "oauth".into(),
            "Secret requires manual input but no agent_instructions provided".into(),
        );
        r.automation_summary = AutomationSummary {
            fully_synced: 2,
            requires_intervention: 1,
            failed: 1,
            ..AutomationSummary::default()
        };
        r
    }

    #[test]
    fn seed_format_sections() {
        let text = render(&sample(), &TextOptions::default());
        assert!(text.contains(
            "✅ Successfully synced 2 secret(s):\n  • database_password\n  • jwt_secret\n"
        ));
        assert!(text.contains("⏳ 1 secret(s) require manual intervention:"));
        let rule_line = text
            .lines()
            .find(|l| l.contains(" stripe_api_key "))
            .unwrap();
        assert_eq!(display_width(rule_line), 80);
        assert!(rule_line.starts_with("───"));
        assert!(text.contains("  Summary: Sign up for Stripe and generate API key\n"));
        assert!(text.contains(
            "    1. [link] Visit https://dashboard.stripe.com/register\n       Create a Stripe account\n"
        ));
        assert!(text.contains("  💡 Automation: Manual only – requires email verification\n"));
        assert!(text.contains("  ⏱️ Estimated time: 5-10 minutes\n"));
        assert!(text.contains("  📚 Docs: https://stripe.com/docs/keys\n"));
        assert!(text.contains("❌ 1 secret(s) failed:\n  • oauth: Secret requires"));
        assert!(text.contains("📊 Summary:\n  Synced:   2\n  Pending:  1\n  Failed:   1\n"));
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn colour_only_when_asked() {
        let text = render(
            &sample(),
            &TextOptions {
                color: true,
                width: 80,
            },
        );
        assert!(text.contains("\x1b[1;32m✅"));
    }

    fn instructions_of(
        scope: crate::instructions::InstructionScope,
    ) -> crate::instructions::InstructionsResponse {
        let mut ai = sample().pending_secrets["stripe_api_key"].clone();
        ai.instructions.prerequisites = Some(vec!["A company email".into()]);
        ai.instructions.required_tools = Some(vec!["curl".into(), "jq".into()]);
        ai.instructions.fallback = Some("Ask finance".into());
        ai.instructions.steps[1].required = false;
        let mut secrets = indexmap::IndexMap::new();
        secrets.insert("stripe_api_key".to_string(), ai);
        crate::instructions::InstructionsResponse {
            scope,
            total: 1,
            secrets,
            warnings: vec![],
        }
    }

    // The layout of the reference's `agent instructions` (checked against its output for the
    // instr-all-fields fixture), with the "(optional)" marker of our sync report.
    #[test]
    fn instructions_concise_and_detailed() {
        use crate::instructions::InstructionScope;
        let r = instructions_of(InstructionScope::Pending);
        let concise = render_instructions(&r, &InstructionsTextOptions::default());
        assert!(concise.starts_with("\nAgent instructions (1 pending manual secret)\n\n───"));
        assert!(concise.contains(
            "  Summary: Sign up for Stripe and generate API key\n\n  Steps:\n    1. [link] Visit https://dashboard.stripe.com/register\n       Create a Stripe account\n    2. Navigate to Developers > API Keys (optional)\n"
        ));
        assert!(!concise.contains("Prerequisites") && !concise.contains("Docs:"));
        let detailed = render_instructions(
            &r,
            &InstructionsTextOptions {
                detailed: true,
                ..InstructionsTextOptions::default()
            },
        );
        assert!(detailed.contains(
            "\n\n  Prerequisites:\n    • A company email\n\n  Required tools:\n    • curl\n    • jq\n\n  Steps:\n"
        ));
        assert!(detailed.contains(
            "\n\n  Automation: Manual only – requires email verification\n  Estimated time: 5-10 minutes\n  Fallback: Ask finance\n  Docs: https://stripe.com/docs/keys\n"
        ));
        assert!(
            detailed.trim_end().ends_with("never runs\n  them."),
            "{detailed}"
        );
        let bare = render_instructions(
            &r,
            &InstructionsTextOptions {
                bare: true,
                ..InstructionsTextOptions::default()
            },
        );
        assert!(bare.starts_with("\n───"));
        let all = render_instructions(
            &instructions_of(InstructionScope::All),
            &InstructionsTextOptions::default(),
        );
        assert!(all.starts_with("\nAgent instructions (1 all configured secret)\n"));
    }

    #[test]
    fn instructions_empty() {
        use crate::instructions::{InstructionScope, InstructionsResponse};
        let mut r = InstructionsResponse::default();
        assert_eq!(
            render_instructions(&r, &InstructionsTextOptions::default()),
            "No pending secrets with agent instructions\n"
        );
        r.scope = InstructionScope::All;
        assert_eq!(
            render_instructions(&r, &InstructionsTextOptions::default()),
            "No secrets with agent instructions\n"
        );
        let bare = InstructionsTextOptions {
            bare: true,
            ..InstructionsTextOptions::default()
        };
        assert_eq!(render_instructions(&r, &bare), "");
    }

    #[test]
    fn wraps_long_lines_with_hanging_indent() {
        let lines = wrap(
            &format!("  Summary: {}", "word ".repeat(30).trim_end()),
            40,
            11,
        );
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| display_width(l) <= 40));
        assert!(lines[1].starts_with("           word"));
    }
}
