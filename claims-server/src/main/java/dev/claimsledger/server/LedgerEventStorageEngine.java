package dev.claimsledger.server;

import static org.axonframework.common.jdbc.JdbcUtils.closeQuietly;
import static org.axonframework.common.jdbc.JdbcUtils.executeBatch;

import dev.claimsledger.core.CanonicalInstants;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedDomainEventData;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Axon's JDBC event storage with three differences. On PostgreSQL, events appended outside a transaction are stored and
 * committed in one round trip instead of two (the inserts, then the commit): the batch is sent on a connection that
 * commits each statement, and PostgreSQL runs every message of the extended query protocol up to the batch's one Sync
 * message as one implicit transaction. So the batch is stored whole or not at all, as in a transaction of its own, and
 * a taken (stream, sequence) key still fails it with Axon's {@code ConcurrencyException}. The lease writer appends its
 * groups of heartbeats this way. H2 commits each statement of such a batch on its own, so there Axon's transaction
 * stays.
 *
 * <p>The timestamp column is written without java.time's formatter ({@link CanonicalInstants#millis}), in the
 * same text as Axon's, which took a tenth of the lease writer's time.
 *
 * <p>The events the processors read are what Axon's engine reads, except that each row's timestamp is parsed once,
 * without java.time's formatter ({@link CanonicalInstants#parse}), where Axon parsed it twice with it (for the gap
 * check and for the message), and that the few names a row repeats (its aggregate and payload types) are one string
 * each, not one per row: the shared reader keeps its newest events across young collections, which copy them.
 */
final class LedgerEventStorageEngine extends JdbcEventStorageEngine {

    /**
     * Axon's defaults, which the ledger keeps. The engine sets them on its builder itself: the builder hands them to
     * private fields only, and {@link #getTrackedEventData} needs them.
     */
    private static final int MAX_GAP_OFFSET = 10_000;
    private static final long LOWEST_GLOBAL_SEQUENCE = 1;
    /** More distinct names than any ledger stores: beyond them a row keeps its own strings. */
    private static final int MAX_SHARED_NAMES = 1_024;

    private final boolean oneRoundTrip;
    private final long gapTimeoutMillis;
    private final Map<String, String> sharedNames = new ConcurrentHashMap<>();

    /**
     * @param builder          Axon's builder, without the gap settings, which the engine sets
     * @param gapTimeoutMillis how old an event must be before the missing positions below it are given up
     * @param oneRoundTrip     whether the database runs a batch sent in autocommit mode as one transaction
     */
    LedgerEventStorageEngine(Builder builder, int gapTimeoutMillis, boolean oneRoundTrip) {
        super(builder.gapTimeout(gapTimeoutMillis).maxGapOffset(MAX_GAP_OFFSET)
                .lowestGlobalSequence(LOWEST_GLOBAL_SEQUENCE));
        this.gapTimeoutMillis = gapTimeoutMillis;
        this.oneRoundTrip = oneRoundTrip;
    }

    @Override
    protected void appendEvents(List<? extends EventMessage<?>> events, Serializer serializer) {
        if (events.isEmpty() || !oneRoundTrip || TransactionSynchronizationManager.isActualTransactionActive()) {
            super.appendEvents(events, serializer);
            return;
        }
        Connection connection = getConnection();
        if (!commitsEachStatement(connection)) {
            // a connection a unit of work holds in a transaction of its own: the batch joins that transaction
            closeQuietly(connection);
            super.appendEvents(events, serializer);
            return;
        }
        executeBatch(connection, batch -> appendEvents(batch, events, serializer),
                e -> handlePersistenceException(e, events.get(0)));
    }

    @Override
    protected void writeTimestamp(PreparedStatement statement, int position, Instant timestamp) throws SQLException {
        statement.setString(position, CanonicalInstants.millis(timestamp));
    }

    /** Axon's {@code getTrackedEventData}, with the timestamp parsed once and the repeated names shared. */
    @Override
    protected TrackedEventData<?> getTrackedEventData(ResultSet resultSet, GapAwareTrackingToken previousToken)
            throws SQLException {
        EventSchema schema = schema();
        long globalSequence = resultSet.getLong(schema.globalIndexColumn());
        String aggregateIdentifier = resultSet.getString(schema.aggregateIdentifierColumn());
        String eventIdentifier = resultSet.getString(schema.eventIdentifierColumn());
        String timestamp = readTimeStamp(resultSet, schema.timestampColumn()).toString();
        ParsedTimestampEntry<?> domainEvent = new ParsedTimestampEntry<>(
                shared(resultSet.getString(schema.typeColumn())),
                eventIdentifier.equals(aggregateIdentifier) ? null : aggregateIdentifier,
                resultSet.getLong(schema.sequenceNumberColumn()),
                eventIdentifier,
                timestamp,
                parse(timestamp),
                shared(resultSet.getString(schema.payloadTypeColumn())),
                shared(resultSet.getString(schema.payloadRevisionColumn())),
                readPayload(resultSet, schema.payloadColumn()),
                readPayload(resultSet, schema.metaDataColumn()));

        boolean allowGaps = domainEvent.getTimestamp().isAfter(
                GenericEventMessage.clock.instant().minus(gapTimeoutMillis, ChronoUnit.MILLIS));
        GapAwareTrackingToken token;
        if (previousToken == null) {
            token = GapAwareTrackingToken.newInstance(globalSequence, allowGaps
                    ? LongStream.range(Math.min(LOWEST_GLOBAL_SEQUENCE, globalSequence), globalSequence).boxed()
                            .collect(Collectors.toCollection(TreeSet::new))
                    : Collections.emptySortedSet());
        } else {
            token = previousToken.advanceTo(globalSequence, allowGaps ? MAX_GAP_OFFSET : 0);
        }
        return new TrackedDomainEventData<>(token, domainEvent);
    }

    private String shared(String name) {
        if (name == null) {
            return null;
        }
        String known = sharedNames.get(name);
        if (known != null) {
            return known;
        }
        if (sharedNames.size() < MAX_SHARED_NAMES) {
            sharedNames.putIfAbsent(name, name);
        }
        return name;
    }

    /** The ledger's own form without the formatter; any other form Axon reads, as Axon reads it. */
    private static Instant parse(String timestamp) {
        Instant canonical = CanonicalInstants.parse(timestamp);
        return canonical != null ? canonical : DateTimeUtils.parseInstant(timestamp);
    }

    /** An event row whose timestamp was parsed once, when it was read. */
    private static final class ParsedTimestampEntry<T> extends GenericDomainEventEntry<T> {

        private final Instant parsedTimestamp;

        ParsedTimestampEntry(String type, String aggregateIdentifier, long sequenceNumber, String eventIdentifier,
                             String timestamp, Instant parsedTimestamp, String payloadType, String payloadRevision,
                             T payload, T metaData) {
            super(type, aggregateIdentifier, sequenceNumber, eventIdentifier, timestamp, payloadType, payloadRevision,
                    payload, metaData);
            this.parsedTimestamp = parsedTimestamp;
        }

        @Override
        public Instant getTimestamp() {
            return parsedTimestamp;
        }
    }

    private static boolean commitsEachStatement(Connection connection) {
        try {
            return connection.getAutoCommit();
        } catch (SQLException e) {
            throw new EventStoreException("cannot tell whether the connection commits each statement", e);
        }
    }
}
