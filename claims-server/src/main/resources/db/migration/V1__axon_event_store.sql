-- Axon's JDBC event storage, token store and snapshot tables, in snake_case (see AxonStorageConfiguration).
-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.

CREATE TABLE domain_event_entry (
    global_index         BIGSERIAL     NOT NULL,
    event_identifier     VARCHAR(255)  NOT NULL,
    -- a consumer's stream id: "<length>:<tenant_id>/<consumer_id>", ids of at most 512 bytes each
    aggregate_identifier VARCHAR(1100) NOT NULL,
    sequence_number      BIGINT        NOT NULL,
    type                 VARCHAR(255),
    time_stamp           VARCHAR(255)  NOT NULL,
    payload_type         VARCHAR(255)  NOT NULL,
    payload_revision     VARCHAR(255),
    payload              BYTEA         NOT NULL,
    meta_data            BYTEA,
    PRIMARY KEY (global_index),
    CONSTRAINT domain_event_entry_event_identifier_key UNIQUE (event_identifier),
    CONSTRAINT domain_event_entry_aggregate_sequence_key UNIQUE (aggregate_identifier, sequence_number)
);

CREATE TABLE snapshot_event_entry (
    aggregate_identifier VARCHAR(1100) NOT NULL,
    sequence_number      BIGINT        NOT NULL,
    type                 VARCHAR(255)  NOT NULL,
    event_identifier     VARCHAR(255)  NOT NULL,
    time_stamp           VARCHAR(255)  NOT NULL,
    payload_type         VARCHAR(255)  NOT NULL,
    payload_revision     VARCHAR(255),
    payload              BYTEA         NOT NULL,
    meta_data            BYTEA,
    PRIMARY KEY (aggregate_identifier, sequence_number),
    CONSTRAINT snapshot_event_entry_event_identifier_key UNIQUE (event_identifier)
);

CREATE TABLE token_entry (
    processor_name VARCHAR(255) NOT NULL,
    segment        INTEGER      NOT NULL,
    token          BYTEA,
    token_type     VARCHAR(255),
    time_stamp     VARCHAR(255),
    owner          VARCHAR(255),
    PRIMARY KEY (processor_name, segment)
);
