package dev.claimsledger.api;

import java.time.Instant;

/**
 * The epoch's lease ran out at {@code leaseExpiresAt} with neither a renewing heartbeat nor a release; the ledger
 * recorded that at {@code expiredAt}, which is never before {@code leaseExpiresAt}.
 */
public record ClaimLeaseExpired(String tenantId, String consumerId, long epoch, Instant expiredAt,
                                Instant leaseExpiresAt) implements ClaimEvent {
}
