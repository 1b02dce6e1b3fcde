//! Tests of the dotenv format. `py` below is a second, independent reader: python-dotenv
//! 1.2.4's `parser.py` transcribed regex for regex (with regex-lite), so the renderer is
//! checked against python-dotenv's grammar without Python, and the hand-written parser is
//! checked against the regexes.

use super::*;
use proptest::prelude::*;

mod py {
    //! python-dotenv's `parse_stream` + `dotenv_values(interpolate=False)`, regex for regex.
    use regex_lite::Regex;

    /// Python's `\s` (str.isspace) as an explicit class body.
    const WS: &str = r"\t\n\x0B\x0C\r\x1C-\x1F \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}";
    /// `[^\S\r\n]`: Python whitespace minus CR and LF.
    const INLINE: &str = r"\t\x0B\x0C\x1C-\x1F \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}";

    fn re(p: &str) -> Regex {
        let p = p.replace("{WS}", WS).replace("{IN}", INLINE);
        Regex::new(&format!("^(?:{p})")).unwrap()
    }

    struct Res {
        multiline_ws: Regex,
        export: Regex,
        single_key: Regex,
        unquoted_key: Regex,
        equal: Regex,
        single_value: Regex,
        double_value: Regex,
        unquoted_value: Regex,
        comment: Regex,
        eol: Regex,
        rest_of_line: Regex,
        inline_comment: Regex,
        dq_escapes: Regex,
        sq_escapes: Regex,
        whitespace: Regex,
    }

    fn res() -> Res {
        Res {
            multiline_ws: re("[{WS}]*"),
            export: re("(?:export[{IN}]+)?"),
            single_key: re("'([^']+)'"),
            unquoted_key: re(r"([^=\#{WS}]+)"),
            equal: re("(=[{IN}]*)"),
            single_value: re(r"(?s)'((?:\\.|[^'\\])*)'"),
            double_value: re(r#"(?s)"((?:\\.|[^"\\])*)""#),
            unquoted_value: re(r"([^\r\n]*)"),
            comment: re(r"(?:[{IN}]*#[^\r\n]*)?"),
            eol: re(r"[{IN}]*(?:\r\n|\n|\r|$)"),
            rest_of_line: re(r"[^\r\n]*(?:\r|\n|\r\n)?"),
            inline_comment: Regex::new(&format!("[{WS}]+#.*")).unwrap(),
            dq_escapes: Regex::new(r#"\\[\\'"abfnrtv]"#).unwrap(),
            sq_escapes: Regex::new(r"\\[\\']").unwrap(),
            whitespace: re("[{IN}]*"),
        }
    }

    fn decode(re: &Regex, s: &str) -> String {
        re.replace_all(s, |c: &regex_lite::Captures| {
            match c.get(0).unwrap().as_str().chars().nth(1).unwrap() {
                'a' => "\u{7}".to_string(),
                'b' => "\u{8}".to_string(),
                'f' => "\u{c}".to_string(),
                'n' => "\n".to_string(),
                'r' => "\r".to_string(),
                't' => "\t".to_string(),
                'v' => "\u{b}".to_string(),
                o => o.to_string(),
            }
        })
        .into_owned()
    }

    struct Reader<'a> {
        s: &'a str,
        pos: usize,
    }

    impl Reader<'_> {
        /// `read_regex`: match at the position, advance, return group 1 (or the match).
        fn read(&mut self, re: &Regex) -> Result<String, ()> {
            let caps = re.captures(&self.s[self.pos..]).ok_or(())?;
            let m = caps.get(0).unwrap();
            self.pos += m.end();
            Ok(caps.get(1).map_or(m.as_str(), |g| g.as_str()).to_string())
        }
        fn peek(&self) -> Option<char> {
            self.s[self.pos..].chars().next()
        }
    }

    type Binding = (Option<String>, Option<String>);

