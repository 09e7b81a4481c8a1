package dev.claimsledger.bench;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import org.postgresql.PGConnection;

/**
 * Writes claim events straight into the event store with COPY, in the stored format, to give a rebuild a large
 * history quickly: one ClaimMaterialized and then heartbeats per consumer. They carry no chain hash, so the audit
 * rightly reports them; use a throwaway database.
 */
final class SyntheticEvents {

    static final String TENANT = "bench-rebuild";
    private static final int EVENTS_PER_CONSUMER = 100;
    private static final HexFormat HEX = HexFormat.of();

    private SyntheticEvents() {
    }

    /** The id of the synthetic consumer {@code index}, from 0. */
    static String consumer(int index) {
        return "synthetic-" + index;
    }

    /** Appends at least {@code events} events; answers how many. */
    static long append(Connection connection, long events) throws SQLException, IOException {
        var copy = connection.unwrap(PGConnection.class).getCopyAPI();
        long written = 0;
        Instant base = Instant.now().minusSeconds(3600);
        int consumer = 0;
        while (written < events) {
            StringWriter chunk = new StringWriter();
            for (int c = 0; c < 1000 && written < events; c++, consumer++) {
                String id = consumer(consumer);
                String stream = TENANT.length() + ":" + TENANT + "/" + id;
                Instant claimedAt = base.plusMillis(consumer);
                Instant lease = claimedAt.plusSeconds(600);
                row(chunk, stream, 0, claimedAt, "dev.claimsledger.api.ClaimMaterialized",
                        "{\"claimedAt\":\"" + claimedAt + "\",\"consumerId\":\"" + id + "\",\"entityUrl\":"
                                + "\"https://bench.example/" + id + "\",\"epoch\":1,\"leaseExpiresAt\":\"" + lease
                                + "\",\"leasePolicy\":\"renew_on_heartbeat\",\"leaseTtlMs\":600000,\"runnerId\":"
                                + "\"runner-1\",\"streamPath\":\"/bench/" + id + "\",\"tenantId\":\"" + TENANT
                                + "\",\"wakeId\":null}");
                for (int seq = 1; seq < EVENTS_PER_CONSUMER; seq++) {
                    Instant at = claimedAt.plusMillis(seq * 10L);
                    Instant renewed = at.plusSeconds(600);
                    row(chunk, stream, seq, at, "dev.claimsledger.api.HeartbeatReceived",
                            "{\"consumerId\":\"" + id + "\",\"epoch\":1,\"leaseExpiresAt\":\"" + renewed
                                    + "\",\"receivedAt\":\"" + at + "\",\"reportedAt\":null,\"tenantId\":\"" + TENANT
                                    + "\"}");
                }
                written += EVENTS_PER_CONSUMER;
            }
            copy.copyIn("COPY domain_event_entry (event_identifier, aggregate_identifier, sequence_number, type, "
                    + "time_stamp, payload_type, payload, meta_data) FROM STDIN WITH (FORMAT csv)",
                    new java.io.StringReader(chunk.toString()));
        }
        return written;
    }

    private static void row(StringWriter out, String stream, int sequence, Instant at, String type, String payload) {
        out.append(UUID.randomUUID().toString()).append(',')
                .append('"').append(stream).append('"').append(',')
                .append(Integer.toString(sequence)).append(",Claim,")
                .append(at.toString()).append(',')
                .append(type).append(',')
                .append("\\x").append(HEX.formatHex(payload.getBytes(StandardCharsets.UTF_8))).append(',')
                .append("\\x").append(HEX.formatHex("{}".getBytes(StandardCharsets.UTF_8))).append('\n');
    }
}
