package dev.claimsledger.api;

import java.time.Instant;

/**
 * The still-active epoch was ended at {@code supersededAt} because {@code supersededByEpoch} was claimed.
 */
public record ClaimSuperseded(String tenantId, String consumerId, long epoch, long supersededByEpoch,
                              Instant supersededAt, Instant leaseExpiresAt) implements ClaimEvent {
}
