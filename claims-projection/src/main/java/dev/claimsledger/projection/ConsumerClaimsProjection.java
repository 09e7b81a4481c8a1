package dev.claimsledger.projection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Builds the {@code consumer_claims} table from the claim events. Every handler is idempotent: a row remembers the
 * sequence number of the last event applied to it, and an event at or below it changes nothing, so redelivery and
 * replays are safe. Times come from the events, never from the clock, so a rebuild gives the same rows.
 */
@Component
@ProcessingGroup(ConsumerClaimsProjection.PROCESSING_GROUP)
public class ConsumerClaimsProjection {

    public static final String PROCESSING_GROUP = "consumer-claims";

    private static final String INSERT_CLAIM = """
            INSERT INTO consumer_claims (tenant_id, consumer_id, epoch, wake_id, entity_url, stream_path, runner_id,
                status, claimed_at, last_heartbeat_at, lease_expires_at, released_at, acked_streams, updated_at,
                lease_ttl_ms, lease_policy, heartbeat_count, ended_at, end_reason, last_event_sequence)
            SELECT :tenant, :consumer, :epoch, :wake, :entity, :stream, :runner, 'active', :claimedAt, NULL,
                :leaseExpiresAt, NULL, '[]', :claimedAt, :ttl, :policy, 0, NULL, NULL, :sequence
            WHERE NOT EXISTS (SELECT 1 FROM consumer_claims
                              WHERE tenant_id = :tenant AND consumer_id = :consumer AND epoch = :epoch)
            """;
    private static final String APPLY_HEARTBEAT = """
            UPDATE consumer_claims
            SET last_heartbeat_at = :at, lease_expires_at = :leaseExpiresAt, heartbeat_count = heartbeat_count + 1,
                updated_at = :at, last_event_sequence = :sequence
            WHERE tenant_id = :tenant AND consumer_id = :consumer AND epoch = :epoch AND last_event_sequence < :sequence
            """;
    private static final String APPLY_RELEASE = """
            UPDATE consumer_claims
            SET status = 'released', released_at = :at, ended_at = :at, end_reason = 'released',
                acked_streams = :acked, lease_expires_at = :leaseExpiresAt, updated_at = :at,
                last_event_sequence = :sequence
            WHERE tenant_id = :tenant AND consumer_id = :consumer AND epoch = :epoch AND last_event_sequence < :sequence
            """;
    private static final String APPLY_END = """
            UPDATE consumer_claims
            SET status = :status, ended_at = :at, end_reason = :status, lease_expires_at = :leaseExpiresAt,
                updated_at = :at, last_event_sequence = :sequence
            WHERE tenant_id = :tenant AND consumer_id = :consumer AND epoch = :epoch AND last_event_sequence < :sequence
            """;

    private final JdbcClient jdbc;
    private final ObjectMapper json = new ObjectMapper();

    public ConsumerClaimsProjection(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(ClaimMaterialized event, @SequenceNumber long sequence) {
        jdbc.sql(INSERT_CLAIM)
                .param("tenant", event.tenantId())
                .param("consumer", event.consumerId())
                .param("epoch", event.epoch())
                .param("wake", event.wakeId())
                .param("entity", event.entityUrl())
                .param("stream", event.streamPath())
                .param("runner", event.runnerId())
                .param("claimedAt", utc(event.claimedAt()))
                .param("leaseExpiresAt", utc(event.leaseExpiresAt()))
                .param("ttl", event.leaseTtlMs())
                .param("policy", event.leasePolicy().wireName())
                .param("sequence", sequence)
                .update();
    }

    @EventHandler
    void on(HeartbeatReceived event, @SequenceNumber long sequence) {
        jdbc.sql(APPLY_HEARTBEAT)
                .param("at", utc(event.receivedAt()))
                .param("leaseExpiresAt", utc(event.leaseExpiresAt()))
                .param("sequence", sequence)
                .param("tenant", event.tenantId())
                .param("consumer", event.consumerId())
                .param("epoch", event.epoch())
                .update();
    }

    @EventHandler
    void on(ClaimReleased event, @SequenceNumber long sequence) {
        jdbc.sql(APPLY_RELEASE)
                .param("at", utc(event.releasedAt()))
                .param("acked", toJson(event.ackedStreams()))
                .param("leaseExpiresAt", utc(event.leaseExpiresAt()))
                .param("sequence", sequence)
                .param("tenant", event.tenantId())
                .param("consumer", event.consumerId())
                .param("epoch", event.epoch())
                .update();
    }

    @EventHandler
    void on(ClaimLeaseExpired event, @SequenceNumber long sequence) {
        end(event.tenantId(), event.consumerId(), event.epoch(), ClaimStatus.EXPIRED, event.expiredAt(),
                event.leaseExpiresAt(), sequence);
    }

    @EventHandler
    void on(ClaimSuperseded event, @SequenceNumber long sequence) {
        end(event.tenantId(), event.consumerId(), event.epoch(), ClaimStatus.SUPERSEDED, event.supersededAt(),
                event.leaseExpiresAt(), sequence);
    }

    @ResetHandler
    void reset() {
        jdbc.sql("DELETE FROM consumer_claims").update();
    }

    private void end(String tenant, String consumer, long epoch, ClaimStatus status, Instant at, Instant leaseExpiresAt,
                     long sequence) {
        jdbc.sql(APPLY_END)
                .param("status", status.wireName())
                .param("at", utc(at))
                .param("leaseExpiresAt", utc(leaseExpiresAt))
                .param("sequence", sequence)
                .param("tenant", tenant)
                .param("consumer", consumer)
                .param("epoch", epoch)
                .update();
    }

    private String toJson(List<AckedStream> ackedStreams) {
        try {
            return json.writeValueAsString(ackedStreams);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("acked streams cannot be written as JSON", e);
        }
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
