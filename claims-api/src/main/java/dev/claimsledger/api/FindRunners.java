package dev.claimsledger.api;

/**
 * Find a page of the runners that hold active claims of a tenant, ordered by runner id; answered with a
 * {@link RunnerPage}. Claims without a runner are not counted.
 *
 * @param cursor the {@link RunnerPage#nextCursor()} of the previous page, or null for the first page
 */
public record FindRunners(String tenantId, int limit, String cursor) {
}
