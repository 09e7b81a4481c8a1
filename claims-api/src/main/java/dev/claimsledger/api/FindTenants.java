package dev.claimsledger.api;

/**
 * Find a page of the tenants that have claims in the read model, ordered by id; answered with a {@link TenantPage}.
 *
 * @param cursor the {@link TenantPage#nextCursor()} of the previous page, or null for the first page
 */
public record FindTenants(int limit, String cursor) {
}
