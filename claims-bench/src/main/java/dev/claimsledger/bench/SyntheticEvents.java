package dev.claimsledger.bench;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.postgresql.PGConnection;

/**
 * Writes claim events straight into the event store with COPY, to give a rebuild, the audit and compaction a large
 * history quickly: per consumer one ClaimMaterialized, heartbeats every 10 ms, and a release. They are written exactly
 * as the ledger writes them (its canonical form, README "Storage format"): payloads as its Jackson mapper writes them,
 * chained by their hashes (metadata {@code {"ledger.chainHash": ...}} and nothing else), identifiers derived from stream
 * and sequence, millisecond timestamps. So the audit finds them clean and compaction takes their heartbeats, as it
 * would the ledger's own.
 */
final class SyntheticEvents {

    static final String TENANT = "bench-rebuild";
    private static final int EVENTS_PER_CONSUMER = 100;
    private static final HexFormat HEX = HexFormat.of();
    /** How Axon's JDBC event store writes the timestamp column: always three digits of milliseconds. */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder().appendInstant(3).toFormatter();
    private static final String CLAIMED = "dev.claimsledger.api.ClaimMaterialized";
    private static final String HEARTBEAT = "dev.claimsledger.api.HeartbeatReceived";
    private static final String RELEASED = "dev.claimsledger.api.ClaimReleased";

    private SyntheticEvents() {
    }

    /** The id of the synthetic consumer {@code index}, from 0. */
    static String consumer(int index) {
        return "synthetic-" + index;
    }

    /** Appends at least {@code events} events; answers how many. */
    static long append(Connection connection, long events) throws SQLException, IOException {
        long written = 0;
        Instant base = Instant.now().minusSeconds(3600).truncatedTo(ChronoUnit.MILLIS);
        int consumer = 0;
        while (written < events) {
            StringWriter chunk = new StringWriter();
            for (int c = 0; c < 1000 && written < events; c++, consumer++) {
                String id = consumer(consumer);
                String stream = TENANT.length() + ":" + TENANT + "/" + id;
                Instant claimedAt = base.plusMillis(consumer);
                Instant lease = claimedAt.plusSeconds(600);
                String hash = row(chunk, stream, 0, claimedAt, CLAIMED, null,
                        "{\"claimedAt\":\"" + claimedAt + "\",\"consumerId\":\"" + id + "\",\"entityUrl\":"
                                + "\"https://bench.example/" + id + "\",\"epoch\":1,\"leaseExpiresAt\":\"" + lease
                                + "\",\"leasePolicy\":\"renew_on_heartbeat\",\"leaseTtlMs\":600000,\"runnerId\":"
                                + "\"runner-1\",\"streamPath\":\"/bench/" + id + "\",\"tenantId\":\"" + TENANT
                                + "\",\"wakeId\":null}");
                int last = EVENTS_PER_CONSUMER - 1;
                for (int seq = 1; seq < last; seq++) {
                    Instant at = claimedAt.plusMillis(seq * 10L);
                    lease = at.plusSeconds(600);
                    hash = row(chunk, stream, seq, at, HEARTBEAT, hash,
                            "{\"consumerId\":\"" + id + "\",\"epoch\":1,\"leaseExpiresAt\":\"" + lease
                                    + "\",\"receivedAt\":\"" + at + "\",\"reportedAt\":null,\"tenantId\":\"" + TENANT
                                    + "\"}");
                }
                Instant releasedAt = claimedAt.plusMillis(last * 10L);
                row(chunk, stream, last, releasedAt, RELEASED, hash,
                        "{\"ackedStreams\":[],\"consumerId\":\"" + id + "\",\"epoch\":1,\"leaseExpiresAt\":\"" + lease
                                + "\",\"releasedAt\":\"" + releasedAt + "\",\"tenantId\":\"" + TENANT + "\"}");
                written += EVENTS_PER_CONSUMER;
            }
            copy(connection, chunk);
        }
        return written;
    }

    /**
     * Long epochs that take heartbeats step by step, as claims held for days would: one epoch per consumer of
     * {@code tenant}, claimed once, then heartbeats appended to each, each chained to the one before it.
     */
    static final class LongEpochs {

        private final String tenant;
        private final String[] hashes;
        private final int[] sequences;
        private final Random random = new Random(42);

