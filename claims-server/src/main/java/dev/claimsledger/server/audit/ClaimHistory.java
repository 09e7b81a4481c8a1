package dev.claimsledger.server.audit;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.compaction.CompactedRuns;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.core.ClaimTimeline;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;

/**
 * A consumer's history as recorded in the event store (never the read model): pages of events, and an epoch's state
 * at any instant.
 */
@Component
public class ClaimHistory {

    private static final int READ_BATCH = 1000;

    private final EventLog eventLog;

    public ClaimHistory(EventLog eventLog) {
        this.eventLog = eventLog;
    }

    /**
     * Up to {@code limit} events of the consumer (of one epoch when {@code epoch} is not null) after
     * {@code afterSequence}, and whether more follow.
     */
    public Page page(ConsumerRef consumer, Long epoch, long afterSequence, int limit) {
        List<Entry> entries = new ArrayList<>();
        long cursor = afterSequence;
        boolean more = false;
        Predicate<ClaimEvent> wanted = payload -> epoch == null || payload.epoch() == epoch;
        while (!more) {
            List<StoredEvent> batch = eventLog.stream(consumer.streamId(), cursor, READ_BATCH);
            for (StoredEvent event : batch) {
                ClaimEvent payload = eventLog.payload(event);
                if (payload != null && !wanted.test(payload)) {
                    cursor = event.sequence();
                    continue;
                }
                if (entries.size() == limit) {
                    more = true;
                    break;
                }
                entries.add(new Entry(event.type(), event.sequence(), event.position(), event.timestamp(),
                        eventLog.payloadMap(event)));
                cursor = event.sequence();
            }
            // a batch may hold more events than rows read (a compacted run gives back each of its heartbeats), so only an
            // empty one marks the end
            if (batch.isEmpty()) {
                break;
            }
        }
        Long next = more ? entries.get(entries.size() - 1).sequence() : null;
        return new Page(entries, next);
    }

    /**
     * The epoch as it stood at {@code asOf}, folded from the events recorded up to then.
     *
     * @throws ClaimRejectedException {@code history_not_retained} when {@code asOf} lies among heartbeats whose detail
     *                                retention dropped
     */
    public Optional<ClaimState> stateAt(ConsumerRef consumer, long epoch, Instant asOf) {
        List<Object> payloads = new ArrayList<>();
        long cursor = -1;
        List<StoredEvent> batch;
        do {
            batch = eventLog.stream(consumer.streamId(), cursor, READ_BATCH);
            for (StoredEvent event : batch) {
                Object payload = eventLog.payload(event);
                if (payload instanceof HeartbeatsCompacted summary && summary.epoch() == epoch) {
                    requireRetained(summary, asOf);
                }
                if (payload != null) {
                    payloads.add(payload);
                }
                cursor = event.sequence();
            }
        } while (!batch.isEmpty());
        try {
            return ClaimTimeline.stateAt(payloads, epoch, asOf);
        } catch (RuntimeException e) {
            throw new ClaimRejectedException(ClaimErrorCode.CONFLICT, "the recorded history of this claim cannot be "
                    + "read as a claim (" + e.getMessage() + "); run the audit");
        }
    }

    /** Refuses an instant from the first heartbeat of a summary up to, not including, its last. */
    private static void requireRetained(HeartbeatsCompacted summary, Instant asOf) {
        Instant first;
        try {
            first = CompactedRuns.first(summary).receivedAt();
        } catch (IllegalArgumentException e) {
            throw new ClaimRejectedException(ClaimErrorCode.CONFLICT, "the recorded history of this claim cannot be "
                    + "read as a claim (" + e.getMessage() + "); run the audit");
        }
        if (!asOf.isBefore(first) && asOf.isBefore(summary.lastReceivedAt())) {
            throw new ClaimRejectedException(ClaimErrorCode.HISTORY_NOT_RETAINED, "the detail of the "
                    + summary.count() + " heartbeats from " + first + " to " + summary.lastReceivedAt()
                    + " was dropped by retention; the ledger can say how the claim stood before " + first + " or from "
                    + summary.lastReceivedAt() + " on");
        }
    }

    /** One recorded event. */
    public record Entry(String type, long sequence, long position, Instant timestamp, Map<String, Object> payload) {
    }

    /** A page of events; {@code nextAfterSequence} is null on the last page. */
    public record Page(List<Entry> events, Long nextAfterSequence) {
    }
}
