#!/usr/bin/env python3
"""Print the Markdown table of fixture cases for tests/fixtures/README.md.

Usage: python3 scripts/fixtures-index.py > /tmp/table.md
One row per case: name, what it covers (the Secretfile's `# Covers:` line),
the reference exit code, and the `covers` tags of case.json.
"""

import json
from pathlib import Path

FIX = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def main() -> None:
    print("| case | what it covers | exit | tags |")
    print("| --- | --- | --- | --- |")
    for case in sorted(p for p in FIX.iterdir() if (p / "case.json").is_file()):
        meta = json.loads((case / "case.json").read_text())
        sf = (case / "Secretfile.yml").read_text(encoding="utf-8", errors="replace")
        first = sf.splitlines()[0] if sf else ""
        what = first[len("# Covers:"):].strip() if first.startswith("# Covers:") else "(empty file)"
        exit_file = case / "oracle" / "exit_code"
        code = exit_file.read_text().strip() if exit_file.exists() else "?"
        args = meta.get("args") or []
        env = meta.get("env") or {}
        extra = []
        if args:
            extra.append("args `" + " ".join(args) + "`")
        if env:
            extra.append("env " + ", ".join(f"`{k}`" for k in env))
        if extra:
            what += " (" + "; ".join(extra) + ")"
        tags = ", ".join(meta.get("covers", []))
        what = what.replace("|", "\\|")
        tags = tags.replace("|", "\\|")
        print(f"| `{case.name}` | {what} | {code} | {tags} |")


if __name__ == "__main__":
    main()
