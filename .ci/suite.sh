#!/usr/bin/env bash
# The whole suite, as `make test` runs it (after ruff): on SQLite, then on a PostgreSQL server
# started for the run (.ci/postgres.sh), in .venv; then on SQLite on every other Python 3.11+
# found in /usr/bin (each in its own .venv-3.N). Every run prints its own pytest summary line;
# the script fails if any run failed, after all have run.
set -uo pipefail
cd "$(dirname "$0")/.."
WORKERS="${WORKERS:-auto}"
# Installed by `make test`: test_extras fails (never skips) if one is missing or broken.
export CLASSBOT_REQUIRE_EXTRAS=telegram,wechat,postgres
PYTEST=(-n "$WORKERS" --dist worksteal -q)
failed=()

run() {  # run LABEL PYTHON
    local label=$1 python=$2
    echo "=== suite on $label ($("$python" -c 'import sys; print("Python %d.%d.%d" % sys.version_info[:3])'))"
    if ! "$python" -m pytest "${PYTEST[@]}"; then
        failed+=("$label")
    fi
}

run SQLite .venv/bin/python

# shellcheck source=.ci/postgres.sh
source .ci/postgres.sh
trap pg_stop EXIT
if pg_start; then
    run "PostgreSQL" .venv/bin/python
    pg_stop
else
    failed+=("PostgreSQL (server did not start)")
fi

main=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
for interpreter in /usr/bin/python3.[0-9]*; do
    version=${interpreter#/usr/bin/python}
    [[ "$version" =~ ^3\.[0-9]+$ ]] || continue
    (( ${version#3.} >= 11 )) && [[ "$version" != "$main" ]] || continue
    venv=".venv-$version"
    if [[ ! -f "$venv/.installed" || pyproject.toml -nt "$venv/.installed" ]]; then
        "$interpreter" -m venv "$venv" && "$venv/bin/pip" install --quiet --upgrade pip &&
            "$venv/bin/pip" install --quiet -e '.[dev,wechat,postgres]' && touch "$venv/.installed" ||
            { failed+=("Python $version (set-up)"); continue; }
    fi
    run "SQLite" "$venv/bin/python"
done

if (( ${#failed[@]} )); then
    echo "=== failed: ${failed[*]}"
    exit 1
fi
