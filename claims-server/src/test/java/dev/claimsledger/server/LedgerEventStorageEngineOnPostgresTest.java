package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
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
 * How {@link LedgerEventStorageEngine} appends on PostgreSQL: outside a transaction without a commit of its own (the
 * batch commits as PostgreSQL's implicit transaction), whole or not at all; inside a transaction as part of it. And
 * that it reads what Axon's engine reads. The engines here use the ledger's serializer, schema and key-violation
 * resolver over a data source that counts the transactions the engine opens and commits itself.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerEventStorageEngineOnPostgresTest {

    private static final int GAP_TIMEOUT_MILLIS = 60_000;

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

    /**
     * The processors read through the engine what Axon's engine reads: the same tokens, gaps included, and the same
     * messages, whatever form a row's timestamp is in (the ledger's, no fraction, nine digits, an offset), within the
     * gap timeout and beyond it, from the first row, after a position and after a position with a gap below it.
     */
    @Test
    void eventsAreReadAsAxonsEngineReadsThem() throws SQLException {
        // given rows of one stream at positions with gaps between them, in every form of timestamp Axon reads
        String stream = stream();
        long first = reservePositions(12);
        Instant now = Instant.now();
        List<String> timestamps = List.of(DateTimeUtils.formatInstant(now),
                now.truncatedTo(ChronoUnit.SECONDS).toString(),
                now.truncatedTo(ChronoUnit.SECONDS).plusNanos(123_456_789).toString(),
                OffsetDateTime.ofInstant(now, ZoneOffset.ofHours(1)).toString(),
                "2020-01-01T00:00:00.000Z",
                DateTimeUtils.formatInstant(now.plusMillis(1)));
        long[] positions = {first, first + 2, first + 3, first + 6, first + 7, first + 11};
        for (int sequence = 0; sequence < positions.length; sequence++) {
            insertRow(positions[sequence], stream + "#" + sequence, stream, sequence, timestamps.get(sequence),
                    sequence == 2 ? "2" : null);
        }
        // and one event of no stream, which Axon stores with its own identifier as its stream's
        insertRow(first + 9, stream + "-alone", stream + "-alone", 0, timestamps.get(0), null);
        JdbcEventStorageEngine ledgers = engine(true);
        JdbcEventStorageEngine axons = axonEngine();

        // then each reads the same events, from the first row, after a position, and after one with a gap below it
        assertThat(read(ledgers, null)).isEqualTo(read(axons, null));
        GapAwareTrackingToken beforeThem = GapAwareTrackingToken.newInstance(first - 1, Collections.emptySortedSet());
        List<String> afterAPosition = read(ledgers, beforeThem);
        assertThat(afterAPosition).isEqualTo(read(axons, beforeThem)).hasSize(positions.length + 1);
        GapAwareTrackingToken withAGap = GapAwareTrackingToken.newInstance(first + 3,
                new TreeSet<>(List.of(first + 1)));
        assertThat(read(ledgers, withAGap)).isEqualTo(read(axons, withAGap)).hasSize(4);
        // and the gaps between the recent rows are kept in the tokens, as Axon keeps them
        assertThat(afterAPosition.get(1)).contains("gaps=[" + (first + 1) + "]");
    }

    private List<String> read(JdbcEventStorageEngine engine, GapAwareTrackingToken token) {
        return engine.readEvents(token, false).map(event -> String.join(" | ", String.valueOf(event.trackingToken()),
                event.getIdentifier(), String.valueOf(event.getTimestamp()), event.getPayloadType().getName(),
                String.valueOf(event.getPayload()), String.valueOf(event.getMetaData()),
                event instanceof DomainEventMessage<?> domain
                        ? domain.getType() + " " + domain.getAggregateIdentifier() + " " + domain.getSequenceNumber()
                        : "not a domain event")).toList();
    }

    /** The first of {@code count} positions taken from the event table's sequence, which no other row will get. */
    private long reservePositions(int count) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement reserve = connection.prepareStatement(
                     "SELECT nextval('domain_event_entry_global_index_seq') FROM generate_series(1, ?)")) {
            reserve.setInt(1, count);
            long firstReserved = Long.MAX_VALUE;
            try (ResultSet rows = reserve.executeQuery()) {
                while (rows.next()) {
                    firstReserved = Math.min(firstReserved, rows.getLong(1));
                }
            }
            return firstReserved;
        }
    }

    private void insertRow(long position, String eventIdentifier, String stream, long sequence, String timestamp,
                           String revision) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO domain_event_entry (global_index,"
                     + " event_identifier, aggregate_identifier, sequence_number, type, time_stamp, payload_type,"
                     + " payload_revision, payload, meta_data) VALUES (?, ?, ?, ?, 'Claim', ?, 'java.lang.String', ?,"
                     + " ?, ?)")) {
            insert.setLong(1, position);
            insert.setString(2, eventIdentifier);
            insert.setString(3, stream);
            insert.setLong(4, sequence);
            insert.setString(5, timestamp);
            insert.setString(6, revision);
            insert.setBytes(7, ("\"event " + sequence + "\"").getBytes(StandardCharsets.UTF_8));
            insert.setBytes(8, ("{\"at\":\"" + timestamp + "\"}").getBytes(StandardCharsets.UTF_8));
            insert.executeUpdate();
        }
    }

    /** Axon's own engine, on the same builder as the ledger's. */
    private JdbcEventStorageEngine axonEngine() {
        return builder().gapTimeout(GAP_TIMEOUT_MILLIS).build();
    }

    private JdbcEventStorageEngine engine(boolean oneRoundTrip) {
        return new LedgerEventStorageEngine(builder(), GAP_TIMEOUT_MILLIS, oneRoundTrip);
    }

    /** Axon's builder with the ledger's serializer, schema and key-violation resolver, over the counting data source. */
    private JdbcEventStorageEngine.Builder builder() {
        Serializer serializer = ledger.getBean(Serializer.class);
        return JdbcEventStorageEngine.builder()
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .persistenceExceptionResolver(ledger.getBean(PersistenceExceptionResolver.class))
                .connectionProvider(new UnitOfWorkAwareConnectionProviderWrapper(
                        new SpringDataSourceConnectionProvider(dataSource)))
                .transactionManager(transactions)
                .schema(ledger.getBean(EventSchema.class));
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
