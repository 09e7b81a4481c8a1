package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The claims one runner holds.
 */
@Schema(name = "RunnerHealth")
record RunnerHealthJson(@JsonProperty("runner_id") String runnerId, @JsonProperty("claims") Claims claims) {

    @Schema(name = "RunnerClaims")
    record Claims(@JsonProperty("active_count") int activeCount, @JsonProperty("active") List<ClaimJson> active) {
    }
}
