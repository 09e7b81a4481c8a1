package dev.claimsledger.merkle;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.LongStream;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericTrackedDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.ResultMessage;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A fresh in-memory H2 database in PostgreSQL mode with the log's migration and an event table, and events for it
 * delivered to writers the way a tracking processor delivers them: in the order they became visible, each with the
 * token that marks what has been seen so far, in batches that are one unit of work each.
 */
final class LogDatabase {

    /** A made-up event payload. */
    record Noted(String what, int n) {
    }

    /** Axon's default. */
    private static final int MAX_GAP_OFFSET = 10_000;

    private final JdbcTemplate jdbc;
    private final Serializer serializer = JacksonSerializer.defaultSerializer();
    private final SortedSet<Long> stored = new TreeSet<>();
    private final List<Long> leafOrder = new ArrayList<>();
    /** The token of the last event delivered, as the event store's reader advances it. */
    private GapAwareTrackingToken token;

    LogDatabase() {
        String url = "jdbc:h2:mem:merkle-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, "sa", "");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration", "classpath:db/events").load()
                .migrate();
        jdbc = new JdbcTemplate(dataSource);
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    MerkleLogWriter writer() {
        return new MerkleLogWriter(jdbc, serializer);
    }

    MerkleLog log() {
        return new MerkleLog(jdbc, new JdbcLeafSource(jdbc));
    }

    LogVerification verification() {
        return new LogVerification(jdbc, new JdbcLeafSource(jdbc));
    }

    /** Stores the events of these positions, as committed transactions would, without delivering them yet. */
    void store(long... positions) {
        for (long position : positions) {
            Noted payload = new Noted("event " + position, (int) position);
            jdbc.update("INSERT INTO domain_event_entry (global_index, event_identifier, aggregate_identifier,"
                            + " sequence_number, payload_type, payload, meta_data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    position, identifierOf(position), streamOf(position), sequenceOf(position), Noted.class.getName(),
                    serializer.serialize(payload, byte[].class).getData(),
                    serializer.serialize(metaDataOf(position), byte[].class).getData());
            stored.add(position);
        }
    }

    /**
     * Delivers stored events to {@code writer} as one batch, in the order given, each with the gap-aware token a
     * tracking processor would hold after it.
     *
     * @return the batch's outcome: exceptional when it was rolled back
     */
    ResultMessage<?> deliver(MerkleLogWriter writer, long... positions) {
        List<TrackedEventMessage<?>> batch = new ArrayList<>();
        GapAwareTrackingToken next = token;
        for (long position : positions) {
            // as Axon's JDBC storage engine advances it, gaps for every skipped position included
            next = next == null
                    ? GapAwareTrackingToken.newInstance(position, LongStream.range(1, position).boxed().toList())
                    : next.advanceTo(position, MAX_GAP_OFFSET);
            batch.add(new GenericTrackedDomainEventMessage<>(next, new GenericDomainEventMessage<>("Claim",
                    streamOf(position), sequenceOf(position), new Noted("event " + position, (int) position),
                    metaDataOf(position), identifierOf(position), Instant.EPOCH)));
        }
        ResultMessage<?> result = new BatchingUnitOfWork<>(batch).executeWithResult(() -> {
            writer.on((TrackedEventMessage<?>) CurrentUnitOfWork.get().getMessage());
            return null;
        });
        if (!result.isExceptional()) {
            token = next;
            for (long position : positions) {
                leafOrder.add(position);
            }
        }
        return result;
    }

    /** The positions in the order they became leaves. */
    List<Long> leafOrder() {
        return List.copyOf(leafOrder);
    }

    /** The leaf hashes of the stored events, in leaf order. */
    List<byte[]> expectedLeafHashes() {
        Map<Long, byte[]> hashes = new HashMap<>();
        for (EventRow row : new JdbcLeafSource(jdbc).events(leafOrder.stream().mapToLong(Long::longValue).toArray())) {
            hashes.put(row.position(), Leaf.of(row).hash());
        }
        return leafOrder.stream().map(hashes::get).toList();
    }

    private static String identifierOf(long position) {
        return "event-" + position;
    }

    private static String streamOf(long position) {
        return "4:acme/worker-" + (position % 5);
    }

    private static long sequenceOf(long position) {
        return position / 5;
    }

    private static MetaData metaDataOf(long position) {
        return MetaData.from(Map.of("ledger.chainHash", Long.toHexString(position * 31)));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
