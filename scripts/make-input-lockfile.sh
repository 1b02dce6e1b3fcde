#!/usr/bin/env bash
# Produces a realistic pre-existing lockfile (an *input* of a fixture case) by
# running the reference CLI once on a "setup" Secretfile, then pinning every
# machine- or time-dependent field to fixed fixture values so the file is
# reproducible:
#   timestamps        -> 2025-01-15T09:30:00.000000+00:00 (provenance: ...000100)
#   os_user/username/full_name -> fixture-user, uids -> 1000,
#   hostname/fqdn     -> fixture-host, platform -> Linux-fixture
#   hash of a random value -> sha256("fixture-previous-value:<secret>") (entry and targets)
# Static values keep their real (deterministic) hashes.
#
# Usage: scripts/make-input-lockfile.sh [--sync] [--lock NAME] SETUP_SECRETFILE OUT_LOCKFILE [args...]
#   --sync       run the regular `secretzero sync --no-prompt` instead of
#                `agent sync --json` (the only way to get a .gitsecrets.local.lock)
#   --lock NAME  which lockfile of the run to keep (default: .gitsecrets.lock,
#                else the first *.lock)
#   The setup Secretfile is run in a temp dir (named Secretfile.yml there), so the
#   lockfile's secretfile.filename is "Secretfile.yml"; its secretfile.hash is the
#   setup file's (so a case whose Secretfile differs shows secretfile_changed).
set -euo pipefail
VENV="${SZ_ORACLE_VENV:-$HOME/.cache/secretzero-oracle/venv}"
SZ="$VENV/bin/secretzero"; PY="$VENV/bin/python"
cmd=(agent sync --json); want=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sync) cmd=(sync --no-prompt); shift ;;
    --lock) want="$2"; shift 2 ;;
    *) break ;;
  esac
done
[[ $# -ge 2 ]] || { echo "usage: make-input-lockfile.sh [--sync] [--lock NAME] SETUP_SECRETFILE OUT_LOCKFILE [args...]" >&2; exit 64; }
setup="$1"; outp="$2"; shift 2
work="$(mktemp -d "${TMPDIR:-/tmp}/sz-mklock.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/a" "$work/b" "$work/home"
for d in a b; do
  cp "$setup" "$work/$d/Secretfile.yml"
  (cd "$work/$d" && env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME="$work/home" \
    LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8 \
    timeout 120 "$SZ" "${cmd[@]}" -f Secretfile.yml "$@" >/dev/null 2>&1) || true
done
lock="${want:-.gitsecrets.lock}"
[[ -n "$want" || -f "$work/a/$lock" ]] || lock="$(cd "$work/a" && ls *.lock 2>/dev/null | head -1)"
[[ -n "$lock" && -f "$work/a/$lock" ]] || { echo "make-input-lockfile: no lockfile written" >&2; exit 1; }
"$PY" - "$work/a/$lock" "$work/b/$lock" "$outp" <<'PYEOF'
import hashlib, json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
TS = "2025-01-15T09:30:00.000000+00:00"
FIX = {"os_user": "fixture-user", "username": "fixture-user", "full_name": "fixture-user",
       "os_uid": 1000, "os_euid": 1000, "uid": 1000, "hostname": "fixture-host",
       "host_fqdn": "fixture-host", "platform": "Linux-fixture", "local_host": "fixture-host"}
def fix(o, key=None):
    if isinstance(o, dict):
        out = {}
        for k, v in o.items():
            if k in ("created_at", "updated_at", "synced_at") and v is not None:
                out[k] = TS if key != "provenance" else TS.replace("000000", "000100")
            elif k in FIX and v is not None:
                out[k] = FIX[k]
            elif k in ("git_user_name", "git_user_email", "git_commit_sha"):
                continue
            else:
                out[k] = fix(v, "provenance" if k == "target_provenance" else key)
        return out
    if isinstance(o, list):
        return [fix(x, key) for x in o]
    return o
for name, e in (a.get("secrets") or {}).items():
    other = (b.get("secrets") or {}).get(name, {})
    if e.get("hash") != other.get("hash"):
        h = hashlib.sha256(f"fixture-previous-value:{name}".encode()).hexdigest()
        e["hash"] = h
        e["targets"] = {t: h for t in (e.get("targets") or {})}
with open(sys.argv[3], "w") as f:
    json.dump(fix(a), f, indent=2)
PYEOF
echo "wrote $outp"
