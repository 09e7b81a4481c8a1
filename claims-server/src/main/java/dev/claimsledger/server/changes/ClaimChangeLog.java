package dev.claimsledger.server.changes;

import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.server.audit.EventLog;
import dev.claimsledger.server.audit.StoredEvent;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads the event store by global position for the change streams: every position (so that a stream can tell a gap
 * from another tenant's event), with the payload only of the tenant's state changes, never of heartbeats.
 */
class ClaimChangeLog {

    private static final List<String> CHANGE_TYPES = List.of(ClaimMaterialized.class.getName(),
            ClaimReleased.class.getName(), ClaimLeaseExpired.class.getName(), ClaimSuperseded.class.getName());

    private final JdbcClient jdbc;
    private final EventLog eventLog;

    ClaimChangeLog(JdbcClient jdbc, EventLog eventLog) {
        this.jdbc = jdbc;
        this.eventLog = eventLog;
    }

    /** The highest position stored so far, 0 in an empty store. */
    long head() {
        return jdbc.sql("SELECT COALESCE(MAX(global_index), 0) FROM domain_event_entry").query(Long.class).single();
    }

    /**
     * Up to {@code limit} positions after {@code after}, in order; each with the change it makes to one of the
     * tenant's claims, or with none.
     */
    List<Position> read(String tenant, long after, int limit) {
        String streamPrefix = tenant.length() + ":" + tenant + "/";
        return jdbc.sql("""
                        SELECT global_index, time_stamp, payload_type,
                               CASE WHEN payload_type IN (:types) AND LEFT(aggregate_identifier, :prefixLength) = :prefix
                                    THEN payload END AS change_payload
                        FROM domain_event_entry
                        WHERE global_index > :after
                        ORDER BY global_index
                        LIMIT :limit
                        """)
                .param("types", CHANGE_TYPES)
                .param("prefixLength", streamPrefix.length())
                .param("prefix", streamPrefix)
                .param("after", after)
                .param("limit", limit)
                .query((row, rowNumber) -> {
                    long position = row.getLong("global_index");
                    byte[] payload = row.getBytes("change_payload");
                    return new Position(position, Instant.parse(row.getString("time_stamp")), payload == null ? null
                            : change(position, row.getString("payload_type"), payload));
                })
                .list();
    }

    private ClaimChangeJson change(long position, String payloadType, byte[] payload) {
        ClaimEvent event = eventLog.payload(new StoredEvent(position, null, -1, Instant.EPOCH, payloadType, payload,
                null));
        return event == null ? null : ClaimChangeJson.of(position, event);
    }

    /** One stored position, when its event was stored, and the change it makes to the tenant's claims, or null. */
    record Position(long position, Instant storedAt, ClaimChangeJson change) {
    }
}
