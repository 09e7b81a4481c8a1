package dev.claimsledger.api;

/**
 * Find the active claims held by one runner; answered with a {@link RunnerHealth}.
 */
public record FindRunnerHealth(String tenantId, String runnerId) {
}
