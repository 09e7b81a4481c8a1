package dev.claimsledger.server.audit;

import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.FindClaim;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.core.ClaimTimeline;
import dev.claimsledger.core.EventChain;
import dev.claimsledger.projection.ConsumerClaimsQueries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Replays every event of every claim from the event store and checks what the ledger promises: the hash chain, no
 * gap in a stream, the lease invariants, and that the read model agrees with the events. It only reads.
 */
public class LedgerAudit {

    /** How many events pass between two progress reports. */
    public static final int PROGRESS_EVERY = 10_000;
    /**
     * How long after its end a lease may still be unexpired in the events before the audit reports it: the watchdog
     * records an expiry within a polling interval while a server runs, so a lease still open long after its end has
     * lost its deadline (or no server has run since).
     */
    public static final Duration EXPIRY_GRACE = Duration.ofMinutes(2);
    /** The rules that check a stream's hash chain and sequence; the others check leases and the read model. */
    public static final Set<String> CHAIN_RULES = Set.of("chain_broken", "chain_hash_missing", "event_missing",
            "sequence_out_of_order");
    private static final int READ_BATCH = 1000;

    private final EventLog eventLog;
    private final JdbcClient jdbc;
    private final ConsumerClaimsQueries readModel;

    public LedgerAudit(EventLog eventLog, JdbcClient jdbc) {
        this.eventLog = eventLog;
        this.jdbc = jdbc;
        this.readModel = new ConsumerClaimsQueries(jdbc);
    }

    /**
     * @param progress told the number of events read so far, every {@link #PROGRESS_EVERY} events
     */
    public AuditReport run(LongConsumer progress) {
        Run run = new Run(progress, Instant.now().minus(EXPIRY_GRACE));
        eventLog.forEachInStreamOrder(run::accept);
        run.finishStream();
        run.findOrphanRows();
        return AuditReport.of(run.claims, run.events, run.rowsLagging, run.violations);
    }

    /** The same checks for one consumer's stream only (its rows of the read model included). */
    public AuditReport runFor(ConsumerRef consumer) {
        Run run = new Run(events -> {
        }, Instant.now().minus(EXPIRY_GRACE));
        long after = -1;
        List<StoredEvent> batch;
        do {
            batch = eventLog.stream(consumer.streamId(), after, READ_BATCH);
            for (StoredEvent event : batch) {
                run.accept(event);
                after = event.sequence();
            }
        } while (batch.size() == READ_BATCH);
        run.finishStream();
        return AuditReport.of(run.claims, run.events, run.rowsLagging, run.violations);
    }

    /** The lease facts of one epoch, as the events so far state them. */
    private static final class EpochFacts {
        Instant leaseExpiresAt;
        boolean ended;
        long lastSequence;
    }

    private final class Run {

        private final LongConsumer progress;
        private final Instant overdueBefore;
        private final List<AuditViolation> violations = new ArrayList<>();
        private final Set<String> streamsSeen = new HashSet<>();
        private long events;
        private long claims;
        private long rowsLagging;

        private String streamId;
        private ConsumerRef consumer;
        private String previousHash;
        private long expectedSequence;
        private long lastEpoch;
        private final Map<Long, EpochFacts> epochs = new LinkedHashMap<>();
        private final List<Object> payloads = new ArrayList<>();

        Run(LongConsumer progress, Instant overdueBefore) {
            this.progress = progress;
            this.overdueBefore = overdueBefore;
        }

        void accept(StoredEvent event) {
            if (!event.streamId().equals(streamId)) {
                finishStream();
                startStream(event.streamId());
            }
            events++;
            if (events % PROGRESS_EVERY == 0) {
                progress.accept(events);
            }
            checkChain(event);
            ClaimEvent payload = eventLog.payload(event);
            if (payload == null) {
                violation("unreadable_event", null, event, "payload of type " + event.payloadType()
                        + " cannot be read as a claim event");
                return;
            }
            payloads.add(payload);
            checkLease(event, payload);
        }

        private void startStream(String id) {
            streamId = id;
            streamsSeen.add(id);
            ConsumerRef parsed;
            try {
                parsed = ConsumerRef.fromStreamId(id);
            } catch (IllegalArgumentException e) {
                parsed = new ConsumerRef("?", id);
            }
            consumer = parsed;
            previousHash = null;
            expectedSequence = 0;
            lastEpoch = -1;
            epochs.clear();
            payloads.clear();
        }

