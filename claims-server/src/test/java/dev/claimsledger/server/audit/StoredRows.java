package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ledger's tables read and changed with plain JDBC, behind the ledger's back: what the tests compare the API with,
 * and how they tamper with stored events and read-model rows. Every change returns an {@link Undo} that puts the
 * rows back exactly as they were, so one ledger can serve several tampering tests in turn.
 */
final class StoredRows {

    /** One row of {@code domain_event_entry}, as stored. */
    record EventRow(long position, String eventIdentifier, String streamId, long sequence, String type,
                    String timeStamp, String payloadType, String payloadRevision, byte[] payload, byte[] metaData) {

        /** The event's simple name, e.g. {@code HeartbeatReceived}. */
        String simpleType() {
            return payloadType.substring(payloadType.lastIndexOf('.') + 1);
        }

        JsonNode payloadJson() {
            try {
                return LedgerHttp.JSON.readTree(payload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return simpleType() + "@" + streamId + "#" + sequence + " (position " + position + ")";
        }
    }

    /** Puts back what a change altered. */
    interface Undo extends AutoCloseable {
        @Override
        void close() throws SQLException;
    }

    private static final String EVENT_COLUMNS = "global_index, event_identifier, aggregate_identifier, sequence_number,"
            + " type, time_stamp, payload_type, payload_revision, payload, meta_data";

    private final TestDatabase database;

    StoredRows(TestDatabase database) {
        this.database = database;
    }

    // --- reading ----------------------------------------------------------------------------------------------------

    /** Every event of one stream, in sequence order. */
    List<EventRow> stream(String streamId) throws SQLException {
        return events("SELECT " + EVENT_COLUMNS + " FROM domain_event_entry WHERE aggregate_identifier = ?"
                + " ORDER BY sequence_number", streamId);
    }

    long count(String sql, Object... parameters) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement statement = prepare(connection, sql, parameters);
             ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The highest global index, the position of the newest event. */
    long headPosition() throws SQLException {
        return count("SELECT coalesce(max(global_index), 0) FROM domain_event_entry");
    }

    /** The whole {@code consumer_claims} table, {@code SELECT *} in primary-key order, a map per row. */
    List<Map<String, Object>> consumerClaims() throws SQLException {
        return rows("SELECT * FROM consumer_claims ORDER BY tenant_id, consumer_id, epoch");
    }

    /** Whether every stream's last event has been applied to its epoch's row of the read model. */
    boolean projectionCaughtUp() throws SQLException {
        return count("""
                SELECT count(*) FROM (
                    SELECT aggregate_identifier, max(sequence_number) AS last_sequence
                    FROM domain_event_entry GROUP BY aggregate_identifier) stream
                WHERE NOT EXISTS (
                    SELECT 1 FROM consumer_claims claimed
                    WHERE length(claimed.tenant_id) || ':' || claimed.tenant_id || '/' || claimed.consumer_id
                              = stream.aggregate_identifier
                      AND claimed.last_event_sequence = stream.last_sequence)
                """) == 0;
    }

    /**
     * Locks the read model processor's token rows in a transaction of its own, as a rebuild's switch does: until the
     * hold is closed no batch of the processor commits and no rebuild can switch. SQL given to the hold runs in that
     * transaction.
     */
    Hold holdTheProcessor() throws SQLException {
        Connection connection = database.connect();
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection.prepareStatement("SELECT segment FROM token_entry"
                    + " WHERE processor_name = 'consumer-claims' FOR UPDATE");
                 ResultSet segments = lock.executeQuery()) {
                assertThat(segments.next()).as("the processor has token rows").isTrue();
            }
        } catch (SQLException | RuntimeException | Error e) {
            connection.close();
            throw e;
        }
        return new Hold() {
            @Override
            public void execute(String sql) throws SQLException {
                StoredRows.execute(connection, sql);
            }

            @Override
            public void close() throws SQLException {
                try (connection) {
                    connection.commit();
                }
            }
        };
    }

    /** A transaction that holds the read model's processor; see {@link #holdTheProcessor()}. */
    interface Hold extends AutoCloseable {

        void execute(String sql) throws SQLException;

        /** Commits what was executed and lets the processor go on. */
        @Override
        void close() throws SQLException;
    }

    // --- tampering --------------------------------------------------------------------------------------------------

    /** Replaces {@code from} by {@code to} in the event's stored JSON payload, with SQL. */
    Undo replaceInPayload(EventRow event, String from, String to) throws SQLException {
        assertThat(new String(event.payload(), StandardCharsets.UTF_8)).as("payload of %s", event)
                .contains(from);
        update("UPDATE domain_event_entry SET payload = convert_to(replace(convert_from(payload, 'UTF8'), ?, ?), 'UTF8')"
                + " WHERE global_index = ?", from, to, event.position());
        return () -> update("UPDATE domain_event_entry SET payload = ? WHERE global_index = ?", event.payload(),
                event.position());
    }

    /** Replaces the event's stored payload by {@code payload}, in any database. */
    Undo setPayload(EventRow event, byte[] payload) throws SQLException {
        update("UPDATE domain_event_entry SET payload = ? WHERE global_index = ?", payload, event.position());
        return () -> update("UPDATE domain_event_entry SET payload = ? WHERE global_index = ?", event.payload(),
                event.position());
    }

