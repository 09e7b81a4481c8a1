package dev.claimsledger.server.changes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How far one stream has read the event store, and the rule that makes its event ids safe to resume from: positions
 * are handed on strictly in order, and a missing position holds back the ones after it until it appears or
 * {@link #GAP_WAIT} has passed. A position goes missing for a moment when a later append commits first, and for good
 * when an append rolls back (a lost race) or compaction took the heartbeat stored there into a compacted run. So once
 * a stream has sent position {@code n}, every event at or before {@code n} has been sent or was never stored, except
 * one that took longer than the wait to commit. A missing position followed by an event stored more than
 * {@link #SETTLED_AFTER} ago is settled: no transaction lives that long, so nothing waits on it.
 */
final class ChangeCursor {

    static final Duration GAP_WAIT = Duration.ofSeconds(2);
    /** Longer than any of the ledger's transactions lives (a request's is bounded by its timeout). */
    static final Duration SETTLED_AFTER = Duration.ofMinutes(1);

    private long position;
    private Instant gapSeenAt;

    /** @param after the last position already handed on */
    ChangeCursor(long after) {
        this.position = after;
    }

    long position() {
        return position;
    }

    /**
     * Moves over {@code read} (positions after {@link #position()}, in order) as far as the rule allows.
     *
     * @return the changes passed on the way, in order
     */
    List<ClaimChangeJson> advance(List<ClaimChangeLog.Position> read, Instant now) {
        List<ClaimChangeJson> changes = new ArrayList<>();
        for (ClaimChangeLog.Position next : read) {
            if (next.position() <= position) {
                continue;
            }
            boolean settled = next.storedAt() != null && next.storedAt().isBefore(now.minus(SETTLED_AFTER));
            if (next.position() != position + 1 && !settled) {
                if (gapSeenAt == null) {
                    gapSeenAt = now;
                }
                if (Duration.between(gapSeenAt, now).compareTo(GAP_WAIT) < 0) {
                    break;
                }
            }
            gapSeenAt = null;
            position = next.position();
            if (next.change() != null) {
                changes.add(next.change());
            }
        }
        return changes;
    }
}
