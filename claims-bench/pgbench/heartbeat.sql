-- The floor of the design the ledger replaces (BENCHMARKS.md): its heartbeat, the same UPDATE the Node baseline
-- sends, as a prepared statement from pgbench, no HTTP. Variables: claims (how many), tenant.
\set n random(0, :claims - 1)
UPDATE bench_baseline.consumer_claims SET last_heartbeat_at = now(), updated_at = now()
    WHERE tenant_id = :tenant AND consumer_id = 'worker-' || :n AND epoch = 1 RETURNING *;
