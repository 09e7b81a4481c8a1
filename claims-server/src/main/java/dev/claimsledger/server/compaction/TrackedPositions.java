package dev.claimsledger.server.compaction;

import java.util.List;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The lowest global position some event processor of the ledger has not passed yet, on any node: read from their
 * tokens in {@code token_entry}. Events below it have been handled by every processor, so compaction may rewrite them
 * without a processor ever meeting a row that changed under it.
 */
final class TrackedPositions {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;

    TrackedPositions(JdbcTemplate jdbc, Serializer serializer) {
        this.jdbc = jdbc;
        this.serializer = serializer;
    }

    /** The lowest position not passed by every processor; the position after the last event if none tracks. */
    long lowestUnpassed() {
        long head = jdbc.queryForObject("SELECT COALESCE(MAX(global_index), 0) FROM domain_event_entry", Long.class);
        long lowest = head + 1;
        List<TrackingToken> tokens = jdbc.query("SELECT token, token_type FROM token_entry",
                (row, number) -> row.getBytes(1) == null ? null : serializer.deserialize(new SimpleSerializedObject<>(
                        row.getBytes(1), byte[].class, new SimpleSerializedType(row.getString(2), null))));
        for (TrackingToken token : tokens) {
            lowest = Math.min(lowest, unpassed(token));
        }
        return lowest;
    }

    /** The lowest position the token has not passed: its first gap, or the one after its index; 0 without a token. */
    private static long unpassed(TrackingToken token) {
        TrackingToken lower = WrappedToken.unwrapLowerBound(token);
        if (lower instanceof GapAwareTrackingToken gapAware) {
            return gapAware.getGaps().isEmpty() ? gapAware.getIndex() + 1 : gapAware.getGaps().first();
        }
        return lower == null ? 0 : lower.position().orElse(-1) + 1;
    }
}
