package dev.claimsledger.api;

import java.util.List;

/**
 * The claims a runner holds right now, as the read model knows them.
 */
public record RunnerHealth(String runnerId, int activeCount, List<ClaimState> active) {

    public RunnerHealth {
        active = List.copyOf(active);
    }
}
