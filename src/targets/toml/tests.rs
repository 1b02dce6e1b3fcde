use super::*;
use proptest::prelude::*;

fn entries(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn pairs(json: &str) -> Vec<(String, String)> {
    serde_json::from_str(json).unwrap()
}

/// `[value, tomli_w.dumps({"K": value})]`, printed by tomli-w 1.2.0 (the package the
/// reference needs for TOML, installed from PyPI into a scratch venv; the reference's own venv
/// has neither tomli nor tomli-w, so its TOML targets fail).
const TOMLI_W_VALUES: &str = r##"[
["", "K = \"\"\n"],
["abc123", "K = \"abc123\"\n"],
["yes", "K = \"yes\"\n"],
["1", "K = \"1\"\n"],
["true", "K = \"true\"\n"],
["\u00e9", "K = \"\u00e9\"\n"],
["p\u00e4ssw\u00f6rd \u2013 \ud83d\ude00 \t\"q\" \\ / ${x} %{y}", "K = \"p\u00e4ssw\u00f6rd \u2013 \ud83d\ude00 \t\\\"q\\\" \\\\ / ${x} %{y}\"\n"],
["\u0000\u0001\b\t\n\u000b\f\r\u001b\u001f\u007f\u0080\u00a0", "K = \"\\u0000\\u0001\\b\t\\n\\u000b\\f\\r\\u001b\\u001f\\u007f\u0080\u00a0\"\n"],
["a\r\nb", "K = \"a\\r\\nb\"\n"],
["'''", "K = \"'''\"\n"],
["\"\"\"", "K = \"\\\"\\\"\\\"\"\n"],
["\\u0041", "K = \"\\\\u0041\"\n"],
["{\"a\":\"\\u00e9\",\"b\":1}", "K = \"{\\\"a\\\":\\\"\\\\u00e9\\\",\\\"b\\\":1}\"\n"],
["line1\nline2\n", "K = \"line1\\nline2\\n\"\n"],
["\u2028\ufeff", "K = \"\u2028\ufeff\"\n"],
["#", "K = \"#\"\n"],
[" x ", "K = \" x \"\n"]
]"##;

/// `[key, tomli_w.dumps({key: "v"})]` from the same tomli-w: bare keys and quoted ones.
const TOMLI_W_KEYS: &str = r##"[
["K", "K = \"v\"\n"],
["a-b_9", "a-b_9 = \"v\"\n"],
["a.b", "\"a.b\" = \"v\"\n"],
["", "\"\" = \"v\"\n"],
["\u00e9", "\"\u00e9\" = \"v\"\n"],
["a b", "\"a b\" = \"v\"\n"],
["\"", "\"\\\"\" = \"v\"\n"],
["\n", "\"\\n\" = \"v\"\n"],
["[x]", "\"[x]\" = \"v\"\n"],
["1", "1 = \"v\"\n"],
["true", "true = \"v\"\n"]
]"##;

#[test]
fn values_are_written_as_tomli_w_writes_them() {
    for (value, want) in pairs(TOMLI_W_VALUES) {
        let out = render(None, true, &[("K".to_string(), value.clone())]).unwrap();
        assert_eq!(out, want, "{value:?}");
        assert_eq!(lookup(&out, "K"), Some(value.clone()), "{value:?}");
    }
    for (key, want) in pairs(TOMLI_W_KEYS) {
        let out = render(None, true, &[(key.clone(), "v".to_string())]).unwrap();
        assert_eq!(out, want, "{key:?}");
        assert_eq!(lookup(&out, &key).as_deref(), Some("v"), "{key:?}");
    }
}

/// A file as `tomli_w.dumps` writes it (top-level values, then tables), merged with a new and
/// an updated key: the bytes are `tomli_w.dumps` of the updated dict (checked with tomli-w
/// 1.2.0), what the reference would write with its optional packages installed.
#[test]
fn tomli_w_bytes_for_a_file_it_wrote() {
    let existing = "port = 8080\nAPI_KEY = \"old\"\nlist = [\n    1,\n    2,\n]\n\n[db]\nhost = \"x\"\n\n[[users]]\nname = \"a\"\n";
    let out = render(
        Some(existing),
        true,
        &entries(&[("API_KEY", "n\u{e9}w\t\"1\""), ("FRESH", "a.b")]),
    )
    .unwrap();
    assert_eq!(
        out,
        "port = 8080\nAPI_KEY = \"n\u{e9}w\t\\\"1\\\"\"\nlist = [\n    1,\n    2,\n]\nFRESH = \"a.b\"\n\n[db]\nhost = \"x\"\n\n[[users]]\nname = \"a\"\n"
    );
}

