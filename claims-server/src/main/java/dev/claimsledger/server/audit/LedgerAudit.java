package dev.claimsledger.server.audit;

import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.FindClaim;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.compaction.CompactedRuns;
import dev.claimsledger.core.ClaimTimeline;
import dev.claimsledger.core.EventChain;
import dev.claimsledger.projection.ConsumerClaimsQueries;
import dev.claimsledger.server.readmodel.ReadModelPosition;
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
import javax.sql.DataSource;
import org.axonframework.serialization.Serializer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Replays every event of every claim from the event store and checks what the ledger promises: the hash chain, no
 * gap in a stream, the lease invariants, and that the read model agrees with the events. It only reads.
 *
 * <p>It is exact while writers go on: the events, the {@code consumer_claims} rows and the read model's processor
 * position are read in one snapshot ({@link LedgerSnapshot}), and each row is judged against the events the processor
 * had applied in that snapshot. A row must hold at least those (else it is missing or set back), and must be the fold
 * of its epoch's events up to the event it says it applied last; only events the processor had not yet applied may
 * make a row lag behind. A row may be ahead of the processor's position for a while after a rebuild, which had read
 * further; it is then checked against the events up to its own.
 *
 * <p>A summary whose heartbeats' detail retention dropped is checked by its anchors: it must start at the next
 * sequence, its hash before the first heartbeat must be the one the event before it recorded, and the event after it
 * must chain from the hash it stores. What it says of the dropped heartbeats is checked against the export they were
 * written to ({@code verify-export}).
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

    private final EventLog eventLog;
    private final DataSource dataSource;
    private final Serializer tokenSerializer;

    /** @param tokenSerializer how the processor's tracking tokens are stored */
    public LedgerAudit(EventLog eventLog, DataSource dataSource, Serializer tokenSerializer) {
        this.eventLog = eventLog;
        this.dataSource = dataSource;
        this.tokenSerializer = tokenSerializer;
    }

    /**
     * Audits every tenant.
     *
     * @param progress told the number of events read so far, every {@link #PROGRESS_EVERY} events
     */
    public AuditReport run(LongConsumer progress) {
        return run(null, progress);
    }

    /**
     * Audits one tenant's streams and rows, or every tenant's when {@code tenant} is null.
     *
     * @param progress told the number of events read so far, every {@link #PROGRESS_EVERY} events
     */
    public AuditReport run(String tenant, LongConsumer progress) {
        return LedgerSnapshot.read(dataSource, snapshot -> {
            Run run = new Run(snapshot, ReadModelPosition.read(snapshot, tokenSerializer), progress,
                    Instant.now().minus(EXPIRY_GRACE));
            eventLog.forEachInStreamOrder(snapshot, tenant, run::accept);
            run.finishStream();
            run.findOrphanRows(tenant);
            return AuditReport.of(run.claims, run.events, run.rowsLagging, run.violations);
        });
    }

    /** The same checks for one consumer's stream only (its rows of the read model included). */
    public AuditReport runFor(ConsumerRef consumer) {
        return LedgerSnapshot.read(dataSource, snapshot -> {
            Run run = new Run(snapshot, ReadModelPosition.read(snapshot, tokenSerializer), events -> {
            }, Instant.now().minus(EXPIRY_GRACE));
            eventLog.forEachOfStream(snapshot, consumer.streamId(), run::accept);
            run.finishStream();
            return AuditReport.of(run.claims, run.events, run.rowsLagging, run.violations);
        });
    }

    /** The lease facts of one epoch, as the events so far state them, and what the read model should hold of it. */
    private static final class EpochFacts {
        Instant leaseExpiresAt;
        boolean ended;
        final Set<Long> sequences = new HashSet<>();
        long lastSequence;
        /** The last sequence of this epoch the processor had applied, or -1. */
        long lastPassedSequence = -1;
    }

    private final class Run {

        private final JdbcClient jdbc;
        private final ConsumerClaimsQueries readModel;
        private final ReadModelPosition position;
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
        private final List<Sequenced> payloads = new ArrayList<>();

        Run(JdbcTemplate snapshot, ReadModelPosition position, LongConsumer progress, Instant overdueBefore) {
            this.jdbc = JdbcClient.create(snapshot);
            this.readModel = new ConsumerClaimsQueries(jdbc);
            this.position = position;
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
            ClaimEvent payload = eventLog.payload(event);
            if (payload instanceof HeartbeatsCompacted summary && CompactedRuns.isSummary(summary)) {
                checkAnchors(event, summary);
            } else {
                checkChain(event);
            }
            // a compacted run that is not a summary was given back as its heartbeats, unless it could not be read
            if (payload == null || payload instanceof HeartbeatsCompacted run && !CompactedRuns.isSummary(run)) {
                violation("unreadable_event", null, event, "payload of type " + event.payloadType()
                        + " cannot be read as a claim event");
                return;
            }
            payloads.add(new Sequenced(event.sequence(), payload));
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

        private void checkAnchors(StoredEvent event, HeartbeatsCompacted summary) {
            long first = summary.firstSequence();
            if (first != expectedSequence) {
                violation(first > expectedSequence ? "event_missing" : "sequence_out_of_order", null, event,
                        "expected sequence " + expectedSequence + " but the summary of dropped heartbeats starts at "
                                + first);
            }
            if (summary.count() != event.sequence() - first + 1) {
                violation("chain_broken", null, event, "the summary of dropped heartbeats says it holds "
                        + summary.count() + ", but covers sequences " + first + " to " + event.sequence());
            }
            expectedSequence = event.sequence() + 1;
            String recorded = eventLog.recordedChainHash(event);
            if (recorded == null) {
                violation("chain_hash_missing", null, event, "the summary of dropped heartbeats carries no chain hash");
            } else if (!Objects.equals(summary.hashBefore(), previousHash)) {
                violation("chain_broken", null, event, "the dropped heartbeats no longer join the chain: the summary's"
                        + " hash before them is " + summary.hashBefore() + ", the event before them recorded "
                        + previousHash);
            }
            previousHash = recorded != null ? recorded : previousHash;
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
                epochs.put(epoch, facts);
                claims++;
                record(facts, event);
                return;
            }
            EpochFacts facts = epochs.get(epoch);
            if (facts == null) {
                violation("event_without_claim", epoch, event, "no ClaimMaterialized of epoch " + epoch + " before it");
                return;
            }
            record(facts, event);
            boolean heartbeats = payload instanceof HeartbeatReceived || payload instanceof HeartbeatsCompacted;
            if (facts.ended) {
                violation(heartbeats ? "heartbeat_after_end" : "second_end", epoch, event,
                        event.type() + " after the epoch had ended");
            }
            if (payload instanceof HeartbeatsCompacted summary && summary.leaseBefore() != null
                    && facts.leaseExpiresAt != null && summary.leaseBefore().isBefore(facts.leaseExpiresAt)) {
                violation("lease_moved_earlier", epoch, event, "lease end moved from " + facts.leaseExpiresAt
                        + " to " + summary.leaseBefore() + " before the dropped heartbeats");
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
            if (!heartbeats) {
                facts.ended = true;
            }
        }

        private void record(EpochFacts facts, StoredEvent event) {
            facts.sequences.add(event.sequence());
            facts.lastSequence = event.sequence();
            if (position.hasPassed(event.streamId(), event.position())) {
                facts.lastPassedSequence = event.sequence();
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

        /**
         * @param rowSequence the sequence of the last event the row says it applied, or null when there is no row
         */
        private void compareWithReadModel(long epoch, EpochFacts facts, Long rowSequence) {
            if (rowSequence == null) {
                if (facts.lastPassedSequence >= 0) {
                    projectionViolation("projection_row_missing", epoch, "the read model's processor has applied the"
                            + " epoch's events up to sequence " + facts.lastPassedSequence
                            + ", but consumer_claims has no row for it");
                } else {
                    rowsLagging++;
                }
                return;
            }
            if (rowSequence < facts.lastPassedSequence) {
                projectionViolation("projection_row_behind", epoch, "the row says event " + rowSequence
                        + " was the last applied, but the read model's processor has applied the epoch's events up to"
                        + " sequence " + facts.lastPassedSequence);
                return;
            }
            if (!facts.sequences.contains(rowSequence)) {
                projectionViolation("projection_drift", epoch, "the row says event " + rowSequence
                        + " was applied, but the epoch has no event with that sequence (its last is "
                        + facts.lastSequence + ")");
                return;
            }
            Optional<ClaimState> expected;
            try {
                expected = ClaimTimeline.stateAt(payloadsUpTo(rowSequence), epoch, Instant.MAX);
            } catch (RuntimeException e) {
                projectionViolation("history_unreadable", epoch, "the epoch's events cannot be folded into a claim: "
                        + e.getMessage());
                return;
            }
            Optional<ClaimState> actual = readModel.handle(new FindClaim(consumer.tenantId(), consumer.consumerId(), epoch));
            if (expected.isPresent() && actual.isPresent()) {
                List<String> differences = differences(expected.get(), actual.get());
                if (!differences.isEmpty()) {
                    projectionViolation("projection_drift", epoch, "consumer_claims differs from the events up to"
                            + " sequence " + rowSequence + ", the last it says it applied, in "
                            + String.join(", ", differences));
                    return;
                }
            }
            if (rowSequence < facts.lastSequence) {
                rowsLagging++;
            }
        }

        private List<Object> payloadsUpTo(long sequence) {
            return payloads.stream().filter(event -> event.sequence() <= sequence).map(Sequenced::payload).toList();
        }

        /** Rows of consumers that have no events at all; rows of known consumers were checked stream by stream. */
        void findOrphanRows(String onlyTenant) {
            jdbc.sql("SELECT tenant_id, consumer_id, epoch FROM consumer_claims"
                            + (onlyTenant == null ? "" : " WHERE tenant_id = :tenant"))
                    .params(onlyTenant == null ? Map.of() : Map.of("tenant", onlyTenant))
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

    /** An event's payload and its sequence in its stream. */
    private record Sequenced(long sequence, Object payload) {
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
