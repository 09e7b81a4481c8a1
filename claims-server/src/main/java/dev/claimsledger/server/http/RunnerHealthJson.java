package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The claims one runner holds.
 */
record RunnerHealthJson(@JsonProperty("runner_id") String runnerId, @JsonProperty("claims") Claims claims) {

    record Claims(@JsonProperty("active_count") int activeCount, @JsonProperty("active") List<ClaimJson> active) {
    }
}
