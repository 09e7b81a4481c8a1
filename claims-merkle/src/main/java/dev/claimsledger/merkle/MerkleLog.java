package dev.claimsledger.merkle;

import java.security.MessageDigest;
import java.util.List;
import java.util.OptionalLong;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The Merkle log over every event, as stored: its current tree head and the proofs RFC 9162 defines. Every answer is
 * made from one read of the log's head, so a log growing meanwhile never mixes two sizes. Leaves below a tile's root
 * are recomputed from the events (through the {@link LeafSource}) and checked against that root before they are
 * used.
 */
public final class MerkleLog {

    private final LogStore store;
    private final LeafSource leaves;

    public MerkleLog(JdbcTemplate jdbc, LeafSource leaves) {
        this.store = new LogStore(jdbc);
        this.leaves = leaves;
    }

    public TreeHead head() {
        return tree().head();
    }

    /**
     * {@code PROOF(from, D[to])}.
     *
     * @throws ProofRequestException {@code INVALID} unless {@code 1 <= from <= to <= } the log's size
     */
    public List<byte[]> consistencyProof(long from, long to) {
        StoredTree tree = tree();
        if (from < 1 || from > to || to > tree.size()) {
            throw new ProofRequestException(ProofRequestException.Problem.INVALID, "a consistency proof needs"
                    + " 1 <= from <= to <= " + tree.size() + " (the log's size), was from=" + from + ", to=" + to);
        }
        return MerkleProofs.consistencyProof(tree, from, to);
    }

    /**
     * The inclusion proof of the event at {@code position} in the tree of {@code size} leaves, with the leaf itself
     * re-derived from the stored event.
     *
     * @throws ProofRequestException {@code NOT_FOUND} when no leaf holds the position, {@code INVALID} when the size
     *                               is not between 1 and the log's size or the leaf lies beyond it
     */
    public InclusionProof inclusionProof(long position, long size) {
        StoredTree tree = tree();
        if (size < 1 || size > tree.size()) {
            throw new ProofRequestException(ProofRequestException.Problem.INVALID, "size must be between 1 and "
                    + tree.size() + " (the log's size), was " + size);
        }
        long index = leafIndexOf(position, tree.storedHead())
                .orElseThrow(() -> new ProofRequestException(ProofRequestException.Problem.NOT_FOUND,
                        "no leaf of the log holds position " + position));
        if (index >= size) {
            throw new ProofRequestException(ProofRequestException.Problem.INVALID, "the event at position " + position
                    + " is leaf " + index + ", not among the first " + size + " leaves");
        }
        EventRow row = leaves.events(new long[]{position}).stream().findFirst()
                .orElseThrow(() -> new LogIntegrityException("the event of leaf " + index + " (position " + position
                        + ") is missing"));
        Leaf leaf = Leaf.of(row);
        if (!MessageDigest.isEqual(leaf.hash(), tree.leafHash(index))) {
            throw new LogIntegrityException("the event of leaf " + index + " (position " + position
                    + ") no longer hashes to the log's leaf");
        }
        return new InclusionProof(position, index, size, leaf.encode(), MerkleProofs.inclusionProof(tree, index, size));
    }

    /** The index of the leaf that holds the event at {@code position}, if the log holds it yet. */
    public OptionalLong leafIndexOf(long position) {
        return leafIndexOf(position, store.readHead());
    }

    private OptionalLong leafIndexOf(long position, LogStore.StoredHead head) {
        int hot = LogStore.indexOf(head.hotPositions(), position);
        if (hot >= 0) {
            return OptionalLong.of(head.completeTiles() * Tiles.WIDTH + hot);
        }
        long found = store.findInTiles(position);
        return found < 0 ? OptionalLong.empty() : OptionalLong.of(found);
    }

    private StoredTree tree() {
        return new StoredTree(store, leaves, store.readHead());
    }
}
