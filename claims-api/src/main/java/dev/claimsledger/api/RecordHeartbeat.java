package dev.claimsledger.api;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Record that the worker holding {@code epoch} is alive.
 *
 * @param reportedAt optional: the worker's own clock. Recorded for audits, never used for lease arithmetic.
 */
public record RecordHeartbeat(String tenantId, String consumerId, long epoch, Instant reportedAt) {

    @TargetAggregateIdentifier
    public String streamId() {
        return ConsumerRef.streamId(tenantId, consumerId);
    }
}
