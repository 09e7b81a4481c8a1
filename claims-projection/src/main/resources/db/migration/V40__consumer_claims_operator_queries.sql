-- What the operator's page (/ops) asks of consumer_claims, each answered by one index range read in keyset order.
-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.

-- The worker's reported time minus the ledger's receiving time at the epoch's last heartbeat, in milliseconds; null
-- when that heartbeat reported no time. Unindexed, so heartbeats still update rows in place (HOT, see V4).
ALTER TABLE consumer_claims ADD COLUMN last_heartbeat_skew_ms BIGINT;

-- A page of the claims in one status (the active ones, most of all), while ended claims pile up.
CREATE INDEX consumer_claims_status_consumer_idx ON consumer_claims (tenant_id, status, consumer_id, epoch);
-- The runners holding active claims, grouped in runner order, and a runner's claims in one status.
CREATE INDEX consumer_claims_status_runner_idx ON consumer_claims (tenant_id, status, runner_id, consumer_id, epoch);
-- A runner's claims in every status, in page order (the index it replaces needed a sort of all of them).
DROP INDEX consumer_claims_runner_idx;
CREATE INDEX consumer_claims_runner_consumer_idx ON consumer_claims (tenant_id, runner_id, consumer_id, epoch);
