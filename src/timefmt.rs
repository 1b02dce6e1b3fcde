//! Timestamps as the reference CLI writes them into the lockfile.
//!
//! The core never reads a clock: the host passes the current time as an RFC 3339 string
//! (JS `new Date().toISOString()`, e.g. `2026-11-28T15:11:20.123Z`). The lockfile wants
//! Python's `datetime.now(UTC).isoformat()`: `2026-11-28T15:11:20.123000+00:00`, six
//! fraction digits, and **no fraction at all** when the microsecond is zero
//! (`2026-11-28T15:11:20+00:00`). This module converts between the two without a date
//! crate: the input is validated field by field, converted to UTC when it carries another
//! offset, and printed the Python way.

use crate::diagnostic::{Diagnostic, ErrorCode};

/// A UTC instant with microsecond precision, inside Python's `datetime` range (years 1–9999).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcTime {
    /// Year, 1–9999.
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of month, 1–31.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
    /// Second, 0–59.
    pub second: u32,
    /// Microsecond, 0–999999 (extra input digits are truncated, as Python's `fromisoformat`).
    pub microsecond: u32,
}

impl UtcTime {
    /// Python's `isoformat()` of this instant as an aware UTC datetime.
    pub fn python_isoformat(&self) -> String {
        let frac = if self.microsecond == 0 {
            String::new()
        } else {
            format!(".{:06}", self.microsecond)
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}+00:00",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn bad(iso: &str, what: &str) -> Diagnostic {
    // The input is a timestamp from the host, never a secret: it may be quoted (bounded).
    let shown: String = iso.chars().take(40).collect();
    Diagnostic::error(
        ErrorCode::Usage,
        format!("invalid timestamp `{shown}`: {what}"),
    )
    .with_hint("pass the time as RFC 3339 in UTC, e.g. `new Date().toISOString()` (2026-11-28T15:11:20.123Z)")
}

/// Parse `n` ASCII digits at the front of `s`.
fn digits(s: &[u8], n: usize) -> Option<(u32, &[u8])> {
    let head = s.get(..n)?;
    let mut v: u32 = 0;
    for &b in head {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Some((v, s.get(n..).unwrap_or_default()))
}

fn expect(s: &[u8], c: u8) -> Option<&[u8]> {
    match s.split_first() {
        Some((&b, rest)) if b == c => Some(rest),
        _ => None,
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parse an RFC 3339 timestamp (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a
/// space separator are accepted too) and convert it to UTC.
///
/// Rejected: a missing offset (the instant would be ambiguous), out-of-range fields
/// (`2026-02-30`, `24:00:00`, leap second `:60`), JS extended years (`+275760-…`) and
/// anything outside Python's years 1–9999.
// `Diagnostic` is the crate's error type everywhere (as in `yaml::parse`); boxing it here
// alone would make the API inconsistent.
#[allow(clippy::result_large_err)]
pub fn parse_rfc3339(iso: &str) -> Result<UtcTime, Diagnostic> {
    let s = iso.trim().as_bytes();
    let (year, s) = digits(s, 4).ok_or_else(|| bad(iso, "expected a 4-digit year"))?;
    let s = expect(s, b'-').ok_or_else(|| bad(iso, "expected `-` after the year"))?;
    let (month, s) = digits(s, 2).ok_or_else(|| bad(iso, "expected a 2-digit month"))?;
    let s = expect(s, b'-').ok_or_else(|| bad(iso, "expected `-` after the month"))?;
    let (day, s) = digits(s, 2).ok_or_else(|| bad(iso, "expected a 2-digit day"))?;
    let s = match s.split_first() {
        Some((b'T' | b't' | b' ', rest)) => rest,
        _ => return Err(bad(iso, "expected `T` between date and time")),
    };
    let (hour, s) = digits(s, 2).ok_or_else(|| bad(iso, "expected a 2-digit hour"))?;
    let s = expect(s, b':').ok_or_else(|| bad(iso, "expected `:` after the hour"))?;
    let (minute, s) = digits(s, 2).ok_or_else(|| bad(iso, "expected 2-digit minutes"))?;
    let s = expect(s, b':').ok_or_else(|| bad(iso, "expected `:` and seconds"))?;
    let (second, mut s) = digits(s, 2).ok_or_else(|| bad(iso, "expected 2-digit seconds"))?;
    let mut microsecond: u32 = 0;
    if let Some(rest) = expect(s, b'.') {
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return Err(bad(iso, "expected digits after `.`"));
        }
        for i in 0..6 {
            let d = rest
                .get(i)
                .filter(|_| i < n)
                .map_or(0, |b| u32::from(b - b'0'));
            microsecond = microsecond * 10 + d;
        }
        s = rest.get(n..).unwrap_or_default();
    }
    let offset_minutes: i64 = match s {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (oh, rest) = digits(rest, 2).ok_or_else(|| bad(iso, "bad utc offset"))?;
            let rest = expect(rest, b':').unwrap_or(rest);
            let (om, rest) = digits(rest, 2).ok_or_else(|| bad(iso, "bad utc offset"))?;
            if !rest.is_empty() || oh > 23 || om > 59 {
                return Err(bad(iso, "bad utc offset"));
            }
            let total = i64::from(oh * 60 + om);
            if *sign == b'-' { -total } else { total }
        }
        [] => return Err(bad(iso, "missing utc offset (`Z`)")),
        _ => return Err(bad(iso, "unexpected text after the time")),
    };
    let year = i64::from(year);
    if !(1..=12).contains(&month) {
        return Err(bad(iso, "month out of range"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(bad(iso, "day out of range"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(bad(iso, "time out of range"));
    }
    let local_minutes =
        days_from_civil(year, month, day) * 1440 + i64::from(hour) * 60 + i64::from(minute);
    let utc_minutes = local_minutes - offset_minutes;
    let days = utc_minutes.div_euclid(1440);
    let mins = utc_minutes.rem_euclid(1440);
    let (year, month, day) = civil_from_days(days);
    if !(1..=9999).contains(&year) {
        return Err(bad(iso, "year outside 1-9999"));
    }
    Ok(UtcTime {
        year,
        month,
        day,
        hour: (mins / 60) as u32,
        minute: (mins % 60) as u32,
        second,
        microsecond,
    })
}

/// Convert a host timestamp (RFC 3339) to the text Python's `datetime.now(UTC).isoformat()`
/// would have written at that instant: `2026-11-28T15:11:20.123Z` ->
/// `2026-11-28T15:11:20.123000+00:00`; a zero microsecond prints no fraction.
///
/// ```
/// use secretzero_agent::timefmt::python_isoformat;
/// assert_eq!(
///     python_isoformat("2026-11-28T15:11:20.123Z").unwrap(),
///     "2026-11-28T15:11:20.123000+00:00"
/// );
/// assert_eq!(python_isoformat("2026-11-28T15:11:20.000Z").unwrap(), "2026-11-28T15:11:20+00:00");
/// ```
#[allow(clippy::result_large_err)] // see `parse_rfc3339`
pub fn python_isoformat(iso: &str) -> Result<String, Diagnostic> {
    parse_rfc3339(iso).map(|t| t.python_isoformat())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings were produced by CPython 3.11 (the reference CLI's interpreter):
    // `datetime.fromisoformat(x.replace("Z", "+00:00")).astimezone(UTC).isoformat()`.
    #[test]
    fn matches_python_isoformat() {
        for (input, want) in [
            (
                "2026-11-28T15:11:20.123Z",
                "2026-11-28T15:11:20.123000+00:00",
            ),
            ("2026-11-28T15:11:20.000Z", "2026-11-28T15:11:20+00:00"),
            ("2026-11-28T15:11:20Z", "2026-11-28T15:11:20+00:00"),
            (
                "2026-11-28T15:11:20.000001Z",
                "2026-11-28T15:11:20.000001+00:00",
            ),
            (
                "2026-11-28T15:11:20.1234567Z",
                "2026-11-28T15:11:20.123456+00:00",
            ),
            ("2026-11-28 15:11:20+00:00", "2026-11-28T15:11:20+00:00"),
            (
                "2026-11-28T01:30:00.250+02:00",
                "2026-11-27T23:30:00.250000+00:00",
            ),
            ("2024-02-28T23:30:00-01:00", "2024-02-29T00:30:00+00:00"),
            (
                "2023-12-31T23:59:59.999999-05:30",
                "2024-01-01T05:29:59.999999+00:00",
            ),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00+00:00"),
            (
                "9999-12-31T23:59:59.999999Z",
                "9999-12-31T23:59:59.999999+00:00",
            ),
        ] {
            assert_eq!(python_isoformat(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn accepts_rfc3339_lowercase_separators() {
        // RFC 3339 §5.6 allows `t` and `z`; Python's fromisoformat does not, we do.
        assert_eq!(
            python_isoformat("2026-11-28t15:11:20.5z").unwrap(),
            "2026-11-28T15:11:20.500000+00:00"
        );
    }

    #[test]
    fn rejects_invalid_input_with_usage_code() {
        for input in [
            "",
            "yesterday",
            "2026-11-28",
            "2026-11-28T15:11:20",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T23:60:00Z",
            "2026-11-28T23:59:60Z",
            "2026-11-28T23:59:59.Z",
            "2026-11-28T23:59:59Zjunk",
            "2026-11-28T23:59:59+2400",
            "+275760-09-13T00:00:00.000Z",
            "0001-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01",
            "2026-1-28T15:11:20Z",
            "２０２６-11-28T15:11:20Z",
        ] {
            let err = python_isoformat(input).unwrap_err();
            assert_eq!(err.code, ErrorCode::Usage, "{input}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_162_i64, -1, 0, 1, 59, 60, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    }
}
