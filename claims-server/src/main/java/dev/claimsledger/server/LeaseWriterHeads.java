package dev.claimsledger.server;

import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.core.LeaseWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.stereotype.Component;

/**
 * Keeps the {@link LeaseWriter}'s stream heads in step with what this node's command bus stores: once a claim or a
 * release has committed, the writer's head of that stream moves on with it, so the first heartbeat after a claim is
 * decided without reading the stream from the store. The event store hands its subscribers the events before they
 * commit, so they are handed over only after the outermost unit of work has committed; one that rolls back hands over
 * nothing. The writer's own units of work are passed over: it moves its heads itself. It subscribes to the event store
 * itself, not through a subscribing event processor (see {@link ClaimsMetrics}).
 */
@Component
class LeaseWriterHeads {

    private static final String PENDING = LeaseWriterHeads.class.getName() + ".pending";

    private final LeaseWriter leaseWriter;

    LeaseWriterHeads(LeaseWriter leaseWriter, EventStore eventStore) {
        this.leaseWriter = leaseWriter;
        eventStore.subscribe(this::publishing);
    }

    private void publishing(List<? extends EventMessage<?>> events) {
        if (!CurrentUnitOfWork.isStarted() || LeaseWriter.isWriting(CurrentUnitOfWork.get())) {
            return;
        }
        UnitOfWork<?> root = CurrentUnitOfWork.get().root();
        Map<String, List<DomainEventMessage<?>>> pending = null;
        for (EventMessage<?> event : events) {
            if (event instanceof DomainEventMessage<?> message && message.getPayload() instanceof ClaimEvent) {
                if (pending == null) {
                    pending = root.getOrComputeResource(PENDING, key -> {
                        Map<String, List<DomainEventMessage<?>>> byStream = new LinkedHashMap<>();
                        root.afterCommit(unitOfWork -> byStream.forEach(leaseWriter::committed));
                        return byStream;
                    });
                }
                pending.computeIfAbsent(message.getAggregateIdentifier(), stream -> new ArrayList<>()).add(message);
            }
        }
    }
}
