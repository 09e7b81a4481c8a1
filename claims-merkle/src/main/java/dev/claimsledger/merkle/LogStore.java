package dev.claimsledger.merkle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * The log's tables (migration V43): one row per complete tile in {@code merkle_tile}, and the single row of
 * {@code merkle_log_head} with the tree's size and the hot tile's leaves, rewritten with every batch.
 */
final class LogStore implements TileRows {

    private static final String INSERT_TILE = "INSERT INTO merkle_tile (tile_index, subtree_hashes, positions,"
            + " high_water, settled_position) VALUES (?, ?, ?, ?, ?)";
    private static final String UPDATE_HEAD = "UPDATE merkle_log_head SET tree_size = ?, hot_positions = ?,"
            + " hot_leaf_hashes = ?, high_water = ?, settled_position = ? WHERE id = 1 AND tree_size = ?";
    private static final int PAGE = 1000;

    /** The head row: the tree's size and its hot tile. */
    record StoredHead(long size, long[] hotPositions, List<byte[]> hotHashes, long highWater, long settledPosition) {

        long completeTiles() {
            return size / Tiles.WIDTH;
        }
    }

    /** One stored tile row. */
    record StoredTile(long index, byte[] subtreeHashes, long[] positions) {

        byte[] root() {
            return Tiles.hashAt(subtreeHashes, Tiles.HEIGHT);
        }
    }

    private final JdbcTemplate jdbc;

    LogStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    StoredHead readHead() {
        return jdbc.queryForObject("SELECT tree_size, hot_positions, hot_leaf_hashes, high_water, settled_position"
                + " FROM merkle_log_head WHERE id = 1", (row, number) -> {
                    byte[] positions = row.getBytes("hot_positions");
                    return new StoredHead(row.getLong("tree_size"),
                            positions == null ? new long[0] : PositionCodec.decode(positions),
                            Tiles.split(row.getBytes("hot_leaf_hashes")), row.getLong("high_water"),
                            row.getLong("settled_position"));
                });
    }

    /** The log as the writer holds it, rebuilt from the head row and the rows of its tile edge. */
    TiledLog loadLog() {
        StoredHead head = readHead();
        List<long[]> edge = Tiles.edgeOf(head.completeTiles());
        Map<Long, byte[]> rows = subtreeHashes(edge.stream().map(node -> Tiles.tileHolding((int) node[0], node[1]))
                .toList());
        List<byte[]> edgeHashes = new ArrayList<>();
        for (long[] node : edge) {
            byte[] row = rows.get(Tiles.tileHolding((int) node[0], node[1]));
            if (row == null) {
                throw new LogIntegrityException("the tile row holding the subtree at level " + node[0] + ", index "
                        + node[1] + " is missing");
            }
            edgeHashes.add(Tiles.hashAt(row, (int) node[0]));
        }
        return TiledLog.restore(head.completeTiles(), edgeHashes, head.hotPositions(), head.hotHashes(),
                head.highWater(), head.settledPosition());
    }

    /**
     * Stores what a batch appended: the tiles it completed and the new head, in the caller's transaction.
     *
     * @throws ConcurrentLogWriteException when the stored tree no longer has {@code expectedSize} leaves: another
     *                                     writer appended since this one read it
     */
    void write(List<CompletedTile> tiles, TiledLog log, long expectedSize) {
        // the head first: a concurrent writer waits here on the row lock and then finds the size changed
        int updated = jdbc.update(UPDATE_HEAD, log.size(), PositionCodec.encode(log.hotPositions(),
                log.hotPositions().length), Tiles.concat(log.hotHashes()), log.highWater(), log.settledPosition(),
                expectedSize);
        if (updated != 1) {
            throw new ConcurrentLogWriteException(expectedSize);
        }
        if (!tiles.isEmpty()) {
            jdbc.batchUpdate(INSERT_TILE, tiles.stream().map(tile -> new Object[]{tile.index(), tile.subtreeHashes(),
                    PositionCodec.encode(tile.positions(), tile.positions().length), tile.highWater(),
                    tile.settledPosition()}).toList());
        }
    }

