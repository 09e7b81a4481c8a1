package dev.claimsledger.server;

import dev.claimsledger.core.ClaimRepository;
import dev.claimsledger.core.CoreBeanNames;
import dev.claimsledger.core.EventChain;
import dev.claimsledger.core.LeaseLimits;
import java.time.Clock;
import java.time.Duration;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.HandlerDefinition;
import org.axonframework.messaging.annotation.ParameterResolverFactory;
import org.axonframework.modelling.command.Repository;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The resources the Claim aggregate's handlers take (the ledger clock, the lease limits and the event chain) and its
 * repository.
 */
@Configuration(proxyBeanMethods = false)
class ClaimsCoreConfiguration {

    /** Ticks in microseconds, the precision PostgreSQL keeps, so a time reads the same from events and rows. */
    @Bean
    Clock ledgerClock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
    }

    /** Hashes with the event serializer, so the chain covers exactly the bytes stored. */
    @Bean
    EventChain eventChain(@Qualifier("eventSerializer") Serializer eventSerializer) {
        return new EventChain(eventSerializer);
    }

    /**
     * The Claim aggregate's repository, with a cache of recently used streams whose every hit is checked against the
     * store's last sequence number, so that it is safe with several nodes.
     */
    @Bean(CoreBeanNames.CLAIM_REPOSITORY)
    Repository<?> claimRepository(EventStore eventStore, ParameterResolverFactory parameterResolverFactory,
                                  HandlerDefinition handlerDefinition,
                                  @Qualifier(CoreBeanNames.SNAPSHOT_TRIGGER) SnapshotTriggerDefinition snapshotTrigger,
                                  ClaimsProperties properties) {
        return ClaimRepository.create(eventStore, parameterResolverFactory, handlerDefinition, snapshotTrigger,
                properties.aggregateCache().capacity());
    }

    @Bean
    LeaseLimits leaseLimits(ClaimsProperties properties) {
        return new LeaseLimits(properties.lease().minTtl(), properties.lease().maxTtl());
    }
}
