package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * A page of claims; {@code next_cursor} is null on the last page.
 */
@Schema(name = "ClaimPage")
record ClaimPageJson(@JsonProperty("claims") List<ClaimJson> claims,
                     @Schema(nullable = true, description = "The cursor of the next page; null on the last page")
                     @JsonProperty("next_cursor") String nextCursor) {
}
