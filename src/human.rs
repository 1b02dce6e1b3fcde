//! The human-readable report (being written).

use crate::report::SyncReport;

/// Options of the text report.
#[derive(Clone, Debug)]
pub struct TextOptions {
    /// ANSI colours.
    pub color: bool,
    /// Line width.
    pub width: usize,
}

/// Render the report as text.
pub fn render(report: &SyncReport, _opts: &TextOptions) -> String {
    format!("status: {}\n", report.status.as_str())
}
