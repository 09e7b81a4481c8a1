package dev.claimsledger.merkle;

import java.util.List;

/**
 * That the event at {@code position} is leaf {@code leafIndex} of the tree of {@code treeSize} leaves.
 *
 * @param leaf   the leaf's encoding ({@link Leaf}); its hash is {@code SHA-256(0x00 ‖ leaf)}
 * @param hashes the audit path, lowest sibling first (RFC 9162 §2.1.3)
 */
public record InclusionProof(long position, long leafIndex, long treeSize, byte[] leaf, List<byte[]> hashes) {

    public InclusionProof {
        leaf = leaf.clone();
        hashes = List.copyOf(hashes);
    }

    @Override
    public byte[] leaf() {
        return leaf.clone();
    }
}
