package dev.claimsledger.server;

import dev.claimsledger.projection.ConsumerClaimsProjection;
import java.util.OptionalLong;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.stereotype.Component;

/**
 * How far the {@code consumer_claims} read model is behind the event store: the gauge
 * {@code claims_projection_lag_events} and {@code GET /v1/projections/consumer-claims}.
 */
@Component
public class ProjectionLag {

    private final EventStore eventStore;
    private final EventProcessingConfiguration processing;

    ProjectionLag(EventStore eventStore, EventProcessingConfiguration processing) {
        this.eventStore = eventStore;
        this.processing = processing;
    }

    /** Event store positions not yet applied by the slowest segment; empty when this node runs no such processor. */
    public OptionalLong events() {
        StreamingEventProcessor processor = processing
                .eventProcessor(ConsumerClaimsProjection.PROCESSING_GROUP, StreamingEventProcessor.class)
                .orElse(null);
        if (processor == null) {
            return OptionalLong.empty();
        }
        TrackingToken headToken = eventStore.createHeadToken();
        OptionalLong head = headToken == null ? OptionalLong.empty() : headToken.position();
        long behind = processor.processingStatus().values().stream()
                .map(EventTrackerStatus::getTrackingToken)
                .mapToLong(token -> head.orElse(0) - position(token))
                .max()
                .orElse(head.orElse(0));
        return OptionalLong.of(Math.max(0, behind));
    }

    private static long position(TrackingToken token) {
        return token == null ? -1 : token.position().orElse(-1);
    }
}