    fn binding(r: &mut Reader, x: &Res) -> Result<Binding, ()> {
        r.read(&x.multiline_ws)?;
        if r.pos >= r.s.len() {
            return Ok((None, None));
        }
        r.read(&x.export)?;
        let key = match r.peek() {
            Some('#') => None,
            Some('\'') => Some(r.read(&x.single_key)?),
            _ => Some(r.read(&x.unquoted_key)?),
        };
        r.read(&x.whitespace)?;
        let value = if r.peek() == Some('=') {
            let eq = r.read(&x.equal)?;
            if eq.chars().count() > 1 && r.peek() == Some('#') {
                Some(String::new())
            } else {
                Some(match r.peek() {
                    Some('\'') => decode(&x.sq_escapes, &r.read(&x.single_value)?),
                    Some('"') => decode(&x.dq_escapes, &r.read(&x.double_value)?),
                    None | Some('\n') | Some('\r') => String::new(),
                    _ => {
                        let part = r.read(&x.unquoted_value)?;
                        let cut = x.inline_comment.replace_all(&part, "").into_owned();
                        cut.trim_end_matches(|c: char| {
                            c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
                        })
                        .to_string()
                    }
                })
            }
        } else {
            None
        };
        r.read(&x.comment)?;
        r.read(&x.eol)?;
        Ok((key, value))
    }

