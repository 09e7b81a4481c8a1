-- Rebuilds of a read model (ProjectionRebuilds), kept in the database so that every node reports the same progress
-- and only one rebuild runs at a time in the whole cluster. Runs unchanged on PostgreSQL and on H2.

CREATE TABLE read_model_rebuild (
    id          VARCHAR(64)              NOT NULL,
    read_model  VARCHAR(255)             NOT NULL,
    -- the node that runs it: it reports its progress here, and stops when the row no longer says 'running'
    node        VARCHAR(255)             NOT NULL,
    state       VARCHAR(16)              NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    reported_at TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE,
    -- event-store positions: the newest one when it started, and how far it has read
    total       BIGINT                   NOT NULL,
    processed   BIGINT                   NOT NULL,
    failure     VARCHAR(2000),
    PRIMARY KEY (id),
    CONSTRAINT read_model_rebuild_state_check CHECK (state IN ('running', 'done', 'failed'))
);

CREATE INDEX read_model_rebuild_running_idx ON read_model_rebuild (read_model, state);

-- One row per read model, locked by whoever starts a rebuild of it, so two nodes cannot both start one.
CREATE TABLE read_model_rebuild_guard (
    read_model VARCHAR(255) NOT NULL,
    PRIMARY KEY (read_model)
);

INSERT INTO read_model_rebuild_guard (read_model) VALUES ('consumer-claims');
