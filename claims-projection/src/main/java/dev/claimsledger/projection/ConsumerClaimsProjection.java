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
import dev.claimsledger.api.HeartbeatsCompacted;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Builds the {@code consumer_claims} table from the claim events. Every handler is idempotent: a row remembers the
 * sequence number of the last event applied to it, and an event at or below it changes nothing, so redelivery and
 * replays are safe. Times come from the events, never from the clock, so a rebuild gives the same rows.
 *
 * <p>Inside an event processor's batch the row changes are collected and written at the end of the batch, as two
 * JDBC batches in event order (the claims first, then every other change through one statement), instead of one
 * round trip per event. A claim's row is always inserted by its first event, so writing the inserts first keeps
 * each row's changes in order.
 */
@Component
@ProcessingGroup(ConsumerClaimsProjection.PROCESSING_GROUP)
public class ConsumerClaimsProjection {

    public static final String PROCESSING_GROUP = "consumer-claims";

    private static final String INSERT_CLAIM = """
            INSERT INTO consumer_claims (tenant_id, consumer_id, epoch, wake_id, entity_url, stream_path, runner_id,
                status, claimed_at, last_heartbeat_at, lease_expires_at, released_at, acked_streams, updated_at,
                lease_ttl_ms, lease_policy, heartbeat_count, ended_at, end_reason, last_event_sequence)
            SELECT ?, ?, ?, ?, ?, ?, ?, 'active', ?, NULL, ?, NULL, '[]', ?, ?, ?, 0, NULL, NULL, ?
            WHERE NOT EXISTS (SELECT 1 FROM consumer_claims WHERE tenant_id = ? AND consumer_id = ? AND epoch = ?)
            """;
    private static final int[] INSERT_TYPES = {Types.VARCHAR, Types.VARCHAR, Types.BIGINT, Types.VARCHAR,
            Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE,
            Types.TIMESTAMP_WITH_TIMEZONE, Types.BIGINT, Types.VARCHAR, Types.BIGINT, Types.VARCHAR, Types.VARCHAR,
            Types.BIGINT};

    /**
     * Every change after the claim: a null leaves its column as it is, except the skew, which a heartbeat always sets
     * (to null when it reported no time).
     */
    private static final String APPLY_CHANGE = """
            UPDATE consumer_claims
            SET last_heartbeat_at = COALESCE(?, last_heartbeat_at), heartbeat_count = heartbeat_count + ?,
                status = COALESCE(?, status), released_at = COALESCE(?, released_at), ended_at = COALESCE(?, ended_at),
                end_reason = COALESCE(?, end_reason), acked_streams = COALESCE(?, acked_streams),
                lease_expires_at = ?, updated_at = ?, last_event_sequence = ?,
                last_heartbeat_skew_ms = CASE WHEN ? > 0 THEN ? ELSE last_heartbeat_skew_ms END
            WHERE tenant_id = ? AND consumer_id = ? AND epoch = ? AND last_event_sequence < ?
            """;
    private static final int[] CHANGE_TYPES = {Types.TIMESTAMP_WITH_TIMEZONE, Types.BIGINT, Types.VARCHAR,
            Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE, Types.VARCHAR, Types.VARCHAR,
            Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE, Types.BIGINT, Types.BIGINT, Types.BIGINT,
            Types.VARCHAR, Types.VARCHAR, Types.BIGINT, Types.BIGINT};

    private static final String PENDING = ConsumerClaimsProjection.class.getName() + ".pending";

    private final JdbcTemplate jdbc;
    private final ObjectMapper json = new ObjectMapper();

    public ConsumerClaimsProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(ClaimMaterialized event, @SequenceNumber long sequence) {
        pending().inserts.add(new Object[]{event.tenantId(), event.consumerId(), event.epoch(), event.wakeId(),
                event.entityUrl(), event.streamPath(), event.runnerId(), utc(event.claimedAt()),
                utc(event.leaseExpiresAt()), utc(event.claimedAt()), event.leaseTtlMs(),
                event.leasePolicy().wireName(), sequence, event.tenantId(), event.consumerId(), event.epoch()});
        flushUnlessBatched();
    }

    @EventHandler
    void on(HeartbeatReceived event, @SequenceNumber long sequence) {
        Long skewMs = event.reportedAt() == null ? null
                : Duration.between(event.receivedAt(), event.reportedAt()).toMillis();
        change(event.tenantId(), event.consumerId(), event.epoch(), sequence, event.receivedAt(), event.leaseExpiresAt(),
                event.receivedAt(), 1, skewMs, null, null, null);
    }

