package dev.claimsledger.server.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What an audit found.
 *
 * @param claims           claim epochs seen in the events
 * @param events           events read
 * @param rowsLagging      read-model rows not yet caught up with their events (not a violation: the projection
 *                         follows the events a moment behind)
 * @param violations       every broken rule, in the order found
 */
public record AuditReport(@JsonProperty("clean") boolean clean,
                          @JsonProperty("claims") long claims,
                          @JsonProperty("events") long events,
                          @JsonProperty("rows_lagging") long rowsLagging,
                          @JsonProperty("violation_count") int violationCount,
                          @JsonProperty("violations") List<AuditViolation> violations) {

    public static AuditReport of(long claims, long events, long rowsLagging, List<AuditViolation> violations) {
        return new AuditReport(violations.isEmpty(), claims, events, rowsLagging, violations.size(),
                List.copyOf(violations));
    }
}
