-- The Merkle log over every event (module claims-merkle; README, "Verifiable checkpoints"). Leaves are cut into tiles
-- of 256; a complete tile is one row, the incomplete last one lives in the head row. Runs unchanged on PostgreSQL and
-- on H2 in PostgreSQL mode.

CREATE TABLE merkle_tile (
    -- leaves tile_index * 256 to tile_index * 256 + 255
    tile_index       BIGINT NOT NULL,
    -- the hashes of the complete subtrees that end with this tile's last leaf, from level 8 (the tile's root) up,
    -- 32 bytes each
    subtree_hashes   BYTEA  NOT NULL,
    -- the global positions of the 256 leaves in leaf order: zigzag LEB128 varints of each one's difference from the one
    -- before (the first from 0)
    positions        BYTEA  NOT NULL,
    -- the highest position of any leaf up to this tile's last (grows with tile_index)
    high_water       BIGINT NOT NULL,
    -- every position below it had been seen, or could no longer be, when this tile was completed (grows too)
    settled_position BIGINT NOT NULL,
    PRIMARY KEY (tile_index)
);

-- position -> leaf: the tiles from the first whose high water reaches the position to the first that settled it
CREATE INDEX merkle_tile_high_water_idx ON merkle_tile (high_water, tile_index);
CREATE INDEX merkle_tile_settled_position_idx ON merkle_tile (settled_position, tile_index);

-- One row, rewritten by the log's writer with every batch.
CREATE TABLE merkle_log_head (
    id               SMALLINT NOT NULL,
    -- the number of leaves
    tree_size        BIGINT   NOT NULL,
    -- the positions of the leaves of the incomplete last tile, packed as in merkle_tile; NULL when it has none
    hot_positions    BYTEA,
    -- their leaf hashes, 32 bytes each
    hot_leaf_hashes  BYTEA,
    high_water       BIGINT   NOT NULL,
    settled_position BIGINT   NOT NULL,
    PRIMARY KEY (id)
);

INSERT INTO merkle_log_head (id, tree_size, high_water, settled_position) VALUES (1, 0, -1, 0);

-- The signed checkpoints: the latest, and the first of every hour.
CREATE TABLE merkle_checkpoint (
    tree_size BIGINT                   NOT NULL,
    root_hash BYTEA                    NOT NULL,
    -- the C2SP signed note, as served
    note      VARCHAR(4096)            NOT NULL,
    signed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tree_size)
);
