#!/usr/bin/env bash
# One command for the benchmark (see BENCHMARKS.md): builds the server and the benchmark, starts the server on a
# fresh PostgreSQL database, runs the benchmark against it and stops the server. Arguments go to the benchmark, e.g.
#   claims-bench/run.sh --duration=30s --claims=10000 --clients=8
#   claims-bench/run.sh --phases=soak --soak-duration=3m --soak-rate=300
# Needs a local PostgreSQL 15 (started as in .ci/run) and the role claims/claims.
set -euo pipefail
cd "$(dirname "$0")/.."

DB="${CLAIMS_BENCH_DB:-claims_bench}"
PORT="${CLAIMS_BENCH_PORT:-18080}"
JDBC="jdbc:postgresql://127.0.0.1:5432/${DB}"

# clean: without it the repackaged server jar can keep the previous build of the other modules
./mvnw -q -B -Pbench -DskipTests clean package

su postgres -c "dropdb --if-exists ${DB}" >/dev/null
su postgres -c "createdb -O claims ${DB}"

mkdir -p target
java ${CLAIMS_BENCH_SERVER_OPTS:--Xmx1g} -jar claims-server/target/claims-server.jar --server.port="${PORT}" \
    --spring.datasource.url="${JDBC}" --spring.datasource.username=claims --spring.datasource.password=claims \
    --spring.datasource.hikari.maximum-pool-size=24 > target/bench-server.log 2>&1 &
SERVER=$!
trap 'kill ${SERVER} 2>/dev/null || true; wait ${SERVER} 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do
    curl -fsS "http://127.0.0.1:${PORT}/actuator/health/readiness" >/dev/null 2>&1 && break
    sleep 1
done

java -jar claims-bench/target/claims-bench.jar --base-url="http://127.0.0.1:${PORT}" --jdbc-url="${JDBC}" \
    --server-pid="${SERVER}" "$@"
