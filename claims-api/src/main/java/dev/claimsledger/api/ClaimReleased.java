package dev.claimsledger.api;

import java.time.Instant;
import java.util.List;

/**
 * The worker finished and released the epoch before its lease ran out.
 */
public record ClaimReleased(String tenantId, String consumerId, long epoch, Instant releasedAt,
                            List<AckedStream> ackedStreams, Instant leaseExpiresAt) implements ClaimEvent {

    public ClaimReleased {
        ackedStreams = ackedStreams == null ? List.of() : List.copyOf(ackedStreams);
    }
}
