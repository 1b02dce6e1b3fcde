#!/usr/bin/env bash
# Records the reference CLI's (SecretZero 0.14.23) behaviour for the fixture
# corpus under tests/fixtures/<case>/ into tests/fixtures/<case>/oracle/.
#
# Usage: scripts/record-oracle.sh [CASE...]      (default: every case)
#
# Per case (inputs: Secretfile.yml, case.json, any other files in the case dir):
#   oracle/report.json   stdout of `agent sync --json` via run.sh --normalize
#                        (raw stdout when not a pure JSON document: load errors
#                        print plain text, provider-token kinds print text first)
#   oracle/stderr.txt    stderr of that run
#   oracle/exit_code     its exit status
#   oracle/report.txt    stdout of the human run (run.sh --human, 80 columns)
#   oracle/human_exit_code, oracle/human_stderr.txt
#                        only when the human run's exit status differs from the
#                        JSON run's: its status and the last line of its stderr
#   oracle/levels.json   levels.sh output (absent when the file cannot be loaded)
#   oracle/files/...     files the reference created or modified (two independent
#                        runs; anything that differs between them is random and
#                        masked as <random>), see scripts/oracle_normalize.py
#   oracle/fs.json       created / modified / deleted / masked paths
# Every text output has the throwaway run directory replaced by <CASE_DIR>/<HOME>.
#
# Idempotent: oracle/ is rebuilt from scratch each time. Nothing in the case
# directory other than oracle/ is touched (every run works on a temp copy).
#
# Environment: SZ_ORACLE_DIR (default /work/shared/oracle),
#              SZ_ORACLE_VENV (default ~/.cache/secretzero-oracle/venv).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
FIX="$ROOT/tests/fixtures"
ORACLE="${SZ_ORACLE_DIR:-/work/shared/oracle}"
VENV="${SZ_ORACLE_VENV:-$HOME/.cache/secretzero-oracle/venv}"
SZ="$VENV/bin/secretzero"
PY="$VENV/bin/python"
NORM="$HERE/oracle_normalize.py"

[[ -x "$SZ" ]] || { echo "record-oracle: reference CLI not installed; run $ORACLE/setup.sh" >&2; exit 69; }

# capture RUN_ROOT CASE_DIR ARGS... : like run.sh (temp copy, env -i, same
# variables, same path shape) but keeps the directory for file capture.
capture() {
  local root="$1" case_dir="$2"; shift 2
  mkdir -p "$root/case" "$root/home"
  cp -a "$case_dir/." "$root/case/"
  rm -rf "$root/case/oracle" "$root/case/case.json"
  (cd "$root/case" && env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME="$root/home" \
    LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8 COLUMNS=80 \
    ${ENVS[@]+"${ENVS[@]}"} \
    timeout 120 "$SZ" agent sync -f Secretfile.yml --json ${ARGS[@]+"${ARGS[@]}"} >/dev/null 2>&1) || true
}

record_case() {
  local case_dir="$1" name out
  name="$(basename "$case_dir")"
  out="$case_dir/oracle"
  [[ -f "$case_dir/Secretfile.yml" ]] || { echo "skip $name: no Secretfile.yml" >&2; return 0; }

  ARGS=(); ENVS=(); RANDOMS=(); local envflags=()
  local kind val
  while IFS= read -r -d '' kind && IFS= read -r -d '' val; do
    case "$kind" in
      A) ARGS+=("$val") ;;
      E) ENVS+=("$val"); envflags+=(--env "$val") ;;
      R) RANDOMS+=("$val") ;;
    esac
  done < <("$PY" "$NORM" caseinfo "$case_dir")

  rm -rf "$out"; mkdir -p "$out"

  # run.sh copies the whole case dir; hide our own bookkeeping from the reference.
  local stage; stage="$(mktemp -d "${TMPDIR:-/tmp}/sz-stage.XXXXXX")"
  cp -a "$case_dir/." "$stage/"; rm -rf "$stage/oracle" "$stage/case.json"

  local rc=0
  "$ORACLE/run.sh" --normalize ${envflags[@]+"${envflags[@]}"} "$stage/Secretfile.yml" \
    ${ARGS[@]+"${ARGS[@]}"} >"$out/report.json" 2>"$out/stderr.txt" || rc=$?
  echo "$rc" >"$out/exit_code"
  "$PY" "$NORM" report "$out/report.json"
  "$PY" "$NORM" text "$out/stderr.txt"

  local hrc=0
  "$ORACLE/run.sh" --human ${envflags[@]+"${envflags[@]}"} "$stage/Secretfile.yml" \
    ${ARGS[@]+"${ARGS[@]}"} >"$out/report.txt" 2>"$out/human_stderr.txt" || hrc=$?
  "$PY" "$NORM" text "$out/report.txt"
  if [[ "$hrc" == "$rc" ]]; then
    rm -f "$out/human_stderr.txt"
  else
    # The human run failed differently (e.g. a Rich MarkupError traceback): keep its
    # exit status and the last line of its stderr (the traceback names venv paths).
    echo "$hrc" >"$out/human_exit_code"
    tail -n 1 "$out/human_stderr.txt" >"$out/human_stderr.tmp"; mv "$out/human_stderr.tmp" "$out/human_stderr.txt"
    "$PY" "$NORM" text "$out/human_stderr.txt"
    echo "note $name: human run exit $hrc != json run exit $rc" >&2
  fi

  if ! "$ORACLE/levels.sh" ${envflags[@]+"${envflags[@]}"} "$stage/Secretfile.yml" \
      >"$out/levels.json" 2>/dev/null; then
    rm -f "$out/levels.json"
  fi

  local a b
  a="$(mktemp -d "${TMPDIR:-/tmp}/sz-capture.XXXXXX")"
  b="$(mktemp -d "${TMPDIR:-/tmp}/sz-capture.XXXXXX")"
  capture "$a" "$stage"
  capture "$b" "$stage"
  "$PY" "$NORM" files "$stage" "$a/case" "$b/case" "$out" ${RANDOMS[@]+"${RANDOMS[@]}"}
  rm -rf "$a" "$b" "$stage"
  echo "recorded $name (exit $rc)"
}

cases=()
if [[ $# -gt 0 ]]; then
  for c in "$@"; do cases+=("$FIX/${c%/}"); done
else
  for d in "$FIX"/*/; do cases+=("${d%/}"); done
fi
for c in "${cases[@]}"; do
  [[ -d "$c" ]] || { echo "record-oracle: no such case: $c" >&2; exit 66; }
  record_case "$c"
done