        LongEpochs(String tenant, int consumers) {
            this.tenant = tenant;
            this.hashes = new String[consumers];
            this.sequences = new int[consumers];
        }

        /** Claims every epoch at {@code at}, with a lease of ten minutes renewed by each heartbeat. */
        void claim(Connection connection, Instant at) throws SQLException, IOException {
            StringWriter chunk = new StringWriter();
            for (int c = 0; c < hashes.length; c++) {
                String id = consumer(c);
                hashes[c] = row(chunk, stream(id), 0, at, CLAIMED, null,
                        "{\"claimedAt\":\"" + at + "\",\"consumerId\":\"" + id + "\",\"entityUrl\":"
                                + "\"https://bench.example/" + id + "\",\"epoch\":1,\"leaseExpiresAt\":\""
                                + at.plusSeconds(600) + "\",\"leasePolicy\":\"renew_on_heartbeat\",\"leaseTtlMs\":"
                                + "600000,\"runnerId\":\"runner-1\",\"streamPath\":\"/bench/" + id
                                + "\",\"tenantId\":\"" + tenant + "\",\"wakeId\":null}");
                sequences[c] = 1;
            }
            copy(connection, chunk);
        }

        /**
         * Appends to every epoch a heartbeat about every {@code interval} (give or take a quarter of it) after
         * {@code from}, up to and not including {@code until}; answers how many it appended.
         */
        long heartbeat(Connection connection, Instant from, Instant until, Duration interval)
                throws SQLException, IOException {
            StringWriter chunk = new StringWriter();
            long written = 0;
            long jitter = Math.max(1, interval.toMillis() / 4);
            for (int c = 0; c < hashes.length; c++) {
                String id = consumer(c);
                String stream = stream(id);
                for (Instant at = from.plus(interval).truncatedTo(ChronoUnit.MILLIS); at.isBefore(until);
                     at = at.plus(interval).plusMillis(random.nextLong(-jitter, jitter + 1))) {
                    hashes[c] = row(chunk, stream, sequences[c]++, at, HEARTBEAT, hashes[c],
                            "{\"consumerId\":\"" + id + "\",\"epoch\":1,\"leaseExpiresAt\":\"" + at.plusSeconds(600)
                                    + "\",\"receivedAt\":\"" + at + "\",\"reportedAt\":null,\"tenantId\":\""
                                    + tenant + "\"}");
                    written++;
                }
            }
            copy(connection, chunk);
            return written;
        }

        /** The prefix of every stream id of the tenant, for a LIKE. */
        String streamPrefix() {
            return stream("");
        }

        private String stream(String consumer) {
            return tenant.length() + ":" + tenant + "/" + consumer;
        }
    }

    private static void copy(Connection connection, StringWriter chunk) throws SQLException, IOException {
        connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY domain_event_entry (event_identifier,"
                + " aggregate_identifier, sequence_number, type, time_stamp, payload_type, payload, meta_data)"
                + " FROM STDIN WITH (FORMAT csv)", new StringReader(chunk.toString()));
    }

    /** Writes one event's row; answers its chain hash. */
    private static String row(StringWriter out, String stream, int sequence, Instant at, String type,
                              String previousHash, String payload) {
        byte[] payloadBytes = payload.getBytes(StandardCharsets.UTF_8);
        String hash = chainHash(stream, sequence, type, payloadBytes, previousHash);
        out.append(UUID.nameUUIDFromBytes((stream + "#" + sequence).getBytes(StandardCharsets.UTF_8)).toString())
                .append(',')
                .append('"').append(stream).append('"').append(',')
                .append(Integer.toString(sequence)).append(",Claim,")
                .append(TIMESTAMP.format(at)).append(',')
                .append(type).append(',')
                .append("\\x").append(HEX.formatHex(payloadBytes)).append(',')
                .append("\\x").append(HEX.formatHex(("{\"ledger.chainHash\":\"" + hash + "\"}")
                        .getBytes(StandardCharsets.UTF_8))).append('\n');
        return hash;
    }

    /** The ledger's chain hash (EventChain in claims-core): SHA-256 over a header and the stored payload bytes. */
    private static String chainHash(String stream, long sequence, String type, byte[] payload, String previousHash) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(("claims-ledger-chain/1\n" + stream + "\n" + sequence + "\n" + type + "\n"
                    + (previousHash == null ? "" : previousHash) + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(payload);
            return HEX.formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
