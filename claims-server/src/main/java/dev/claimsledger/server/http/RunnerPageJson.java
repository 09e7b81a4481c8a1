package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.RunnerPage;
import dev.claimsledger.api.RunnerSummary;
import java.time.Instant;
import java.util.List;

/**
 * A page of runners; {@code next_cursor} is null on the last page.
 */
record RunnerPageJson(@JsonProperty("runners") List<RunnerJson> runners,
                      @JsonProperty("next_cursor") String nextCursor) {

    static RunnerPageJson of(RunnerPage page) {
        return new RunnerPageJson(page.runners().stream().map(RunnerJson::of).toList(), page.nextCursor());
    }

    /**
     * @param clockSkew null when no active claim's last heartbeat reported a time
     */
    record RunnerJson(@JsonProperty("runner_id") String runnerId,
                      @JsonProperty("active_count") long activeCount,
                      @JsonProperty("last_heartbeat_at") Instant lastHeartbeatAt,
                      @JsonProperty("clock_skew") SkewJson clockSkew) {

        static RunnerJson of(RunnerSummary runner) {
            return new RunnerJson(runner.runnerId(), runner.activeCount(), runner.lastHeartbeatAt(),
                    runner.skewSamples() == 0 ? null : new SkewJson(runner.skewSamples(), runner.skewMinMs(),
                            runner.skewMaxMs(), runner.skewMeanMs()));
        }
    }

    /**
     * The worker's reported time minus the ledger's receiving time at the last heartbeat of each active claim.
     *
     * @param samples how many active claims had a reported time on their last heartbeat
     */
    record SkewJson(@JsonProperty("samples") long samples,
                    @JsonProperty("min_ms") long minMs,
                    @JsonProperty("max_ms") long maxMs,
                    @JsonProperty("mean_ms") long meanMs) {
    }
}
