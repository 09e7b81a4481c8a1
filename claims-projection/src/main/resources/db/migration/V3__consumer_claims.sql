-- The consumer_claims read model (ConsumerClaimsProjection). The columns of the table it replaces come first.
-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.

CREATE TABLE consumer_claims (
    tenant_id           VARCHAR(512)             NOT NULL,
    consumer_id         VARCHAR(512)             NOT NULL,
    epoch               BIGINT                   NOT NULL,
    wake_id             VARCHAR(512),
    entity_url          VARCHAR(2048)            NOT NULL,
    stream_path         VARCHAR(2048)            NOT NULL,
    runner_id           VARCHAR(512),
    status              VARCHAR(16)              NOT NULL,
    claimed_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    last_heartbeat_at   TIMESTAMP WITH TIME ZONE,
    lease_expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    released_at         TIMESTAMP WITH TIME ZONE,
    acked_streams       TEXT                     NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_ttl_ms        BIGINT                   NOT NULL,
    lease_policy        VARCHAR(32)              NOT NULL,
    heartbeat_count     BIGINT                   NOT NULL,
    ended_at            TIMESTAMP WITH TIME ZONE,
    end_reason          VARCHAR(16),
    -- sequence number, in the consumer's event stream, of the last event applied to this row: makes handlers idempotent
    last_event_sequence BIGINT                   NOT NULL,
    PRIMARY KEY (tenant_id, consumer_id, epoch),
    CONSTRAINT consumer_claims_status_check CHECK (status IN ('active', 'released', 'expired', 'superseded'))
);

CREATE INDEX consumer_claims_entity_status_idx ON consumer_claims (tenant_id, entity_url, status);
CREATE INDEX consumer_claims_runner_idx ON consumer_claims (tenant_id, runner_id);
CREATE INDEX consumer_claims_wake_idx ON consumer_claims (tenant_id, wake_id);
CREATE INDEX consumer_claims_lease_expires_idx ON consumer_claims (tenant_id, lease_expires_at);
