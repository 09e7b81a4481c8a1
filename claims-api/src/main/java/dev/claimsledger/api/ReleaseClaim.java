package dev.claimsledger.api;

import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * End the claim of {@code epoch} because the worker is done.
 *
 * @param ackedStreams optional: the stream positions the worker reached
 */
public record ReleaseClaim(String tenantId, String consumerId, long epoch, List<AckedStream> ackedStreams) {

    public ReleaseClaim {
        ackedStreams = ackedStreams == null ? List.of() : List.copyOf(ackedStreams);
    }

    @TargetAggregateIdentifier
    public String streamId() {
        return ConsumerRef.streamId(tenantId, consumerId);
    }
}
