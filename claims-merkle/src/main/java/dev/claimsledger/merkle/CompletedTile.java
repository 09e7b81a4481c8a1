package dev.claimsledger.merkle;

/**
 * A tile whose 256th leaf was just appended: the row the writer stores for it.
 *
 * @param index           which tile: leaves {@code index * 256} to {@code index * 256 + 255}
 * @param subtreeHashes   the hashes of the complete subtrees that end with this tile's last leaf, from level 8 (the
 *                        tile's own root) upward, 32 bytes each
 * @param positions       the global positions of its leaves, in leaf order
 * @param highWater       the highest position of any leaf up to this tile's last
 * @param settledPosition the lowest position that could still become a leaf once this tile was complete
 */
record CompletedTile(long index, byte[] subtreeHashes, long[] positions, long highWater, long settledPosition) {
}
