-- Where a rebuild builds the consumer_claims read model anew, beside the live table that readers keep using; once it
-- has caught up, the rebuild makes consumer_claims hold exactly these rows in one transaction (ProjectionRebuilds).
-- The same columns as consumer_claims; only the primary key, which the projection's writes look rows up by, since
-- nothing queries this table and every index slows the rebuild down. Runs unchanged on PostgreSQL and on H2.

CREATE TABLE consumer_claims_rebuild (
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
    last_event_sequence BIGINT                   NOT NULL,
    PRIMARY KEY (tenant_id, consumer_id, epoch)
);