/// Existing texts and what we write for `K = "new \"value\""`, `NEW = "x"`. Every result was
/// read with Python 3.11's `tomllib` and holds the old values with ours set.
pub(crate) const EDITS: &[(&str, &str)] = &[
    (
        "# header\ntitle = \"app\"  # inline\nK = \"old\" # keep\n\n# about db\n[db]\nK = \"nested\"\n",
        "# header\ntitle = \"app\"  # inline\nK = \"new \\\"value\\\"\" # keep\nNEW = \"x\"\n\n# about db\n[db]\nK = \"nested\"\n",
    ),
    (
        "K = 1\r\nA = 2\r\n",
        "K = \"new \\\"value\\\"\"\r\nA = 2\r\nNEW = \"x\"\r\n",
    ),
    (
        "# only comments\n",
        "# only comments\nK = \"new \\\"value\\\"\"\nNEW = \"x\"\n",
    ),
    ("", "K = \"new \\\"value\\\"\"\nNEW = \"x\"\n"),
    // no top-level value: before the first table (and the comments right above it)
    (
        "[db]\nhost = \"x\"\n",
        "K = \"new \\\"value\\\"\"\nNEW = \"x\"\n\n[db]\nhost = \"x\"\n",
    ),
    (
        "# file\n\n# about db\n[db]\nhost = \"x\"\n",
        "# file\n\nK = \"new \\\"value\\\"\"\nNEW = \"x\"\n\n# about db\n[db]\nhost = \"x\"\n",
    ),
    (
        "[[arr]]\nK = 1\n",
        "K = \"new \\\"value\\\"\"\nNEW = \"x\"\n\n[[arr]]\nK = 1\n",
    ),
    // multi-line values, ours replaced whole, others kept; look-alike lines inside strings
    (
        "A = [\n  1, # one\n  [2, 3],\n]\nK = \"\"\"\nmulti\nline\"\"\"\n[t]\n",
        "A = [\n  1, # one\n  [2, 3],\n]\nK = \"new \\\"value\\\"\"\nNEW = \"x\"\n[t]\n",
    ),
    (
        "K = '''\nK = \"inside\"\n[not.a.table]\n'''\nA = 1\n",
        "K = \"new \\\"value\\\"\"\nA = 1\nNEW = \"x\"\n",
    ),
    // other types are replaced too
    (
        "A = {x = 1, y = [1, 2]}\nK = {a = \"b\"}\n",
        "A = {x = 1, y = [1, 2]}\nK = \"new \\\"value\\\"\"\nNEW = \"x\"\n",
    ),
    (
        "d = 1979-05-27 07:32:00Z\nt = 07:32:00\nK = true\n",
        "d = 1979-05-27 07:32:00Z\nt = 07:32:00\nK = \"new \\\"value\\\"\"\nNEW = \"x\"\n",
    ),
    ("A = 1", "A = 1\nK = \"new \\\"value\\\"\"\nNEW = \"x\"\n"),
    (
        "A = 1\n# trailing",
        "A = 1\nK = \"new \\\"value\\\"\"\nNEW = \"x\"\n# trailing",
    ),
    (
        "  K   =   \"old\"   # spaced\n",
        "  K   =   \"new \\\"value\\\"\"   # spaced\nNEW = \"x\"\n",
    ),
    (
        "\"K\" = 'old'\n",
        "\"K\" = \"new \\\"value\\\"\"\nNEW = \"x\"\n",
    ),
];

/// The entries [`EDITS`] writes.
pub(crate) const EDIT_ENTRIES: &[(&str, &str)] = &[("K", "new \"value\""), ("NEW", "x")];

#[test]
fn edits_in_place() {
    let e = entries(EDIT_ENTRIES);
    for (existing, want) in EDITS {
        let out =
            render(Some(existing), true, &e).unwrap_or_else(|d| panic!("{existing:?}: {d:?}"));
        assert_eq!(&out, want, "{existing:?}");
        assert_eq!(lookup(&out, "K").as_deref(), Some("new \"value\""));
        assert_eq!(lookup(&out, "NEW").as_deref(), Some("x"));
    }
}

