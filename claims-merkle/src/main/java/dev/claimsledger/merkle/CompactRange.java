package dev.claimsledger.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a growing tree: the hashes of the complete subtrees that its leaves form, largest first, one per
 * set bit of the size (RFC 9162 §2.1.1's split, seen from the end). Appending a leaf merges equal neighbours and
 * reads nothing; the root folds the edge from the right.
 */
public final class CompactRange {

    /** Receives each complete subtree an append completes, lowest first. */
    @FunctionalInterface
    public interface CompletedSubtree {
        void completed(int level, long index, byte[] hash);
    }

    private final List<byte[]> hashes = new ArrayList<>();
    private final List<Integer> levels = new ArrayList<>();
    private long size;

    /** Appends one leaf (or, for a range of tiles, one tile's root) and reports the subtrees it completes. */
    public void append(byte[] hash, CompletedSubtree completed) {
        byte[] current = hash;
        int level = 0;
        size++;
        completed.completed(0, size - 1, current);
        while (!levels.isEmpty() && levels.get(levels.size() - 1) == level) {
            byte[] left = hashes.remove(hashes.size() - 1);
            levels.remove(levels.size() - 1);
            current = TreeHashes.node(left, current);
            level++;
            completed.completed(level, (size >> level) - 1, current);
        }
        hashes.add(current);
        levels.add(level);
    }

    public void append(byte[] hash) {
        append(hash, (level, index, completed) -> {
        });
    }

    /** The root of every leaf appended so far; the empty tree's root before the first. */
    public byte[] root() {
        return hashes.isEmpty() ? TreeHashes.emptyRoot() : foldRight(hashes);
    }

    public long size() {
        return size;
    }

    /** The edge's subtree hashes, largest first. */
    public List<byte[]> edge() {
        return List.copyOf(hashes);
    }

    /** A range whose edge is already known: {@code edge} holds the subtrees of {@code size} leaves, largest first. */
    public static CompactRange of(long size, List<byte[]> edge) {
        if (Long.bitCount(size) != edge.size()) {
            throw new IllegalArgumentException(size + " leaves form " + Long.bitCount(size) + " complete subtrees, not "
                    + edge.size());
        }
        CompactRange range = new CompactRange();
        range.size = size;
        int next = 0;
        for (int level = 63; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                range.hashes.add(edge.get(next++));
                range.levels.add(level);
            }
        }
        return range;
    }

    /** {@code H(h0, H(h1, ... H(hn-1, hn)))}: the root of adjacent complete subtrees, largest first. */
    static byte[] foldRight(List<byte[]> subtrees) {
        byte[] root = subtrees.get(subtrees.size() - 1);
        for (int i = subtrees.size() - 2; i >= 0; i--) {
            root = TreeHashes.node(subtrees.get(i), root);
        }
        return root;
    }
}
