package db.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.core.LedgerObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneOffset;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Arms a lease watchdog in {@code lease_deadlines} for every stream whose current epoch is still active, as its events
 * say: the stream's last event is a claim or a heartbeat, and it states the epoch and the lease's end. Ledgers made by
 * an earlier version kept their watchdogs in db-scheduler's table; after this migration every lease that was waiting
 * to expire still does, at the same end.
 */
public class V6__Arm_watchdogs_of_active_claims extends BaseJavaMigration {

    private static final String MATERIALIZED = "dev.claimsledger.api.ClaimMaterialized";
    private static final String HEARTBEAT = "dev.claimsledger.api.HeartbeatReceived";

    @Override
    public void migrate(Context context) throws Exception {
        ObjectMapper stored = LedgerObjectMapper.create();
        Connection connection = context.getConnection();
        try (PreparedStatement last = connection.prepareStatement("SELECT e.aggregate_identifier, e.payload"
                + " FROM domain_event_entry e JOIN (SELECT aggregate_identifier, MAX(sequence_number) AS last_sequence"
                + " FROM domain_event_entry GROUP BY aggregate_identifier) m"
                + " ON e.aggregate_identifier = m.aggregate_identifier AND e.sequence_number = m.last_sequence"
                + " WHERE e.payload_type IN (?, ?)");
             PreparedStatement arm = connection.prepareStatement("INSERT INTO lease_deadlines"
                     + " (stream_id, epoch, due_at, failures) VALUES (?, ?, ?, 0)")) {
            last.setString(1, MATERIALIZED);
            last.setString(2, HEARTBEAT);
            try (ResultSet rows = last.executeQuery()) {
                while (rows.next()) {
                    JsonNode payload = stored.readTree(rows.getBytes(2));
                    arm.setString(1, rows.getString(1));
                    arm.setLong(2, payload.path("epoch").asLong());
                    arm.setObject(3, Instant.parse(payload.path("leaseExpiresAt").asText()).atOffset(ZoneOffset.UTC));
                    arm.addBatch();
                }
            }
            arm.executeBatch();
        }
    }
}
