package dev.claimsledger.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.core.CoreBeanNames;
import dev.claimsledger.core.LedgerObjectMapper;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Duration;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventhandling.EventBusSpanFactory;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * How Axon stores things: one Jackson 2 serializer for everything (XStream cannot read records, and Axon's Jackson 3
 * serializer cannot read a ReplayToken), snake_case JDBC tables created by Flyway, transactions, and snapshots.
 */
@Configuration(proxyBeanMethods = false)
class AxonStorageConfiguration {

    private static final String UNIQUE_VIOLATION = "23505";
    static final Duration TOKEN_CLAIM_TIMEOUT = Duration.ofSeconds(10);

    @Bean
    ObjectMapper ledgerObjectMapper() {
        return LedgerObjectMapper.create();
    }

    @Bean
    @Primary
    Serializer serializer(ObjectMapper ledgerObjectMapper) {
        return JacksonSerializer.builder().objectMapper(ledgerObjectMapper).build();
    }

    @Bean
    @Qualifier("eventSerializer")
    Serializer eventSerializer(Serializer serializer) {
        return serializer;
    }

    @Bean
    @Qualifier("messageSerializer")
    Serializer messageSerializer(Serializer serializer) {
        return serializer;
    }

    @Bean
    EventSchema eventSchema() {
        return EventSchema.builder()
                .eventTable("domain_event_entry")
                .snapshotTable("snapshot_event_entry")
                .globalIndexColumn("global_index")
                .timestampColumn("time_stamp")
                .eventIdentifierColumn("event_identifier")
                .aggregateIdentifierColumn("aggregate_identifier")
                .sequenceNumberColumn("sequence_number")
                .typeColumn("type")
                .payloadTypeColumn("payload_type")
                .payloadRevisionColumn("payload_revision")
                .payloadColumn("payload")
                .metaDataColumn("meta_data")
                .build();
    }

    /**
     * Axon's JDBC storage engine as its auto-configuration builds it, except that a tracking processor reads
     * {@code claims.event-store.fetch-batch-size} events per query instead of 100 (a rebuild reads the whole store),
     * and the gap timeout is {@code claims.event-store.gap-timeout} instead of one minute. Reading an event whose
     * timestamp is older than the gap timeout, the engine forgets every missing position below it, even one whose
     * transaction is still committing: with one minute, an event stored a minute after it was decided (a stalled
     * commit, a history imported while the ledger runs) made every processor skip the events of transactions in
     * flight beside it, for good (InFlightEventsContract). On H2, the events after a position with gaps are read as
     * {@link GapReadOnH2} reads them. On PostgreSQL, events appended outside a transaction are stored and committed in
     * one round trip, and on both the rows the processors read cost less memory ({@link LedgerEventStorageEngine}).
     */
    @Bean
    EventStorageEngine eventStorageEngine(Serializer serializer, PersistenceExceptionResolver persistenceExceptionResolver,
                                          org.axonframework.config.Configuration configuration,
                                          ConnectionProvider connectionProvider, TransactionManager transactionManager,
                                          EventSchema eventSchema, ClaimsProperties properties, DataSource dataSource) {
        JdbcEventStorageEngine.Builder builder = JdbcEventStorageEngine.builder();
        String database = EmbeddedDatabaseMigrations.databaseProduct(dataSource);
        if ("H2".equals(database)) {
            builder.readEventDataWithGaps(new GapReadOnH2());
        }
        builder
                .snapshotSerializer(serializer)
                .eventSerializer(serializer)
                .upcasterChain(configuration.upcasterChain())
                .snapshotFilter(configuration.snapshotFilter())
                .persistenceExceptionResolver(persistenceExceptionResolver)
                .connectionProvider(connectionProvider)
                .transactionManager(transactionManager)
                .schema(eventSchema)
                .batchSize(properties.eventStore().fetchBatchSize());
        return new LedgerEventStorageEngine(builder, (int) properties.eventStore().gapTimeout().toMillis(),
                "PostgreSQL".equals(database));
    }

