'use strict';
// The design the ledger replaces, on its own stack (BENCHMARKS.md): one row per claim and one
// UPDATE ... RETURNING per heartbeat, answered as JSON, behind Node's http module and node-postgres.
// It checks a bearer key the way the ledger does (SHA-256 of the presented key against a configured hash), so both
// servers do comparable work per request. Settings come from the environment, all required:
//   PORT, DATABASE_URL, POOL_SIZE, CLAIMS_TABLE (schema-qualified), API_KEY_SHA256 (hex)
const http = require('node:http');
const crypto = require('node:crypto');
const { Pool } = require('pg');

function setting(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

const port = Number(setting('PORT'));
const table = setting('CLAIMS_TABLE');
const keyHash = Buffer.from(setting('API_KEY_SHA256'), 'hex');
const pool = new Pool({ connectionString: setting('DATABASE_URL'), max: Number(setting('POOL_SIZE')) });
const heartbeatPath = /^\/v1\/tenants\/([^/]+)\/claims\/([^/]+)\/epochs\/(\d+)\/heartbeats$/;
const heartbeat = `UPDATE ${table} SET last_heartbeat_at = now(), updated_at = now()
                   WHERE tenant_id = $1 AND consumer_id = $2 AND epoch = $3 RETURNING *`;

function answer(response, status, body) {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
  response.end(json);
}

function authenticated(request) {
  const header = request.headers.authorization || '';
  if (!header.startsWith('Bearer ')) {
    return false;
  }
  const presented = crypto.createHash('sha256').update(header.slice(7), 'utf8').digest();
  return crypto.timingSafeEqual(presented, keyHash);
}

async function recordHeartbeat(response, match) {
  const values = [decodeURIComponent(match[1]), decodeURIComponent(match[2]), match[3]];
  const result = await pool.query({ name: 'heartbeat', text: heartbeat, values });
  if (result.rowCount === 0) {
    answer(response, 404, { code: 'claim_not_found' });
  } else {
    answer(response, 200, result.rows[0]);
  }
}

const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const match = request.method === 'POST' ? heartbeatPath.exec(request.url) : null;
    if (!match) {
      answer(response, 404, { code: 'unsupported_request' });
    } else if (!authenticated(request)) {
      answer(response, 401, { code: 'unauthenticated' });
    } else {
      recordHeartbeat(response, match)
        .catch((error) => answer(response, 500, { code: 'failed', detail: error.message }));
    }
  });
});

server.listen(port, '127.0.0.1', () => console.log(`baseline listening on 127.0.0.1:${port}, ${table}`));
process.on('SIGTERM', () => server.close(() => pool.end()));
