package dev.claimsledger.merkle;

import java.util.HashMap;
import java.util.Map;

/**
 * The stored log as a {@link HashSource}, for one read of its head: hashes at level 8 and above from the tile rows,
 * below it from the hot tile's stored leaf hashes or, in a complete tile, from its events (checked against the
 * tile's stored root). Each row and tile is read at most once.
 */
final class StoredTree implements HashSource {

    private final TileRows rows;
    private final LeafSource leaves;
    private final LogStore.StoredHead head;
    private final Map<Long, byte[]> tileHashes = new HashMap<>();
    private final Map<Long, LeafHashes> tileLeaves = new HashMap<>();

    StoredTree(TileRows rows, LeafSource leaves, LogStore.StoredHead head) {
        this.rows = rows;
        this.leaves = leaves;
        this.head = head;
    }

    long size() {
        return head.size();
    }

    /** The head row this tree was read from. */
    LogStore.StoredHead storedHead() {
        return head;
    }

    TreeHead head() {
        return new TreeHead(head.size(), MerkleProofs.root(this, head.size()));
    }

    @Override
    public byte[] subtree(int level, long index) {
        if (((index + 1) << level) > head.size()) {
            throw new IllegalArgumentException("no complete subtree at level " + level + ", index " + index + " in a"
                    + " tree of " + head.size());
        }
        if (level >= Tiles.HEIGHT) {
            return Tiles.hashAt(tileRow(Tiles.tileHolding(level, index)), level);
        }
        long tile = (index << level) >> Tiles.HEIGHT;
        LeafHashes tree = tileLeaves.computeIfAbsent(tile, this::leavesOf);
        return tree.subtree(level, index - (tile << (Tiles.HEIGHT - level)));
    }

    /** The leaf hash the tree holds at {@code index}. */
    byte[] leafHash(long index) {
        return subtree(0, index);
    }

    private LeafHashes leavesOf(long tile) {
        if (tile == head.completeTiles()) {
            return new LeafHashes(head.hotHashes());
        }
        LogStore.StoredTile stored = rows.tile(tile);
        tileHashes.putIfAbsent(tile, stored.subtreeHashes());
        return TileLeaves.read(tile, stored.positions(), leaves).checkedAgainst(stored.root());
    }

    private byte[] tileRow(long tile) {
        return tileHashes.computeIfAbsent(tile, rows::subtreeHashes);
    }
}