        private void checkChain(StoredEvent event) {
            if (event.sequence() != expectedSequence) {
                violation(event.sequence() > expectedSequence ? "event_missing" : "sequence_out_of_order", null, event,
                        "expected sequence " + expectedSequence + " but found " + event.sequence()
                                + (event.sequence() > expectedSequence ? ": an event before it was removed" : ""));
            }
            expectedSequence = event.sequence() + 1;
            String recorded = eventLog.recordedChainHash(event);
            String recomputed = EventChain.hash(streamId, event.sequence(), event.payloadType(), event.payload(),
                    previousHash);
            if (recorded == null) {
                violation("chain_hash_missing", null, event, "the event carries no chain hash");
            } else if (!recorded.equals(recomputed)) {
                violation("chain_broken", null, event, "the event was changed, or an event before it removed or "
                        + "moved: its recorded hash " + recorded + " is not the recomputed " + recomputed);
            }
            // continue from the recorded hash, so one changed event is reported once, not for every event after it
            previousHash = recorded != null ? recorded : recomputed;
        }

        private void checkLease(StoredEvent event, ClaimEvent payload) {
            long epoch = payload.epoch();
            Instant lease = payload.leaseExpiresAt();
            if (lease == null) {
                violation("lease_missing", epoch, event, "the event carries no lease end");
            }
            if (payload instanceof ClaimMaterialized materialized) {
                if (epoch <= lastEpoch) {
                    violation("epoch_not_growing", epoch, event, "epoch " + epoch + " claimed after epoch " + lastEpoch);
                }
                lastEpoch = Math.max(lastEpoch, epoch);
                if (lease != null && !lease.isAfter(materialized.claimedAt())) {
                    violation("lease_not_after_claim", epoch, event, "lease ends at " + lease
                            + ", not after the claim at " + materialized.claimedAt());
                }
                EpochFacts facts = new EpochFacts();
                facts.leaseExpiresAt = lease;
                facts.lastSequence = event.sequence();
                epochs.put(epoch, facts);
                claims++;
                return;
            }
            EpochFacts facts = epochs.get(epoch);
            if (facts == null) {
                violation("event_without_claim", epoch, event, "no ClaimMaterialized of epoch " + epoch + " before it");
                return;
            }
            facts.lastSequence = event.sequence();
            if (facts.ended) {
                violation(payload instanceof HeartbeatReceived ? "heartbeat_after_end" : "second_end", epoch, event,
                        event.type() + " after the epoch had ended");
            }
            if (lease != null && facts.leaseExpiresAt != null && lease.isBefore(facts.leaseExpiresAt)) {
                violation("lease_moved_earlier", epoch, event, "lease end moved from " + facts.leaseExpiresAt
                        + " to " + lease);
            }
            if (payload instanceof ClaimLeaseExpired expired && facts.leaseExpiresAt != null
                    && expired.expiredAt().isBefore(facts.leaseExpiresAt)) {
                violation("expired_before_lease_end", epoch, event, "expired at " + expired.expiredAt()
                        + " but the lease ran until " + facts.leaseExpiresAt);
            }
            if (lease != null && (facts.leaseExpiresAt == null || lease.isAfter(facts.leaseExpiresAt))) {
                facts.leaseExpiresAt = lease;
            }
            if (!(payload instanceof HeartbeatReceived)) {
                facts.ended = true;
            }
        }

        void finishStream() {
            if (streamId == null) {
                return;
            }
            Map<Long, Long> rowSequences = new HashMap<>();
            jdbc.sql("SELECT epoch, last_event_sequence FROM consumer_claims"
                            + " WHERE tenant_id = :tenant AND consumer_id = :consumer")
                    .param("tenant", consumer.tenantId())
                    .param("consumer", consumer.consumerId())
                    .query(row -> {
                        rowSequences.put(row.getLong(1), row.getLong(2));
                    });
            for (Map.Entry<Long, EpochFacts> entry : epochs.entrySet()) {
                EpochFacts facts = entry.getValue();
                if (!facts.ended && facts.leaseExpiresAt != null && facts.leaseExpiresAt.isBefore(overdueBefore)) {
                    projectionViolation("lapsed_lease_not_expired", entry.getKey(), "the lease ended at "
                            + facts.leaseExpiresAt + " and no expiry, release or supersession follows: its deadline "
                            + "was lost, or no server has run since");
                }
                compareWithReadModel(entry.getKey(), entry.getValue(), rowSequences.get(entry.getKey()));
            }
            for (Long epoch : rowSequences.keySet()) {
                if (!epochs.containsKey(epoch)) {
                    projectionViolation("projection_row_without_events", epoch,
                            "consumer_claims has a row for an epoch no event names");
                }
            }
        }

