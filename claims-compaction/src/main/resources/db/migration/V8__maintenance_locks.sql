-- Locks of the ledger's maintenance work, so that it runs on one node at a time: a node holds a lock until expires_at
-- and renews it while it works; a node that died lets it lapse. Runs unchanged on PostgreSQL and on H2.

CREATE TABLE maintenance_locks (
    name       VARCHAR(64)              NOT NULL,
    owner      VARCHAR(255),
    expires_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (name)
);

INSERT INTO maintenance_locks (name, owner, expires_at) VALUES ('compaction', NULL, NULL);