    /**
     * A compacted run of heartbeats, met only by a projection built from scratch, which has applied none of them: it
     * applies them all, as it would have one by one ({@code last_event_sequence} below the run's first).
     */
    @EventHandler
    void on(HeartbeatsCompacted run, @SequenceNumber long sequence) {
        Long skewMs = run.lastReportedAt() == null ? null
                : Duration.between(run.lastReceivedAt(), run.lastReportedAt()).toMillis();
        change(run.tenantId(), run.consumerId(), run.epoch(), sequence, run.firstSequence(), run.lastReceivedAt(),
                run.leaseExpiresAt(), run.lastReceivedAt(), run.count(), skewMs, null, null, null);
    }

    @EventHandler
    void on(ClaimReleased event, @SequenceNumber long sequence) {
        change(event.tenantId(), event.consumerId(), event.epoch(), sequence, event.releasedAt(), event.leaseExpiresAt(),
                null, 0, null, ClaimStatus.RELEASED, event.releasedAt(), toJson(event.ackedStreams()));
    }

    @EventHandler
    void on(ClaimLeaseExpired event, @SequenceNumber long sequence) {
        change(event.tenantId(), event.consumerId(), event.epoch(), sequence, event.expiredAt(), event.leaseExpiresAt(),
                null, 0, null, ClaimStatus.EXPIRED, null, null);
    }

    @EventHandler
    void on(ClaimSuperseded event, @SequenceNumber long sequence) {
        change(event.tenantId(), event.consumerId(), event.epoch(), sequence, event.supersededAt(),
                event.leaseExpiresAt(), null, 0, null, ClaimStatus.SUPERSEDED, null, null);
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM consumer_claims");
    }

    /**
     * @param heartbeatAt  the new last heartbeat, or null
     * @param heartbeats   how many heartbeats to add
     * @param skewMs       the heartbeat's reported minus received time, or null
     * @param endedAs      the status the claim ends in, or null while it stays active
     * @param releasedAt   the release time, or null
     * @param ackedStreams the acked streams as JSON, or null to keep them
     */
    private void change(String tenant, String consumer, long epoch, long sequence, Instant at, Instant leaseExpiresAt,
                        Instant heartbeatAt, int heartbeats, Long skewMs, ClaimStatus endedAs, Instant releasedAt,
                        String ackedStreams) {
        change(tenant, consumer, epoch, sequence, sequence, at, leaseExpiresAt, heartbeatAt, heartbeats, skewMs,
                endedAs, releasedAt, ackedStreams);
    }

    /** @param firstSequence the first event the change stands for: the row changes only if it has not applied it */
    private void change(String tenant, String consumer, long epoch, long sequence, long firstSequence, Instant at,
                        Instant leaseExpiresAt, Instant heartbeatAt, int heartbeats, Long skewMs, ClaimStatus endedAs,
                        Instant releasedAt, String ackedStreams) {
        String status = endedAs == null ? null : endedAs.wireName();
        pending().changes.add(new Object[]{utc(heartbeatAt), heartbeats, status, utc(releasedAt),
                endedAs == null ? null : utc(at), status, ackedStreams, utc(leaseExpiresAt), utc(at), sequence,
                heartbeats, skewMs, tenant, consumer, epoch, firstSequence});
        flushUnlessBatched();
    }

    /** The changes of the current unit of work, written when it commits; or a buffer written at once without one. */
    private Pending pending() {
        if (!CurrentUnitOfWork.isStarted()) {
            return direct;
        }
        UnitOfWork<?> root = CurrentUnitOfWork.get().root();
        return root.getOrComputeResource(PENDING, key -> {
            Pending pending = new Pending();
            root.onPrepareCommit(unitOfWork -> pending.writeTo(jdbc));
            return pending;
        });
    }

    private final Pending direct = new Pending();

    private void flushUnlessBatched() {
        if (!CurrentUnitOfWork.isStarted()) {
            direct.writeTo(jdbc);
        }
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

    /** Row changes waiting to be written, in event order. */
    private static final class Pending {

        private final List<Object[]> inserts = new ArrayList<>();
        private final List<Object[]> changes = new ArrayList<>();

        synchronized void writeTo(JdbcTemplate jdbc) {
            if (!inserts.isEmpty()) {
                jdbc.batchUpdate(INSERT_CLAIM, inserts, INSERT_TYPES);
                inserts.clear();
            }
            if (!changes.isEmpty()) {
                jdbc.batchUpdate(APPLY_CHANGE, changes, CHANGE_TYPES);
                changes.clear();
            }
        }
    }
}
