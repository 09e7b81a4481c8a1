package dev.claimsledger.server.resilience;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the ledger stored, read with plain JDBC behind its back: the events of a tenant folded per epoch, the tracking
 * tokens of the read model's processor and the lease watchdogs. The tests judge the API's answers against these.
 */
final class StoredLedger {

    static final String MATERIALIZED = "ClaimMaterialized";
    static final String HEARTBEAT = "HeartbeatReceived";
    static final String RELEASED = "ClaimReleased";
    static final String EXPIRED = "ClaimLeaseExpired";
    static final String SUPERSEDED = "ClaimSuperseded";

    private final TestDatabase database;

    StoredLedger(TestDatabase database) {
        this.database = database;
    }

    /** One stored event. */
    record Event(long position, String streamId, long sequence, String type, JsonNode payload) {

        String consumer() {
            return ConsumerRef.fromStreamId(streamId).consumerId();
        }

        long epoch() {
            return payload.path("epoch").asLong();
        }

        Instant instant(String field) {
            JsonNode value = payload.get(field);
            return value == null || value.isNull() ? null : Instant.parse(value.asText());
        }

        @Override
        public String toString() {
            return type + "@" + streamId + "#" + sequence + " (position " + position + ") " + payload;
        }
    }

    /** One epoch of one consumer. */
    record EpochKey(String consumer, long epoch) implements Comparable<EpochKey> {

        @Override
        public int compareTo(EpochKey other) {
            int byConsumer = consumer.compareTo(other.consumer);
            return byConsumer != 0 ? byConsumer : Long.compare(epoch, other.epoch);
        }

        @Override
        public String toString() {
            return consumer + "/" + epoch;
        }
    }

    /** The events of one epoch, in stream order. */
    static final class Epoch {

        private final EpochKey key;
        private final List<Event> events = new ArrayList<>();

        Epoch(EpochKey key) {
            this.key = key;
        }

        EpochKey key() {
            return key;
        }

        List<Event> events() {
            return events;
        }

        List<Event> ofType(String type) {
            return events.stream().filter(event -> event.type().equals(type)).toList();
        }

        List<Event> materializations() {
            return ofType(MATERIALIZED);
        }

        List<Event> heartbeats() {
            return ofType(HEARTBEAT);
        }

        /** Every event that ended the epoch: a release, an expiry or a supersession. There should be at most one. */
        List<Event> ends() {
            return events.stream().filter(event -> event.type().equals(RELEASED) || event.type().equals(EXPIRED)
                    || event.type().equals(SUPERSEDED)).toList();
        }

        /** The lease as the last claim or heartbeat left it. */
        Instant leaseEnd() {
            Instant end = null;
            for (Event event : events) {
                if (event.type().equals(MATERIALIZED) || event.type().equals(HEARTBEAT)) {
                    end = event.instant("leaseExpiresAt");
                }
            }
            return end;
        }

        /** The status the events imply, as the API spells it. */
        String status() {
            List<Event> ends = ends();
            if (ends.isEmpty()) {
                return "active";
            }
            return switch (ends.get(0).type()) {
                case RELEASED -> "released";
                case EXPIRED -> "expired";
                case SUPERSEDED -> "superseded";
                default -> throw new IllegalStateException(ends.get(0).type());
            };
        }

        @Override
        public String toString() {
            return key + " " + events.stream().map(event -> event.type() + "#" + event.sequence()).toList()
                    + " lease end " + leaseEnd();
        }
    }

    /** Every event of the tenant's streams, in global order. */
    List<Event> events(String tenant) throws SQLException {
        List<Event> events = new ArrayList<>();
        try (Connection connection = database.connect();
             PreparedStatement statement = connection.prepareStatement("SELECT global_index, aggregate_identifier,"
                     + " sequence_number, payload_type, payload FROM domain_event_entry"
                     + " WHERE aggregate_identifier LIKE ? ORDER BY global_index")) {
            statement.setString(1, ConsumerRef.streamId(tenant, "") + "%");
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String payloadType = rows.getString("payload_type");
                    events.add(new Event(rows.getLong("global_index"), rows.getString("aggregate_identifier"),
                            rows.getLong("sequence_number"), payloadType.substring(payloadType.lastIndexOf('.') + 1),
                            json(rows.getBytes("payload"))));
                }
            }
        }
        return events;
    }

    /** The tenant's events folded per epoch, in consumer and epoch order. */
    Map<EpochKey, Epoch> epochs(String tenant) throws SQLException {
        return fold(events(tenant));
    }

    /** Events of any streams folded per epoch, in consumer and epoch order. */
    static Map<EpochKey, Epoch> fold(List<Event> stored) {
        Map<EpochKey, Epoch> epochs = new TreeMap<>();
        List<Event> events = new ArrayList<>(stored);
        events.sort((a, b) -> a.streamId().equals(b.streamId()) ? Long.compare(a.sequence(), b.sequence())
                : a.streamId().compareTo(b.streamId()));
        for (Event event : events) {
            EpochKey key = new EpochKey(event.consumer(), event.epoch());
            epochs.computeIfAbsent(key, Epoch::new).events().add(event);
        }
        return epochs;
    }

    /** One row of {@code token_entry}. */
    record Token(int segment, String owner, String timeStamp) {
    }

    List<Token> tokens(String processor) throws SQLException {
        List<Token> tokens = new ArrayList<>();
        try (Connection connection = database.connect();
             PreparedStatement statement = connection.prepareStatement("SELECT segment, owner, time_stamp"
                     + " FROM token_entry WHERE processor_name = ? ORDER BY segment")) {
            statement.setString(1, processor);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tokens.add(new Token(rows.getInt("segment"), rows.getString("owner"),
                            rows.getString("time_stamp")));
                }
            }
        }
        return tokens;
    }

    /** One row of {@code lease_deadlines}: a lease watchdog. */
    record Watchdog(String streamId, long epoch, Instant dueAt, int failures) {
    }

    List<Watchdog> watchdogs() throws SQLException {
        List<Watchdog> watchdogs = new ArrayList<>();
        try (Connection connection = database.connect();
             PreparedStatement statement = connection.prepareStatement("SELECT stream_id, epoch, due_at, failures"
                     + " FROM lease_deadlines ORDER BY due_at");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                watchdogs.add(new Watchdog(rows.getString("stream_id"), rows.getLong("epoch"),
                        rows.getObject("due_at", OffsetDateTime.class).toInstant(), rows.getInt("failures")));
            }
        }
        return watchdogs;
    }

    private static JsonNode json(byte[] payload) {
        try {
            return LedgerHttp.JSON.readTree(Objects.requireNonNull(payload));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
