package dev.claimsledger.server;

import dev.claimsledger.core.ClaimRepository;
import dev.claimsledger.core.CoreBeanNames;
import dev.claimsledger.core.EventChain;
import dev.claimsledger.core.LeaseLimits;
import dev.claimsledger.core.LeaseWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

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

    /** Heartbeats, decided as the aggregate decides and stored in groups; keeps as many streams as the cache. */
    @Bean(destroyMethod = "close")
    LeaseWriter leaseWriter(EventStore eventStore, JdbcTemplate jdbc, TransactionManager transactionManager,
                            EventChain eventChain, Clock ledgerClock, Snapshotter snapshotter,
                            ClaimsProperties properties) {
        return new LeaseWriter(eventStore, streams -> lastSequences(jdbc, streams), transactionManager, eventChain,
                ledgerClock, snapshotter, properties.snapshot().threshold(), properties.aggregateCache().capacity(),
                WAITING_CALLERS);
    }

    /** The last stored sequence number of each stream, read in one query per thousand streams. */
    static Map<String, Long> lastSequences(JdbcTemplate jdbc, Collection<String> streams) {
        Map<String, Long> last = new HashMap<>();
        List<String> all = List.copyOf(streams);
        for (int from = 0; from < all.size(); from += 1000) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 1000));
            String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
            jdbc.query("SELECT aggregate_identifier, MAX(sequence_number) FROM domain_event_entry"
                    + " WHERE aggregate_identifier IN (" + marks + ") GROUP BY aggregate_identifier",
                    (RowCallbackHandler) row -> last.put(row.getString(1), row.getLong(2)), chunk.toArray());
        }
        return last;
    }

    @Bean
    LeaseLimits leaseLimits(ClaimsProperties properties) {
        return new LeaseLimits(properties.lease().minTtl(), properties.lease().maxTtl());
    }
}
