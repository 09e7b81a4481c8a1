package dev.claimsledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The compaction phase: what the event table costs per heartbeat at rest before and after compacting every heartbeat
 * the processors have passed, how fast compaction goes, and the heartbeat rate while it runs. Sizes are taken after
 * {@code VACUUM FULL}, since PostgreSQL does not shrink a table when rows are deleted.
 */
final class Compaction {

    private static final String HEARTBEAT = "dev.claimsledger.api.HeartbeatReceived";
    private static final String RUN = "dev.claimsledger.api.HeartbeatsCompacted";

    private final Options options;
    private final LedgerServer server;
    private final Database database;
    private final Wrk wrk;

    Compaction(Options options, LedgerServer server, Database database, Wrk wrk) {
        this.options = options;
        this.server = server;
        this.database = database;
        this.wrk = wrk;
    }

    /**
     * The event table at rest: its bytes (table, TOAST and indexes) and what it holds; and every table of the ledger
     * (events, the read model, the Merkle log, deadlines, tokens, with their indexes and TOAST) over the heartbeats
     * they hold, the measure.
     */
    record AtRest(long bytes, long rows, long heartbeatRows, long runRows, long heartbeatsInRuns,
                  double bytesPerHeartbeatRow, double bytesPerHeartbeatInRuns, long allTablesBytes) {

        long heartbeats() {
            return heartbeatRows + heartbeatsInRuns;
        }

        double allTablesBytesPerHeartbeat() {
            return heartbeats() == 0 ? 0 : (double) allTablesBytes / heartbeats();
        }

        @Override
        public String toString() {
            return String.format("%,d bytes in %,d rows (%,d heartbeat rows at %.0f bytes each; %,d compacted runs "
                            + "holding %,d heartbeats at %.1f bytes each); every ledger table: %,d bytes, %.1f a "
                            + "heartbeat", bytes, rows, heartbeatRows, bytesPerHeartbeatRow, runRows,
                    heartbeatsInRuns, bytesPerHeartbeatInRuns, allTablesBytes, allTablesBytesPerHeartbeat());
        }
    }

    /**
     * What the phase measured. {@code beforeCompacting} is the same load on the same database just before the
     * compaction starts, the rate it is compared with.
     */
    record Figures(AtRest before, AtRest after, long heartbeatsCompacted, double seconds, double heartbeatsPerSecond,
                   Wrk.Result beforeCompacting, Wrk.Result whileCompacting) {
    }

    /** Waits until the tracking processors have passed every stored event. */
    @FunctionalInterface
    interface Settle {
        void await() throws Exception;
    }

    /**
     * Compacts under a load of single heartbeats, for the speed and the rate beside it, compared with the same load
     * just before; then, once the processors have passed the heartbeats of that load, compacts them too, as the
     * recurring compaction would, and measures at rest.
     */
    Figures measure(Settle settle) throws Exception {
        AtRest before = atRest();
        ClaimsBench.say("compaction: before, %s", before);
        settleAfterVacuum();
        settle.await();
        Wrk.Result beforeCompacting = wrk.heartbeats(options.duration(), server, ClaimsBench.TENANT, server.apiKey());
        ClaimsBench.say("compaction: %s of single heartbeats just before it, %.0f per second, %s",
                Report.human(options.duration()), beforeCompacting.perSecond(), beforeCompacting.latencies());
        settle.await();
        LedgerClient ledger = server.client();
        long started = System.nanoTime();
        CompletableFuture<Wrk.Result> load = CompletableFuture.supplyAsync(() ->
                wrk.heartbeats(options.duration(), server, ClaimsBench.TENANT, server.apiKey()));
        JsonNode progress = compactAll(ledger);
        double seconds = (System.nanoTime() - started) / 1e9;
        Wrk.Result whileCompacting = awaitLoad(load);
        long compacted = progress.path("heartbeats_compacted").asLong();
        settle.await();
        ClaimsBench.say("compaction: the heartbeats of the loads beside it and before it, %s", compactAll(ledger));
        AtRest after = atRest();
        ClaimsBench.say("compaction: after, %s", after);
        return new Figures(before, after, compacted, seconds, compacted / seconds, beforeCompacting,
                whileCompacting);
    }

