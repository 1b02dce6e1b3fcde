use super::*;
use serde_json::json;

fn config(v: serde_json::Value) -> DataMap {
    match v {
        serde_json::Value::Object(m) => m,
        _ => unreachable!(),
    }
}

#[test]
fn format_inference_matches_the_reference() {
    // Checked with the reference CLI: `out.json` without a format was written as `INJSON=jv`,
    // `x.tfvars.json` as `A=v`, `format: JSON` and `format: " json "` as JSON, and
    // `format: yml` failed with "Unsupported format: yml".
    let cases: &[(&str, Option<&str>, Option<FileFormat>)] = &[
        (".env", None, Some(FileFormat::Dotenv)),
        ("out.json", None, Some(FileFormat::Dotenv)),
        ("x.tfvars.json", None, Some(FileFormat::Dotenv)),
        ("prod.tfvars", None, Some(FileFormat::Tfvars)),
        ("PROD.TFVARS", None, Some(FileFormat::Tfvars)),
        ("a.yaml", None, Some(FileFormat::Dotenv)),
        ("a", Some("JSON"), Some(FileFormat::Json)),
        ("a", Some(" json "), Some(FileFormat::Json)),
        ("a.tfvars", Some("dotenv"), Some(FileFormat::Dotenv)),
        ("a", Some("  "), Some(FileFormat::Dotenv)),
        ("a", Some(""), Some(FileFormat::Dotenv)),
        ("a", Some("Yaml"), Some(FileFormat::Yaml)),
        ("a", Some("toml"), Some(FileFormat::Toml)),
        ("a", Some("yml"), None),
        ("a", Some("env"), None),
        ("a", Some("jsn"), None),
    ];
    for (path, explicit, want) in cases {
        match (infer_format(path, *explicit), want) {
            (Ok(got), Some(w)) => assert_eq!(got, *w, "{path} {explicit:?}"),
            (Err(d), None) => {
                assert_eq!(d.code, ErrorCode::InvalidTarget);
                assert!(d.hint.is_some());
            }
            (got, _) => panic!("{path} {explicit:?}: {got:?}"),
        }
    }
    assert_eq!(
        infer_format("a", Some("yml")).unwrap_err().hint.as_deref(),
        Some("did you mean `yaml`?")
    );
}

#[test]
fn format_hint_warns_about_extensions() {
    let d = format_hint("config/app.json", None).unwrap();
    assert!(!d.is_error());
    assert!(d.hint.unwrap().contains("format: json"));
    assert!(format_hint("config/app.YML", Some("")).is_some());
    assert!(format_hint("config/app.json", Some("json")).is_none());
    assert!(format_hint(".env", None).is_none());
    assert!(format_hint("x.tfvars", None).is_none());
}

#[test]
fn paths_are_normalised_and_confined() {
    let ok: &[(&str, &str)] = &[
        (".env", ".env"),
        ("./.env", ".env"),
        ("a//b/./c.env", "a/b/c.env"),
        ("a/b/../c.env", "a/c.env"),
        ("a\\b.env", "a/b.env"),
        ("~/x.env", "~/x.env"),
        (" sp .env", " sp .env"),
    ];
    for (raw, want) in ok {
        assert_eq!(normalize_path(raw, false).as_deref(), Ok(*want), "{raw}");
    }
    let outside = [
        "../x",
        "a/../../x",
        "a/../../a/x",
        "/etc/passwd",
        "\\x",
        "C:\\x",
        "c:x",
        "\\\\srv\\share\\x",
    ];
    for raw in outside {
        assert_eq!(
            normalize_path(raw, false).unwrap_err().code,
            ErrorCode::PathOutsideRoot,
            "{raw}"
        );
    }
    let allowed: &[(&str, &str)] = &[
        ("../x", "../x"),
        ("../../a/../x", "../../x"),
        ("/etc//x/../y", "/etc/y"),
        ("/../x", "/x"),
        ("C:\\Users\\me\\.env", "C:/Users/me/.env"),
        ("c:x", "c:x"),
    ];
    for (raw, want) in allowed {
        assert_eq!(normalize_path(raw, true).as_deref(), Ok(*want), "{raw}");
    }
    for raw in ["", ".", "a/..", "dir/", "a\\", "x\0y", "..", "/"] {
        let code = normalize_path(raw, true).unwrap_err().code;
        assert_eq!(code, ErrorCode::InvalidTarget, "{raw:?}");
    }
}

