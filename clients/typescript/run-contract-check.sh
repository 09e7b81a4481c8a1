#!/usr/bin/env bash
# The ledger's OpenAPI document as another language meets it, run by `./mvnw verify` (claims-server, integration-test):
# starts the packaged jar on a free port with an empty data directory, fetches /v3/api-docs, lints it with Redocly's
# recommended rules, generates TypeScript types from it, type-checks README's flow and runs it against the ledger with
# Node's test runner. Any failure fails the build; the ledger is stopped whatever happens.
#
# usage: run-contract-check.sh <claims-server.jar> <directory for the ledger's log>
set -euo pipefail

jar="$(realpath "${1:?the claims-server jar}")"
logs="$(realpath -m "${2:?a directory for the log}")"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

data="$(mktemp -d)"
ledger=""
stop() {
    if [ -n "$ledger" ] && kill -0 "$ledger" 2>/dev/null; then
        kill "$ledger"
        wait "$ledger" 2>/dev/null || true
    fi
    rm -rf "$data"
}
trap stop EXIT

port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
url="http://127.0.0.1:$port"
mkdir -p "$logs"
java -jar "$jar" --server.port="$port" --claims.data-dir="$data" --spring.main.banner-mode=off \
    > "$logs/typescript-contract-ledger.log" 2>&1 &
ledger=$!
echo "ledger starting on $url (log: $logs/typescript-contract-ledger.log)"

# while the ledger starts; node_modules is kept between builds while package-lock.json is unchanged
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --prefer-offline --no-audit --no-fund --loglevel=error
fi

node -e '
const [url, pid] = process.argv.slice(1);
const deadline = Date.now() + 300_000;
(async function poll() {
  try { process.kill(Number(pid), 0); } catch { console.error("the ledger exited; see its log"); process.exit(1); }
  try { if ((await fetch(url + "/actuator/health/readiness")).ok) return; } catch {}
  if (Date.now() > deadline) { console.error("the ledger was not ready within 5 minutes"); process.exit(1); }
  setTimeout(poll, 500);
})();' "$url" "$ledger"

mkdir -p build
node -e '
fetch(process.argv[1] + "/v3/api-docs").then(async (response) => {
  if (!response.ok) { console.error("/v3/api-docs answered " + response.status); process.exit(1); }
  require("fs").writeFileSync("build/openapi.json", await response.text());
});' "$url"

npm run --silent lint
npm run --silent generate
npm run --silent build
LEDGER_URL="$url" npm test
