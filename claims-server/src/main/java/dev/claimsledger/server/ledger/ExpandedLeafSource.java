package dev.claimsledger.server.ledger;

import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.compaction.CompactedRuns;
import dev.claimsledger.compaction.RetainedHeartbeats;
import dev.claimsledger.compaction.StoredRow;
import dev.claimsledger.merkle.EventRow;
import dev.claimsledger.merkle.LeafSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.stream.LongStream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * The events the Merkle log's leaves were made from, as they were stored, compacted heartbeats included: a compacted
 * run gives back each heartbeat it holds at its own position, with the payload and metadata bytes it was stored with
 * (compaction keeps them derivable byte for byte), so compaction changes no leaf.
 *
 * <p>A heartbeat compacted into a run is found by reading the runs stored at or after its position, in position
 * order, until every position asked for is found: a run sits at the place of its last heartbeat.
 *
 * <p>A summary whose detail retention dropped gives back its first and last heartbeats, which it can derive, and the
 * others from retention's export files when they are there: without them, the leaves of the dropped heartbeats have no
 * event, and the verifier names them.
 */
final class ExpandedLeafSource implements LeafSource {

    private static final String COLUMNS = "global_index, event_identifier, aggregate_identifier, sequence_number,"
            + " type, time_stamp, payload_type, payload, meta_data";
    private static final int CHUNK = 256;

    private final JdbcTemplate jdbc;
    private final CompactedRuns runs;
    private final RetainedHeartbeats retained;

    ExpandedLeafSource(JdbcTemplate jdbc, CompactedRuns runs, RetainedHeartbeats retained) {
        this.jdbc = jdbc;
        this.runs = runs;
        this.retained = retained;
    }

    @Override
    public List<EventRow> events(long[] positions) {
        Set<Long> missing = new HashSet<>();
        Arrays.stream(positions).forEach(missing::add);
        List<EventRow> found = new ArrayList<>(positions.length);
        for (int from = 0; from < positions.length; from += CHUNK) {
            int to = Math.min(positions.length, from + CHUNK);
            Object[] arguments = Arrays.stream(positions, from, to).boxed().toArray();
            jdbc.query("SELECT " + COLUMNS + " FROM domain_event_entry WHERE global_index IN ("
                    + String.join(", ", Collections.nCopies(arguments.length, "?")) + ")",
                    (RowCallbackHandler) row -> take(storedRow(row), missing, found), arguments);
        }
        if (!missing.isEmpty()) {
            long lowest = missing.stream().mapToLong(Long::longValue).min().orElseThrow();
            jdbc.query(connection -> {
                connection.setAutoCommit(false);
                var statement = connection.prepareStatement("SELECT " + COLUMNS + " FROM domain_event_entry"
                        + " WHERE payload_type = ? AND global_index >= ? ORDER BY global_index");
                statement.setString(1, CompactedRuns.RUN_TYPE);
                statement.setLong(2, lowest);
                statement.setFetchSize(100);
                return statement;
            }, (ResultSetExtractor<Void>) row -> {
                while (!missing.isEmpty() && row.next()) {
                    take(storedRow(row), missing, found);
                }
                return null;
            });
        }
        return found;
    }

    @Override
    public void forEachPosition(LongConsumer action) {
        LongStream.Builder positions = LongStream.builder();
        jdbc.query(connection -> {
            // PostgreSQL streams rows with a fetch size only inside a transaction
            connection.setAutoCommit(false);
            var statement = connection.prepareStatement("SELECT global_index, payload_type,"
                    + " CASE WHEN payload_type = ? THEN payload END AS run, aggregate_identifier, sequence_number,"
                    + " meta_data FROM domain_event_entry");
            statement.setString(1, CompactedRuns.RUN_TYPE);
            statement.setFetchSize(10_000);
            return statement;
        }, (RowCallbackHandler) row -> {
            if (CompactedRuns.isRun(row.getString(2))) {
                StoredRow run = new StoredRow(row.getLong(1), null, row.getString(4), row.getLong(5), null, null,
                        row.getString(2), row.getBytes(3), row.getBytes(6));
                eventsOf(run).forEach(heartbeat -> positions.add(heartbeat.position()));
            } else {
                positions.add(row.getLong(1));
            }
        });
        positions.build().sorted().forEach(action);
    }

    /** Adds the events of {@code row} at positions still missing, and marks them found. */
    private void take(StoredRow row, Set<Long> missing, List<EventRow> found) {
        for (StoredRow event : eventsOf(row)) {
            if (missing.remove(event.position())) {
                found.add(new EventRow(event.position(), event.streamId(), event.sequence(), event.payloadType(),
                        event.payload(), event.metaData()));
            }
        }
    }

    /** The events a row holds: itself, the heartbeats of a compacted run, or what is known of a summary's. */
    private List<StoredRow> eventsOf(StoredRow row) {
        if (!CompactedRuns.isRun(row.payloadType())) {
            return List.of(row);
        }
        HeartbeatsCompacted run;
        try {
            run = runs.run(row);
        } catch (IllegalArgumentException unreadable) {
            return List.of(row);
        }
        if (!CompactedRuns.isSummary(run)) {
            return runs.expandOrKeep(row);
        }
        TreeMap<Long, StoredRow> events = new TreeMap<>();
        try {
            runs.ends(row).forEach(end -> events.put(end.sequence(), end));
        } catch (IllegalArgumentException malformed) {
            return List.of(row);
        }
        retained.within(row.streamId(), run.firstSequence(), row.sequence())
                .forEach(heartbeat -> events.putIfAbsent(heartbeat.sequence(), heartbeat));
        return new ArrayList<>(events.values());
    }

    private static StoredRow storedRow(ResultSet row) throws SQLException {
        return new StoredRow(row.getLong(1), row.getString(2), row.getString(3), row.getLong(4), row.getString(5),
                row.getString(6), row.getString(7), row.getBytes(8), row.getBytes(9));
    }
}
