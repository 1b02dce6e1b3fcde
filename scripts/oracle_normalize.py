#!/usr/bin/env python3
"""Normalise the reference CLI's outputs so fixture recordings are stable.

Used by ``scripts/record-oracle.sh`` (run with the oracle venv's python, any
Python 3.9+ works: standard library only). Subcommands:

  caseinfo CASE_DIR
      Print the case's agent-sync args and env as NUL-separated records for
      bash: ``A\\0<arg>`` and ``E\\0NAME=value`` (from ``case.json``).

  text FILE
      In place: replace the throwaway run directories (``/tmp/sz-oracle.XXXXXX/case``
      and ``.../home``) with ``<CASE_DIR>`` and ``<HOME>``.

  report FILE
      In place: ``text`` normalisation, then, when FILE holds a JSON document
      (possibly preceded by plain text, as with provider-token kinds), replace
      machine-specific actor fields in ``sync_results.details[].targets[].actor``
      (``username``, ``uid``, ``full_name``) with ``<field>`` placeholders.
      The JSON is re-emitted exactly as the CLI does (``json.dumps(indent=2)``);
      text before the document is kept verbatim.

  files INPUT_DIR RUN_A RUN_B OUT_DIR [RANDOM_NAME...]
      Compare two independent runs (RUN_A, RUN_B) of the same case against the
      case's input tree. Files created or modified by the run are copied to
      OUT_DIR/files/ with:
        * lockfiles (``*.lock`` holding JSON): timestamps -> ``<timestamp>``
          (except the pinned 2025-01-15T09:30:00.000… of input lockfiles),
          machine-specific identity fields (``os_user``, ``os_uid``, ``os_euid``,
          ``hostname``, ``host_fqdn``, ``platform``, ``username``, ``uid``,
          ``full_name``, ``git_*``, ``local_host``) -> ``<field>`` (except the
          pinned fixture-user / fixture-host / Linux-fixture / 1000), and every
          value hash that differs between the two runs, or that belongs to a
          secret named in RANDOM_NAME, -> ``<random>``;
        * other files: when the two runs wrote different content, each differing
          line has its value replaced by ``<random>`` (``KEY=<random>``,
          ``"KEY": "<random>"``, ``key: <random>``, ``key = "<random>"``; dotenv
          and YAML quotes are dropped since they depend on the random
          characters); if the
          line structure differs the whole file becomes ``<random>``.
      OUT_DIR/fs.json lists ``created``, ``modified``, ``deleted`` paths and the
      ``masked`` ones (paths where random content was replaced).
      Random values are never written to OUT_DIR.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

RUN_DIR_RE = re.compile(r"/tmp/sz-(?:oracle|capture)\.[A-Za-z0-9]{6}/(case|home)")
TIMESTAMP_KEYS = {"created_at", "updated_at", "synced_at", "last_rotated"}
IDENTITY_KEYS = {
    "os_user",
    "os_uid",
    "os_euid",
    "hostname",
    "host_fqdn",
    "platform",
    "username",
    "uid",
    "full_name",
    "git_user_name",
    "git_user_email",
    "git_commit_sha",
    "local_host",
}
RANDOM = "<random>"
# Values pinned by scripts/make-input-lockfile.sh in *input* lockfiles: kept as
# they are, so a recording shows which entries were carried over untouched.
FIXTURE_TIMESTAMP_PREFIX = "2025-01-15T09:30:00.000"
FIXTURE_IDENTITY_VALUES = {"fixture-user", "fixture-host", "Linux-fixture", 1000}


def norm_paths(text: str) -> str:
    return RUN_DIR_RE.sub(lambda m: "<CASE_DIR>" if m.group(1) == "case" else "<HOME>", text)


def cmd_caseinfo(case_dir: str) -> None:
    path = Path(case_dir) / "case.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    out = sys.stdout.buffer
    for arg in data.get("args", []) or []:
        out.write(b"A\0" + str(arg).encode() + b"\0")
    for name, value in (data.get("env") or {}).items():
        out.write(b"E\0" + f"{name}={value}".encode() + b"\0")
    for name in data.get("random", []) or []:
        out.write(b"R\0" + str(name).encode() + b"\0")


def split_json(text: str):
    """Return (prefix, document) where document is the trailing JSON object, or None."""
    try:
        return "", json.loads(text)
    except ValueError:
        pass
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line == "{":
            try:
                return "\n".join(lines[:i]) + "\n", json.loads("\n".join(lines[i:]))
            except ValueError:
                return None
    return None


def cmd_report(file: str) -> None:
    p = Path(file)
    text = norm_paths(p.read_text(encoding="utf-8"))
    split = split_json(text)
    if split is not None and isinstance(split[1], dict):
        prefix, data = split
        for d in (data.get("sync_results") or {}).get("details", []) or []:
            for t in d.get("targets", []) or []:
                a = t.get("actor")
                if isinstance(a, dict):
                    for k in ("username", "uid", "full_name"):
                        if k in a:
                            a[k] = "<" + k + ">"
        # CLI: click.echo(json.dumps(payload, indent=2, default=str)) -> trailing newline
        text = prefix + json.dumps(data, indent=2, default=str) + "\n"
    p.write_text(text, encoding="utf-8")


def cmd_text(file: str) -> None:
    p = Path(file)
    p.write_text(norm_paths(p.read_text(encoding="utf-8")), encoding="utf-8")


# ---------------------------------------------------------------- files


def tree(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            full = Path(dirpath) / f
            out[str(full.relative_to(root))] = full.read_bytes()
    return out


def norm_identity(obj):
    if isinstance(obj, dict):
        res = {}
        for k, v in obj.items():
            if k in TIMESTAMP_KEYS and v is not None:
                keep = isinstance(v, str) and v.startswith(FIXTURE_TIMESTAMP_PREFIX)
                res[k] = v if keep else "<timestamp>"
            elif k in IDENTITY_KEYS and v is not None and v not in FIXTURE_IDENTITY_VALUES:
                res[k] = "<" + k + ">"
            else:
                res[k] = norm_identity(v)
        return res
    if isinstance(obj, list):
        return [norm_identity(x) for x in obj]
    return obj


def norm_lockfile(a: dict, b: dict, random_names: set[str]) -> tuple[dict, bool]:
    """Normalise lockfile A, masking hashes that differ from B (or named random)."""
    masked = False
    secrets_b = (b.get("secrets") or {}) if isinstance(b, dict) else {}
    for name, entry in (a.get("secrets") or {}).items():
        if not isinstance(entry, dict):
            continue
        other = secrets_b.get(name) or {}
        force = name in random_names or name.split(".", 1)[0] in random_names
        if "hash" in entry and (force or entry.get("hash") != other.get("hash")):
            entry["hash"] = RANDOM
            masked = True
        targets = entry.get("targets")
        if isinstance(targets, dict):
            other_t = other.get("targets") or {}
            for tid, h in list(targets.items()):
                if force or h != other_t.get(tid):
                    targets[tid] = RANDOM
                    masked = True
    return norm_identity(a), masked


LINE_PATTERNS = [
    # (pattern, keep_quotes). JSON member:  "KEY": "value",  (quotes are structural)
    (re.compile(r'^(?P<pre>\s*"(?:[^"\\]|\\.)*":\s*)(?P<val>.*?)(?P<post>,?)$'), True),
    # tfvars / toml:  key = "value"  (always quoted: structural)
    (re.compile(r"^(?P<pre>\s*[A-Za-z0-9_.\-\"]+\s+=\s+)(?P<val>.*)(?P<post>)$"), True),
    # dotenv:  KEY=value  (quoting depends on the random characters: dropped)
    (re.compile(r"^(?P<pre>[A-Za-z0-9_.\-]+=)(?P<val>.*)(?P<post>)$"), False),
    # yaml:  key: value  (quoting style depends on the random characters: dropped)
    (re.compile(r"^(?P<pre>\s*[^\s:#][^:]*:\s+)(?P<val>.*)(?P<post>)$"), False),
]


def mask_line(line: str) -> str:
    for pat, keep_quotes in LINE_PATTERNS:
        m = pat.match(line)
        if m:
            val = m.group("val")
            quoted = len(val) >= 2 and val[0] == val[-1] and val[0] in "\"'"
            masked = f"{val[0]}{RANDOM}{val[0]}" if (quoted and keep_quotes) else RANDOM
            return m.group("pre") + masked + m.group("post")
    return RANDOM


def mask_text(a: str, b: str) -> str:
    la, lb = a.split("\n"), b.split("\n")
    if len(la) != len(lb):
        return RANDOM + "\n"
    return "\n".join(x if x == y else mask_line(x) for x, y in zip(la, lb))


def cmd_files(input_dir: str, run_a: str, run_b: str, out_dir: str, *random_names: str) -> None:
    inp, ta, tb = tree(Path(input_dir)), tree(Path(run_a)), tree(Path(run_b))
    out = Path(out_dir)
    files_dir = out / "files"
    if files_dir.exists():
        shutil.rmtree(files_dir)
    created = sorted(k for k in ta if k not in inp)
    modified = sorted(k for k in ta if k in inp and ta[k] != inp[k])
    deleted = sorted(k for k in inp if k not in ta)
    if set(ta) != set(tb):
        print(f"warning: runs wrote different file sets: {sorted(set(ta) ^ set(tb))}",
              file=sys.stderr)
    masked_paths = []
    rnd = set(random_names)
    for rel in created + modified:
        da, db = ta[rel], tb.get(rel, b"")
        dest = files_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            sa, sb = da.decode("utf-8"), db.decode("utf-8")
        except UnicodeDecodeError:
            dest.write_text(RANDOM + "\n")
            masked_paths.append(rel)
            continue
        content = None
        if rel.endswith(".lock"):
            try:
                ja, jb = json.loads(sa), json.loads(sb)
            except ValueError:
                ja = None
            if isinstance(ja, dict):
                norm, was_masked = norm_lockfile(ja, jb if isinstance(jb, dict) else {}, rnd)
                # reference: json.dump(indent=2), no trailing newline
                content = json.dumps(norm, indent=2)
                if sa.endswith("\n"):
                    content += "\n"
                if was_masked:
                    masked_paths.append(rel)
        if content is None:
            if sa != sb:
                content = mask_text(sa, sb)
                masked_paths.append(rel)
            else:
                content = sa
        dest.write_text(norm_paths(content), encoding="utf-8")
    fs = {"created": created, "modified": modified, "deleted": deleted, "masked": masked_paths}
    (out / "fs.json").write_text(json.dumps(fs, indent=2) + "\n")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 64
    cmd, *rest = argv
    {"caseinfo": cmd_caseinfo, "text": cmd_text, "report": cmd_report, "files": cmd_files}[cmd](
        *rest
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
