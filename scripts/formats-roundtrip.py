#!/usr/bin/env python3
"""Check the YAML, TOML and tfvars files our writers produce against the real readers.

Reads scripts/formats-roundtrip.cases.json (written by the Rust test
`roundtrip_fixture_is_current` in src/targets/tests.rs, so it always matches the writers):
`values` (a hostile table, 400 random passwords from the reference's charset, 100 random
strings of special characters, 40 long texts with spaces), and per format the file written for
each value under key `K` (`texts`), files for special keys (`keys`), every value at once merged
into an existing file (`combined`), and the in-place edit cases of the unit tests (`edits`).

YAML (PyYAML, required): every text is byte for byte `yaml.dump({"K": v},
default_flow_style=False, sort_keys=False)`, the reference's call, and `safe_load` gives the
value back; merged files hold the old mapping with our entries set.
TOML: Python's `tomllib` reads every value back and every merged file as the old document
with our keys set; with tomli-w installed, every text is byte for byte `tomli_w.dumps`.
tfvars: with Terraform on PATH, every value reads back through `terraform apply` and every
merged file holds the old variables with ours set; with the reference CLI importable, every
text is byte for byte its `format_tfvars` output unless the value holds `${`, `%{`, a
backspace, a form feed or a character outside the BMP (where the reference's bytes are not
valid HCL for the value). (python-hcl2 is no help here: it rejects `"$$$${"`, which
Terraform reads as `$$${`, and misreads other strings.)

Usage: formats-roundtrip.py [CASES_JSON]   (run it with a Python that has PyYAML, e.g. the
reference CLI's venv; optional: tomli-w, terraform). Exit status 0 when every
check that could run passed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

import yaml

try:
    import tomli_w
except ImportError:  # optional
    tomli_w = None
try:  # the reference CLI, when this runs in its venv
    from secretzero.hcl_tfvars import format_tfvars
except Exception:  # noqa: BLE001 - optional
    format_tfvars = None

HERE = os.path.dirname(os.path.abspath(__file__))
failures = 0
skipped = []


def fail(what, detail):
    global failures
    failures += 1
    if failures <= 20:
        print(f"FAIL {what}: {detail}"[:400])


def merged(base, entries):
    out = dict(base or {})
    for k, v in entries:
        out[k] = v
    return out


def check_yaml(doc, values):
    dump = lambda d: yaml.dump(d, default_flow_style=False, sort_keys=False)  # noqa: E731
    for v, text in zip(values, doc["texts"]):
        if text != dump({"K": v}):
            fail("yaml bytes", repr(v))
        elif yaml.safe_load(text) != {"K": v}:
            fail("yaml read-back", repr(v))
    for k, text in doc["keys"]:
        if text != dump({k: "v"}) or yaml.safe_load(text) != {k: "v"}:
            fail("yaml key", repr(k))
    c = doc["combined"]
    if yaml.safe_load(c["output"]) != merged(yaml.safe_load(c["existing"]), c["entries"]):
        fail("yaml combined", "merged file does not read back")
    for case in doc["edits"]["cases"]:
        want = merged(yaml.safe_load(case["existing"]), doc["edits"]["entries"])
        if yaml.safe_load(case["output"]) != want:
            fail("yaml edit", repr(case["existing"]))
    print(f"yaml: {len(values)} values, {len(doc['keys'])} keys, "
          f"{len(doc['edits']['cases'])} edits checked with PyYAML {yaml.__version__}")


def check_toml(doc, values):
    for v, text in zip(values, doc["texts"]):
        if tomllib.loads(text) != {"K": v}:
            fail("toml read-back", repr(v))
        elif tomli_w and text != tomli_w.dumps({"K": v}):
            fail("toml bytes", repr(v))
    for k, text in doc["keys"]:
        if tomllib.loads(text) != {k: "v"} or (tomli_w and text != tomli_w.dumps({k: "v"})):
            fail("toml key", repr(k))
    c = doc["combined"]
    if tomllib.loads(c["output"]) != merged(tomllib.loads(c["existing"]), c["entries"]):
        fail("toml combined", "merged file does not read back")
    for case in doc["edits"]["cases"]:
        want = merged(tomllib.loads(case["existing"]), doc["edits"]["entries"])
        if tomllib.loads(case["output"]) != want:
            fail("toml edit", repr(case["existing"]))
    if not tomli_w:
        skipped.append("toml bytes (pip install tomli-w)")
    print(f"toml: {len(values)} values, {len(doc['keys'])} keys, "
          f"{len(doc['edits']['cases'])} edits checked with tomllib"
          + (" and tomli-w" if tomli_w else ""))


def hcl_special(v):
    return "${" in v or "%{" in v or "\b" in v or "\f" in v or any(ord(c) > 0xFFFF for c in v)


def terraform_values(workdir, text):
    """The variables of a tfvars text as Terraform reads them (None when it refuses it)."""
    # Every `name =` that starts a line (nested ones too: they get the default, null).
    pattern = r"^\ufeff?[ \t]*([A-Za-z_][A-Za-z0-9_-]*)[ \t]*="
    names = list(dict.fromkeys(re.findall(pattern, text, re.M)))
    main = "".join(
        f'variable "{n}" {{\n  type = any\n  default = null\n}}\n'
        f'output "{n}" {{\n  value = var.{n}\n}}\n'
        for n in names
    )
    with open(os.path.join(workdir, "main.tf"), "w") as f:
        f.write(main)
    with open(os.path.join(workdir, "t.tfvars"), "w") as f:
        f.write(text)
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        path = os.path.join(workdir, name)
        if os.path.exists(path):
            os.remove(path)
    run = subprocess.run(
        ["terraform", "apply", "-no-color", "-auto-approve", "-input=false", "-var-file=t.tfvars"],
        cwd=workdir, capture_output=True, text=True,
    )
    if run.returncode != 0:
        return None
    out = subprocess.run(["terraform", "output", "-json"], cwd=workdir, capture_output=True, text=True)
    return {k: v["value"] for k, v in json.loads(out.stdout or "{}").items()}


def check_tfvars(doc, values):
    same = special = 0
    for v, text in zip(values, doc["texts"]):
        if format_tfvars:
            if text == format_tfvars({"K": v}):
                same += 1
            elif hcl_special(v):
                special += 1
            else:
                fail("tfvars bytes", repr(v))
    if not format_tfvars:
        skipped.append("tfvars reference bytes (run in the reference CLI's venv)")
    else:
        print(f"tfvars: {same} texts are the reference's bytes, {special} differ where its bytes "
              "are not HCL for the value")
    if not shutil.which("terraform"):
        skipped.append("tfvars read-back (needs terraform on PATH)")
        return
    with tempfile.TemporaryDirectory() as workdir:
        subprocess.run(["terraform", "init", "-input=false"], cwd=workdir, capture_output=True)
        c = doc["combined"]
        got = terraform_values(workdir, c["output"])
        want = merged(terraform_values(workdir, c["existing"]), c["entries"])
        if got is None:
            fail("tfvars combined", "terraform refuses the merged file")
        else:
            for k, v in want.items():
                if got.get(k) != v:
                    fail("tfvars read-back", f"{k} = {v!r}, terraform read {got.get(k)!r}")
        edits = 0
        for case in doc["edits"]["cases"]:
            before = terraform_values(workdir, case["existing"]) if case["existing"].strip() else {}
            if before is None:
                continue  # Terraform refuses the input (interpolation in a heredoc...)
            edits += 1
            after = terraform_values(workdir, case["output"])
            if after != merged(before, doc["edits"]["entries"]):
                fail("tfvars edit", repr(case["existing"]))
        print(f"tfvars: {len(c['entries'])} values and {edits} edits read back through Terraform")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "formats-roundtrip.cases.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    values = doc["values"]
    check_yaml(doc["yaml"], values)
    check_toml(doc["toml"], values)
    check_tfvars(doc["tfvars"], values)
    for s in skipped:
        print(f"skipped: {s}")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