    /// `dotenv_values(stream, interpolate=False)` as an ordered list (duplicates kept).
    pub fn values(text: &str) -> Vec<(String, String)> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let x = res();
        let mut r = Reader { s: &text, pos: 0 };
        let mut out = Vec::new();
        while r.pos < text.len() {
            let start = r.pos;
            match binding(&mut r, &x) {
                Ok((Some(k), Some(v))) => out.push((k, v)),
                Ok(_) => {}
                Err(()) => {
                    r.read(&x.rest_of_line).unwrap();
                }
            }
            assert!(r.pos > start, "the transcription must advance");
        }
        out
    }

    /// The value a loader ends with for `key` (last occurrence).
    pub fn get(text: &str, key: &str) -> Option<String> {
        values(text)
            .into_iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

fn entries(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn render_one(value: &str) -> String {
    render(None, true, &entries(&[("K", value)])).unwrap()
}

/// Hostile values: every character class the quoting rules care about.
const HOSTILE: &[&str] = &[
    "",
    "plain",
    "a b",
    " lead",
    "trail ",
    "  both  ",
    "say \"hi\"",
    "it's",
    "it's \"x\"",
    "a#b",
    "#start",
    "a #b",
    "$HOME",
    "${HOME}",
    "pre${X:-d}post",
    "$$",
    "`whoami`",
    "back\\slash",
    "trailing\\",
    "\\",
    "\\\\",
    "a\\\\b",
    "a\\'b",
    "a\\\"b",
    "\\n literally",
    "line1\nline2",
    "crlf\r\nend",
    "cr\rend",
    "\n",
    "tab\there",
    "k=v=w",
    "=",
    "é ü 😀 – non-ascii",
    "\u{a0}nbsp\u{a0}",
    "\u{1c}sep\u{1f}",
    "\u{2028}ls",
    "\u{0}nul",
    "\u{7f}del",
    "'",
    "\"",
    "''",
    "'quoted'",
    "\"dq\"",
    "ends'",
    "ends\"",
    "x'\\",
    "x\"\\",
    "'\"\\#\n\r\t $`",
    "export X=1",
    "a\n#b\nc",
    "{\"a\":\"x\",\"b\":1}",
];

#[test]
fn encoding_table_is_exact() {
    // (value, bytes after `K=`). Bare and empty values are byte-identical to the reference
    // (checked with the reference CLI, see reference_bytes_* below); the others are ours.
    let table: &[(&str, &str)] = &[
        ("abcXYZ0123456789", "abcXYZ0123456789"),
        ("a-b_c.d,e/f:g@h%i+j=k", "a-b_c.d,e/f:g@h%i+j=k"),
        ("", ""),
        ("a b", "'a b'"),
        ("a#b", "'a#b'"),
        ("$HOME ${X}", "'$HOME ${X}'"),
        ("say \"hi\"", "'say \"hi\"'"),
        ("back\\slash", "'back\\slash'"),
        ("line1\nline2", "'line1\nline2'"),
        ("it's", "\"it's\""),
        ("it's\nx", "\"it's\\nx\""),
        ("cr\rend", "\"cr\\rend\""),
        ("trailing\\", "trailing\\"),
        ("a\\\\b", "a\\\\b"),
        ("it's \"x\"", "it's \"x\""),
        ("x'\\", "x'\\"),
        ("#a'b\"c#\\", "#a'b\"c#\\"),
        ("it's #1", "\"it's #1\""),
        ("'q\"", "\"'q\\\"\""),
        ("a\\\\b #", "\"a\\\\\\\\b #\""),
        ("trail\\ ", "'trail\\ '"),
        ("é\\\\", "é\\\\"),
        ("é\\\\\t", "\"é\\\\\\\\\t\""),
    ];
    for (value, want) in table {
        assert_eq!(encode_value(value), *want, "value {value:?}");
        assert_eq!(render_one(value), format!("K={want}\n"), "value {value:?}");
    }
}

#[test]
fn encodings_are_chosen_in_order() {
    assert_eq!(encoding_of("abc"), Encoding::Bare);
    assert_eq!(encoding_of(""), Encoding::Empty);
    assert_eq!(encoding_of("a b"), Encoding::Single);
    assert_eq!(encoding_of("it's"), Encoding::Double);
    assert_eq!(encoding_of("a'b\"c"), Encoding::Raw);
    assert_eq!(encoding_of("a'b\"c#"), Encoding::Raw);
    assert_eq!(encoding_of("a'b\"c #"), Encoding::Escaped);
    assert_eq!(encoding_of("a'b\"c\t"), Encoding::Escaped);
    assert_eq!(encoding_of("`é'\\"), Encoding::Raw);
    assert_eq!(encoding_of("`é'\\`"), Encoding::Escaped);
    assert_eq!(encoding_of("'é\\"), Encoding::Escaped);
    assert_eq!(encoding_of("'lead"), Encoding::Double);
    assert_eq!(encoding_of("'lead\""), Encoding::Escaped);
}

#[test]
fn hostile_values_round_trip_through_both_readers() {
    for value in HOSTILE {
        let text = render_one(value);
        assert_eq!(py::get(&text, "K").as_deref(), Some(*value), "{text:?}");
        assert_eq!(lookup(&text, "K").as_deref(), Some(*value), "{text:?}");
    }
}

#[test]
fn reader_matches_the_transcription_on_tricky_files() {
    let files = [
        "A=1\nB='2'\nC=\"3\"\n",
        "export A=1\nexport  B = 2 # c\n'Q K'=v\n",
        "A=\"unterminated\nB=2\n",
        "A='x' trailing\nB=ok\n",
        "A= #comment\nB=#notcomment\nC=a #c\nD=a#b\n",
        "A\nB=\nC\n=x\n# c\n",
        "\u{feff}A=1\r\nB=\"x\r\ny\"\r\n",
        "A=\"a\\\"b\\\\c\\n\\x\"\n",
        "A='a\\'b\\\\c\\n'\n",
        "exportA=1\nexport=2\nexport =3\n",
        "A=x\u{a0}#c\nB=\u{1c}y\u{1c}\n",
        "A=\"x\"#c\nB='y'   \t# c\n",
        "\n\n   \n",
        "A=1\rB=2\r",
        "A='multi\nline'\nB=2",
    ];
    for f in files {
        assert_eq!(parse_dotenv(f), py::values(f), "{f:?}");
    }
}

#[test]
fn merge_keeps_everything_else() {
    let existing = "# database\nexport DB_USER=app\n\nDB_PASS=old # rotated monthly\n'QUOTED'=x\nBARE\nDB_PASS=older\nOTHER=\"keep me\"\n";
    let out = render(
        Some(existing),
        true,
        &entries(&[
            ("DB_PASS", "n3w"),
            ("BARE", "b v"),
            ("QUOTED", "q"),
            ("NEW_ONE", "x#y"),
            ("NEW_TWO", ""),
        ]),
    )
    .unwrap();
    assert_eq!(
        out,
        "# database\nexport DB_USER=app\n\nDB_PASS=n3w # rotated monthly\n'QUOTED'=q\nBARE='b v'\nDB_PASS=n3w\nOTHER=\"keep me\"\nNEW_ONE='x#y'\nNEW_TWO=\n"
    );
    assert_eq!(py::get(&out, "OTHER").as_deref(), Some("keep me"));
    assert_eq!(py::get(&out, "DB_USER").as_deref(), Some("app"));
}

#[test]
fn crlf_bom_and_missing_newline_are_handled() {
    let out = render(
        Some("\u{feff}A=1\r\nB=2"),
        true,
        &entries(&[("B", "x y"), ("C", "3")]),
    )
    .unwrap();
    assert_eq!(out, "\u{feff}A=1\r\nB='x y'\r\nC=3\r\n");
    let out = render(Some("A=1"), true, &entries(&[("C", "3")])).unwrap();
    assert_eq!(out, "A=1\nC=3\n");
    let out = render(Some("A=1"), true, &entries(&[("A", "2")])).unwrap();
    assert_eq!(out, "A=2\n");
    let out = render(Some(""), true, &entries(&[("A", "2")])).unwrap();
    assert_eq!(out, "A=2\n");
}

#[test]
fn new_keys_follow_an_all_export_file() {
    let out = render(Some("export A=1\n"), true, &entries(&[("B", "2")])).unwrap();
    assert_eq!(out, "export A=1\nexport B=2\n");
    let out = render(Some("export A=1\nC=3\n"), true, &entries(&[("B", "2")])).unwrap();
    assert_eq!(out, "export A=1\nC=3\nB=2\n");
}

#[test]
fn comment_right_after_a_quoted_value_stays_a_comment() {
    let out = render(
        Some("A=\"x\"#note\nB\t#n\n"),
        true,
        &entries(&[("A", "v"), ("B", "")]),
    )
    .unwrap();
    assert_eq!(out, "A=v #note\nB=\t#n\n");
    assert_eq!(py::get(&out, "A").as_deref(), Some("v"));
    assert_eq!(py::get(&out, "B").as_deref(), Some(""));
    let out = render(Some("A=\"x\"#note\n"), true, &entries(&[("A", "")])).unwrap();
    assert_eq!(py::get(&out, "A").as_deref(), Some(""));
}

#[test]
fn merge_false_and_duplicate_entries() {
    let out = render(
        Some("OLD=1\n# c\n"),
        false,
        &entries(&[("A", "1"), ("B", "2"), ("A", "3")]),
    )
    .unwrap();
    assert_eq!(out, "A=3\nB=2\n");
    assert_eq!(render(None, true, &[]).unwrap(), "");
    assert_eq!(render(Some("X=1\n"), true, &[]).unwrap(), "X=1\n");
}

#[test]
fn damaged_file_that_would_swallow_a_value_is_refused() {
    // The unterminated quote of X reaches the `"` of the new value: python-dotenv would read
    // garbage, so nothing is written.
    let existing = "A=1\nX=\"unterminated\n";
    let err = render(Some(existing), true, &entries(&[("K", "it's \"x\" #")])).unwrap_err();
    assert_eq!(err.code, ErrorCode::TargetMergeFailed);
    assert_eq!(err.line, Some(2));
    assert!(!err.message.contains("it's"), "no value in messages");
    // A value without `"` is fine after the same damage.
    let out = render(Some(existing), true, &entries(&[("K", "v")])).unwrap();
    assert_eq!(py::get(&out, "K").as_deref(), Some("v"));
}

#[test]
fn keys_are_checked() {
    assert_eq!(check_key("DB_PASSWORD"), KeyCheck::Portable);
    assert_eq!(check_key("_x1"), KeyCheck::Portable);
    for k in ["db-password", "app.key", "1ST", "ÜBER"] {
        assert!(
            matches!(check_key(k), KeyCheck::Unportable(d) if !d.is_error()),
            "{k}"
        );
    }
    for k in [
        "", "A B", "A=B", "#A", "A#", "'A", "A\"", "A\n", "A\u{0}", "\u{a0}A",
    ] {
        assert!(
            matches!(check_key(k), KeyCheck::Invalid(d) if d.is_error()),
            "{k:?}"
        );
        let err = render(None, true, &entries(&[(k, "v")])).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidTarget);
    }
    // Unportable keys are written and read back.
    let out = render(
        None,
        true,
        &entries(&[("db-password", "v"), ("app.key", "w")]),
    )
    .unwrap();
    assert_eq!(py::get(&out, "db-password").as_deref(), Some("v"));
    assert_eq!(py::get(&out, "app.key").as_deref(), Some("w"));
}

/// The reference CLI (secretzero 0.14.23), `agent sync` in a temp dir whose `.env` held
/// `A=old\nB=keep\n`, with static secrets A="abcXYZ0123456789", C="", D="v1" (key override
/// `OVERRIDDEN`), E="a-b_c.d,e/f:g@h%i+j=k" in that order, wrote exactly these bytes.
#[test]
fn reference_bytes_for_plain_values() {
    let reference = "A=abcXYZ0123456789\nB=keep\nC=\nOVERRIDDEN=v1\nE=a-b_c.d,e/f:g@h%i+j=k\n";
    let out = render(
        Some("A=old\nB=keep\n"),
        true,
        &entries(&[
            ("A", "abcXYZ0123456789"),
            ("C", ""),
            ("OVERRIDDEN", "v1"),
            ("E", "a-b_c.d,e/f:g@h%i+j=k"),
        ]),
    )
    .unwrap();
    assert_eq!(out, reference);
}

/// The reference on a richer `.env` (comments, `export`, a bare key, a quoted value with an
/// inline comment, a duplicate key) and hostile values. Its output (below) drops comments and
/// the bare key, treats `export EXISTING` as another key, and writes `"` unescaped so that
/// OTHER, DQ and MAPV no longer read back; ours keeps the file and quotes (DESIGN §5).
#[test]
fn reference_bytes_where_we_differ() {
    let existing =
        "# top comment\nexport EXISTING=old\n\nOTHER=\"x y\" # keep\nEXISTING=old2\nBARE\n";
    let sync = entries(&[
        ("ALNUM", "abcXYZ0123456789"),
        ("SPACED", "a b"),
        ("DQ", "say \"hi\""),
        ("HASH", "a#b"),
        ("EMPTY", ""),
        ("OVERRIDDEN", "v1"),
        ("EXISTING", "newvalue"),
        ("MAPV", "{\"a\":\"x\",\"b\":1}"),
        ("NUM", "1.5"),
    ]);
    let reference = "export EXISTING=old\nOTHER=\"\"x y\" # keep\"\nEXISTING=newvalue\nALNUM=abcXYZ0123456789\nSPACED=\"a b\"\nDQ=\"say \"hi\"\"\nHASH=a#b\nEMPTY=\nOVERRIDDEN=v1\nMAPV=\"{\"a\":\"x\",\"b\":1}\"\nNUM=1.5\n";
    assert_ne!(py::get(reference, "DQ").as_deref(), Some("say \"hi\""));
    let ours = render(Some(existing), true, &sync).unwrap();
    assert_eq!(
        ours,
        "# top comment\nexport EXISTING=newvalue\n\nOTHER=\"x y\" # keep\nEXISTING=newvalue\nBARE\nALNUM=abcXYZ0123456789\nSPACED='a b'\nDQ='say \"hi\"'\nHASH='a#b'\nEMPTY=\nOVERRIDDEN=v1\nMAPV='{\"a\":\"x\",\"b\":1}'\nNUM=1.5\n"
    );
    for (k, v) in &sync {
        assert_eq!(py::get(&ours, k).as_ref(), Some(v), "{k}");
    }
    assert_eq!(py::get(&ours, "OTHER").as_deref(), Some("x y"));
    // Lines the reference writes for plain values are the same bytes in ours.
    for line in [
        "ALNUM=abcXYZ0123456789\n",
        "EMPTY=\n",
        "OVERRIDDEN=v1\n",
        "NUM=1.5\n",
    ] {
        assert!(reference.contains(line) && ours.contains(line), "{line}");
    }
}

/// Characters that stress the grammar, for generated texts and values.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        8 => prop::sample::select(vec![
            'A', 'B', 'x', '=', '#', ' ', '\t', '\n', '\r', '\'', '"', '\\', '$', '{', '}', '`',
            'e', 'x', 'p', 'o', 'r', 't', '\u{a0}', '\u{1c}', '\u{b}', 'é', '😀', '\u{2028}',
            'n', '\u{feff}', '\u{0}',
        ]),
        1 => any::<char>(),
    ]
}