    /**
     * Axon's embedded event store as its auto-configuration builds it, except that its shared event reader looks for
     * this node's new events at most once per {@code claims.event-store.read-delay} instead of after every commit.
     */
    @Bean
    EmbeddedEventStore eventStore(EventStorageEngine eventStorageEngine,
                                  org.axonframework.config.Configuration configuration, ClaimsProperties properties) {
        return new CoalescingEventStore(EmbeddedEventStore.builder()
                .storageEngine(eventStorageEngine)
                .cachedEvents(properties.eventStore().cachedEvents())
                .messageMonitor(configuration.messageMonitor(EventStore.class, "eventStore"))
                .spanFactory(configuration.getComponent(EventBusSpanFactory.class)),
                properties.eventStore().readDelay());
    }

    /**
     * JDBC connections for Axon, taking part in Spring's transactions. Axon's JDBC auto-configuration would define it
     * (and the token store below) only when it happens to run after Spring Boot 4's data source configuration, which
     * it does not name; without them the read model's tokens would be kept in memory.
     */
    @Bean
    ConnectionProvider connectionProvider(DataSource dataSource) {
        return new UnitOfWorkAwareConnectionProviderWrapper(new SpringDataSourceConnectionProvider(dataSource));
    }

    /**
     * The event store as the tracking processors read it (their {@code source} in application.yml), lingering
     * {@code claims.event-store.processor-linger} while events trickle in.
     */
    @Bean
    LingeringEventSource lingeringEventSource(EventStore eventStore, ClaimsProperties properties) {
        return new LingeringEventSource(eventStore, properties.eventStore().processorLinger());
    }

    /** The event processors' positions, in {@code token_entry}; a node's claim on a segment lapses after 10 s. */
    @Bean
    TokenStore tokenStore(ConnectionProvider connectionProvider, Serializer serializer, TokenSchema tokenSchema) {
        return JdbcTokenStore.builder()
                .connectionProvider(connectionProvider)
                .schema(tokenSchema)
                .serializer(serializer)
                .claimTimeout(TOKEN_CLAIM_TIMEOUT)
                .build();
    }

    @Bean
    TokenSchema tokenSchema() {
        return TokenSchema.builder()
                .setTokenTable("token_entry")
                .setProcessorNameColumn("processor_name")
                .setSegmentColumn("segment")
                .setTokenColumn("token")
                .setTokenTypeColumn("token_type")
                .setTimestampColumn("time_stamp")
                .setOwnerColumn("owner")
                .build();
    }

    /**
     * Every command in one database transaction: its events, and the deadlines it schedules or cancels, commit
     * together or not at all. Axon's own auto-configuration would fall back to no transactions on Spring Boot 4,
     * where the JDBC transaction manager is configured after it looks.
     */
    @Bean
    TransactionManager axonTransactionManager(PlatformTransactionManager platformTransactionManager) {
        return new SpringTransactionManager(platformTransactionManager);
    }

    /**
     * Recognises a duplicate (stream, sequence) key by its SQL state, 23505, as PostgreSQL's driver reports it; Axon's
     * default looks only for SQLIntegrityConstraintViolationException, so a lost race on PostgreSQL was a plain
     * failure instead of a ConcurrencyException that the HTTP layer retries.
     */
    @Bean
    PersistenceExceptionResolver persistenceExceptionResolver() {
        return failure -> {
            for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
                if (cause instanceof SQLIntegrityConstraintViolationException
                        || cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                    return true;
                }
            }
            return false;
        };
    }

    @Bean(CoreBeanNames.SNAPSHOT_TRIGGER)
    SnapshotTriggerDefinition claimSnapshotTrigger(Snapshotter snapshotter, ClaimsProperties properties) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, properties.snapshot().threshold());
    }
}
