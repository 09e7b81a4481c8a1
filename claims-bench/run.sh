#!/usr/bin/env bash
# One command for the benchmark (see BENCHMARKS.md): installs the load generator (wrk) and the Node baseline's
# packages, builds the server and the benchmark, creates a fresh PostgreSQL database and runs the benchmark, which
# starts, restarts and stops the server itself. Arguments go to the benchmark, e.g.
#   claims-bench/run.sh --duration=30s --claims=10000 --clients=8
#   claims-bench/run.sh --phases=heartbeats,node-baseline
#   claims-bench/run.sh --phases=soak --soak-duration=3m --soak-rate=300
# Needs a local PostgreSQL 15 (started as in .ci/run) with the role claims/claims, Node.js 20 with npm, and root
# for apt-get when wrk is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DB="${CLAIMS_BENCH_DB:-claims_bench}"
PORT="${CLAIMS_BENCH_PORT:-18080}"

if ! command -v wrk >/dev/null; then
    apt-get -o DPkg::Lock::Timeout=300 install -y -q wrk >/dev/null \
        || { apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null \
             && apt-get -o DPkg::Lock::Timeout=300 install -y -q wrk >/dev/null; }
fi
(cd claims-bench/baseline-node && npm ci --no-audit --no-fund --loglevel=error)

# clean: without it the repackaged server jar can keep the previous build of the other modules
./mvnw -q -B -Pbench -DskipTests clean package

su postgres -c "dropdb --if-exists ${DB}" >/dev/null
su postgres -c "createdb -O claims ${DB}"
# the compaction phase checkpoints after its VACUUM FULL, which takes a superuser or this role
su postgres -c "psql -q -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' -c 'GRANT pg_checkpoint TO claims'" >/dev/null

# the server's JVM options: the benchmark's default (Options.java) unless CLAIMS_BENCH_SERVER_OPTS gives them
JVM_OPTIONS=()
if [[ -n "${CLAIMS_BENCH_SERVER_OPTS:-}" ]]; then
    JVM_OPTIONS=(--server-jvm-options="${CLAIMS_BENCH_SERVER_OPTS}")
fi
java -jar claims-bench/target/claims-bench.jar --server-jar=claims-server/target/claims-server.jar \
    "${JVM_OPTIONS[@]}" --port="${PORT}" \
    --jdbc-url="jdbc:postgresql://127.0.0.1:5432/${DB}" --work-dir=target "$@"
