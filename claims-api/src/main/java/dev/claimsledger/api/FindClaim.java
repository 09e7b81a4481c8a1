package dev.claimsledger.api;

/**
 * Find one claim in the read model; answered with an {@code Optional<ClaimState>}.
 */
public record FindClaim(String tenantId, String consumerId, long epoch) {
}
