package dev.claimsledger.merkle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The log as its single writer holds it in memory: the right edge of its complete tiles and the leaves of the
 * incomplete last tile (the "hot" tile). Appending reads nothing; every 256th leaf completes a tile, whose row is
 * then stored.
 */
final class TiledLog {

    private final CompactRange tiles;
    private CompactRange hot;
    private final long[] hotPositions;
    private final byte[][] hotHashes;
    private int hotCount;
    private long highWater;
    private long settledPosition;

    private TiledLog(CompactRange tiles, CompactRange hot, long[] hotPositions, byte[][] hotHashes, int hotCount,
                     long highWater, long settledPosition) {
        this.tiles = tiles;
        this.hot = hot;
        this.hotPositions = hotPositions;
        this.hotHashes = hotHashes;
        this.hotCount = hotCount;
        this.highWater = highWater;
        this.settledPosition = settledPosition;
    }

    static TiledLog empty() {
        return new TiledLog(new CompactRange(), new CompactRange(), new long[Tiles.WIDTH], new byte[Tiles.WIDTH][], 0,
                -1, 0);
    }

    /**
     * The log as stored: {@code tileEdge} holds the subtrees of the {@code completeTiles} complete tiles, largest
     * first; the hot leaves follow.
     */
    static TiledLog restore(long completeTiles, List<byte[]> tileEdge, long[] hotPositions, List<byte[]> hotHashes,
                            long highWater, long settledPosition) {
        if (hotPositions.length != hotHashes.size() || hotHashes.size() >= Tiles.WIDTH) {
            throw new IllegalStateException("the stored hot tile holds " + hotPositions.length + " positions and "
                    + hotHashes.size() + " leaf hashes");
        }
        TiledLog log = new TiledLog(CompactRange.of(completeTiles, tileEdge), new CompactRange(),
                new long[Tiles.WIDTH], new byte[Tiles.WIDTH][], 0, highWater, settledPosition);
        for (int i = 0; i < hotHashes.size(); i++) {
            log.hotPositions[i] = hotPositions[i];
            log.hotHashes[i] = hotHashes.get(i);
            log.hot.append(hotHashes.get(i));
        }
        log.hotCount = hotHashes.size();
        return log;
    }

    TiledLog copy() {
        return new TiledLog(CompactRange.of(tiles.size(), tiles.edge()), CompactRange.of(hot.size(), hot.edge()),
                hotPositions.clone(), hotHashes.clone(), hotCount, highWater, settledPosition);
    }

    long size() {
        return tiles.size() * Tiles.WIDTH + hotCount;
    }

    /**
     * Appends the next leaf.
     *
     * @param settled the lowest position that may still be appended after this one
     * @return the tile this leaf completes, or null
     */
    CompletedTile append(long position, byte[] leafHash, long settled) {
        hotPositions[hotCount] = position;
        hotHashes[hotCount] = leafHash;
        hotCount++;
        hot.append(leafHash);
        highWater = Math.max(highWater, position);
        settledPosition = Math.max(settledPosition, settled);
        if (hotCount < Tiles.WIDTH) {
            return null;
        }
        long tileIndex = tiles.size();
        List<byte[]> completed = new ArrayList<>();
        tiles.append(hot.root(), (level, index, hash) -> completed.add(hash));
        CompletedTile tile = new CompletedTile(tileIndex, Tiles.concat(completed), hotPositions.clone(), highWater,
                settledPosition);
        hot = new CompactRange();
        Arrays.fill(hotHashes, null);
        hotCount = 0;
        return tile;
    }

    TreeHead head() {
        List<byte[]> edge = new ArrayList<>(tiles.edge());
        edge.addAll(hot.edge());
        return new TreeHead(size(), edge.isEmpty() ? TreeHashes.emptyRoot() : CompactRange.foldRight(edge));
    }

    long[] hotPositions() {
        return Arrays.copyOf(hotPositions, hotCount);
    }

    List<byte[]> hotHashes() {
        return List.of(Arrays.copyOf(hotHashes, hotCount));
    }

    long highWater() {
        return highWater;
    }

    long settledPosition() {
        return settledPosition;
    }
}
