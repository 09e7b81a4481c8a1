package dev.claimsledger.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * The last stored event of many streams at once, one query per thousand streams. Every claim event states its epoch
 * and the lease after it, and its type tells whether the epoch is still active, so the last event is all the lease
 * watchdog needs to decide; and its sequence number is how far another writer may have moved a stream.
 *
 * <p>On PostgreSQL each stream's last event is found by its own backward scan of the (stream, sequence) index. The
 * join of the events with their streams' highest sequence numbers, which H2 is given, was planned by PostgreSQL as a
 * hash join over a scan of the whole event table once the table held long streams: 118 ms for 1,000 streams on a table
 * of 174,000 events, against 2.7 ms by index, and slower in proportion as the table grew, which held up each sweep of
 * 1,000 due watchdogs as long (BENCHMARKS.md).
 */
final class LastEvents {

    private static final int PER_QUERY = 1000;
    private static final Map<String, Class<? extends ClaimEvent>> EVENT_TYPES = Stream.of(ClaimMaterialized.class,
                    HeartbeatReceived.class, HeartbeatsCompacted.class, ClaimReleased.class, ClaimLeaseExpired.class,
                    ClaimSuperseded.class)
            .collect(Collectors.toUnmodifiableMap(Class::getName, Function.identity()));

    /** PostgreSQL's deadlock and serialization failures: the transaction was rolled back and may simply run again. */
    private static final Set<String> ROLLBACK_VICTIM_STATES = Set.of("40P01", "40001");

    /** On PostgreSQL: each stream's last event by a backward scan of its index, the streams an array. */
    private static final String LAST_EVENTS_ON_POSTGRES = "SELECT e.aggregate_identifier, e.sequence_number,"
            + " e.payload_type, e.payload, e.meta_data FROM unnest(?) AS s(stream) CROSS JOIN LATERAL (SELECT"
            + " aggregate_identifier, sequence_number, payload_type, payload, meta_data FROM domain_event_entry"
            + " WHERE aggregate_identifier = s.stream ORDER BY sequence_number DESC LIMIT 1) e";
    /** On H2: the events at their streams' highest sequence numbers, the streams in the list that %s stands for. */
    private static final String LAST_EVENTS = "SELECT e.aggregate_identifier, e.sequence_number, e.payload_type,"
            + " e.payload, e.meta_data FROM domain_event_entry e JOIN (SELECT aggregate_identifier,"
            + " MAX(sequence_number) AS last_sequence FROM domain_event_entry WHERE aggregate_identifier IN (%s)"
            + " GROUP BY aggregate_identifier) m"
            + " ON e.aggregate_identifier = m.aggregate_identifier AND e.sequence_number = m.last_sequence";

    private final JdbcTemplate jdbc;
    private final ObjectMapper stored;
    private final boolean postgres;

    LastEvents(DataSource dataSource, ObjectMapper stored) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.stored = stored;
        this.postgres = LeaseDeadlines.isPostgres(dataSource);
    }

    /** What the last event of a stream says of its current epoch, and the head of its chain. */
    record LastEvent(String streamId, String tenantId, String consumerId, long epoch, boolean active, Instant leaseEnd,
                     ChainHead chain) {
    }

    /** The last event of each of {@code streams} that has events. */
    Map<String, LastEvent> of(Collection<String> streams) {
        Map<String, LastEvent> last = new HashMap<>();
        RowCallbackHandler lastEvent = row -> {
            String stream = row.getString(1);
            ClaimEvent event = payload(stream, row.getString(3), row.getBytes(4));
            last.put(stream, new LastEvent(stream, event.tenantId(), event.consumerId(), event.epoch(),
                    event instanceof ClaimMaterialized || event instanceof HeartbeatReceived
                            || event instanceof HeartbeatsCompacted,
                    event.leaseExpiresAt(), new ChainHead(row.getLong(2), chainHash(row.getBytes(5)))));
        };
        forEachChunk(streams, chunk -> {
            if (postgres) {
                jdbc.query(LAST_EVENTS_ON_POSTGRES, statement -> statement.setArray(1,
                        statement.getConnection().createArrayOf("text", chunk.toArray())), lastEvent);
            } else {
                jdbc.query(LAST_EVENTS.formatted(marks(chunk)), lastEvent, chunk.toArray());
            }
        });
        return last;
    }

    /** The last stored sequence number of each of {@code streams} that has events. */
    Map<String, Long> sequences(Collection<String> streams) {
        Map<String, Long> last = new HashMap<>();
        forEachChunk(streams, chunk -> jdbc.query("SELECT aggregate_identifier, MAX(sequence_number)"
                        + " FROM domain_event_entry WHERE aggregate_identifier IN (" + marks(chunk) + ")"
                        + " GROUP BY aggregate_identifier",
                (RowCallbackHandler) row -> last.put(row.getString(1), row.getLong(2)), chunk.toArray()));
        return last;
    }

    private static void forEachChunk(Collection<String> streams, Consumer<List<String>> query) {
        List<String> all = List.copyOf(streams);
        for (int from = 0; from < all.size(); from += PER_QUERY) {
            query.accept(all.subList(from, Math.min(all.size(), from + PER_QUERY)));
        }
    }

    /** A parameter marker for each stream of {@code chunk}. */
    private static String marks(List<String> chunk) {
        return String.join(", ", Collections.nCopies(chunk.size(), "?"));
    }

    private ClaimEvent payload(String stream, String type, byte[] payload) {
        Class<? extends ClaimEvent> eventType = EVENT_TYPES.get(type);
        if (eventType == null) {
            throw new IllegalStateException("the last event of stream " + stream + " is of a type the ledger does"
                    + " not know: " + type);
        }
        try {
            return stored.readValue(payload, eventType);
        } catch (IOException e) {
            throw new UncheckedIOException("the last event of stream " + stream + " cannot be read", e);
        }
    }

    private String chainHash(byte[] metaData) {
        try {
            JsonNode hash = metaData == null ? null : stored.readTree(metaData).get(EventChain.HASH_KEY);
            return hash == null ? null : hash.asText();
        } catch (IOException e) {
            throw new UncheckedIOException("an event's metadata cannot be read", e);
        }
    }

    /** Whether the database rolled the transaction back as a deadlock or serialization victim. */
    static boolean isRollbackVictim(Throwable failure) {
        return failure instanceof SQLException sql && sql.getSQLState() != null
                && ROLLBACK_VICTIM_STATES.contains(sql.getSQLState());
    }
}
