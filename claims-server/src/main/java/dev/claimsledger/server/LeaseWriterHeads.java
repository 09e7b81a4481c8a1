package dev.claimsledger.server;

import dev.claimsledger.api.ClaimEvent;
import dev.claimsledger.core.LeaseWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.stereotype.Component;

/**
 * Keeps the {@link LeaseWriter}'s stream heads in step with what this node's command bus stores: once a claim or a
 * release has committed, the writer's head of that stream moves on with it, so the first heartbeat after a claim is
 * decided without reading the stream from the store. A subscribing processor sees the events before they commit, so
 * they are handed over only after the outermost unit of work has committed; one that rolls back hands over nothing.
 */
@Component
@ProcessingGroup(LeaseWriterHeads.PROCESSING_GROUP)
class LeaseWriterHeads {

    static final String PROCESSING_GROUP = "lease-writer-heads";
    private static final String PENDING = LeaseWriterHeads.class.getName() + ".pending";

    private final LeaseWriter leaseWriter;

    LeaseWriterHeads(LeaseWriter leaseWriter) {
        this.leaseWriter = leaseWriter;
    }

    @EventHandler
    void on(ClaimEvent event, DomainEventMessage<?> message) {
        if (!CurrentUnitOfWork.isStarted()) {
            return;
        }
        UnitOfWork<?> root = CurrentUnitOfWork.get().root();
        Map<String, List<DomainEventMessage<?>>> pending = root.getOrComputeResource(PENDING, key -> {
            Map<String, List<DomainEventMessage<?>>> byStream = new LinkedHashMap<>();
            root.afterCommit(unitOfWork -> byStream.forEach(leaseWriter::committed));
            return byStream;
        });
        pending.computeIfAbsent(message.getAggregateIdentifier(), stream -> new ArrayList<>()).add(message);
    }
}
