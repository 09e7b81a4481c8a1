package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claimsledger.api.RunnerPage;
import dev.claimsledger.api.RunnerSummary;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/**
 * A page of runners; {@code next_cursor} is null on the last page.
 */
@Schema(name = "RunnerPage")
record RunnerPageJson(@JsonProperty("runners") List<RunnerJson> runners,
                      @Schema(nullable = true, description = "The cursor of the next page; null on the last page")
                      @JsonProperty("next_cursor") String nextCursor) {

    static RunnerPageJson of(RunnerPage page) {
        return new RunnerPageJson(page.runners().stream().map(RunnerJson::of).toList(), page.nextCursor());
    }

    /**
     * @param clockSkew null when no active claim's last heartbeat reported a time
     */
    @Schema(name = "Runner")
    record RunnerJson(@JsonProperty("runner_id") String runnerId,
                      @JsonProperty("active_count") long activeCount,
                      @Schema(nullable = true, description = "The latest heartbeat of its active claims; null before "
                              + "any") @JsonProperty("last_heartbeat_at") Instant lastHeartbeatAt,
                      @Schema(nullable = true, description = "Null when no active claim's last heartbeat reported a "
                              + "time") @JsonProperty("clock_skew") SkewJson clockSkew) {

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
    @Schema(name = "ClockSkew")
    record SkewJson(@JsonProperty("samples") long samples,
                    @JsonProperty("min_ms") long minMs,
                    @JsonProperty("max_ms") long maxMs,
                    @JsonProperty("mean_ms") long meanMs) {
    }
}