#[test]
fn config_is_read_like_the_reference() {
    let t = FileTarget::from_config(&config(json!({})), false).unwrap();
    assert_eq!(
        t,
        FileTarget {
            raw_path: None,
            path: ".env".into(),
            format: FileFormat::Dotenv,
            merge: true,
            key: None
        }
    );
    assert_eq!(t.entry_key("DB_PASSWORD"), "DB_PASSWORD");

    let t = FileTarget::from_config(
        &config(json!({"path": "./conf/app.json", "format": "Json", "merge": false, "key": "  api_key "})),
        false,
    )
    .unwrap();
    assert_eq!(t.raw_path.as_deref(), Some("./conf/app.json"));
    assert_eq!(t.path, "conf/app.json");
    assert_eq!(t.format, FileFormat::Json);
    assert!(!t.merge);
    assert_eq!(t.entry_key("API_KEY"), "api_key");

    // Python's str() of scalar keys; blank keys fall back to the secret name.
    for (key, want) in [
        (json!(true), "True"),
        (json!(12), "12"),
        (json!(1.5), "1.5"),
        (json!("  "), "NAME"),
        (json!(null), "NAME"),
    ] {
        let t = FileTarget::from_config(&config(json!({ "key": key })), false).unwrap();
        assert_eq!(t.entry_key("NAME"), want);
    }

    for bad in [
        json!({"path": 1}),
        json!({"merge": "false"}),
        json!({"format": 1}),
        json!({"key": [1]}),
    ] {
        let code = FileTarget::from_config(&config(bad.clone()), false)
            .unwrap_err()
            .code;
        assert_eq!(code, ErrorCode::WrongType, "{bad}");
    }
    let err = FileTarget::from_config(&config(json!({"path": "../x"})), false).unwrap_err();
    assert_eq!(err.code, ErrorCode::PathOutsideRoot);
    assert_eq!(
        target_file_path(&config(json!({"path": "../x"})), true).as_deref(),
        Ok("../x")
    );
}

#[test]
fn render_and_lookup_dispatch() {
    let e = vec![("A".to_string(), "v".to_string())];
    assert_eq!(render(FileFormat::Dotenv, None, true, &e).unwrap(), "A=v\n");
    assert_eq!(
        render(FileFormat::Json, None, true, &e).unwrap(),
        "{\n  \"A\": \"v\"\n}"
    );
    assert_eq!(render(FileFormat::Yaml, None, true, &e).unwrap(), "A: v\n");
    assert_eq!(
        render(FileFormat::Toml, None, true, &e).unwrap(),
        "A = \"v\"\n"
    );
    assert_eq!(
        render(FileFormat::Tfvars, Some(""), true, &e).unwrap(),
        "A = \"v\"\n"
    );
}

#[test]
fn lookup_dispatches() {
    assert_eq!(
        lookup(FileFormat::Dotenv, "A=1\n", "A").as_deref(),
        Some("1")
    );
    assert_eq!(
        lookup(FileFormat::Json, "{\"A\": \"1\"}", "A").as_deref(),
        Some("1")
    );
    assert_eq!(
        lookup(FileFormat::Yaml, "A: '1'\n", "A").as_deref(),
        Some("1")
    );
    assert_eq!(
        lookup(FileFormat::Toml, "A = \"1\"\n", "A").as_deref(),
        Some("1")
    );
    assert_eq!(
        lookup(FileFormat::Tfvars, "A = \"1\"\n", "A").as_deref(),
        Some("1")
    );
    for f in FileFormat::ALL {
        assert_eq!(lookup(f, "", "A"), None);
    }
}

/// Values checked against the real readers by `scripts/formats-roundtrip.py`: a hostile table,
/// seeded random passwords from the reference's default charset (letters, digits,
/// punctuation), random strings of characters that every format treats specially, and long
/// texts with spaces (YAML folds them at column 80).
fn roundtrip_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "",
        " ",
        "abc123",
        "yes",
        "No",
        "null",
        "~",
        "true",
        "1",
        "0755",
        "0x1F",
        "1.5",
        "1e10",
        ".inf",
        "1:30",
        "2024-01-02",
        "=",
        "<<",
        "- a",
        "? x",
        ": x",
        "a: b",
        "a #b",
        "#a",
        "'q'",
        "\"q\"",
        "---",
        "...",
        "@x",
        "`x",
        "%x",
        "|x",
        ">x",
        "{x}",
        "[x]",
        "a,b",
        "é",
        "pässwörd – 😀",
        "a\tb",
        "a\nb",
        "a\n",
        "\na",
        "a \nb",
        "a\n b",
        " a",
        "a ",
        "\u{0}\u{7}\u{8}\u{b}\u{c}\r\u{1b}\u{7f}",
        "\u{85}\u{a0}\u{2028}\u{2029}\u{feff}",
        "a\\b",
        "a\"b",
        "{\"a\":\"\\u00e9\",\"b\":1}",
        "line1\nline2\n",
        "a\r\nb",
        "'''",
        "\"\"\"",
        "\\u0041",
        "${x}",
        "%{y}",
        "$${x}",
        "%%{y}",
        "$$${",
        "\\${",
        "$",
        "{",
        "}",
        "<<EOF",
        "# c",
        "// c",
        "/* c */",
        "\u{10ffff}",
        "\u{ffff}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let charset: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".chars())
        .collect();
    let tricky: Vec<char> =
        " \t\n\r'\"\\#$%`={}[],:-?!&*|>@éü😀\u{a0}\u{1c}\u{2028}\u{0}\u{7f}\u{8}\u{c}xyz"
            .chars()
            .collect();
    // xorshift64*: deterministic, so the fixture only changes when the writers do.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    };
    let mut pick =
        |set: &[char], len: usize| -> String { (0..len).map(|_| set[next(set.len())]).collect() };
    for i in 0..400 {
        values.push(pick(&charset, if i % 4 == 0 { 8 + i % 13 } else { 32 }));
    }
    for i in 0..100 {
        values.push(pick(&tricky, 1 + i % 10));
    }
    let words: Vec<char> = "ab cd ef  gh\u{e9}'\"".chars().collect();
    for i in 0..40 {
        values.push(pick(&words, 60 + 4 * i));
    }
    values
}

