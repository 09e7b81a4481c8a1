package dev.claimsledger.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How the log is cut into tiles of {@value #WIDTH} leaves (as Go's sumdb tlog tiles): a complete tile is stored as
 * one row holding its leaves' positions and the hashes of the complete subtrees at level {@value #HEIGHT} and above
 * that end with its last leaf. Hashes below level {@value #HEIGHT} are not stored: they are recomputed from the
 * tile's events when a proof needs them.
 */
final class Tiles {

    static final int HEIGHT = 8;
    static final int WIDTH = 1 << HEIGHT;

    private Tiles() {
    }

    /** The tile whose row holds the hash of the complete subtree {@code (level, index)}, for level 8 or more. */
    static long tileHolding(int level, long index) {
        return ((index + 1) << (level - HEIGHT)) - 1;
    }

    /** Where in that row's hashes the subtree's hash starts. */
    static int offsetOf(int level) {
        return (level - HEIGHT) * TreeHashes.SIZE;
    }

    static byte[] hashAt(byte[] subtreeHashes, int level) {
        int offset = offsetOf(level);
        if (offset + TreeHashes.SIZE > subtreeHashes.length) {
            throw new IllegalStateException("a tile row holds no hash at level " + level);
        }
        return Arrays.copyOfRange(subtreeHashes, offset, offset + TreeHashes.SIZE);
    }

    /**
     * The right edge of {@code completeTiles} tiles, largest subtree first, as {@code (level, index)} pairs: one per
     * set bit of the count.
     */
    static List<long[]> edgeOf(long completeTiles) {
        List<long[]> edge = new ArrayList<>();
        long start = 0;
        for (int bit = 62; bit >= 0; bit--) {
            long width = 1L << bit;
            if ((completeTiles & width) != 0) {
                edge.add(new long[]{HEIGHT + bit, start >> bit});
                start += width;
            }
        }
        return edge;
    }

    /** Splits concatenated 32-byte hashes. */
    static List<byte[]> split(byte[] hashes) {
        if (hashes == null) {
            return List.of();
        }
        if (hashes.length % TreeHashes.SIZE != 0) {
            throw new IllegalStateException("stored hashes are not a whole number of 32-byte hashes");
        }
        List<byte[]> split = new ArrayList<>(hashes.length / TreeHashes.SIZE);
        for (int offset = 0; offset < hashes.length; offset += TreeHashes.SIZE) {
            split.add(Arrays.copyOfRange(hashes, offset, offset + TreeHashes.SIZE));
        }
        return split;
    }

    static byte[] concat(List<byte[]> hashes) {
        byte[] all = new byte[hashes.size() * TreeHashes.SIZE];
        for (int i = 0; i < hashes.size(); i++) {
            System.arraycopy(hashes.get(i), 0, all, i * TreeHashes.SIZE, TreeHashes.SIZE);
        }
        return all;
    }
}
