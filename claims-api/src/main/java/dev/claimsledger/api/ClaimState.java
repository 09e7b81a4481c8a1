package dev.claimsledger.api;

import java.time.Instant;
import java.util.List;

/**
 * A claim as the ledger decided it: what a command answers, so that a caller always sees its own write.
 *
 * @param endReason {@code released}, {@code expired} or {@code superseded}; null while active
 * @param updatedAt the ledger time of the last event of this epoch
 */
public record ClaimState(String tenantId, String consumerId, long epoch, String entityUrl, String streamPath,
                         String wakeId, String runnerId, ClaimStatus status, Instant claimedAt,
                         Instant lastHeartbeatAt, Instant leaseExpiresAt, long leaseTtlMs, LeasePolicy leasePolicy,
                         Instant releasedAt, Instant endedAt, String endReason, List<AckedStream> ackedStreams,
                         long heartbeatCount, Instant updatedAt) {

    public ClaimState {
        ackedStreams = ackedStreams == null ? List.of() : List.copyOf(ackedStreams);
    }
}
