package dev.claimsledger.merkle;

import java.util.Arrays;
import java.util.Base64;

/**
 * A tree's size and root: what a checkpoint signs.
 */
public record TreeHead(long size, byte[] root) {

    public TreeHead {
        if (size < 0 || root == null || root.length != TreeHashes.SIZE) {
            throw new IllegalArgumentException("a tree head has a size of at least 0 and a 32-byte root");
        }
        root = root.clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TreeHead head && head.size == size && Arrays.equals(head.root, root);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "TreeHead[size=" + size + ", root=" + Base64.getEncoder().encodeToString(root) + "]";
    }
}