fn tricky_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// The reference's random_password charset (spec §2.3): letters, digits, punctuation.
fn password() -> impl Strategy<Value = String> {
    let charset: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".chars())
        .collect();
    prop::collection::vec(prop::sample::select(charset), 1..48)
        .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn reader_agrees_with_the_transcription(text in tricky_string(40)) {
        prop_assert_eq!(parse_dotenv(&text), py::values(&text));
    }

    #[test]
    fn any_value_round_trips(value in tricky_string(24)) {
        let text = render_one(&value);
        prop_assert_eq!(py::get(&text, "K"), Some(value.clone()), "{:?}", text);
    }

    #[test]
    fn passwords_round_trip(value in password()) {
        let text = render_one(&value);
        prop_assert_eq!(py::get(&text, "K"), Some(value.clone()), "{:?}", text);
    }

    #[test]
    fn merge_into_any_file_reads_back_or_refuses(existing in tricky_string(60), value in tricky_string(16)) {
        match render(Some(&existing), true, &entries(&[("K", &value), ("Z_NEW", "z")])) {
            Ok(out) => {
                prop_assert_eq!(py::get(&out, "K"), Some(value.clone()));
                prop_assert_eq!(py::get(&out, "Z_NEW"), Some("z".to_string()));
                prop_assert!(out.ends_with('\n') || out.ends_with('\r'));
                // Other keys keep their values unless the file was damaged around ours.
                for (k, v) in py::values(&existing) {
                    if k != "K" && k != "Z_NEW" && !existing.contains('"') && !existing.contains('\'') {
                        prop_assert_eq!(py::get(&out, &k), py::get(&existing, &k), "{} {:?}", v, out);
                    }
                }
            }
            Err(d) => prop_assert_eq!(d.code, ErrorCode::TargetMergeFailed),
        }
    }
}

