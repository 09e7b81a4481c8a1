package dev.claimsledger.api;

/**
 * Find a page of a tenant's claims, ordered by consumer and epoch; answered with a {@link ClaimPage}. Every filter is
 * optional.
 *
 * @param cursor the {@link ClaimPage#nextCursor()} of the previous page, or null for the first page
 */
public record FindClaims(String tenantId, ClaimStatus status, String runnerId, String entityUrl, int limit,
                         String cursor) {
}
