#!/usr/bin/env bash
# The repeatable check for "Run it for a school" without Docker: install classbot (not
# editable) into a new venv, make the whole install read-only, then, as an unprivileged user
# with only a work directory writable, run the acceptance transcripts (the demo, with its
# meetings, and the mailbox script), `classbot db upgrade` and `classbot check`.
# Fails if any meeting time is refused ("看不懂") or any command fails.
#   bash deploy/check-readonly-install.sh [EXTRAS]      (as root: the bot runs as nobody)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
EXTRAS=${1:-}
ROOT=$(mktemp -d /tmp/classbot-readonly.XXXXXX)
trap 'chmod -R u+w "$ROOT" 2>/dev/null; rm -rf "$ROOT"' EXIT
chmod 755 "$ROOT"

python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet "$REPO${EXTRAS:+[$EXTRAS]}"
chmod -R a-w "$ROOT/venv"
mkdir -p "$ROOT/work"
cp "$REPO/config.yaml" "$REPO/tests/scripts/mailbox.txt" "$ROOT/work/"
chmod -R a+rwX "$ROOT/work"

AS=()
WHO=$(id -un)
if [[ $(id -u) -eq 0 ]]; then
    AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    WHO=nobody
fi
run() {
    (cd "$ROOT/work" && env -i PATH=/usr/bin:/bin HOME=/nonexistent "${AS[@]}" "$ROOT/venv/bin/classbot" "$@")
}
echo "site-packages: $(du -sh "$ROOT"/venv/lib/python3*/site-packages | cut -f1) (read-only)"
run demo >"$ROOT/demo.out"
run run --script mailbox.txt >"$ROOT/mailbox.out"
if grep -n "看不懂" "$ROOT/demo.out" "$ROOT/mailbox.out"; then
    echo "FAILED: a time was not understood on the read-only install" >&2
    exit 1
fi
grep -q "家长会 #1" "$ROOT/demo.out" || { echo "FAILED: the demo's meeting is missing" >&2; exit 1; }
run db upgrade
run check
echo "read-only install, run as $WHO: OK"
