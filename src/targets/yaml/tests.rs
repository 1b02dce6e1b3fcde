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

/// `[value, yaml.dump({"K": value}, default_flow_style=False, sort_keys=False)]`, printed by
/// PyYAML 6.0.4 in the reference CLI's venv (the options of the reference's `_write_file`).
/// Covers every implicit resolver (bool, int, float, null, timestamp, `=`, `<<`), every
/// leading indicator, escapes, non-ASCII (allow_unicode off), line breaks and folding at
/// column 80 in plain, single- and double-quoted style.
const PYYAML_VALUES: &str = r##"[
["", "K: ''\n"],
[" ", "K: ' '\n"],
["abc123", "K: abc123\n"],
["yes", "K: 'yes'\n"],
["No", "K: 'No'\n"],
["ON", "K: 'ON'\n"],
["off", "K: 'off'\n"],
["y", "K: y\n"],
["null", "K: 'null'\n"],
["~", "K: '~'\n"],
["true", "K: 'true'\n"],
["1", "K: '1'\n"],
["-1", "K: '-1'\n"],
["+1", "K: '+1'\n"],
["0755", "K: '0755'\n"],
["08", "K: 08\n"],
["0x1F", "K: '0x1F'\n"],
["0b101", "K: '0b101'\n"],
["1_000", "K: '1_000'\n"],
["1.5", "K: '1.5'\n"],
["1.", "K: '1.'\n"],
[".5", "K: '.5'\n"],
["1e10", "K: 1e10\n"],
["1.0e+10", "K: '1.0e+10'\n"],
["-.inf", "K: '-.inf'\n"],
[".nan", "K: '.nan'\n"],
["NaN", "K: NaN\n"],
["1:30", "K: '1:30'\n"],
["190:20:30", "K: '190:20:30'\n"],
["1:70", "K: 1:70\n"],
["2024-01-02", "K: '2024-01-02'\n"],
["2024-1-2", "K: 2024-1-2\n"],
["2001-12-14t21:59:43.10-05:00", "K: '2001-12-14t21:59:43.10-05:00'\n"],
["2001-12-14 21:59:43Z", "K: '2001-12-14 21:59:43Z'\n"],
["=", "K: '='\n"],
["<<", "K: '<<'\n"],
["!", "K: '!'\n"],
["&x", "K: '&x'\n"],
["*x", "K: '*x'\n"],
["- a", "K: '- a'\n"],
["-a", "K: -a\n"],
["-", "K: '-'\n"],
["? x", "K: '? x'\n"],
["?x", "K: ?x\n"],
[": x", "K: ': x'\n"],
[":x", "K: :x\n"],
["a: b", "K: 'a: b'\n"],
["a:b", "K: a:b\n"],
["a #b", "K: 'a #b'\n"],
["a#b", "K: a#b\n"],
["#a", "K: '#a'\n"],
["'q'", "K: '''q'''\n"],
["\"q\"", "K: '\"q\"'\n"],
["it's", "K: it's\n"],
["---", "K: '---'\n"],
["...", "K: '...'\n"],
["--- x", "K: '--- x'\n"],
["x ---", "K: x ---\n"],
["@x", "K: '@x'\n"],
["`x", "K: '`x'\n"],
["%x", "K: '%x'\n"],
["|x", "K: '|x'\n"],
[">x", "K: '>x'\n"],
["{x}", "K: '{x}'\n"],
["[x]", "K: '[x]'\n"],
["a,b", "K: a,b\n"],
["a[b]", "K: a[b]\n"],
["\u00e9", "K: \"\\xE9\"\n"],
["p\u00e4ssw\u00f6rd \u2013 \ud83d\ude00", "K: \"p\\xE4ssw\\xF6rd \\u2013 \\U0001F600\"\n"],
["a\tb", "K: \"a\\tb\"\n"],
["a\nb", "K: 'a\n\n  b'\n"],
["a\n", "K: 'a\n\n  '\n"],
["\na", "K: '\n\n  a'\n"],
["a \nb", "K: \"a \\nb\"\n"],
["a\n b", "K: \"a\\n b\"\n"],
["a  b", "K: a  b\n"],
[" a", "K: ' a'\n"],
["a ", "K: 'a '\n"],
["\u0000\u0007\b\u000b\f\r\u001b\u007f", "K: \"\\0\\a\\b\\v\\f\\r\\e\\x7F\"\n"],
["\u0085\u00a0\u2028\u2029\ufeff", "K: \"\\N\\_\\L\\P\\uFEFF\"\n"],
["a\\b", "K: a\\b\n"],
["a\"b", "K: a\"b\n"],
["{\"a\":\"\\u00e9\",\"b\":1}", "K: '{\"a\":\"\\u00e9\",\"b\":1}'\n"],
["line1\nline2\n", "K: 'line1\n\n  line2\n\n  '\n"],
["a long value with spaces that PyYAML folds when it passes column eighty, twice over: again and again", "K: 'a long value with spaces that PyYAML folds when it passes column eighty, twice\n  over: again and again'\n"],
["'ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ", "K: '''ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab\n  ab ab ab ab ab ab ab ab ab ab ab ab ab ab '\n"],
["\tab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ", "K: \"\\tab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab\\\n  \\ ab ab ab ab ab ab ab ab ab \"\n"],
["\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "K: \"\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\\n  \\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\xE9\\\n  \\xE9\\xE9\\xE9\\xE9\\xE9 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"\n"],
["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "K: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"],
["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  bbbbbbbbbb", "K: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  bbbbbbbbbb\n"],
["first line is long enough to be folded by the emitter somewhere past eighty\nsecond", "K: 'first line is long enough to be folded by the emitter somewhere past eighty\n\n  second'\n"]
]"##;

/// `[key, yaml.dump({key: "v"}, ...)]` from the same PyYAML: quoting of keys, and the explicit
/// `? key` form for empty keys, keys with a line break and keys of 123 characters or more.
const PYYAML_KEYS: &str = r##"[
["", "? ''\n: v\n"],
["yes", "'yes': v\n"],
["a b", "a b: v\n"],
["k: v", "'k: v': v\n"],
["\u00e9", "\"\\xE9\": v\n"],
["a\nb", "? 'a\n\n  b'\n: v\n"],
["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: v\n"],
["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "? xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n: v\n"],
["- k", "'- k': v\n"],
["1", "'1': v\n"]
]"##;

#[test]
fn values_are_written_as_pyyaml_writes_them() {
    for (value, want) in pairs(PYYAML_VALUES) {
        let out = render(None, true, &[("K".to_string(), value.clone())]).unwrap();
        assert_eq!(out, want, "{value:?}");
        assert_eq!(lookup(&out, "K"), Some(value.clone()), "{value:?}");
    }
    for (key, want) in pairs(PYYAML_KEYS) {
        let out = render(None, true, &[(key.clone(), "v".to_string())]).unwrap();
        assert_eq!(out, want, "{key:?}");
        assert_eq!(lookup(&out, &key).as_deref(), Some("v"), "{key:?}");
    }
}

/// Reference CLI (secretzero 0.14.23) `agent sync` in a temp dir, static secrets PLAIN,
/// YESV, UNI, MAPV (a map with `token`), MAPW (a map without it) and MULTI synced in that
/// order to `out.yaml` with `format: yaml` (no existing file). This is the file it wrote.
#[test]
fn reference_bytes_for_a_new_file() {
    let out = render(
        None,
        true,
        &entries(&[
            ("PLAIN", "abc123"),
            ("YESV", "yes"),
            ("UNI", "pässwörd – 😀 \t\"q\" \\ / ${x} %{y}"),
            ("MAPV", "tok"),
            ("MAPW", "{\"a\":\"\\u00e9\",\"b\":1}"),
            ("MULTI", "line1\nline2\n"),
        ]),
    )
    .unwrap();
    assert_eq!(
        out,
        "PLAIN: abc123\nYESV: 'yes'\nUNI: \"p\\xE4ssw\\xF6rd \\u2013 \\U0001F600 \\t\\\"q\\\" \\\\ / ${x} %{y}\"\nMAPV: tok\nMAPW: '{\"a\":\"\\u00e9\",\"b\":1}'\nMULTI: 'line1\n\n  line2\n\n  '\n"
    );
}

/// Same CLI, existing `dumped.yaml` written by PyYAML (`yaml.dump` of port, EXISTING, a
/// nested map, `'yes': 'no'`), then EXISTING="new value", FRESH="0755" and LONG synced: the
/// reference's file is byte for byte ours (it re-dumps what PyYAML wrote; we edit in place).
#[test]
fn reference_bytes_for_a_file_it_wrote() {
    let existing = "port: 31\nEXISTING: old\nnested:\n  list:\n  - 1\n  - 2\n  s: \"\\xE9\"\n  when: 2024-01-02\n'yes': 'no'\n";
    let long = "a long value with spaces that PyYAML folds when it passes column eighty, twice over: again and again";
    let out = render(
        Some(existing),
        true,
        &entries(&[("EXISTING", "new value"), ("FRESH", "0755"), ("LONG", long)]),
    )
    .unwrap();
    assert_eq!(
        out,
        "port: 31\nEXISTING: new value\nnested:\n  list:\n  - 1\n  - 2\n  s: \"\\xE9\"\n  when: 2024-01-02\n'yes': 'no'\nFRESH: '0755'\nLONG: 'a long value with spaces that PyYAML folds when it passes column eighty, twice\n  over: again and again'\n"
    );
}

/// Same run, `hand.yaml` written by hand: the reference re-dumped it (comments gone, `0x1F`
/// became `31`, the flow list became a block list); we keep it and change only our entries.
/// Our result reads back (PyYAML `safe_load`, checked) as the reference's does.
#[test]
fn hand_written_files_keep_their_text() {
    let existing = "# app settings\nport: 0x1F  # hex\nEXISTING: old # rotated\nnested:\n  list: [1, 2]\n  when: 2024-01-02\n";
    let out = render(
        Some(existing),
        true,
        &entries(&[("EXISTING", "new value"), ("FRESH", "0755")]),
    )
    .unwrap();
    assert_eq!(
        out,
        "# app settings\nport: 0x1F  # hex\nEXISTING: new value # rotated\nnested:\n  list: [1, 2]\n  when: 2024-01-02\nFRESH: '0755'\n"
    );
}

/// Existing texts and what we write for `K = "new value"`, `NEW = "yes"`. Every result was
/// read with PyYAML 6.0.4's `safe_load` and holds the old entries with ours set; the empty
/// documents and the duplicate key give the reference's bytes.
pub(crate) const EDITS: &[(&str, &str)] = &[
    // comments, nested values and trailing comments stay
    (
        "# header\nA: 1  # one\nK: old # keep\nnested:\n  x: 1\n  y: [1, 2]\n# trailing\n",
        "# header\nA: 1  # one\nK: new value # keep\nnested:\n  x: 1\n  y: [1, 2]\n# trailing\nNEW: 'yes'\n",
    ),
    // flow root: edited in flow style
    ("{A: 1, K: old}\n", "{A: 1, K: new value, NEW: 'yes'}\n"),
    (
        "{A: 1, K: old,\n  B: [1, 2],\n}\n",
        "{A: 1, K: new value,\n  B: [1, 2], NEW: 'yes',\n}\n",
    ),
    // CRLF, BOM and an indented root are kept
    (
        "A: 1\r\nK: old\r\n",
        "A: 1\r\nK: new value\r\nNEW: 'yes'\r\n",
    ),
    (
        "\u{feff}A: 1\nK: old\n",
        "\u{feff}A: 1\nK: new value\nNEW: 'yes'\n",
    ),
    (
        "  A: 1\n  K: old\n",
        "  A: 1\n  K: new value\n  NEW: 'yes'\n",
    ),
    // an alias as our old value; the anchor elsewhere stays
    (
        "A: &a old\nK: *a\n",
        "A: &a old\nK: new value\nNEW: 'yes'\n",
    ),
    // a duplicate key
    ("K: 1\nK: 2\n", "K: new value\nNEW: 'yes'\n"),
    // document markers
    (
        "---\nA: 1\nK: old\n...\n",
        "---\nA: 1\nK: new value\nNEW: 'yes'\n...\n",
    ),
    (
        "%YAML 1.1\n---\nA: 1\n",
        "%YAML 1.1\n---\nA: 1\nK: new value\nNEW: 'yes'\n",
    ),
    ("---\n", "---\nK: new value\nNEW: 'yes'\n"),
    // empty documents
    ("~\n", "K: new value\nNEW: 'yes'\n"),
    ("null\n", "K: new value\nNEW: 'yes'\n"),
    ("{}\n", "K: new value\nNEW: 'yes'\n"),
    ("{}", "K: new value\nNEW: 'yes'\n"),
    ("", "K: new value\nNEW: 'yes'\n"),
    (
        "# only\n# comments",
        "# only\n# comments\nK: new value\nNEW: 'yes'\n",
    ),
    // every spelling of an entry is replaced whole
    ("? K\n: old\nA: 1\n", "K: new value\nA: 1\nNEW: 'yes'\n"),
    ("\"K\": old\n'A': 1\n", "K: new value\n'A': 1\nNEW: 'yes'\n"),
    ("K:\nA: 1\n", "K: new value\nA: 1\nNEW: 'yes'\n"),
    (
        "K: |\n  multi\n  line\n\nnext: 1\n",
        "K: new value\n\nnext: 1\nNEW: 'yes'\n",
    ),
    (
        "A: 1\nK:\n  deep:\n    x: 1 # c\n  z: 2\n\n# about B\nB: 2\n",
        "A: 1\nK: new value\n\n# about B\nB: 2\nNEW: 'yes'\n",
    ),
    ("K: !!str 123\nA: 1\n", "K: new value\nA: 1\nNEW: 'yes'\n"),
    (
        "A: 1\nK: >-\n  folded\n  text\n",
        "A: 1\nK: new value\nNEW: 'yes'\n",
    ),
    ("A: 1\nK: 'it''s'", "A: 1\nK: new value\nNEW: 'yes'\n"),
    (
        "A:\n- 1\nK:\n- x\n-\n",
        "A:\n- 1\nK: new value\nNEW: 'yes'\n",
    ),
    (
        "K: \"a\\\n  b\"\nA: 1\n",
        "K: new value\nA: 1\nNEW: 'yes'\n",
    ),
    (
        "K: plain\n  continued\nA: 1\n",
        "K: new value\nA: 1\nNEW: 'yes'\n",
    ),
    // a nested `K` is another key
    ("A: {K: 1}\n", "A: {K: 1}\nK: new value\nNEW: 'yes'\n"),
];

/// The entries [`EDITS`] writes.
pub(crate) const EDIT_ENTRIES: &[(&str, &str)] = &[("K", "new value"), ("NEW", "yes")];

#[test]
fn edits_in_place() {
    let e = entries(EDIT_ENTRIES);
    for (existing, want) in EDITS {
        let out =
            render(Some(existing), true, &e).unwrap_or_else(|d| panic!("{existing:?}: {d:?}"));
        assert_eq!(&out, want, "{existing:?}");
        assert_eq!(lookup(&out, "K").as_deref(), Some("new value"));
        assert_eq!(lookup(&out, "NEW").as_deref(), Some("yes"));
    }
}

#[test]
fn files_that_cannot_be_merged_are_refused_with_a_position() {
    let e = entries(&[("K", "secret-value")]);
    let cases: &[(&str, usize, usize)] = &[
        // not a mapping (the reference drops `[]` and `false`, and fails on the others)
        ("[]\n", 1, 1),
        ("false\n", 1, 1),
        ("\"str\"\n", 1, 1),
        ("- a\n- b\n", 1, 1),
        ("# c\n42\n", 2, 1),
        // not YAML (PyYAML fails on these too)
        ("a: 1\nb: 2\n\tc: 3\n", 2, 4),
        ("a: [1, 2\n", 1, 4),
        ("a: 1\n---\nb: 2\n", 2, 1),
        // our old value is anchored and used elsewhere: editing it would change `B`
        ("K: &a old\nB: *a\n", 1, 1),
        // our key comes from a merge key
        ("base: &b {K: old, X: 1}\n<<: *b\nA: 1\n", 1, 11),
        // a duplicate with something between
        ("K: 1\nA: 1\nK: 2\n", 1, 1),
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
        render(Some("not: [valid"), false, &e).unwrap(),
        "A: '2'\nB: x\n"
    );
    assert_eq!(render(None, true, &[]).unwrap(), "{}\n");
    assert_eq!(render(Some("A: 1 # c\n"), true, &[]).unwrap(), "A: 1 # c\n");
}

#[test]
fn lookup_reads_strings_only() {
    let text = "A: x\nN: 1\nB: 'yes'\nY: yes\nL: [1]\nM: {K: v}\n";
    assert_eq!(lookup(text, "A").as_deref(), Some("x"));
    assert_eq!(lookup(text, "B").as_deref(), Some("yes"));
    assert_eq!(lookup(text, "N"), None);
    assert_eq!(lookup(text, "Y"), None);
    assert_eq!(lookup(text, "L"), None);
    assert_eq!(lookup(text, "K"), None);
    assert_eq!(lookup(text, "missing"), None);
    assert_eq!(lookup("- A\n", "A"), None);
    assert_eq!(lookup("A: [", "A"), None);
}

/// PyYAML reads `._` and `._5` as strings (its float pattern needs a digit after the dot), so
/// it writes them plain; `crate::yaml` reads them as floats (its `.5` branch accepts `_`
/// first), so we cannot read them back or merge them. To fix in `src/yaml.rs`.
#[test]
fn reader_bug_dot_underscore() {
    for v in ["._", "._5", ".__"] {
        let out = render(None, true, &[("K".to_string(), v.to_string())]).unwrap();
        assert_eq!(out, format!("K: {v}\n"));
        assert_eq!(lookup(&out, "K").as_deref(), Some(v));
    }
}

fn value_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "[ a-z\n]{0,200}",
        "[ \t\n\r'\"\\\\#:,\\[\\]{}&*!|>%@`?=-]{0,12}",
        "\\PC{0,20}",
        ".{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any value, under any key, read back by our reader (PyYAML's rules) from a new file and
    /// from a merged one; a second rendering changes nothing.
    #[test]
    fn entries_read_back(
        key in "[a-zA-Z_ .:-]{0,20}|\\PC{1,8}",
        value in value_strategy(),
        other in value_strategy(),
    ) {
        // (The crate's reader misreads `._` and `._5` as floats: see `reader_bug_dot_underscore`.)
        let misread = |s: &str| s.strip_prefix("._").is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit() || b == b'_'));
        prop_assume!(!misread(&key) && !misread(&value) && !misread(&other));
        let e = vec![(key.clone(), value.clone())];
        let fresh = render(None, true, &e).unwrap();
        prop_assert_eq!(lookup(&fresh, &key), Some(value.clone()));
        let existing = render(None, true, &[("zz other".to_string(), other.clone())]).unwrap();
        let existing = format!("# c\n{existing}nested:\n  - {{a: 1}}\n");
        // (`<<` is a merge key for our reader even when quoted: see the module docs.)
        if key != "<<" && key != "zz other" && key != "nested" {
            let merged = render(Some(&existing), true, &e).unwrap();
            prop_assert_eq!(lookup(&merged, &key), Some(value.clone()));
            prop_assert_eq!(lookup(&merged, "zz other"), Some(other.clone()));
            prop_assert_eq!(render(Some(&merged), true, &e).unwrap(), merged.clone());
            let again = render(Some(&merged), true, &[(key.clone(), other.clone())]).unwrap();
            prop_assert_eq!(lookup(&again, &key), Some(other.clone()));
        }
    }

    /// Hostile text never panics.
    #[test]
    fn hostile_text_does_not_panic(
        text in "[ \n\t\\-:?#&*!|>'\"%@`{}\\[\\],a-c0-9~.\u{feff}\u{e9}]{0,60}",
    ) {
        let _ = render(Some(&text), true, &entries(&[("a", "v"), ("K", "x y")]));
        let _ = lookup(&text, "a");
    }
}
