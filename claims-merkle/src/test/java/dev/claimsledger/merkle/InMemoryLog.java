package dev.claimsledger.merkle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The writer's tiled log with its storage in memory: the tile rows it completes in a map, the events in another, so
 * that {@link StoredTree} can be exercised without a database.
 */
final class InMemoryLog implements TileRows, LeafSource {

    private final TiledLog log = TiledLog.empty();
    private final Map<Long, LogStore.StoredTile> tiles = new HashMap<>();
    private final Map<Long, EventRow> events = new HashMap<>();
    private final List<byte[]> leafHashes = new ArrayList<>();

    /** Appends a made-up event at {@code position} as the next leaf. */
    void append(long position) {
        EventRow row = new EventRow(position, "4:acme/worker-" + (position % 7), position / 7, "Heartbeat",
                ("{\"n\":" + position + "}").getBytes(StandardCharsets.UTF_8),
                ("{\"m\":" + position + "}").getBytes(StandardCharsets.UTF_8));
        events.put(position, row);
        byte[] hash = Leaf.of(row).hash();
        leafHashes.add(hash);
        CompletedTile tile = log.append(position, hash, position + 1);
        if (tile != null) {
            tiles.put(tile.index(), new LogStore.StoredTile(tile.index(), tile.subtreeHashes(), tile.positions()));
        }
    }

    TiledLog log() {
        return log;
    }

    /** The leaf hashes in leaf order, as a plain in-memory tree. */
    List<byte[]> leafHashes() {
        return List.copyOf(leafHashes);
    }

    /** The tree as the stored rows and events give it. */
    StoredTree stored() {
        return new StoredTree(this, this, new LogStore.StoredHead(log.size(), log.hotPositions(), log.hotHashes(),
                log.highWater(), log.settledPosition()));
    }

    @Override
    public LogStore.StoredTile tile(long index) {
        LogStore.StoredTile tile = tiles.get(index);
        if (tile == null) {
            throw new LogIntegrityException("no tile " + index);
        }
        return tile;
    }

    @Override
    public byte[] subtreeHashes(long index) {
        return tile(index).subtreeHashes();
    }

    @Override
    public List<EventRow> events(long[] positions) {
        List<EventRow> rows = new ArrayList<>();
        for (long position : positions) {
            if (events.containsKey(position)) {
                rows.add(events.get(position));
            }
        }
        return rows;
    }

    @Override
    public void forEachPosition(LongConsumer action) {
        events.keySet().stream().sorted().forEach(action::accept);
    }
}
