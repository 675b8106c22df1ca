# A throwaway PostgreSQL server for the tests of crates/dxf2-store-postgres.
#
# Source it (bash): `source .ci/postgres.sh`. It
#   - installs Debian's `postgresql` package when no `initdb`/`pg_ctl` is found (root only),
#   - creates a cluster in a new temporary directory (as the `postgres` OS user when run as root,
#     which initdb requires; as yourself otherwise), trust authentication, listening on
#     127.0.0.1 only, on a free port, with its socket in that directory,
#   - creates the database `dxf2test` and exports
#     DXF2_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/dxf2test,
#   - stops the server and removes the directory when the shell exits (or on
#     `dxf2_postgres_stop`).
# The cluster runs with fsync off (it is thrown away); DXF2_POSTGRES_DURABLE=1 keeps PostgreSQL's
# default durability settings (for measuring, as in benches/postgres.rs).

dxf2_postgres_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    local initdb
    initdb=$(command -v initdb 2>/dev/null) || return 1
    command -v pg_ctl >/dev/null 2>&1 || return 1
    dirname "$initdb"
}

dxf2_postgres_start() {
    local bin
    if ! bin=$(dxf2_postgres_bindir); then
        if [ "$(id -u)" != 0 ]; then
            echo "postgres.sh: no initdb/pg_ctl found; install PostgreSQL (Debian: apt-get install postgresql)" >&2
            return 1
        fi
        echo "postgres.sh: installing Debian's postgresql package"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
        bin=$(dxf2_postgres_bindir) || {
            echo "postgres.sh: postgresql installed but no initdb/pg_ctl found" >&2
            return 1
        }
    fi

    # initdb refuses to run as root: run the server as the `postgres` OS user then.
    local as=()
    if [ "$(id -u)" = 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres || return 1
        fi
        as=(runuser -u postgres --)
    fi

    DXF2_POSTGRES_DIR=$(mktemp -d /tmp/dxf2-postgres.XXXXXX) || return 1
    chmod 755 "$DXF2_POSTGRES_DIR"
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$DXF2_POSTGRES_DIR"
    fi
    local data="$DXF2_POSTGRES_DIR/data"
    if ! "${as[@]}" "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync --no-instructions >"$DXF2_POSTGRES_DIR/initdb.log" 2>&1; then
        cat "$DXF2_POSTGRES_DIR/initdb.log" >&2
        return 1
    fi

    local settings="-k $DXF2_POSTGRES_DIR -c listen_addresses=127.0.0.1"
    if [ "${DXF2_POSTGRES_DURABLE:-0}" != 1 ]; then
        settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    # A free port: one nobody answers on, and where our server then starts.
    local port tries=0 started=0
    while [ $tries -lt 20 ]; do
        tries=$((tries + 1))
        port=$((20000 + (RANDOM % 20000)))
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            continue
        fi
        if "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$DXF2_POSTGRES_DIR/server.log" -w -t 60 \
            -o "-p $port $settings" start >/dev/null 2>&1; then
            started=1
            break
        fi
    done
    if [ $started != 1 ]; then
        echo "postgres.sh: the server did not start; its log:" >&2
        cat "$DXF2_POSTGRES_DIR/server.log" >&2 2>/dev/null
        return 1
    fi
    DXF2_POSTGRES_BIN=$bin
    DXF2_POSTGRES_AS=("${as[@]}")
    trap dxf2_postgres_stop EXIT
    if ! "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres dxf2test; then
        echo "postgres.sh: cannot create the database dxf2test" >&2
        return 1
    fi
    export DXF2_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/dxf2test"
    echo "postgres.sh: PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port;" \
        "DXF2_TEST_POSTGRES=$DXF2_TEST_POSTGRES"
}

dxf2_postgres_stop() {
    if [ -n "${DXF2_POSTGRES_DIR:-}" ] && [ -d "$DXF2_POSTGRES_DIR/data" ]; then
        "${DXF2_POSTGRES_AS[@]}" "$DXF2_POSTGRES_BIN/pg_ctl" -D "$DXF2_POSTGRES_DIR/data" \
            -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$DXF2_POSTGRES_DIR"
    fi
    DXF2_POSTGRES_DIR=
    unset DXF2_TEST_POSTGRES
}

dxf2_postgres_start
