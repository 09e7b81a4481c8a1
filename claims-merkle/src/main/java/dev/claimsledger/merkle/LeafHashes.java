package dev.claimsledger.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * A tree held in memory from its leaf hashes, with every complete subtree computed once: for a tile's leaves, and for
 * tests.
 */
public final class LeafHashes implements HashSource {

    private final List<List<byte[]>> levels = new ArrayList<>();

    public LeafHashes(List<byte[]> leafHashes) {
        List<byte[]> level = List.copyOf(leafHashes);
        levels.add(level);
        while (level.size() > 1) {
            List<byte[]> above = new ArrayList<>(level.size() / 2);
            for (int i = 0; i + 1 < level.size(); i += 2) {
                above.add(TreeHashes.node(level.get(i), level.get(i + 1)));
            }
            levels.add(above);
            level = above;
        }
    }

    public long size() {
        return levels.get(0).size();
    }

    @Override
    public byte[] subtree(int level, long index) {
        if (level >= levels.size() || index >= levels.get(level).size()) {
            throw new IllegalArgumentException("no complete subtree at level " + level + ", index " + index + " among "
                    + size() + " leaves");
        }
        return levels.get(level).get((int) index);
    }

    public byte[] root() {
        return MerkleProofs.root(this, size());
    }
}
