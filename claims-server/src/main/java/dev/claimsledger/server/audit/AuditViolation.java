package dev.claimsledger.server.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * One broken rule, and where: the claim and the event's global position (null where the rule is about a row of the
 * read model rather than an event).
 */
public record AuditViolation(@JsonProperty("rule") String rule,
                             @JsonProperty("tenant_id") String tenantId,
                             @JsonProperty("consumer_id") String consumerId,
                             @Schema(nullable = true) @JsonProperty("epoch") Long epoch,
                             @Schema(nullable = true) @JsonProperty("position") Long position,
                             @Schema(nullable = true) @JsonProperty("sequence") Long sequence,
                             @JsonProperty("detail") String detail) {

    @Override
    public String toString() {
        return rule + " tenant=" + tenantId + " consumer=" + consumerId + " epoch=" + epoch + " position=" + position
                + " sequence=" + sequence + ": " + detail;
    }
}
