package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.Serializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * How {@link OneRoundTripEventStorageEngine} appends on PostgreSQL: outside a transaction without a commit of its own
 * (the batch commits as PostgreSQL's implicit transaction), whole or not at all; inside a transaction as part of it.
 * The engines here use the ledger's serializer, schema and key-violation resolver over a data source that counts the
 * transactions the engine opens and commits itself.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OneRoundTripEventStorageEngineOnPostgresTest {

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private ConfigurableApplicationContext ledger;
    private TransactionCountingDataSource dataSource;
    private TransactionManager transactions;

    @BeforeAll
    void start() {
        ledger = Ledger.start(database);
        dataSource = new TransactionCountingDataSource(ledger.getBean(DataSource.class));
        transactions = new SpringTransactionManager(new DataSourceTransactionManager(dataSource));
    }

    @AfterAll
    void stop() {
        ledger.close();
    }

    @BeforeEach
    void countAfresh() {
        dataSource.reset();
    }

    /**
     * The engine the ledger builds on PostgreSQL appends without a transaction of its own; the one it builds on H2,
     * where a batch in autocommit mode is not one transaction, opens one as Axon's engine does.
     */
    @ParameterizedTest(name = "one round trip: {0}")
    @CsvSource({"true, 0", "false, 1"})
    void inAUnitOfWorkWithoutATransactionTheBatchIsStoredInATransactionOfTheEnginesOwnOnlyWhereItMustBe(
            boolean oneRoundTrip, int transactionsOfItsOwn) throws SQLException {
        JdbcEventStorageEngine engine = engine(oneRoundTrip);
        String stream = stream();

        // when a unit of work without a transaction appends three events, as the lease writer does
        inUnitOfWork(() -> engine.appendEvents(events(stream, 0, 3)));

        // then they are stored, in as many transactions begun and committed by hand as the database needs
        assertThat(storedSequences(stream)).containsExactly(0L, 1L, 2L);
        assertThat(dataSource.transactionsBegun()).isEqualTo(transactionsOfItsOwn);
        assertThat(dataSource.commits()).isEqualTo(transactionsOfItsOwn);
    }

    @Test
    void aBatchWithATakenStreamSequenceIsRefusedWholeAsALostRace() throws SQLException {
        // given a stream whose first event is stored
        JdbcEventStorageEngine engine = engine(true);
        String taken = stream();
        String other = stream();
        engine.appendEvents(events(taken, 0, 1));

        // when a batch appends another stream's events around a second event at the taken sequence number (not at
        // sequence 0 first, which Axon reports as a stream created twice)
        List<DomainEventMessage<?>> batch = new ArrayList<>(events(other, 1, 2));
        batch.add(1, events(taken, 0, 1).get(0));

        // then the whole batch is refused as Axon refuses a lost race, and none of it is stored
        assertThatThrownBy(() -> engine.appendEvents(batch)).isInstanceOf(ConcurrencyException.class);
        assertThat(storedSequences(other)).isEmpty();
        assertThat(storedSequences(taken)).containsExactly(0L);
        assertThat(dataSource.commits()).isZero();
    }

    @Test
    void insideATransactionTheBatchIsPartOfItAndRolledBackWithIt() throws SQLException {
        JdbcEventStorageEngine engine = engine(true);
        String stream = stream();

        Transaction transaction = transactions.startTransaction();
        engine.appendEvents(events(stream, 0, 2));
        transaction.rollback();

        assertThat(storedSequences(stream)).isEmpty();
    }

    /** Axon writes a timestamp with milliseconds, cut, not rounded; the engine writes it without Axon's formatter. */
    @Test
    void timestampsAreStoredInTheTextAxonStoresThem() throws SQLException {
        JdbcEventStorageEngine engine = engine(true);
        String stream = stream();
        List<Instant> times = List.of(Instant.parse("2026-12-04T23:30:00Z"), Instant.parse("2026-12-04T23:30:01.5Z"),
                Instant.parse("2026-12-04T23:30:02.123999999Z"), Instant.parse("1969-12-31T23:59:59.000001Z"));
        List<DomainEventMessage<?>> events = new ArrayList<>();
        for (int sequence = 0; sequence < times.size(); sequence++) {
            events.add(new GenericDomainEventMessage<>("Claim", stream, sequence,
                    new GenericMessage<>("event " + sequence), times.get(sequence)));
        }

        engine.appendEvents(events);

        assertThat(storedColumn(stream, "time_stamp")).containsExactly("2026-12-04T23:30:00.000Z",
                "2026-12-04T23:30:01.500Z", "2026-12-04T23:30:02.123Z", "1969-12-31T23:59:59.000Z");
        assertThat(storedColumn(stream, "time_stamp"))
                .isEqualTo(times.stream().map(DateTimeUtils::formatInstant).toList());
    }

    private JdbcEventStorageEngine engine(boolean oneRoundTrip) {
        Serializer serializer = ledger.getBean(Serializer.class);
        return new OneRoundTripEventStorageEngine(JdbcEventStorageEngine.builder()
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .persistenceExceptionResolver(ledger.getBean(PersistenceExceptionResolver.class))
                .connectionProvider(new UnitOfWorkAwareConnectionProviderWrapper(
                        new SpringDataSourceConnectionProvider(dataSource)))
                .transactionManager(transactions)
                .schema(ledger.getBean(EventSchema.class)), oneRoundTrip);
    }

    private static void inUnitOfWork(Runnable work) {
        UnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(GenericMessage.asMessage("append"));
        unitOfWork.execute(work);
    }

    private static String stream() {
        return "one-round-trip-" + System.nanoTime();
    }

    private static List<DomainEventMessage<?>> events(String stream, long firstSequence, int count) {
        List<DomainEventMessage<?>> events = new ArrayList<>();
        for (long sequence = firstSequence; sequence < firstSequence + count; sequence++) {
            events.add(new GenericDomainEventMessage<>("Claim", stream, sequence, "event " + sequence));
        }
        return events;
    }

    private List<String> storedColumn(String stream, String column) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement query = connection.prepareStatement("SELECT " + column + " FROM domain_event_entry"
                     + " WHERE aggregate_identifier = ? ORDER BY sequence_number")) {
            query.setString(1, stream);
            List<String> values = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        }
    }

    private List<Long> storedSequences(String stream) throws SQLException {
        return storedColumn(stream, "sequence_number").stream().map(Long::valueOf).toList();
    }

    /** Counts the connections taken out of autocommit mode, and the commits called on them. */
    private static final class TransactionCountingDataSource extends DelegatingDataSource {

        private final AtomicInteger transactionsBegun = new AtomicInteger();
        private final AtomicInteger commits = new AtomicInteger();

        TransactionCountingDataSource(DataSource target) {
            super(target);
        }

        void reset() {
            transactionsBegun.set(0);
            commits.set(0);
        }

        int transactionsBegun() {
            return transactionsBegun.get();
        }

        int commits() {
            return commits.get();
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = super.getConnection();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                    (self, method, arguments) -> {
                        if (method.getName().equals("setAutoCommit") && Boolean.FALSE.equals(arguments[0])) {
                            transactionsBegun.incrementAndGet();
                        } else if (method.getName().equals("commit")) {
                            commits.incrementAndGet();
                        }
                        try {
                            return method.invoke(connection, arguments);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
