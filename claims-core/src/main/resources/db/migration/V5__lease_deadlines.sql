-- The lease watchdogs (LeaseDeadlines): one row per consumer's stream whose current epoch may still expire, written
-- and removed in the transaction of the event that arms or ends it. Due rows are found by due_at; arming, following
-- a renewed lease and retiring are one statement on the stream's key, however many rows wait.
-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.

CREATE TABLE lease_deadlines (
    -- the consumer's stream: "<length>:<tenant_id>/<consumer_id>", as in domain_event_entry
    stream_id VARCHAR(1100)            NOT NULL,
    -- the epoch whose lease the watchdog guards
    epoch     BIGINT                   NOT NULL,
    due_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    -- handlings that failed in a row; each doubles the pause before the next try
    failures  INTEGER                  NOT NULL,
    PRIMARY KEY (stream_id)
);

CREATE INDEX lease_deadlines_due_idx ON lease_deadlines (due_at);