/// Which encodings npm dotenv's `parse` reads back exactly (module docs' table).
fn npm_expected(value: &str) -> bool {
    match encoding_of(value) {
        Encoding::Escaped => false,
        Encoding::Raw => !value.contains('#'),
        _ => true,
    }
}

/// Which encodings docker compose (compose-go) reads back exactly (module docs' table).
fn compose_expected(value: &str) -> bool {
    match encoding_of(value) {
        Encoding::Bare | Encoding::Empty | Encoding::Single => true,
        Encoding::Double | Encoding::Raw | Encoding::Escaped => !value.contains('$'),
    }
}

/// The cases checked against the real parsers by `scripts/dotenv-roundtrip.py` and `.mjs`:
/// the hostile table, seeded random passwords from the reference charset, and random strings.
fn roundtrip_cases() -> Vec<String> {
    let mut cases: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
    let charset: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".chars())
        .collect();
    let tricky: Vec<char> = " \t\n\r'\"\\#$`={}éü😀\u{a0}\u{1c}\u{2028}\u{0}\u{7f}xyz"
        .chars()
        .collect();
    // xorshift64*: deterministic, so the fixture only changes when the encoder does.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    };
    for i in 0..400 {
        let len = if i % 4 == 0 { 8 + next(12) } else { 32 };
        cases.push((0..len).map(|_| charset[next(charset.len())]).collect());
    }
    for _ in 0..100 {
        let len = 1 + next(10);
        cases.push((0..len).map(|_| tricky[next(tricky.len())]).collect());
    }
    cases
}

