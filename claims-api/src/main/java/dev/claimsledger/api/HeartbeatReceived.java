package dev.claimsledger.api;

import java.time.Instant;

/**
 * The worker holding the epoch was alive at {@code receivedAt} (ledger time). {@code leaseExpiresAt} is the lease
 * after this heartbeat: unchanged under {@link LeasePolicy#FIXED}, renewed under {@link LeasePolicy#RENEW_ON_HEARTBEAT}.
 *
 * @param reportedAt the worker's own clock, if it sent one; never trusted
 */
public record HeartbeatReceived(String tenantId, String consumerId, long epoch, Instant receivedAt,
                                Instant reportedAt, Instant leaseExpiresAt) implements ClaimEvent {
}