    /**
     * {@code VACUUM FULL} rewrote every table and its indexes into new files: single heartbeats ran at a fifth of their
     * rate in the 30 s after it (1,017/s in one full run), and still at a fifth in the first 5 s after a checkpoint.
     * A checkpoint now, so that the one the rewrite calls for does not fall into the loads, then warm-up runs of a
     * sixth of {@code --duration} (at least 5 s) each until two in a row agree within 5%, for at most three times
     * {@code --warmup}, so that the loads before and beside the compaction meet the same database.
     */
    private void settleAfterVacuum() throws SQLException {
        database.execute("CHECKPOINT");
        Duration step = Duration.ofMillis(Math.max(5000, options.duration().toMillis() / 6));
        Duration longest = options.warmup().multipliedBy(3);
        Duration spent = Duration.ZERO;
        double previous = 0;
        while (true) {
            double rate = wrk.heartbeats(step, server, ClaimsBench.TENANT, server.apiKey()).perSecond();
            spent = spent.plus(step);
            boolean steady = previous > 0 && Math.abs(rate - previous) <= 0.05 * Math.max(rate, previous);
            ClaimsBench.say("compaction: warm-up after VACUUM FULL and a checkpoint, %s of single heartbeats, %.0f per"
                    + " second (not counted)", Report.human(step), rate);
            if (steady || spent.compareTo(longest) >= 0) {
                return;
            }
            previous = rate;
        }
    }

    /** Runs one compaction to its end; its last progress. */
    static JsonNode compactAll(LedgerClient ledger) throws Exception {
        LedgerClient.Answer accepted = ledger.startCompaction();
        if (accepted.status() != 202) {
            throw new IllegalStateException("compaction could not start: " + accepted.status() + " " + accepted.body());
        }
        String location = "/v1/admin/compactions/" + accepted.body().path("id").asText();
        JsonNode progress = accepted.body();
        while ("running".equals(progress.path("state").asText())) {
            Thread.sleep(200);
            progress = ledger.get(location).body();
        }
        if (!"done".equals(progress.path("state").asText())) {
            throw new IllegalStateException("compaction ended " + progress);
        }
        return progress;
    }

    private static Wrk.Result awaitLoad(CompletableFuture<Wrk.Result> load) throws InterruptedException {
        try {
            return load.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the heartbeat load during compaction failed", e.getCause());
        }
    }

    /**
     * The event table after {@code VACUUM FULL}. A row's share of the table is its stored size plus the tuple header
     * and line pointer (28 bytes); each index entry's share is the index's size over its rows.
     */
    private AtRest atRest() throws SQLException {
        database.execute("VACUUM FULL");
        long bytes = database.number("SELECT pg_total_relation_size('domain_event_entry')");
        long rows = database.number("SELECT count(*) FROM domain_event_entry");
        double indexPerRow = rows == 0 ? 0
                : (double) database.number("SELECT pg_indexes_size('domain_event_entry')") / rows;
        long heartbeatRows = database.number("SELECT count(*) FROM domain_event_entry WHERE payload_type = ?",
                HEARTBEAT);
        double heartbeatRowBytes = heartbeatRows == 0 ? 0 : database.numbers("SELECT avg(pg_column_size(e.*))"
                + " FROM domain_event_entry e WHERE payload_type = ?", HEARTBEAT).get(0) + 28 + indexPerRow;
        long runRows = database.number("SELECT count(*) FROM domain_event_entry WHERE payload_type = ?", RUN);
        long inRuns = database.number("SELECT COALESCE(sum(CAST(CAST(convert_from(payload, 'UTF8') AS jsonb)->>'count'"
                + " AS BIGINT)), 0) FROM domain_event_entry WHERE payload_type = ?", RUN);
        double runBytes = runRows == 0 ? 0 : database.number("SELECT sum(pg_column_size(e.*))"
                + " FROM domain_event_entry e WHERE payload_type = ?", RUN) + runRows * (28 + indexPerRow);
        long allTables = database.number("SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema()");
        return new AtRest(bytes, rows, heartbeatRows, runRows, inRuns, heartbeatRowBytes,
                inRuns == 0 ? 0 : runBytes / inRuns, allTables);
    }

    static String describe(Figures figures) {
        return String.format("%,d heartbeats in %.1f s, %,.0f per second", figures.heartbeatsCompacted(),
                figures.seconds(), figures.heartbeatsPerSecond());
    }
}
