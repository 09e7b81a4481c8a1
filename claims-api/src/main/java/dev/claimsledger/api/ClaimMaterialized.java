package dev.claimsledger.api;

import java.time.Instant;

/**
 * A claim was made: the epoch became the consumer's current one, with a lease ending at {@code leaseExpiresAt}.
 */
public record ClaimMaterialized(String tenantId, String consumerId, long epoch, String entityUrl, String streamPath,
                                String wakeId, String runnerId, long leaseTtlMs, LeasePolicy leasePolicy,
                                Instant claimedAt, Instant leaseExpiresAt) implements ClaimEvent {
}
