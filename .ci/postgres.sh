#!/usr/bin/env bash
# A throw-away PostgreSQL server for the test run: `source .ci/postgres.sh; pg_start; …; pg_stop`.
#
# pg_start installs PostgreSQL from the distribution's packages when no server binaries are
# found (root only), creates a cluster in a new temporary directory owned by an unprivileged
# user (the invoking user, or `nobody` when run as root: PostgreSQL refuses to run as root),
# listens on 127.0.0.1 at a free port and on a socket in that directory, and exports
# CLASSBOT_TEST_DATABASE_URL. Durability is off (fsync, full-page writes): the data lives for
# one run. pg_stop stops the server and deletes the directory; callers trap it on EXIT.

pg_bindir() {
    local dir
    for dir in "$(pg_config --bindir 2>/dev/null)" /usr/lib/postgresql/*/bin; do
        if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

pg_start() {
    local bindir port
    if ! bindir=$(pg_bindir); then
        if [[ $(id -u) -ne 0 ]]; then
            echo "PostgreSQL server binaries not found; install the distribution's postgresql package" >&2
            return 1
        fi
        echo "installing PostgreSQL from the distribution's packages" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
        bindir=$(pg_bindir)
    fi
    PG_DIR=$(mktemp -d /tmp/classbot-pg.XXXXXX)
    PG_AS=()
    if [[ $(id -u) -eq 0 ]]; then
        chown nobody "$PG_DIR"
        PG_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${PG_AS[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U classbot --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    PG_CTL=("${PG_AS[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data")
    "${PG_CTL[@]}" -w -l "$PG_DIR/server.log" -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 \
        -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300" \
        start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
    export CLASSBOT_TEST_DATABASE_URL="postgresql+asyncpg://classbot@127.0.0.1:$port/postgres"
    echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_DIR)" >&2
}

pg_stop() {
    if [[ -n "${PG_DIR:-}" && -d "$PG_DIR" ]]; then
        "${PG_CTL[@]}" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
    unset CLASSBOT_TEST_DATABASE_URL PG_DIR
}