fn pairs_json(pairs: &[(String, String)]) -> serde_json::Value {
    serde_json::json!(pairs.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>())
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The document one format contributes to the fixture.
fn format_fixture(
    format: FileFormat,
    values: &[String],
    keys: &[&str],
    existing: &str,
    edits: &[(&str, &str)],
    edit_entries: &[(&str, &str)],
) -> serde_json::Value {
    let texts: Vec<String> = values
        .iter()
        .map(|v| {
            let text = render(format, Some(""), true, &[("K".to_string(), v.clone())]).unwrap();
            assert_eq!(
                lookup(format, &text, "K").as_ref(),
                Some(v),
                "{format:?} {v:?}"
            );
            text
        })
        .collect();
    let key_texts: Vec<[String; 2]> = keys
        .iter()
        .map(|k| {
            let text = render(format, Some(""), true, &[(k.to_string(), "v".to_string())]).unwrap();
            [k.to_string(), text]
        })
        .collect();
    let mut all: Vec<(String, String)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("k{i:04}"), v.clone()))
        .collect();
    all.push(("port".to_string(), "replaced".to_string()));
    let combined = render(format, Some(existing), true, &all).unwrap();
    for (k, v) in &all {
        assert_eq!(
            lookup(format, &combined, k).as_ref(),
            Some(v),
            "{format:?} {k}"
        );
    }
    let edit_docs: Vec<serde_json::Value> = edits
        .iter()
        .map(|(existing, output)| serde_json::json!({"existing": existing, "output": output}))
        .collect();
    serde_json::json!({
        "texts": texts,
        "keys": key_texts,
        "combined": {"existing": existing, "entries": pairs_json(&all), "output": combined},
        "edits": {"entries": pairs_json(&owned(edit_entries)), "cases": edit_docs},
    })
}

/// `scripts/formats-roundtrip.cases.json` is what the YAML, TOML and tfvars writers produce
/// now (run with `BLESS=1` to rewrite it after a deliberate change); the script checks it
/// against PyYAML, tomllib / tomli-w, Terraform and the reference's own code.
#[test]
fn roundtrip_fixture_is_current() {
    let values = roundtrip_values();
    let yaml_keys = [
        "",
        "yes",
        "a b",
        "k: v",
        "é",
        "a\nb",
        "- k",
        "1",
        "#",
        "key_with_123_chars_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ];
    let toml_keys = [
        "", "a.b", "é", "a b", "\"", "\n", "[x]", "1", "true", "a-b_9",
    ];
    let doc = serde_json::json!({
        "about": "generated by src/targets/tests.rs (BLESS=1 cargo test roundtrip_fixture); checked by scripts/formats-roundtrip.py",
        "values": values,
        "yaml": format_fixture(
            FileFormat::Yaml, &values, &yaml_keys,
            "# existing\nport: 8080  # kept comment\nlist: [1, 2]\nnested:\n  a: 'yes'\n",
            super::yaml::tests::EDITS, super::yaml::tests::EDIT_ENTRIES,
        ),
        "toml": format_fixture(
            FileFormat::Toml, &values, &toml_keys,
            "# existing\nport = 8080 # kept comment\nlist = [1, 2]\n\n[db]\nhost = \"x\"\n",
            super::toml::tests::EDITS, super::toml::tests::EDIT_ENTRIES,
        ),
        "tfvars": format_fixture(
            FileFormat::Tfvars, &values, &[],
            "# existing\nport = 8080 # kept comment\nlist = [1, 2]\n",
            super::tfvars::tests::EDITS, super::tfvars::tests::EDIT_ENTRIES,
        ),
    });
    let text = format!("{}\n", serde_json::to_string_pretty(&doc).unwrap());
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/formats-roundtrip.cases.json"
    );
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == text,
        "{path} is stale: run `BLESS=1 cargo test roundtrip_fixture`"
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let e = vec![("K".to_string(), "v".to_string())];
    let deep_toml = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let deep_tf = format!("a = {}x{}\n", "\"${".repeat(50_000), "}\"".repeat(50_000));
    let deep_tf_brackets = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let deep_yaml = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    for (format, text) in [
        (FileFormat::Toml, &deep_toml),
        (FileFormat::Tfvars, &deep_tf),
        (FileFormat::Tfvars, &deep_tf_brackets),
        (FileFormat::Yaml, &deep_yaml),
    ] {
        let err = render(format, Some(text), true, &e).unwrap_err();
        assert_eq!(err.code, ErrorCode::TargetMergeFailed, "{format:?}");
        assert_eq!(lookup(format, text, "a"), None);
    }
}
