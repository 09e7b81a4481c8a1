-- The columns of Axon's event table that the Merkle log reads, for the module's own tests (the server's migration V1
-- creates the real table).
CREATE TABLE domain_event_entry (
    global_index         BIGINT        NOT NULL,
    event_identifier     VARCHAR(255)  NOT NULL,
    aggregate_identifier VARCHAR(1100) NOT NULL,
    sequence_number      BIGINT        NOT NULL,
    payload_type         VARCHAR(255)  NOT NULL,
    payload              BYTEA         NOT NULL,
    meta_data            BYTEA,
    PRIMARY KEY (global_index)
);
