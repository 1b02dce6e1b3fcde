use super::*;
use proptest::prelude::*;

fn entries(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Reference CLI (secretzero 0.14.23) `agent sync`, static `db_password` = `p@ss "w" é` to a
/// new `new.tfvars` (path inference, no format): header and one line.
#[test]
fn reference_bytes_for_a_new_file() {
    let out = render(None, true, &entries(&[("db_password", "p@ss \"w\" é")])).unwrap();
    assert_eq!(
        out,
        "# Written by SecretZero \u{2014} keep gitignored; do not commit secrets.\ndb_password = \"p@ss \\\"w\\\" \\u00e9\"\n"
    );
}

/// Reference CLI, static map secret `MAPW` = `{b: 1, a: "é"}` (no `token`) to a new
/// `m.tfvars`: the compact sorted JSON is written as a string.
#[test]
fn reference_bytes_for_a_map_value() {
    let out = render(
        None,
        true,
        &entries(&[("MAPW", "{\"a\":\"\\u00e9\",\"b\":1}")]),
    )
    .unwrap();
    assert_eq!(
        out,
        "# Written by SecretZero \u{2014} keep gitignored; do not commit secrets.\nMAPW = \"{\\\"a\\\":\\\"\\\\u00e9\\\",\\\"b\\\":1}\"\n"
    );
}

/// Same run as the new file: `written.tfvars` held the header, `b_existing` and `db_password`; then
/// `db_password` and `api_token` were stored. The reference wrote the sorted lines without the
/// header (it only writes one for a file that does not exist); we keep the header and give
/// the same lines.
#[test]
fn reference_bytes_for_a_file_it_wrote() {
    let existing = format!("{HEADER}\nb_existing = \"x\"\ndb_password = \"old\"\n");
    let e = entries(&[("db_password", "p@ss \"w\" é"), ("api_token", "tok-123")]);
    let reference =
        "api_token = \"tok-123\"\nb_existing = \"x\"\ndb_password = \"p@ss \\\"w\\\" \\u00e9\"\n";
    assert_eq!(
        render(Some(&existing), true, &e).unwrap(),
        format!("{HEADER}\n{reference}")
    );
    let without_header = existing.replace(&format!("{HEADER}\n"), "");
    assert_eq!(render(Some(&without_header), true, &e).unwrap(), reference);
}

/// Same run, `hand.tfvars` with a comment, a number and a boolean: the reference rewrote it
/// sorted as `api_token = "tok-123"`, `db_password = ...`, `enabled = "true"`,
/// `instance_count = "3"`, `region = "eu-west-1"` (comment gone, types turned into strings);
/// with a trailing comment on a line it refused the file ("Unterminated string"). We keep
/// the file and its types; Terraform reads the result (checked with Terraform 1.11).
#[test]
fn hand_written_files_keep_their_text() {
    let existing = "# prod settings\nregion = \"eu-west-1\"  # main region\ninstance_count = 3\nenabled = true\ndb_password = \"old\"\n";
    let e = entries(&[("db_password", "p@ss \"w\" é"), ("api_token", "tok-123")]);
    assert_eq!(
        render(Some(existing), true, &e).unwrap(),
        "# prod settings\napi_token = \"tok-123\"\nregion = \"eu-west-1\"  # main region\ninstance_count = 3\nenabled = true\ndb_password = \"p@ss \\\"w\\\" \\u00e9\"\n"
    );
}

/// `(value, literal)`: the reference's `json.dumps` bytes where they are HCL, our escapes
/// where they are not. Every literal was read back by Terraform 1.11 as the value.
#[test]
fn values_are_hcl_string_literals() {
    let cases: &[(&str, &str)] = &[
        ("abc123", r#""abc123""#),
        ("", r#""""#),
        (
            "pässwörd – 😀 \t\"q\" \\ /",
            r#""p\u00e4ssw\u00f6rd \u2013 \U0001f600 \t\"q\" \\ /""#,
        ),
        ("${x} %{y} $${z} $ % {", r#""$${x} %%{y} $$${z} $ % {""#),
        (
            "\u{0}\u{8}\u{c}\u{1b}\u{7f}\r\n",
            r#""\u0000\u0008\u000c\u001b\u007f\r\n""#,
        ),
        (
            "{\"a\":\"\\u00e9\",\"b\":1}",
            r#""{\"a\":\"\\u00e9\",\"b\":1}""#,
        ),
        ("# // /* <<EOF", r##""# // /* <<EOF""##),
        (
            "\u{2028}\u{feff}\u{ffff}\u{10ffff}",
            r#""\u2028\ufeff\uffff\U0010ffff""#,
        ),
    ];
    for (value, literal) in cases {
        assert_eq!(format_string(value), *literal, "{value:?}");
        let out = render(None, false, &[("k".to_string(), value.to_string())]).unwrap();
        assert_eq!(lookup(&out, "k").as_deref(), Some(*value));
    }
}

#[test]
fn keys_must_be_identifiers() {
    for key in ["", "2fa", "app.key", "a b", "é", "a=b", "K\n"] {
        let err = render(None, true, &[(key.to_string(), "v".to_string())]).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidTarget, "{key:?}");
        assert!(err.hint.is_some());
    }
    for key in ["a", "_x", "api-key", "DB_PASSWORD_2"] {
        assert!(render(None, true, &[(key.to_string(), "v".to_string())]).is_ok());
    }
}

/// Existing texts and what we write for `K = "new ${value}"`, `NEW = "x"`, `A0 = "first"`.
/// Terraform 1.11 read every input that it accepts and every result: the results hold the
/// old values with ours set.
pub(crate) const EDITS: &[(&str, &str)] = &[
    (
        "# header comment\nb = \"old\" # trailing\nK = \"old\"  // rotated\nz = [\n  1, # one\n  2,\n]\n",
        "# header comment\nA0 = \"first\"\nb = \"old\" # trailing\nK = \"new $${value}\"  // rotated\nNEW = \"x\"\nz = [\n  1, # one\n  2,\n]\n",
    ),
    // heredocs and multi-line values, ours replaced whole; look-alike lines inside
    (
        "K = <<EOF\nmulti ${line}\nK = \"inside\"\nEOF\nm = {\n  a = \"b\"\n  c = [1, 2]\n}\n",
        "A0 = \"first\"\nK = \"new $${value}\"\nNEW = \"x\"\nm = {\n  a = \"b\"\n  c = [1, 2]\n}\n",
    ),
    (
        "K = <<-EOT\n    indented\n    EOT\nq = 1\n",
        "A0 = \"first\"\nK = \"new $${value}\"\nNEW = \"x\"\nq = 1\n",
    ),
    (
        "/* block\ncomment K = 1 */\nK = \"x\"\n",
        "/* block\ncomment K = 1 */\nA0 = \"first\"\nK = \"new $${value}\"\nNEW = \"x\"\n",
    ),
    (
        "K = 1\r\nb = true\r\n",
        "A0 = \"first\"\r\nK = \"new $${value}\"\r\nNEW = \"x\"\r\nb = true\r\n",
    ),
    (
        "  K   =   \"old\"   # spaced\n",
        "A0 = \"first\"\n  K   =   \"new $${value}\"   # spaced\nNEW = \"x\"\n",
    ),
    (
        "b = \"${upper(\"a}\")}\"\nK = \"v\"\n",
        "A0 = \"first\"\nb = \"${upper(\"a}\")}\"\nK = \"new $${value}\"\nNEW = \"x\"\n",
    ),
    (
        "b = 1",
        "A0 = \"first\"\nK = \"new $${value}\"\nNEW = \"x\"\nb = 1",
    ),
    (
        "B = 1",
        "A0 = \"first\"\nB = 1\nK = \"new $${value}\"\nNEW = \"x\"\n",
    ),
    ("", "A0 = \"first\"\nK = \"new $${value}\"\nNEW = \"x\"\n"),
    (
        "# only a comment\n",
        "# only a comment\nA0 = \"first\"\nK = \"new $${value}\"\nNEW = \"x\"\n",
    ),
    (
        "\u{feff}b = 1\n",
        "\u{feff}A0 = \"first\"\nK = \"new $${value}\"\nNEW = \"x\"\nb = 1\n",
    ),
];

/// The entries [`EDITS`] writes.
pub(crate) const EDIT_ENTRIES: &[(&str, &str)] =
    &[("K", "new ${value}"), ("NEW", "x"), ("A0", "first")];

#[test]
fn edits_in_place() {
    let e = entries(EDIT_ENTRIES);
    for (existing, want) in EDITS {
        let out =
            render(Some(existing), true, &e).unwrap_or_else(|d| panic!("{existing:?}: {d:?}"));
        assert_eq!(&out, want, "{existing:?}");
        assert_eq!(lookup(&out, "K").as_deref(), Some("new ${value}"));
        assert_eq!(lookup(&out, "A0").as_deref(), Some("first"));
    }
}

#[test]
fn files_that_cannot_be_merged_are_refused_with_a_position() {
    let e = entries(&[("K", "secret-value")]);
    // Terraform refuses every one of these texts too.
    let cases: &[(&str, usize, usize)] = &[
        ("K = \"a\"\nK = \"b\"\n", 2, 1),
        ("K {\n  x = 1\n}\n", 1, 1),
        ("b = [1,\n", 2, 1),
        ("b = \"unterminated\n", 1, 5),
        ("= 1\n", 1, 1),
        ("b = 1 c = 2\n", 1, 9),
        ("b = \"${x\"\n", 1, 9),
        ("b = <<EOF\nnever closed\n", 1, 5),
        ("b = 1\rK = 2\n", 1, 6),
        ("b =\n", 1, 4),
        ("b = (1]\n", 1, 7),
        ("/* open\n", 1, 1),
    ];
    for (text, line, column) in cases {
        let err = render(Some(text), true, &e).unwrap_err();
        assert_eq!(err.code, ErrorCode::TargetMergeFailed, "{text:?}");
        assert_eq!(
            (err.line, err.column),
            (Some(*line), Some(*column)),
            "{text:?}: {}",
            err.message
        );
        assert!(!err.message.contains("secret-value"));
        assert!(err.hint.is_some());
    }
}

#[test]
fn merge_false_and_duplicates() {
    let e = entries(&[("b", "1"), ("a", "x"), ("b", "2")]);
    // merge: false on an existing file: no header, as the reference (the file exists).
    assert_eq!(
        render(Some("junk {"), false, &e).unwrap(),
        "a = \"x\"\nb = \"2\"\n"
    );
    assert_eq!(render(None, true, &[]).unwrap(), format!("{HEADER}\n"));
    assert_eq!(render(Some(""), true, &[]).unwrap(), "");
    assert_eq!(
        render(Some("a = 1 # c\n"), true, &[]).unwrap(),
        "a = 1 # c\n"
    );
}

#[test]
fn lookup_reads_what_the_reference_reads() {
    let text = concat!(
        "s = \"a\\\"b\\\\c\\n\\u00e9\\U0001F600 $${x} %%{y}\"\n",
        "t = true\n",
        "n = -1.50\n",
        "i = \"${var.x}\"\n",
        "d = \"%{ if true }x%{ endif }\"\n",
        "l = [\"a\"]\n",
        "h = <<EOF\nx\nEOF\n",
        "bad = \"\\q\"\n",
        "sur = \"\\ud800\"\n",
        "e = 1e5\n",
    );
    assert_eq!(
        lookup(text, "s").as_deref(),
        Some("a\"b\\c\n\u{e9}\u{1f600} ${x} %{y}")
    );
    assert_eq!(lookup(text, "t").as_deref(), Some("true"));
    assert_eq!(lookup(text, "n").as_deref(), Some("-1.50"));
    for key in ["i", "d", "l", "h", "bad", "sur", "e", "missing"] {
        assert_eq!(lookup(text, key), None, "{key}");
    }
    assert_eq!(lookup("a = \"x\"\na = \"y\"\n", "a"), None);
    assert_eq!(lookup("a = [", "a"), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any value reads back from a new file and from merged ones, and a second rendering
    /// changes nothing.
    #[test]
    fn entries_read_back(
        key in "[A-Za-z_][A-Za-z0-9_-]{0,8}",
        value in "\\PC{0,20}|[\\x00-\\x1f\\x7f\"\\\\${}%#/*<]{0,10}|.{0,12}",
        other in "\\PC{0,12}",
    ) {
        let e = vec![(key.clone(), value.clone())];
        let fresh = render(None, true, &e).unwrap();
        prop_assert_eq!(lookup(&fresh, &key), Some(value.clone()));
        if key != "m_other" && key != "list" {
            let existing = format!("# c\nm_other = {} # note\nlist = [\n  1,\n]\n", format_string(&other));
            let merged = render(Some(&existing), true, &e).unwrap();
            prop_assert_eq!(lookup(&merged, &key), Some(value.clone()));
            prop_assert_eq!(lookup(&merged, "m_other"), Some(other.clone()));
            prop_assert_eq!(render(Some(&merged), true, &e).unwrap(), merged.clone());
        }
    }

    /// Hostile text never panics.
    #[test]
    fn hostile_text_does_not_panic(text in "[ \n\r\t=#/*\\[\\](){}<>,.\"'\\\\$%a-cK0-9:?\u{e9}\u{feff}-]{0,60}") {
        let _ = render(Some(&text), true, &entries(&[("a", "v"), ("K", "x y")]));
        let _ = lookup(&text, "a");
    }
}
