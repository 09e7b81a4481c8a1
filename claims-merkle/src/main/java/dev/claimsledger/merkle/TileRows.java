package dev.claimsledger.merkle;

/**
 * The stored rows of complete tiles, as a {@link StoredTree} reads them.
 */
interface TileRows {

    /**
     * The row of one tile.
     *
     * @throws LogIntegrityException when it is missing
     */
    LogStore.StoredTile tile(long index);

    /**
     * The {@code subtree_hashes} of one tile.
     *
     * @throws LogIntegrityException when it is missing
     */
    byte[] subtreeHashes(long index);
}
