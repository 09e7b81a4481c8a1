package dev.claimsledger.server;

import dev.claimsledger.core.ClaimRepository;
import dev.claimsledger.core.CoreBeanNames;
import dev.claimsledger.core.EventChain;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.core.LeaseDeadlines;
import dev.claimsledger.core.LeaseLimits;
import dev.claimsledger.core.LeaseWriter;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.HandlerDefinition;
import org.axonframework.messaging.annotation.ParameterResolverFactory;
import org.axonframework.modelling.command.Repository;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.SmartLifecycle;

/**
 * The resources the Claim aggregate's handlers take (the ledger clock, the lease limits and the event chain) and its
 * repository.
 */
@Configuration(proxyBeanMethods = false)
class ClaimsCoreConfiguration {

    /** How many callers' heartbeats (a single one or a batch each) may wait to be stored before more are refused. */
    static final int WAITING_CALLERS = 10_000;

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

    /**
     * The lease watchdogs, in the table {@code lease_deadlines}; also Axon's deadline manager, so that the aggregate
     * arms and cancels them in the transaction of its events.
     */
    @Bean
    LeaseDeadlines deadlineManager(DataSource dataSource) {
        return new LeaseDeadlines(dataSource);
    }

    /**
     * Heartbeats and expiries, decided as the aggregate decides and stored in groups; keeps as many streams as the
     * aggregate cache, and looks for due watchdogs every {@code claims.deadlines.polling-interval}.
     */
    @Bean(destroyMethod = "close")
    LeaseWriter leaseWriter(EventStore eventStore, DataSource dataSource, ObjectMapper ledgerObjectMapper,
                            LeaseDeadlines deadlines, TransactionManager transactionManager, EventChain eventChain,
                            Clock ledgerClock, Snapshotter snapshotter, ClaimsProperties properties) {
        return new LeaseWriter(eventStore, dataSource, ledgerObjectMapper, deadlines, transactionManager, eventChain,
                ledgerClock, snapshotter, new LeaseWriter.Settings(properties.aggregateCache().capacity(),
                WAITING_CALLERS, properties.snapshot().threshold(), properties.deadlines().pollingInterval()));
    }

    /** Starts the lease writer once every bean is ready (the schema migrated), before the HTTP server opens. */
    @Bean
    SmartLifecycle leaseWriterStart(LeaseWriter leaseWriter) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                leaseWriter.start();
                running = true;
            }

            @Override
            public void stop() {
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

    @Bean
    LeaseLimits leaseLimits(ClaimsProperties properties) {
        return new LeaseLimits(properties.lease().minTtl(), properties.lease().maxTtl());
    }
}