        private void compareWithReadModel(long epoch, EpochFacts facts, Long rowSequence) {
            if (rowSequence == null) {
                rowsLagging++;
                return;
            }
            if (rowSequence < facts.lastSequence) {
                rowsLagging++;
                return;
            }
            if (rowSequence > facts.lastSequence) {
                projectionViolation("projection_drift", epoch, "the row claims event " + rowSequence
                        + " was applied, but the epoch's last event is " + facts.lastSequence);
                return;
            }
            Optional<ClaimState> expected;
            try {
                expected = ClaimTimeline.stateAt(payloads, epoch, Instant.MAX);
            } catch (RuntimeException e) {
                projectionViolation("history_unreadable", epoch, "the epoch's events cannot be folded into a claim: "
                        + e.getMessage());
                return;
            }
            Optional<ClaimState> actual = readModel.handle(new FindClaim(consumer.tenantId(), consumer.consumerId(), epoch));
            if (expected.isPresent() && actual.isPresent()) {
                List<String> differences = differences(expected.get(), actual.get());
                if (!differences.isEmpty()) {
                    projectionViolation("projection_drift", epoch, "consumer_claims differs from the events in "
                            + String.join(", ", differences));
                }
            }
        }

        /** Rows of consumers that have no events at all; rows of known consumers were checked stream by stream. */
        void findOrphanRows() {
            jdbc.sql("SELECT tenant_id, consumer_id, epoch FROM consumer_claims")
                    .query(row -> {
                        String tenant = row.getString(1);
                        String consumerId = row.getString(2);
                        if (!streamsSeen.contains(ConsumerRef.streamId(tenant, consumerId))) {
                            violations.add(new AuditViolation("projection_row_without_events", tenant, consumerId,
                                    row.getLong(3), null, null, "consumer_claims has a row for a claim with no events"));
                        }
                    });
        }

        private void violation(String rule, Long epoch, StoredEvent event, String detail) {
            violations.add(new AuditViolation(rule, consumer.tenantId(), consumer.consumerId(), epoch,
                    event.position(), event.sequence(), detail));
        }

        private void projectionViolation(String rule, long epoch, String detail) {
            violations.add(new AuditViolation(rule, consumer.tenantId(), consumer.consumerId(), epoch, null, null,
                    detail));
        }
    }

    private static List<String> differences(ClaimState expected, ClaimState actual) {
        List<String> differences = new ArrayList<>();
        compare(differences, "status", expected.status(), actual.status());
        compare(differences, "lease_expires_at", expected.leaseExpiresAt(), actual.leaseExpiresAt());
        compare(differences, "last_heartbeat_at", expected.lastHeartbeatAt(), actual.lastHeartbeatAt());
        compare(differences, "heartbeat_count", expected.heartbeatCount(), actual.heartbeatCount());
        compare(differences, "claimed_at", expected.claimedAt(), actual.claimedAt());
        compare(differences, "released_at", expected.releasedAt(), actual.releasedAt());
        compare(differences, "ended_at", expected.endedAt(), actual.endedAt());
        compare(differences, "end_reason", expected.endReason(), actual.endReason());
        compare(differences, "entity_url", expected.entityUrl(), actual.entityUrl());
        compare(differences, "stream_path", expected.streamPath(), actual.streamPath());
        compare(differences, "wake_id", expected.wakeId(), actual.wakeId());
        compare(differences, "runner_id", expected.runnerId(), actual.runnerId());
        compare(differences, "lease_ttl_ms", expected.leaseTtlMs(), actual.leaseTtlMs());
        compare(differences, "lease_policy", expected.leasePolicy(), actual.leasePolicy());
        compare(differences, "acked_streams", expected.ackedStreams(), actual.ackedStreams());
        compare(differences, "updated_at", expected.updatedAt(), actual.updatedAt());
        return differences;
    }

    private static void compare(List<String> differences, String column, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            differences.add(column + " (events: " + expected + ", row: " + actual + ")");
        }
    }

}