    /** Deletes the event's row. */
    Undo delete(EventRow event) throws SQLException {
        update("DELETE FROM domain_event_entry WHERE global_index = ?", event.position());
        return () -> update("INSERT INTO domain_event_entry (" + EVENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                event.position(), event.eventIdentifier(), event.streamId(), event.sequence(), event.type(),
                event.timeStamp(), event.payloadType(), event.payloadRevision(), event.payload(), event.metaData());
    }

    /** Swaps what two events of a stream say (type, payload and metadata with its chain hash), keeping their places. */
    Undo swapContents(EventRow first, EventRow second) throws SQLException {
        setContent(first, second);
        setContent(second, first);
        return () -> {
            setContent(first, first);
            setContent(second, second);
        };
    }

    /** Swaps the sequence numbers of two events of a stream, moving each into the other's place in the stream. */
    Undo swapSequences(EventRow first, EventRow second) throws SQLException {
        setSequences(first, second.sequence(), second, first.sequence());
        return () -> setSequences(first, first.sequence(), second, second.sequence());
    }

    /** Sets one column of a {@code consumer_claims} row to an SQL expression, as someone editing it by hand would. */
    Undo editClaimRow(String tenant, String consumer, long epoch, String column, String expression)
            throws SQLException {
        List<Map<String, Object>> before = rows("SELECT " + column + " FROM consumer_claims"
                + " WHERE tenant_id = ? AND consumer_id = ? AND epoch = ?", tenant, consumer, epoch);
        assertThat(before).as("the consumer_claims row of %s/%s/%d", tenant, consumer, epoch).hasSize(1);
        int changed = update("UPDATE consumer_claims SET " + column + " = " + expression
                + " WHERE tenant_id = ? AND consumer_id = ? AND epoch = ?", tenant, consumer, epoch);
        assertThat(changed).isEqualTo(1);
        assertThat(rows("SELECT " + column + " FROM consumer_claims WHERE tenant_id = ? AND consumer_id = ?"
                + " AND epoch = ?", tenant, consumer, epoch)).as("the edit changed %s", column).isNotEqualTo(before);
        Object original = before.get(0).get(column);
        return () -> update("UPDATE consumer_claims SET " + column + " = ? WHERE tenant_id = ? AND consumer_id = ?"
                + " AND epoch = ?", original, tenant, consumer, epoch);
    }

    /** Deletes a {@code consumer_claims} row; for tests that need no undo, as the read model is rebuilt after. */
    void deleteClaimRow(String tenant, String consumer, long epoch) throws SQLException {
        int deleted = update("DELETE FROM consumer_claims WHERE tenant_id = ? AND consumer_id = ? AND epoch = ?",
                tenant, consumer, epoch);
        assertThat(deleted).as("rows of %s/%s/%d deleted", tenant, consumer, epoch).isEqualTo(1);
    }

    // --- plumbing ---------------------------------------------------------------------------------------------------

    private void setContent(EventRow target, EventRow source) throws SQLException {
        update("UPDATE domain_event_entry SET payload_type = ?, payload = ?, meta_data = ? WHERE global_index = ?",
                source.payloadType(), source.payload(), source.metaData(), target.position());
    }

    /** Both in one transaction, through a free sequence number, as the pair is unique per stream. */
    private void setSequences(EventRow first, long firstSequence, EventRow second, long secondSequence)
            throws SQLException {
        try (Connection connection = database.connect()) {
            connection.setAutoCommit(false);
            String sql = "UPDATE domain_event_entry SET sequence_number = ? WHERE global_index = ?";
            execute(connection, sql, -1L, first.position());
            execute(connection, sql, secondSequence, second.position());
            execute(connection, sql, firstSequence, first.position());
            connection.commit();
        }
    }

    private List<EventRow> events(String sql, Object... parameters) throws SQLException {
        List<EventRow> events = new ArrayList<>();
        try (Connection connection = database.connect();
             PreparedStatement statement = prepare(connection, sql, parameters);
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                events.add(new EventRow(rows.getLong("global_index"), rows.getString("event_identifier"),
                        rows.getString("aggregate_identifier"), rows.getLong("sequence_number"),
                        rows.getString("type"), rows.getString("time_stamp"), rows.getString("payload_type"),
                        rows.getString("payload_revision"), rows.getBytes("payload"), rows.getBytes("meta_data")));
            }
        }
        return events;
    }

    private List<Map<String, Object>> rows(String sql, Object... parameters) throws SQLException {
        List<Map<String, Object>> result = new ArrayList<>();
        try (Connection connection = database.connect();
             PreparedStatement statement = prepare(connection, sql, parameters);
             ResultSet rows = statement.executeQuery()) {
            ResultSetMetaData meta = rows.getMetaData();
            while (rows.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int column = 1; column <= meta.getColumnCount(); column++) {
                    row.put(meta.getColumnName(column), rows.getObject(column));
                }
                result.add(row);
            }
        }
        return result;
    }

    private int update(String sql, Object... parameters) throws SQLException {
        try (Connection connection = database.connect()) {
            return execute(connection, sql, parameters);
        }
    }

    private static int execute(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, parameters)) {
            return statement.executeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }
}
