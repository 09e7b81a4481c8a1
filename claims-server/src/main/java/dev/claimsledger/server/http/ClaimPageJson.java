package dev.claimsledger.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A page of claims; {@code next_cursor} is null on the last page.
 */
record ClaimPageJson(@JsonProperty("claims") List<ClaimJson> claims,
                     @JsonProperty("next_cursor") String nextCursor) {
}
