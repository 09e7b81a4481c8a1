package dev.claimsledger.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Storage over a long run, compressed in time: long epochs take a heartbeat about every 20 ms (with a jitter of a
 * quarter of that, as a worker's timer has), written in steps straight into the event store (chained, in the ledger's
 * canonical form, so compaction and retention take them as the ledger's own); after each step the ledger compacts,
 * with retention, and the tenant's stored bytes are measured. An epoch's compacted run grows until it holds
 * {@code Compactor.MAX_RUN} heartbeats, then the next one starts; a full run older than the retention becomes the epoch's
 * summary. So the bytes level off once the run is longer than a full run and the retention, while the heartbeats keep
 * growing.
 *
 * <p>Measured after {@code VACUUM FULL} of the event table and the read model, since PostgreSQL does not shrink a table
 * when rows are deleted: a row's share is its stored size, its tuple header and line pointer (28 bytes) and its share
 * of the table's indexes (their size over the table's rows), as in the compaction phase; and the read model's rows.
 */
final class StorageOverTime {

    static final String TENANT = "bench-retention";
    private static final String HEARTBEAT = "dev.claimsledger.api.HeartbeatReceived";
    private static final String RUN = "dev.claimsledger.api.HeartbeatsCompacted";
    private static final Duration INTERVAL = Duration.ofMillis(20);

    private final Options options;
    private final LedgerServer server;
    private final Database database;
    private final Path exports;

    StorageOverTime(Options options, LedgerServer server, Database database) {
        this.options = options;
        this.server = server;
        this.database = database;
        this.exports = options.workDir().resolve("retention-exports").toAbsolutePath();
    }

    /** One step's measure: what the tenant's epochs hold after it. */
    record Step(double seconds, long heartbeatsWritten, long rows, long bytes, long runs, long summaries,
                long heartbeatsInDetail, long heartbeatsSummarized, long exportBytes) {

        @Override
        public String toString() {
            return String.format("%5.0f s: %,9d heartbeats written; %,6d rows, %,11d bytes (%.1f a heartbeat written);"
                            + " %,d runs holding %,d heartbeats in detail, %,d summaries of %,d; exports %,d bytes",
                    seconds, heartbeatsWritten, rows, bytes, (double) bytes / Math.max(1, heartbeatsWritten), runs,
                    heartbeatsInDetail, summaries, heartbeatsSummarized, exportBytes);
        }
    }

    /** Waits until the tracking processors have passed every stored event. */
    @FunctionalInterface
    interface Settle {
        void await() throws Exception;
    }

    /** Restarts the server with retention, runs the steps, measures after each, and restarts it as it was. */
    List<Step> measure(Settle settle) throws Exception {
        deleteExports();
        server.stop();
        server.start(List.of("--claims.retention.heartbeat-detail=" + options.storageRetention().toMillis() + "ms",
                "--claims.retention.export-directory=" + exports));
        SyntheticEvents.LongEpochs epochs = new SyntheticEvents.LongEpochs(TENANT, options.storageClaims());
        Instant started = Instant.now();
        try (Connection connection = database.connect()) {
            epochs.claim(connection, started);
        }
        List<Step> steps = new ArrayList<>();
        long written = 0;
        Instant last = started;
        LedgerClient ledger = server.client();
        for (int step = 1; step <= options.storageSteps(); step++) {
            Instant due = started.plus(options.storageStep().multipliedBy(step));
            LedgerServer.sleep(Math.max(0, Duration.between(Instant.now(), due).toMillis()));
            Instant now = Instant.now();
            try (Connection connection = database.connect()) {
                written += epochs.heartbeat(connection, last, now, INTERVAL);
            }
            last = now.minus(INTERVAL);
            settle.await();
            Compaction.compactAll(ledger);
            Step measured = measureAt(epochs, Duration.between(started, now).toMillis() / 1000.0, written);
            ClaimsBench.say("  storage over time %s", measured);
            steps.add(measured);
        }
        server.stop();
        server.start();
        return steps;
    }

    private Step measureAt(SyntheticEvents.LongEpochs epochs, double seconds, long written) throws Exception {
        String like = epochs.streamPrefix() + "%";
        database.execute("VACUUM FULL domain_event_entry", "VACUUM FULL consumer_claims");
        double indexPerRow = (double) database.number("SELECT pg_indexes_size('domain_event_entry')")
                / Math.max(1, database.number("SELECT count(*) FROM domain_event_entry"));
        long rows = database.number("SELECT count(*) FROM domain_event_entry WHERE aggregate_identifier LIKE ?", like);
        long rowBytes = database.number("SELECT COALESCE(sum(pg_column_size(e.*)), 0) FROM domain_event_entry e"
                + " WHERE aggregate_identifier LIKE ?", like);
        long claimRowBytes = database.number("SELECT COALESCE(sum(pg_column_size(c.*)), 0) FROM consumer_claims c"
                + " WHERE tenant_id = ?", TENANT);
        long runs = database.number("SELECT count(*) FROM domain_event_entry WHERE aggregate_identifier LIKE ?"
                + " AND payload_type = ? AND CAST(convert_from(payload, 'UTF8') AS jsonb)->>'format' <> 'summary1'",
                like, RUN);
        long summaries = database.number("SELECT count(*) FROM domain_event_entry WHERE aggregate_identifier LIKE ?"
                + " AND payload_type = ? AND CAST(convert_from(payload, 'UTF8') AS jsonb)->>'format' = 'summary1'",
                like, RUN);
        long inRuns = database.number("SELECT COALESCE(sum(CAST(CAST(convert_from(payload, 'UTF8') AS jsonb)->>'count'"
                + " AS BIGINT)), 0) FROM domain_event_entry WHERE aggregate_identifier LIKE ? AND payload_type = ?"
                + " AND CAST(convert_from(payload, 'UTF8') AS jsonb)->>'format' <> 'summary1'", like, RUN);
        long summarized = database.number("SELECT COALESCE(sum(CAST(CAST(convert_from(payload, 'UTF8') AS jsonb)"
                + "->>'count' AS BIGINT)), 0) FROM domain_event_entry WHERE aggregate_identifier LIKE ?"
                + " AND payload_type = ? AND CAST(convert_from(payload, 'UTF8') AS jsonb)->>'format' = 'summary1'",
                like, RUN);
        long heartbeatRows = database.number("SELECT count(*) FROM domain_event_entry WHERE aggregate_identifier LIKE ?"
                + " AND payload_type = ?", like, HEARTBEAT);
        long bytes = rowBytes + Math.round(rows * (28 + indexPerRow)) + claimRowBytes;
        return new Step(seconds, written, rows, bytes, runs, summaries, heartbeatRows + inRuns, summarized,
                exportBytes());
    }

    private long exportBytes() {
        if (!Files.isDirectory(exports)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(exports)) {
            return files.mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deleteExports() throws IOException {
        if (Files.isDirectory(exports)) {
            try (Stream<Path> files = Files.list(exports)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