#[test]
fn files_that_cannot_be_merged_are_refused_with_a_position() {
    let e = entries(&[("K", "secret-value")]);
    // tomllib refuses every one of the invalid texts too.
    let cases: &[(&str, usize, usize)] = &[
        ("[K]\nx = 1\n", 1, 1),
        ("A = 1\n[K.sub]\nx = 1\n", 2, 1),
        ("[[K]]\nx = 1\n", 1, 1),
        ("K.sub = 1\n", 1, 1),
        ("K = 1\nK = 2\n", 2, 1),
        ("A = \"unterminated\n", 1, 5),
        ("A = [1, 2\n", 2, 1),
        ("A = 1 B = 2\n", 1, 7),
        ("= 1\n", 1, 1),
        ("A = \"\\q\"\n", 1, 5),
        ("A = \"\"\"never closed\n", 1, 5),
        ("[t\n", 1, 3),
        ("A = 1\rB = 2\n", 1, 6),
        ("A = 07:0-1:00\n", 1, 5),
        ("A = {a = 1,}\n", 1, 12),
        ("A = \"\"\"\"\"\"\"\"\"\n", 1, 14),
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
    let e = entries(&[("A", "1"), ("B", "x"), ("A", "2")]);
    assert_eq!(
        render(Some("[bad"), false, &e).unwrap(),
        "A = \"2\"\nB = \"x\"\n"
    );
    assert_eq!(render(None, true, &[]).unwrap(), "");
    assert_eq!(
        render(Some("A = 1 # c\n"), true, &[]).unwrap(),
        "A = 1 # c\n"
    );
}

#[test]
fn lookup_reads_strings_as_tomllib_does() {
    let text = concat!(
        "a = \"x\\u00e9\\U0001F600\\\\\"\n",
        "b = 'C:\\path'\n",
        "c = \"\"\"\nline1\\\n    line2\r\nend\"\"\"\n",
        "d = '''\r\nraw\\n'''\n",
        "n = 1\n",
        "dup = \"1\"\n",
        "\"q k\" = \"v\"\n",
        "[t]\n",
        "inner = \"x\"\n",
    );
    assert_eq!(lookup(text, "a").as_deref(), Some("x\u{e9}\u{1f600}\\"));
    assert_eq!(lookup(text, "b").as_deref(), Some("C:\\path"));
    assert_eq!(lookup(text, "c").as_deref(), Some("line1line2\nend"));
    assert_eq!(lookup(text, "d").as_deref(), Some("raw\\n"));
    assert_eq!(lookup(text, "q k").as_deref(), Some("v"));
    assert_eq!(lookup(text, "n"), None);
    assert_eq!(lookup(text, "inner"), None);
    assert_eq!(lookup(text, "missing"), None);
    assert_eq!(lookup("a = \"x\"\na = \"y\"\n", "a"), None);
    assert_eq!(lookup("a = \"\\ud800\"\n", "a"), None);
    assert_eq!(lookup("a = [", "a"), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any value under any key reads back from a new file and from a merged one, and a
    /// second rendering changes nothing.
    #[test]
    fn entries_read_back(
        key in "[a-zA-Z0-9_-]{1,10}|\\PC{0,8}|[\"'.=# \\[\\]\\\\]{1,4}",
        value in "\\PC{0,20}|[\\x00-\\x1f\\x7f\"'\\\\]{0,8}|.{0,12}",
        other in "\\PC{0,12}",
    ) {
        let e = vec![(key.clone(), value.clone())];
        let fresh = render(None, true, &e).unwrap();
        prop_assert_eq!(lookup(&fresh, &key), Some(value.clone()));
        if key != "zz" && key != "t" {
            let existing = format!("# c\nzz = {}\n\n[t]\nx = 1\n", format_string(&other));
            let merged = render(Some(&existing), true, &e).unwrap();
            prop_assert_eq!(lookup(&merged, &key), Some(value.clone()));
            prop_assert_eq!(lookup(&merged, "zz"), Some(other.clone()));
            prop_assert_eq!(render(Some(&merged), true, &e).unwrap(), merged.clone());
        }
    }

    /// Hostile text never panics.
    #[test]
    fn hostile_text_does_not_panic(text in "[ \n\r\t=#\\[\\]{},.\"'\\\\a-c0-9:+eTZ_\u{e9}\u{feff}-]{0,60}") {
        let _ = render(Some(&text), true, &entries(&[("a", "v"), ("K", "x y")]));
        let _ = lookup(&text, "a");
    }
}
