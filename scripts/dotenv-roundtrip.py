#!/usr/bin/env python3
"""Check that the dotenv files our encoder writes read back through python-dotenv.

Reads scripts/dotenv-roundtrip.cases.json (written by the Rust test
`roundtrip_fixture_is_current`, so it always matches the encoder) and, for every case,
writes its text to a file and reads it with python-dotenv exactly as an application would:

- `dotenv_values(path, interpolate=False)` must give the value back, always;
- `dotenv_values(path)` (interpolation on, the default) must give it back whenever the
  value has no `${...}` expansion (python-dotenv has no escape for those);
- when the reference CLI is importable (its venv), its own reader (`FileTarget.retrieve`)
  must give back every bare/empty/single/double/raw value that `str.splitlines()` leaves
  on one line (it reads line by line and does not unescape).

The combined document (every value in one file after existing content) must read back too;
with python-dotenv < 1.2.4 the keys after an escaped value that ends with a backslash are
counted as that version's known misreading instead (see src/targets/dotenv.rs).
Needs python-dotenv (`pip install python-dotenv`). Exit status 0 when every check passes.
Usage: dotenv-roundtrip.py [CASES_JSON]
"""

import json
import os
import re
import sys
import tempfile

try:
    import dotenv
    from dotenv import dotenv_values
except ImportError:  # pragma: no cover
    sys.exit("dotenv-roundtrip.py: python-dotenv is not installed (pip install python-dotenv)")

try:  # the reference CLI, when this runs in its venv
    from secretzero.targets.file import FileTarget
except Exception:  # noqa: BLE001 - optional
    FileTarget = None

# python-dotenv's variables.py pattern: what interpolation expands.
POSIX_VARIABLE = re.compile(r"\$\{(?P<name>[^\}:]*)(?::-(?P<default>[^\}]*))?\}")

HERE = os.path.dirname(os.path.abspath(__file__))


def dotenv_version() -> str:
    from importlib.metadata import version

    return version("python-dotenv")


def version_tuple() -> tuple:
    parts = []
    for p in dotenv_version().split(".")[:3]:
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "dotenv-roundtrip.cases.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    failures = []
    counts = {"cases": 0, "interpolated_skips": 0, "reference_reader": 0, "known_old_regex": 0}
    with tempfile.TemporaryDirectory() as tmp:
        env_path = os.path.join(tmp, ".env")

        def write(text: str) -> None:
            # Bytes as written by the host (no newline translation on the way out).
            with open(env_path, "w", encoding="utf-8", newline="") as out:
                out.write(text)

        for case in doc["cases"]:
            counts["cases"] += 1
            value, text = case["value"], case["text"]
            write(text)
            got = dotenv_values(env_path, interpolate=False).get("K")
            if got != value:
                failures.append(("interpolate=False", value, text, got))
            if POSIX_VARIABLE.search(value):
                counts["interpolated_skips"] += 1
            else:
                got = dotenv_values(env_path).get("K")
                if got != value:
                    failures.append(("interpolate=True", value, text, got))
            # The reference reads line by line with str.splitlines(), which also splits on
            # \v \f \x1c-\x1e \x85 \u2028 \u2029: only single-line values can come back.
            single_line = value == "" or value.splitlines() == [value]
            if FileTarget is not None and single_line and case["encoding"] != "escaped":
                counts["reference_reader"] += 1
                got = FileTarget({"path": env_path}).retrieve("K")
                if got != value:
                    failures.append(("reference FileTarget.retrieve", value, text, got))

        combined = doc["combined"]
        write(combined["text"])
        read = dotenv_values(env_path, interpolate=False)
        # python-dotenv before 1.2.4 reads `\\"` as an escaped quote: an escaped value that
        # ends with a backslash runs on to the next `"` of the file (a documented limitation).
        old_regex = version_tuple() < (1, 2, 4)
        culprit_seen = False
        for key, case in zip(combined["keys"], doc["cases"]):
            if case["encoding"] == "escaped" and case["value"].endswith("\\"):
                culprit_seen = True
            if read.get(key) != case["value"]:
                if old_regex and culprit_seen:
                    counts["known_old_regex"] += 1
                else:
                    failures.append(("combined " + key, case["value"], "", read.get(key)))
        for key, value in combined["extra"].items():
            if read.get(key) != value:
                failures.append(("combined " + key, value, "", read.get(key)))

    print(
        f"python-dotenv {dotenv_version()}: {counts['cases']} values, "
        f"{counts['interpolated_skips']} with ${{...}} skipped under interpolation, "
        f"reference reader checked on {counts['reference_reader'] or 'none (not installed)'}, "
        f"{counts['known_old_regex']} misread after an escaped value ending in a backslash "
        f"(python-dotenv < 1.2.4 only); "
        f"{len(failures)} failure(s)"
    )
    for what, value, text, got in failures[:20]:
        print(f"  FAIL {what}: value={value!r} text={text!r} got={got!r}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