    /**
     * The global index of a stored event, by its identifier.
     *
     * @throws LogIntegrityException when the event table has no such event
     */
    long positionOfEvent(String eventIdentifier) {
        List<Long> positions = jdbc.queryForList("SELECT global_index FROM domain_event_entry"
                + " WHERE event_identifier = ?", Long.class, eventIdentifier);
        if (positions.isEmpty()) {
            throw new LogIntegrityException("the event " + eventIdentifier + " is not in the event table");
        }
        return positions.get(0);
    }

    /** The {@code subtree_hashes} of these tiles, by tile; absent tiles are left out. */
    Map<Long, byte[]> subtreeHashes(Collection<Long> tiles) {
        Map<Long, byte[]> hashes = new HashMap<>();
        if (tiles.isEmpty()) {
            return hashes;
        }
        jdbc.query("SELECT tile_index, subtree_hashes FROM merkle_tile WHERE tile_index IN ("
                        + String.join(", ", Collections.nCopies(tiles.size(), "?")) + ")",
                (RowCallbackHandler) row -> hashes.put(row.getLong(1), row.getBytes(2)), tiles.toArray());
        return hashes;
    }

    @Override
    public byte[] subtreeHashes(long index) {
        byte[] hashes = subtreeHashes(List.of(index)).get(index);
        if (hashes == null) {
            throw new LogIntegrityException("the row of tile " + index + " is missing");
        }
        return hashes;
    }

    @Override
    public StoredTile tile(long index) {
        List<StoredTile> tiles = tiles(index, index + 1);
        if (tiles.isEmpty()) {
            throw new LogIntegrityException("the row of tile " + index + " is missing");
        }
        return tiles.get(0);
    }

    /** Up to {@value #PAGE} stored tiles from {@code from} (inclusive) to {@code to} (exclusive), in order. */
    List<StoredTile> tiles(long from, long to) {
        return jdbc.query("SELECT tile_index, subtree_hashes, positions FROM merkle_tile"
                        + " WHERE tile_index >= ? AND tile_index < ? ORDER BY tile_index LIMIT " + PAGE,
                (row, number) -> new StoredTile(row.getLong(1), row.getBytes(2), PositionCodec.decode(row.getBytes(3))),
                from, to);
    }

    /**
     * The index of the leaf holding {@code position} among the complete tiles, or -1. Only tiles from the first whose
     * high water reaches the position to the first after which it could no longer arrive are read: a few tiles, found
     * through two indexes, however long the log.
     */
    long findInTiles(long position) {
        List<Long> from = jdbc.queryForList("SELECT tile_index FROM merkle_tile WHERE high_water >= ?"
                + " ORDER BY high_water, tile_index LIMIT 1", Long.class, position);
        if (from.isEmpty()) {
            return -1;
        }
        List<Long> to = jdbc.queryForList("SELECT tile_index FROM merkle_tile WHERE settled_position > ?"
                + " ORDER BY settled_position, tile_index LIMIT 1", Long.class, position);
        long last = to.isEmpty() ? Long.MAX_VALUE : to.get(0);
        for (long tile = from.get(0); tile <= last; ) {
            List<StoredTile> page = tiles(tile, last == Long.MAX_VALUE ? last : last + 1);
            for (StoredTile stored : page) {
                int at = indexOf(stored.positions(), position);
                if (at >= 0) {
                    return stored.index() * Tiles.WIDTH + at;
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            tile = page.get(page.size() - 1).index() + 1;
        }
        return -1;
    }

    static int indexOf(long[] positions, long position) {
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] == position) {
                return i;
            }
        }
        return -1;
    }

    /** Another writer appended to the log since this one last read it. */
    static final class ConcurrentLogWriteException extends IllegalStateException {

        ConcurrentLogWriteException(long expectedSize) {
            super("the Merkle log no longer has " + expectedSize + " leaves: another writer appended to it; this"
                    + " writer reloads the log and its processor retries the batch");
        }
    }
}
