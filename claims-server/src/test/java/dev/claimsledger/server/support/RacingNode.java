package dev.claimsledger.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.core.EventChain;
import dev.claimsledger.core.LedgerObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Another ledger node, as far as one stream is concerned: it appends a heartbeat to a consumer's stream with plain JDBC,
 * correctly decided and chained (so the audit stays clean), inside a transaction the test holds open. While it is
 * open, a command of the ledger under test that appends to the same stream waits on the stream's unique
 * (stream, sequence) key; once the test commits, that command has lost the race for the sequence number, exactly as
 * against a real second node.
 */
public final class RacingNode implements AutoCloseable {

    private static final ObjectMapper STORED = LedgerObjectMapper.create();

    private final Connection connection;

    public RacingNode(TestDatabase database) throws SQLException {
        connection = database.connect();
        connection.setAutoCommit(false);
    }

    /**
     * Appends, uncommitted, the heartbeat of the consumer's current epoch received at {@code receivedAt}, renewing a
     * {@code renew_on_heartbeat} lease as the ledger would.
     */
    public HeartbeatReceived appendHeartbeat(String tenant, String consumer, Instant receivedAt) throws SQLException {
        String stream = ConsumerRef.streamId(tenant, consumer);
        JsonNode claim = null;
        long lastSequence = -1;
        String lastHash = null;
        Instant leaseEnd = null;
        String aggregateType = null;
        String lastType = null;
        try (PreparedStatement read = connection.prepareStatement("SELECT sequence_number, type, payload_type, payload,"
                + " meta_data FROM domain_event_entry WHERE aggregate_identifier = ? ORDER BY sequence_number")) {
            read.setString(1, stream);
            try (ResultSet rows = read.executeQuery()) {
                while (rows.next()) {
                    JsonNode payload = json(rows.getBytes("payload"));
                    if (rows.getString("payload_type").endsWith(".ClaimMaterialized")) {
                        claim = payload;
                    }
                    lastSequence = rows.getLong("sequence_number");
                    lastHash = json(rows.getBytes("meta_data")).path(EventChain.HASH_KEY).asText();
                    leaseEnd = Instant.parse(payload.path("leaseExpiresAt").asText());
                    aggregateType = rows.getString("type");
                    lastType = rows.getString("payload_type");
                }
            }
        }
        if (claim == null || !(lastType.endsWith(".ClaimMaterialized") || lastType.endsWith(".HeartbeatReceived"))) {
            throw new IllegalStateException("no active claim in stream " + stream + " (its last event is " + lastType
                    + ")");
        }
        Instant renewed = receivedAt.plus(Duration.ofMillis(claim.path("leaseTtlMs").asLong()));
        Instant newEnd = "renew_on_heartbeat".equals(claim.path("leasePolicy").asText()) && renewed.isAfter(leaseEnd)
                ? renewed : leaseEnd;
        HeartbeatReceived heartbeat = new HeartbeatReceived(tenant, consumer, claim.path("epoch").asLong(), receivedAt,
                null, newEnd);
        try {
            byte[] payload = STORED.writeValueAsBytes(heartbeat);
            long sequence = lastSequence + 1;
            String hash = EventChain.hash(stream, sequence, HeartbeatReceived.class.getName(), payload, lastHash);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO domain_event_entry"
                    + " (event_identifier, aggregate_identifier, sequence_number, type, time_stamp, payload_type,"
                    + " payload_revision, payload, meta_data) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)")) {
                insert.setString(1, UUID.randomUUID().toString());
                insert.setString(2, stream);
                insert.setLong(3, sequence);
                insert.setString(4, aggregateType);
                insert.setString(5, receivedAt.toString());
                insert.setString(6, HeartbeatReceived.class.getName());
                insert.setBytes(7, payload);
                insert.setBytes(8, STORED.writeValueAsBytes(Map.of(EventChain.HASH_KEY, hash)));
                insert.executeUpdate();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return heartbeat;
    }

    /** How many other PostgreSQL sessions wait for a lock this node's open transaction holds. */
    public int sessionsWaitingOnMe() throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                + " WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))");
             ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getInt(1);
        }
    }

    public void commit() throws SQLException {
        connection.commit();
    }

    @Override
    public void close() throws SQLException {
        connection.rollback();
        connection.close();
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return STORED.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
