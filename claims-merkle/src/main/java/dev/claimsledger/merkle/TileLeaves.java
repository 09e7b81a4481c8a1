package dev.claimsledger.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A complete tile's leaves, re-derived from the stored events of its positions: what proofs below level 8 and the
 * verifier rely on, since only the tile's root is stored.
 */
final class TileLeaves {

    private final long tileIndex;
    private final long[] positions;
    private final byte[][] leafHashes;

    private TileLeaves(long tileIndex, long[] positions, byte[][] leafHashes) {
        this.tileIndex = tileIndex;
        this.positions = positions;
        this.leafHashes = leafHashes;
    }

    /** Reads the events of the positions in one go; a leaf whose event is gone has no hash. */
    static TileLeaves read(long tileIndex, long[] positions, LeafSource leaves) {
        Map<Long, EventRow> rows = new HashMap<>();
        for (EventRow row : leaves.events(positions)) {
            rows.put(row.position(), row);
        }
        byte[][] hashes = new byte[positions.length][];
        for (int i = 0; i < positions.length; i++) {
            EventRow row = rows.get(positions[i]);
            hashes[i] = row == null ? null : Leaf.of(row).hash();
        }
        return new TileLeaves(tileIndex, positions, hashes);
    }

    long firstLeaf() {
        return tileIndex * Tiles.WIDTH;
    }

    int count() {
        return positions.length;
    }

    long position(int i) {
        return positions[i];
    }

    /** The leaf's hash from its event, or null when the event is gone. */
    byte[] hash(int i) {
        return leafHashes[i];
    }

    boolean complete() {
        for (byte[] hash : leafHashes) {
            if (hash == null) {
                return false;
            }
        }
        return true;
    }

    /** The tile's leaves as a tree, every event present. */
    LeafHashes tree() {
        if (!complete()) {
            throw new IllegalStateException("tile " + tileIndex + " misses events");
        }
        return new LeafHashes(List.of(leafHashes));
    }

    /**
     * The tree of the tile's leaves, once it is sure to be the stored one.
     *
     * @throws LogIntegrityException when an event is gone or the events no longer hash to {@code storedRoot}
     */
    LeafHashes checkedAgainst(byte[] storedRoot) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < positions.length; i++) {
            if (leafHashes[i] == null) {
                missing.add("leaf " + (firstLeaf() + i) + " (position " + positions[i] + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new LogIntegrityException("the events of " + String.join(", ", missing) + " are missing");
        }
        LeafHashes tree = tree();
        if (!MessageDigest.isEqual(tree.root(), storedRoot)) {
            throw new LogIntegrityException("the events of leaves " + firstLeaf() + ".." + (firstLeaf() + count() - 1)
                    + " (tile " + tileIndex + ") no longer hash to the log's stored tile");
        }
        return tree;
    }
}
