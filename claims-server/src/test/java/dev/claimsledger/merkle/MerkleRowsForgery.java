package dev.claimsledger.merkle;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The attacker who rewrote events and then recomputed the log's rows to match them: every leaf hashed again from the
 * stored events, in the same leaf order, and every tile row and the head written anew, with the log's own code. Only
 * a checkpoint saved before the rewrite can tell.
 */
public final class MerkleRowsForgery {

    private MerkleRowsForgery() {
    }

    public static void recomputeFromTheEvents(DataSource dataSource) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        LogStore store = new LogStore(jdbc);
        LogStore.StoredHead head = store.readHead();
        List<Long> leafOrder = new ArrayList<>();
        for (long tile = 0; tile < head.completeTiles(); tile++) {
            for (long position : store.tile(tile).positions()) {
                leafOrder.add(position);
            }
        }
        for (long position : head.hotPositions()) {
            leafOrder.add(position);
        }
        JdbcLeafSource events = new JdbcLeafSource(jdbc);
        TiledLog log = TiledLog.empty();
        List<CompletedTile> tiles = new ArrayList<>();
        for (long position : leafOrder) {
            EventRow row = events.events(new long[]{position}).get(0);
            CompletedTile tile = log.append(position, Leaf.of(row).hash(), head.settledPosition());
            if (tile != null) {
                tiles.add(tile);
            }
        }
        jdbc.update("DELETE FROM merkle_tile");
        jdbc.update("UPDATE merkle_log_head SET tree_size = 0");
        store.write(tiles, log, 0);
    }
}
