package dev.claimsledger.server.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import dev.claimsledger.core.EventChain;
import dev.claimsledger.core.LedgerObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

/**
 * Writes claims and their heartbeats straight into the event store with JDBC, a large history in seconds: each
 * consumer's epoch 1 and then heartbeats, in the stored format and chained exactly as the ledger writes them, so the
 * audit finds them intact. Leases renew on heartbeat and run for 10 minutes from the last one, which is about now, so
 * none of them expires during a test. The read model's processor picks the events up as any others.
 */
public final class SyntheticClaims {

    private static final ObjectMapper STORED = LedgerObjectMapper.create();
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final String INSERT = "INSERT INTO domain_event_entry (event_identifier, aggregate_identifier,"
            + " sequence_number, type, time_stamp, payload_type, payload, meta_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    private SyntheticClaims() {
    }

    /** The consumer id of synthetic consumer {@code index}. */
    public static String consumer(int index) {
        return String.format("synthetic-%05d", index);
    }

    /**
     * Appends {@code consumers} consumers of {@code tenant}, each a claim and {@code heartbeats} heartbeats, one
     * transaction per consumer.
     *
     * @return how many events were written
     */
    public static long append(TestDatabase database, String tenant, int consumers, int heartbeats)
            throws SQLException {
        Instant start = Instant.now().minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.MILLIS);
        long written = 0;
        try (Connection connection = database.connect();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            connection.setAutoCommit(false);
            for (int c = 0; c < consumers; c++) {
                String consumer = consumer(c);
                String stream = ConsumerRef.streamId(tenant, consumer);
                Instant claimedAt = start.plusMillis(c);
                String previous = add(insert, stream, 0, claimedAt, claim(tenant, c, claimedAt), null);
                for (int beat = 1; beat <= heartbeats; beat++) {
                    Instant at = claimedAt.plusMillis(beat * 10L);
                    previous = add(insert, stream, beat, at, new HeartbeatReceived(tenant, consumer, 1, at, null,
                            at.plus(TTL)), previous);
                }
                insert.executeBatch();
                connection.commit();
                written += 1 + heartbeats;
            }
        }
        return written;
    }

    /**
     * Adds consumer {@code index}'s claim, the first event of its stream, in {@code connection}'s transaction, stored
     * as decided at {@code at}; the caller commits.
     */
    public static void appendClaim(Connection connection, String tenant, int index, Instant at) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            add(insert, ConsumerRef.streamId(tenant, consumer(index)), 0, at, claim(tenant, index, at), null);
            insert.executeBatch();
        }
    }

    private static ClaimMaterialized claim(String tenant, int index, Instant claimedAt) {
        return new ClaimMaterialized(tenant, consumer(index), 1, "https://example.test/synthetic/" + index,
                "/synthetic/" + index, null, "runner-" + (index % 8), TTL.toMillis(), LeasePolicy.RENEW_ON_HEARTBEAT,
                claimedAt, claimedAt.plus(TTL));
    }

    /** How many of {@code tenant}'s consumers have a row that shows their last synthetic heartbeat. */
    public static long rowsCaughtUp(TestDatabase database, String tenant, int heartbeats) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM consumer_claims"
                     + " WHERE tenant_id = ? AND last_event_sequence = ?")) {
            count.setString(1, tenant);
            count.setLong(2, heartbeats);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Adds one event to the batch; returns its chain hash. */
    private static String add(PreparedStatement insert, String stream, long sequence, Instant at, Object payload,
                              String previousHash) throws SQLException {
        try {
            byte[] stored = STORED.writeValueAsBytes(payload);
            String hash = EventChain.hash(stream, sequence, payload.getClass().getName(), stored, previousHash);
            insert.setString(1, UUID.randomUUID().toString());
            insert.setString(2, stream);
            insert.setLong(3, sequence);
            insert.setString(4, "Claim");
            insert.setString(5, at.toString());
            insert.setString(6, payload.getClass().getName());
            insert.setBytes(7, stored);
            insert.setBytes(8, STORED.writeValueAsBytes(Map.of(EventChain.HASH_KEY, hash)));
            insert.addBatch();
            return hash;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + payload, e);
        }
    }
}
