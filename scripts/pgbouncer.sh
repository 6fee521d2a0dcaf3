#!/usr/bin/env bash
# PgBouncer (Debian's package) in transaction mode on 127.0.0.1:6433, with the configuration kept
# in test/pgbouncer/pgbouncer.ini, for the `pgbouncer` test project (see README, "Tests").
#   bash scripts/pgbouncer.sh start   install it if missing, start it unless it answers already
#   bash scripts/pgbouncer.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
config="$PWD/test/pgbouncer/pgbouncer.ini"
runtime=/tmp/mascotas-pgbouncer
port=6433

answers() { pg_isready -q -h 127.0.0.1 -p "$port" -d pgbouncer 2>/dev/null || pg_isready -q -h 127.0.0.1 -p "$port"; }

case "${1:-start}" in
  start)
    if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
    fi
    if answers; then
      echo "pgbouncer: already answering on 127.0.0.1:$port"
      exit 0
    fi
    mkdir -p "$runtime"
    # trust: the user must still be listed.
    echo '"postgres" ""' >"$runtime/userlist.txt"
    # PgBouncer refuses to run as root: it runs as the postgres user, which must read the
    # configuration (a copy in the runtime folder, whatever the checkout's permissions).
    cp "$config" "$runtime/pgbouncer.ini"
    if [ "$(id -u)" = 0 ]; then
      chown -R postgres:postgres "$runtime"
      as=(-u postgres)
    else
      as=()
    fi
    /usr/sbin/pgbouncer -d "${as[@]}" "$runtime/pgbouncer.ini"
    for _ in $(seq 1 50); do answers && break; sleep 0.2; done
    answers || { echo "pgbouncer did not start:"; tail -20 "$runtime/pgbouncer.log" 2>/dev/null; exit 1; }
    echo "pgbouncer: transaction mode on 127.0.0.1:$port"
    ;;
  stop)
    if [ -f "$runtime/pgbouncer.pid" ]; then
      kill "$(cat "$runtime/pgbouncer.pid")" 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
