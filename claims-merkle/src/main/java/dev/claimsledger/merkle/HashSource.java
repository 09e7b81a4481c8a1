package dev.claimsledger.merkle;

/**
 * Where a tree's complete subtree hashes come from: memory, stored tiles, or leaves recomputed from the events.
 */
@FunctionalInterface
public interface HashSource {

    /**
     * The hash of the complete subtree of {@code 2^level} leaves that starts at leaf {@code index << level}; level 0
     * is a leaf hash.
     */
    byte[] subtree(int level, long index);
}