/// `scripts/dotenv-roundtrip.cases.json` is what the encoder produces now (run with
/// `BLESS=1` to rewrite it after a deliberate change).
#[test]
fn roundtrip_fixture_is_current() {
    let cases = roundtrip_cases();
    let mut items = Vec::new();
    for value in &cases {
        let text = render_one(value);
        assert_eq!(py::get(&text, "K").as_ref(), Some(value));
        items.push(serde_json::json!({
            "value": value,
            "encoding": format!("{:?}", encoding_of(value)).to_lowercase(),
            "text": text,
            "npm": npm_expected(value),
            "compose": compose_expected(value),
        }));
    }
    // Every value at once, merged into a file with comments: values must not bleed.
    let header = "# existing\nexport KEEP=1\n\nOTHER='x y' # note\n";
    let all: Vec<(String, String)> = cases
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("K{i}"), v.clone()))
        .collect();
    let combined = render(Some(header), true, &all).unwrap();
    let doc = serde_json::json!({
        "about": "generated by src/targets/dotenv/tests.rs (BLESS=1 cargo test roundtrip_fixture); checked by scripts/dotenv-roundtrip.py and .mjs",
        "cases": items,
        "combined": {"text": combined, "keys": all.iter().map(|(k, _)| k).collect::<Vec<_>>(), "extra": {"KEEP": "1", "OTHER": "x y"}},
    });
    let text = format!("{}\n", serde_json::to_string_pretty(&doc).unwrap());
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/dotenv-roundtrip.cases.json"
    );
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts")).unwrap();
        std::fs::write(path, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == text,
        "{path} is stale: run `BLESS=1 cargo test roundtrip_fixture`"
    );
}
