#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: `scripts/postgres.sh start DIR PORT` creates one
# in DIR (owned by an unprivileged user: initdb refuses root) listening on 127.0.0.1:PORT and
# prints its server URL; `scripts/postgres.sh stop DIR` stops it and removes DIR. Installs
# Debian's postgresql first if it is missing.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "postgres.sh: need root to run: $*" >&2; exit 1; fi
}

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

# Runs a server binary as the cluster's owner (the invoking user unless that is root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    dir=$2 port=$3
    if [ -z "$(bin_dir)" ]; then
      echo "[postgres] installing Debian's postgresql" >&2
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    bin=$(bin_dir)
    rm -rf "$dir" && mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U gatehouse -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=on" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://gatehouse@127.0.0.1:$port"
    ;;
  stop)
    dir=$2
    bin=$(bin_dir)
    if [ -n "$bin" ] && [ -d "$dir/data" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: scripts/postgres.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
