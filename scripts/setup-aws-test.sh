#!/usr/bin/env bash
# Installs what the shared-store tests (js/test/aws.test.mjs) need, in virtual environments
# outside the repository. Idempotent: a second run only checks two stamp files.
#
#   $SZ_AWS_TEST_HOME/moto        moto in server mode (a real AWS API on 127.0.0.1: SSM,
#                                 Secrets Manager, STS), started and stopped by the tests
#   $SZ_AWS_TEST_HOME/reference   the reference SecretZero CLI 0.14.23 WITH its AWS dependency
#                                 (boto3), for the lockfile interop on AWS targets; the shared
#                                 oracle venv has no boto3 and is left untouched
#
#   SZ_AWS_TEST_HOME  default ~/.cache/secretzero-aws
#
# Needs only the Python package registry. When an install fails (no network, no python3), it
# says so and exits 0: the tests then skip their AWS parts with a message naming this script.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOME_DIR="${SZ_AWS_TEST_HOME:-$HOME/.cache/secretzero-aws}"
MOTO_SPEC="moto[server]==5.2.5"
BOTO3_SPEC="boto3==1.44.8"
ORACLE_LOCK="$HERE/../../shared/oracle/requirements.lock"

# install NAME STAMP-TEXT PIP-ARGS...: (re)create $HOME_DIR/NAME unless its stamp matches.
install() {
  local name="$1" stamp="$2"
  shift 2
  local venv="$HOME_DIR/$name"
  if [[ -f "$venv/.secretzero-stamp" && "$(cat "$venv/.secretzero-stamp")" == "$stamp" ]]; then
    return 0
  fi
  echo "setup-aws-test: installing $name into $venv (a few minutes, once)"
  rm -rf "$venv"
  mkdir -p "$HOME_DIR"
  if python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check "$@"; then
    printf '%s' "$stamp" >"$venv/.secretzero-stamp"
  else
    echo "setup-aws-test: could not install $name: the AWS tests that need it will be skipped" >&2
    rm -rf "$venv"
  fi
}

install moto "$MOTO_SPEC" "$MOTO_SPEC"
if [[ -f "$ORACLE_LOCK" ]]; then
  lock_hash="$(sha256sum "$ORACLE_LOCK" | cut -c1-16)"
  install reference "$lock_hash $BOTO3_SPEC" --ignore-requires-python -r "$ORACLE_LOCK" "$BOTO3_SPEC"
else
  echo "setup-aws-test: $ORACLE_LOCK not found: the reference-CLI interop on AWS targets will be skipped"
fi
[[ -x "$HOME_DIR/moto/bin/moto_server" ]] && echo "setup-aws-test: moto ready"
[[ -x "$HOME_DIR/reference/bin/secretzero" ]] && echo "setup-aws-test: reference CLI with boto3 ready"
exit 0
