#!/usr/bin/env bash
# Every benchmark, with a throwaway PostgreSQL cluster for the ones that need it (removed at the
# end). GATEHOUSE_BENCH_EVENTS sets the archive's sizes (default 50000,250000,1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
PG_DIR=$(mktemp -d /tmp/gatehouse-bench-pg.XXXXXX)
trap './scripts/postgres.sh stop "$PG_DIR"' EXIT
server=$(./scripts/postgres.sh start "$PG_DIR" "${GATEHOUSE_BENCH_PG_PORT:-55434}")

cargo bench --locked -p sandbox --bench audit_logs
cargo bench --locked -p gatehouse --bench proxy
cargo bench --locked -p gatehouse --bench export
cargo bench --locked -p gatehouse --bench hygiene
echo "== what a browser downloads (the release build)"
./scripts/build-app.sh
cargo bench --locked -p gatehouse --bench wire
echo "== archive on SQLite"
cargo bench --locked -p gatehouse --bench archive
echo "== archive on PostgreSQL"
GATEHOUSE_BENCH_POSTGRES=$server cargo bench --locked -p gatehouse --bench archive
echo "== two replicas behind nginx"
PATH="$PATH:/usr/sbin" GATEHOUSE_BENCH_POSTGRES=$server cargo bench --locked -p gatehouse --bench replicas
