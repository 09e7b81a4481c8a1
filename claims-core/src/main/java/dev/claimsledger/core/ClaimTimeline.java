package dev.claimsledger.core;

import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.ClaimStatus;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Folds a consumer's recorded events into the state of one epoch as it stood at an instant, with the same transitions
 * the aggregate uses, so that an audit reads history exactly as the ledger lived it. An event counts from the ledger
 * time it carries (when the claim was made, the heartbeat received, the release, expiry or supersession recorded).
 * Leases are taken as recorded, so that a history that breaks the invariants can still be read and reported. A run of
 * heartbeats kept as one event (a summary whose detail retention dropped) counts as a whole from its last heartbeat's
 * time: its reader must not ask for an instant within it.
 *
 * @throws IllegalStateException from {@link #stateAt} when a recorded event cannot be a claim at all (no lease)
 */
public final class ClaimTimeline {

    private ClaimTimeline() {
    }

    /**
     * @param events the consumer's event payloads in stream order
     * @return the epoch's state at {@code asOf}, or empty when it had not been claimed by then
     */
    public static Optional<ClaimState> stateAt(List<?> events, long epoch, Instant asOf) {
        ClaimTerm term = null;
        String tenantId = null;
        String consumerId = null;
        for (Object event : events) {
            Instant at = ledgerTime(event);
            if (at == null || at.isAfter(asOf)) {
                continue;
            }
            if (event instanceof ClaimMaterialized materialized && materialized.epoch() == epoch) {
                term = ClaimTerm.materialized(materialized);
                tenantId = materialized.tenantId();
                consumerId = materialized.consumerId();
            } else if (term == null) {
                continue;
            } else if (event instanceof HeartbeatReceived heartbeat && heartbeat.epoch() == epoch) {
                term = term.heartbeatAsRecorded(heartbeat.receivedAt(), heartbeat.leaseExpiresAt());
            } else if (event instanceof HeartbeatsCompacted run && run.epoch() == epoch) {
                term = term.heartbeatsAsRecorded(run.count(), run.lastReceivedAt(), run.leaseExpiresAt());
            } else if (event instanceof ClaimReleased released && released.epoch() == epoch) {
                term = term.released(released.releasedAt(), released.ackedStreams());
            } else if (event instanceof ClaimLeaseExpired expired && expired.epoch() == epoch) {
                term = term.ended(ClaimStatus.EXPIRED, expired.expiredAt());
            } else if (event instanceof ClaimSuperseded superseded && superseded.epoch() == epoch) {
                term = term.ended(ClaimStatus.SUPERSEDED, superseded.supersededAt());
            }
        }
        return term == null ? Optional.empty() : Optional.of(term.toState(tenantId, consumerId));
    }

    /** The ledger time an event carries, or null for a payload that is not a claim event. */
    public static Instant ledgerTime(Object event) {
        if (event instanceof ClaimMaterialized e) {
            return e.claimedAt();
        } else if (event instanceof HeartbeatReceived e) {
            return e.receivedAt();
        } else if (event instanceof HeartbeatsCompacted e) {
            return e.lastReceivedAt();
        } else if (event instanceof ClaimReleased e) {
            return e.releasedAt();
        } else if (event instanceof ClaimLeaseExpired e) {
            return e.expiredAt();
        } else if (event instanceof ClaimSuperseded e) {
            return e.supersededAt();
        }
        return null;
    }
}
