package dev.claimsledger.core;

import org.axonframework.eventsourcing.EventSourcingRepository;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.HandlerDefinition;
import org.axonframework.messaging.annotation.ParameterResolverFactory;
import org.axonframework.modelling.command.Repository;

/**
 * Builds the repository of the {@code Claim} aggregate, which the application registers under
 * {@link CoreBeanNames#CLAIM_REPOSITORY}.
 */
public final class ClaimRepository {

    private ClaimRepository() {
    }

    /**
     * @param parameterResolverFactory resolves the handlers' parameters (the clock, the deadline manager, the chain)
     * @param cacheCapacity            how many consumers' streams to keep in memory, each checked against the store
     *                                 before use; 0 loads every stream from the store
     */
    public static Repository<?> create(EventStore eventStore, ParameterResolverFactory parameterResolverFactory,
                                       HandlerDefinition handlerDefinition,
                                       SnapshotTriggerDefinition snapshotTriggerDefinition, int cacheCapacity) {
        return of(eventStore, parameterResolverFactory, handlerDefinition, snapshotTriggerDefinition, cacheCapacity);
    }

    static Repository<Claim> of(EventStore eventStore, ParameterResolverFactory parameterResolverFactory,
                                HandlerDefinition handlerDefinition, SnapshotTriggerDefinition snapshotTriggerDefinition,
                                int cacheCapacity) {
        if (cacheCapacity < 0) {
            throw new IllegalArgumentException("the aggregate cache capacity cannot be negative, was " + cacheCapacity);
        }
        EventSourcingRepository.Builder<Claim> builder = EventSourcingRepository.builder(Claim.class)
                .eventStore(eventStore)
                .parameterResolverFactory(parameterResolverFactory)
                .handlerDefinition(handlerDefinition)
                .snapshotTriggerDefinition(snapshotTriggerDefinition);
        return cacheCapacity == 0 ? builder.build() : new CheckedCachingRepository<>(builder, eventStore, cacheCapacity);
    }
}
