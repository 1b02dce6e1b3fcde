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
fn render_dispatches_and_refuses_unwritten_formats() {
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
        render(FileFormat::Tfvars, None, true, &e).unwrap_err().code,
        ErrorCode::InvalidTarget
    );
}
