package dev.claimsledger.api;

import java.util.List;

/**
 * One page of runners, and the cursor of the next page (null on the last page).
 */
public record RunnerPage(List<RunnerSummary> runners, String nextCursor) {

    public RunnerPage {
        runners = List.copyOf(runners);
    }
}
