package dev.claimsledger.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.core.LedgerObjectMapper;
import dev.claimsledger.merkle.Checkpoints;
import dev.claimsledger.merkle.MerkleLog;
import dev.claimsledger.merkle.MerkleLogWriter;
import dev.claimsledger.projection.ConsumerClaimsProjection;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the Merkle log costs on PostgreSQL, measured after {@code VACUUM FULL}: every event is a leaf, and compaction
 * must bring all ledger tables together to 24 bytes per heartbeat, so the tiles may cost at most 2.5 bytes per event
 * beyond the pages of an empty table (about 1.6 in rows, 0.3 in their three indexes' entries, the rest in the pages
 * the indexes need at any size), and the rest of the log a few pages whatever its size. On the way it measures how
 * fast the single writer appends a backlog of heartbeats, printed, not asserted: speed targets belong to the
 * benchmark.
 */
@RequiresPostgres
class MerkleLogCostOnPostgresTest {

    private static final int EVENTS = 100_000;
    private static final int STREAMS = 1_000;
    /** What grows with the log: its tile rows and their indexes. */
    private static final double MAX_TILE_BYTES_PER_EVENT = 2.5;
    /** What does not: the head row and the checkpoints (the latest and one per hour), pages and indexes included. */
    private static final long MAX_FIXED_BYTES = 128 * 1024;

    @TempDir
    Path directory;

    @Test
    void theLogCostsAtMostTwoAndAHalfBytesPerEventAtRestBesidesAFewFixedPages() throws Exception {
        TestDatabase database = TestDatabase.freshPostgresSchema();
        double eventsPerSecond;
        double writerCpuMicrosPerEvent;
        long emptyTiles;
        try (ConfigurableApplicationContext ledger = Ledger.start(database, Map.of(
                "claims.data-dir", directory.toString(), "claims.checkpoints.interval", "200ms"))) {
            EventProcessingConfiguration processing = ledger.getBean(EventProcessingConfiguration.class);
            processor(processing, ConsumerClaimsProjection.PROCESSING_GROUP).shutDown();
            StreamingEventProcessor writer = processor(processing, MerkleLogWriter.PROCESSING_GROUP);
            emptyTiles = relationSizesAfterVacuumFull(database)[0];
            // the writer keeps running: shut down and started again, a tracking processor once did not take its
            // segment back for minutes in CI; the backlog is committed at once instead, so the writer sees all of it
            storeHeartbeats(database);

            Instant started = Instant.now();
            MerkleLog log = ledger.getBean(MerkleLog.class);
            while (log.head().size() < EVENTS) {
                assertThat(Duration.between(started, Instant.now()))
                        .as("the writer's catch-up, at %,d of %,d events, running %s, in error %s: %s",
                                log.head().size(), EVENTS, writer.isRunning(), writer.isError(),
                                writer.processingStatus())
                        .isLessThan(Duration.ofMinutes(5));
                Thread.sleep(50);
            }
            eventsPerSecond = EVENTS / (Duration.between(started, Instant.now()).toMillis() / 1000.0);
            writerCpuMicrosPerEvent = cpuNanosOfThreadsNamed(MerkleLogWriter.PROCESSING_GROUP) / 1000.0 / EVENTS;
            Checkpoints checkpoints = ledger.getBean(Checkpoints.class);
            while (!checkpoints.latest().orElse("").contains("\n" + EVENTS + "\n")) {
                Thread.sleep(50);
            }
        }

        long[] sizes = relationSizesAfterVacuumFull(database);
        double tileBytesPerEvent = (double) (sizes[0] - emptyTiles) / EVENTS;
        System.out.printf("Merkle log of %,d events on PostgreSQL after VACUUM FULL, indexes and TOAST included: tiles"
                        + " %,d bytes (%,d more than empty: %.2f per event), head and checkpoints %,d bytes. The writer"
                        + " appended the backlog at %,.0f events/s, its thread using %.1f us of CPU per event.%n",
                EVENTS, sizes[0], sizes[0] - emptyTiles, tileBytesPerEvent, sizes[1], eventsPerSecond,
                writerCpuMicrosPerEvent);
        assertThat(tileBytesPerEvent).isLessThanOrEqualTo(MAX_TILE_BYTES_PER_EVENT);
        assertThat(sizes[1]).isLessThanOrEqualTo(MAX_FIXED_BYTES);
    }

    /** The sizes of the tile table and of the log's other tables, each with its indexes and TOAST. */
    private static long[] relationSizesAfterVacuumFull(TestDatabase database) throws SQLException {
        long[] sizes = new long[2];
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            for (String table : new String[]{"merkle_tile", "merkle_log_head", "merkle_checkpoint"}) {
                statement.execute("VACUUM FULL " + table);
                try (ResultSet size = statement.executeQuery("SELECT pg_total_relation_size('" + table + "')")) {
                    size.next();
                    sizes[table.equals("merkle_tile") ? 0 : 1] += size.getLong(1);
                }
            }
        }
        return sizes;
    }

    /** The CPU time the processor's threads have used so far, by the processing group in their names. */
    private static long cpuNanosOfThreadsNamed(String processingGroup) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (ThreadInfo thread : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (thread != null && thread.getThreadName().contains(processingGroup)) {
                nanos += Math.max(0, threads.getThreadCpuTime(thread.getThreadId()));
            }
        }
        return nanos;
    }

    private static StreamingEventProcessor processor(EventProcessingConfiguration processing, String name) {
        return processing.eventProcessor(name, StreamingEventProcessor.class).orElseThrow();
    }

    /** Heartbeats in the stored format, written with JDBC batches and committed together. */
    private static void storeHeartbeats(TestDatabase database) throws SQLException, IOException {
        ObjectMapper json = LedgerObjectMapper.create();
        Instant now = Instant.now();
        byte[] metaData = "{}".getBytes(StandardCharsets.UTF_8);
        try (Connection connection = database.connect();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO domain_event_entry (event_identifier,"
                     + " aggregate_identifier, sequence_number, type, time_stamp, payload_type, payload, meta_data)"
                     + " VALUES (?, ?, ?, 'Claim', ?, ?, ?, ?)")) {
            connection.setAutoCommit(false);
            for (int i = 0; i < EVENTS; i++) {
                String consumer = "worker-" + (i % STREAMS);
                Instant at = now.plusMillis(i);
                insert.setString(1, UUID.randomUUID().toString());
                insert.setString(2, ConsumerRef.streamId("cost", consumer));
                insert.setLong(3, i / STREAMS);
                insert.setString(4, at.toString());
                insert.setString(5, HeartbeatReceived.class.getName());
                insert.setBytes(6, json.writeValueAsBytes(new HeartbeatReceived("cost", consumer, 1, at, null,
                        at.plusSeconds(30))));
                insert.setBytes(7, metaData);
                insert.addBatch();
                if (i % 1000 == 999) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
            connection.commit();
        }
    }
}
