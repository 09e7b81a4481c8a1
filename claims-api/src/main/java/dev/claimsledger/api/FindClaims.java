package dev.claimsledger.api;

/**
 * Find a page of a tenant's claims, ordered by consumer and epoch; answered with a {@link ClaimPage}. Every filter is
 * optional.
 *
 * @param consumerId only the epochs of this consumer (an exact match)
 * @param cursor     the {@link ClaimPage#nextCursor()} of the previous page, or null for the first page
 */
public record FindClaims(String tenantId, ClaimStatus status, String runnerId, String entityUrl, String consumerId,
                         int limit, String cursor) {

    /** Without the consumer filter. */
    public FindClaims(String tenantId, ClaimStatus status, String runnerId, String entityUrl, int limit,
                      String cursor) {
        this(tenantId, status, runnerId, entityUrl, null, limit, cursor);
    }
}
