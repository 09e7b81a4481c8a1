package dev.claimsledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.HdrHistogram.Histogram;

/**
 * The ledger benchmark, in one run: the ledger's heartbeats over HTTP beside the design it replaces on its own stack
 * (a Node.js server doing one UPDATE per heartbeat) and that design's floor (the UPDATE from pgbench), all on the same
 * PostgreSQL with the same connections and wrk as the load generator; latency at half the peak; the read model's lag;
 * releases with few and many pending deadlines; mass expiry on a running server, on a fresh one and after downtime;
 * rebuild speed; the server's memory. And a bounded soak. The benchmark starts and stops the ledger itself. See
 * BENCHMARKS.md.
 */
public final class ClaimsBench {

    static final String TENANT = "bench";
    private static final long LONG_TTL_MS = Duration.ofHours(3).toMillis();

    private final Options options;
    private final LedgerServer server;
    private final Database database;
    private final Wrk wrk;
    private final Report report = new Report();
    private boolean baselineCopied;

    private ClaimsBench(Options options) {
        this.options = options;
        this.server = new LedgerServer(options);
        this.database = new Database(options);
        this.wrk = new Wrk(options);
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        ClaimsBench bench = new ClaimsBench(options);
        try (LedgerServer server = bench.server) {
            server.start();
            if (options.runs("soak")) {
                bench.soak();
            } else {
                try {
                    bench.benchmark();
                } finally {
                    bench.report.printSummary();
                }
            }
        }
    }

    static String consumer(long index) {
        return "worker-" + index;
    }

    private void benchmark() throws Exception {
        say("claims-bench: %d claims, %d connections, %s warm-up, %s per measured run, phases %s", options.claims(),
                options.clients(), Report.human(options.warmup()), Report.human(options.duration()), options.phases());
        say("machine: %d cores; load average %s", Runtime.getRuntime().availableProcessors(), loadAverage());
        Releases releases = new Releases(options, server, database);
        Releases.Figures fewDeadlines = null;
        if (options.runs("release")) {
            fewDeadlines = releases.measure(options.releaseFewDeadlines());
            say("RELEASE %s", fewDeadlines);
        }
        if (List.of("heartbeats", "node-baseline", "batch", "pgbench-floor", "half-peak", "memory").stream()
                .anyMatch(options::runs)) {
            prepareClaims();
        }
        Wrk.Result single = options.runs("heartbeats") ? ledgerHeartbeats() : null;
        Wrk.Result node = options.runs("node-baseline") ? nodeBaseline() : null;
        if (single != null && node != null) {
            double ratio = single.perSecond() / node.perSecond();
            say("RATIO ledger single heartbeats / Node baseline: %.2f", ratio);
            report.add("ratio: ledger single / Node baseline", String.format("%.2f", ratio), "goal >= 1.0",
                    ratio >= 1.0);
        }
        Wrk.Result batch = options.runs("batch") ? ledgerBatches() : null;
        PgBench.Result floor = options.runs("pgbench-floor") ? pgbenchFloor() : null;
        if (batch != null && floor != null) {
            double ratio = batch.perSecond() / floor.tps();
            say("RATIO ledger batched heartbeats / pgbench floor: %.2f", ratio);
            report.add("ratio: ledger batches / pgbench floor", String.format("%.2f", ratio), "goal >= 1.0",
                    ratio >= 1.0);
        }
        if (options.runs("http-floor")) {
            httpFloor();
        }
        if (options.runs("half-peak") && single != null) {
            halfPeak(single.perSecond());
        }
        if (fewDeadlines != null) {
            Releases.Figures manyDeadlines = releases.measure(options.releaseManyDeadlines());
            say("RELEASE %s", manyDeadlines);
            double ratio = manyDeadlines.medianMs() / fewDeadlines.medianMs();
            say("RATIO release median with %,d / with %,d pending deadlines: %.2f", manyDeadlines.pendingDeadlines(),
                    fewDeadlines.pendingDeadlines(), ratio);
            report.add("release with few pending deadlines", fewDeadlines.brief());
            report.add("release with many pending deadlines", manyDeadlines.brief());
            report.add("ratio: release median, many / few deadlines", String.format("%.2f", ratio), "goal <= 1.10",
                    ratio <= 1.10);
        }
        if (options.runs("memory")) {
            memory();
        }
        Expiries expiries = new Expiries(options, server, database);
        if (options.runs("expiry-burst")) {
            Expiries.Burst burst = expiries.burst("bench-burst");
            say("EXPIRY BURST on the running server: %s", burst);
            addBurst("expiry burst, running server", burst);
        }
        if (options.runs("expiry-burst-fresh")) {
            server.stop();
            server.start();
            say("expiry burst: a new server process, ready %.1f s after its start; waiting %s",
                    Duration.between(server.startedAt(), server.readyAt()).toMillis() / 1000.0,
                    Report.human(options.freshServerAge()));
            LedgerServer.sleep(options.freshServerAge().toMillis());
            Expiries.Burst burst = expiries.burst("bench-burst-fresh");
            say("EXPIRY BURST on a server started %s earlier: %s", Report.human(options.freshServerAge()), burst);
            addBurst("expiry burst, server started " + options.freshServerAge().toSeconds() + " s earlier", burst);
        }
        if (options.runs("expiry-downtime")) {
            Expiries.Downtime downtime = expiries.downtime("bench-downtime");
            say("EXPIRY AFTER DOWNTIME: %s", downtime);
            report.add("expiry after downtime, last after readiness", String.format("%.2f s (p50 %.2f s, %d of %d, "
                            + "ready %.1f s after start)", downtime.lastAfterReadySeconds(),
                    downtime.afterReadyMicros().getValueAtPercentile(50) / 1e6, downtime.expired(), downtime.made(),
                    downtime.startSeconds()), "goal <= 3 s",
                    downtime.lastAfterReadySeconds() <= 3 && downtime.expired() >= downtime.made());
        }
        if (options.runs("rebuild")) {
            rebuild();
        }
        if (options.runs("compaction")) {
            compaction(single);
        }
        if (options.runs("storage-over-time")) {
            storageOverTime();
        }
        if (options.runs("h2-write-delay")) {
            H2WriteDelay h2 = new H2WriteDelay(options);
            double withDelay = h2.commitsPerSecond(500);
            double withoutDelay = h2.commitsPerSecond(0);
            String figures = H2WriteDelay.describe(withDelay, withoutDelay, options.duration(), options.clients());
            say("H2 WRITE DELAY: %s", figures);
            report.add("H2 commits, WRITE_DELAY=0 against the default", figures);
        }
    }

    // ----- phases -----

    private void prepareClaims() {
        Load.Result made = server.client().claimAll(options.clients(), TENANT, "worker-", 0, options.claims(),
                index -> LONG_TTL_MS);
        say("prepared %d active claims with 3 h leases in %.1f s, %.0f per second (%d errors)", options.claims(),
                made.elapsed().toMillis() / 1000.0, options.claims() / (made.elapsed().toNanos() / 1e9),
                made.errors());
    }

    /**
     * Single heartbeats from wrk, one random claim per request, after an uncounted warm-up of the same load (the
     * server's JIT compilation). The read model's lag is sampled in a further run of the same load: its probes (a
     * heartbeat every 50 ms and a poll of the row every millisecond) cost the machine a few percent that the Node
     * baseline's run does not pay, so they stay out of the run whose rate is compared with it.
     */
    private Wrk.Result ledgerHeartbeats() {
        Wrk.Result warmUp = wrk.heartbeats(options.warmup(), server, TENANT, server.apiKey());
        say("warm-up: %s of single heartbeats, %.0f per second (not counted)", Report.human(options.warmup()),
                warmUp.perSecond());
        say("load average before the measured run: %s", loadAverage());
        Wrk.Result run = wrk.heartbeats(options.duration(), server, TENANT, server.apiKey());
        say("LEDGER single heartbeats over HTTP: %.0f per second, %s, %s", run.perSecond(), run.latencies(),
                run.errors());
        say("  %s", run.cpu());
        ProjectionLag lag = ProjectionLag.start(server.client(), database, TENANT, options.claims());
        Wrk.Result probed = wrk.heartbeats(options.duration(), server, TENANT, server.apiKey());
        Histogram lagMicros = lag.stop();
        say("LEDGER projection lag at the peak (2xx to row shows it), in a further %s of the same load: %s",
                Report.human(options.duration()), ProjectionLag.describe(lagMicros));
        say("  beside the lag's probes: %.0f per second, %s, %s; %s", probed.perSecond(), probed.latencies(),
                probed.errors(), probed.cpu());
        report.add("ledger, single heartbeats", perSecond(run));
        report.add("  CPU during it", shares(run.cpu(), "wrk", "ledger"));
        report.add("  beside the lag's probes", perSecond(probed));
        report.add("projection lag p99 at the peak", String.format("%.0f ms", lagMicros.getValueAtPercentile(99)
                / 1000.0), "goal <= 1 s", lagMicros.getValueAtPercentile(99) <= 1_000_000);
        return run;
    }

    /** The design the ledger replaces on its own stack, driven by the same wrk script and connections. */
    private Wrk.Result nodeBaseline() throws SQLException {
        copyReadModelForBaseline();
        try (NodeBaseline node = NodeBaseline.start(options, LedgerServer.sha256Hex(server.apiKey()))) {
            Wrk.Result warmUp = wrk.heartbeats(options.warmup(), node, TENANT, server.apiKey());
            say("warm-up: %s of the Node baseline, %.0f per second (not counted)", Report.human(options.warmup()),
                    warmUp.perSecond());
            say("load average before the measured run: %s", loadAverage());
            Wrk.Result run = wrk.heartbeats(options.duration(), node, TENANT, server.apiKey());
            say("BASELINE Node + pg, one UPDATE ... RETURNING per heartbeat over HTTP: %.0f per second, %s, %s",
                    run.perSecond(), run.latencies(), run.errors());
            say("  %s", run.cpu());
            report.add("Node + pg baseline, single heartbeats", perSecond(run));
            report.add("  CPU during it", shares(run.cpu(), "wrk", "Node baseline"));
            return run;
        }
    }

    /**
     * Batches of {@code --batch-size} random claims through {@code POST /v1/tenants/{tenant}/heartbeats} (one commit
     * per request), counted in heartbeats, after the same warm-up; the read model's lag is sampled beside it.
     */
    private Wrk.Result ledgerBatches() {
        Wrk.Result warmUp = wrk.batches(options.warmup(), server, TENANT, server.apiKey());
        say("warm-up: %s of batches, %.0f heartbeats per second (not counted)", Report.human(options.warmup()),
                warmUp.perSecond());
        say("load average before the measured run: %s", loadAverage());
        ProjectionLag lag = ProjectionLag.start(server.client(), database, TENANT, options.claims());
        Wrk.Result run = wrk.batches(options.duration(), server, TENANT, server.apiKey());
        Histogram lagMicros = lag.stop();
        say("LEDGER batched heartbeats over HTTP, %d per request: %.0f heartbeats per second (%.0f requests per "
                        + "second), request %s, %s", options.batchSize(), run.perSecond(), run.requestsPerSecond(),
                run.latencies(), run.errors());
        say("  %s", run.cpu());
        say("LEDGER projection lag during batches: %s", ProjectionLag.describe(lagMicros));
        report.add("ledger, batches of " + options.batchSize(), String.format("%,.0f heartbeats/s (request p99 %.0f "
                + "ms; projection lag p99 %.0f ms)", run.perSecond(), run.p99Ms(),
                lagMicros.getValueAtPercentile(99) / 1000.0));
        report.add("  CPU during it", shares(run.cpu(), "wrk", "ledger"));
        return run;
    }

    private PgBench.Result pgbenchFloor() throws SQLException {
        copyReadModelForBaseline();
        say("load average before the measured run: %s", loadAverage());
        PgBench.Result run = PgBench.run(options, TENANT, options.duration());
        say("FLOOR pgbench, the baseline's UPDATE prepared, %d connections: %.0f per second (latency average %.2f ms,"
                + " %d failed)", options.clients(), run.tps(), run.latencyAverageMs(), run.failed());
        say("  %s", run.cpu());
        report.add("pgbench floor, prepared UPDATE", String.format("%,.0f per second", run.tps()));
        report.add("  CPU during it", shares(run.cpu(), "pgbench", null));
        return run;
    }

    /** The read model's rows of the benchmark's claims, copied into a table of their own for the baseline. */
    private void copyReadModelForBaseline() throws SQLException {
        if (baselineCopied) {
            return;
        }
        String schema = NodeBaseline.TABLE.substring(0, NodeBaseline.TABLE.indexOf('.'));
        database.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
                "CREATE TABLE " + NodeBaseline.TABLE + " (LIKE consumer_claims INCLUDING ALL)",
                "INSERT INTO " + NodeBaseline.TABLE + " SELECT * FROM consumer_claims WHERE tenant_id = '" + TENANT
                        + "'", "VACUUM ANALYZE " + NodeBaseline.TABLE);
        baselineCopied = true;
    }

    /**
     * What the HTTP stack alone allows here: the same connections calling the server's liveness probe, which touches
     * neither Axon nor the database.
     */
    private void httpFloor() {
        Wrk.Result run = wrk.get(options.duration(), server, "/actuator/health/liveness");
        say("HTTP FLOOR GET /actuator/health/liveness: %.0f per second, %s, %s", run.perSecond(), run.latencies(),
                run.errors());
        say("  %s", run.cpu());
        report.add("ledger HTTP floor (liveness probe)", perSecond(run));
    }

    /** Single heartbeats at a fixed rate, latency counted from when each call was due. */
    private void halfPeak(double peak) {
        double rate = peak / 2;
        CpuMeter cpu = CpuMeter.start(options.database(), "ledger", server.pid());
        Load.Result run = heartbeatsAtRate(options.duration(), rate);
        CpuMeter.Shares shares = cpu.stop(Map.of());
        double p99 = run.latencyMicros().getValueAtPercentile(99) / 1000.0;
        say("LEDGER heartbeats at half the peak (%.0f per second offered): %.0f per second, %s, errors %d", rate,
                run.perSecond(), run.latencies(), run.errors());
        say("  %s", shares);
        report.add("p99 at half the peak", String.format("%.1f ms (%.0f/s offered, errors %d)", p99, rate,
                run.errors()), "goal <= 25 ms", p99 <= 25 && run.errors() == 0);
    }

    private void memory() throws Exception {
        LedgerClient ledger = server.client();
        long active = database.number("SELECT count(*) FROM consumer_claims WHERE status = 'active'");
        long heap = ledger.heapUsedBytes();
        say("SERVER memory with %,d active claims: heap used %.0f MiB, RSS %d MiB", active, heap / 1048576.0,
                rssMiB(server.pid()));
        if (fullCollection(server.pid())) {
            double live = ledger.heapUsedBytes() / 1048576.0;
            say("SERVER memory with %,d active claims after a full collection (jcmd GC.run): heap used %.0f MiB",
                    active, live);
            report.add("heap after a full collection", String.format("%.0f MiB with %,d active claims", live, active),
                    "goal <= 512 MiB", live <= 512);
        }
    }

    /** What the heap holds live, not garbage not yet collected: asks the server's JVM for a full collection. */
    private static boolean fullCollection(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return false;
        }
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return gc.waitFor(60, TimeUnit.SECONDS) && gc.exitValue() == 0;
    }

    private void addBurst(String figure, Expiries.Burst burst) {
        double p99 = burst.delayMicros().getValueAtPercentile(99) / 1000.0;
        report.add(figure, String.format("p99 %.0f ms (p50 %.0f, max %.0f; %d of %d expired, ends within %.0f ms)",
                p99, burst.delayMicros().getValueAtPercentile(50) / 1000.0, burst.delayMicros().getMaxValue()
                        / 1000.0, burst.expired(), burst.made(), burst.endSpreadMs()), "goal p99 <= 1.5 s",
                p99 <= 1500 && burst.expired() >= burst.made() && burst.secondsToSpare() > 0);
    }

    private void rebuild() throws Exception {
        LedgerClient ledger = server.client();
        long existing = database.number("SELECT count(*) FROM domain_event_entry");
        long missing = Math.max(0, options.rebuildEvents() - existing);
        if (missing > 0) {
            long started = System.nanoTime();
            try (var connection = database.connect()) {
                long written = SyntheticEvents.append(connection, missing);
                say("rebuild: appended %d synthetic events in %.1f s", written, (System.nanoTime() - started) / 1e9);
            }
        }
        waitForProjectionToSettle(ledger);
        waitForMerkleLog();
        Double alone = rebuildOnce(ledger, "alone");
        if (alone == null) {
            return;
        }
        report.add("rebuild, alone", String.format("%,.0f events/s", alone), "goal >= 50,000 events/s",
                alone >= 50_000);
        RebuildReads readers = missing > 0
                ? RebuildReads.start(ledger, SyntheticEvents.TENANT, IntStream.range(0, 200)
                        .mapToObj(SyntheticEvents::consumer).toList(), options.clients())
                : RebuildReads.start(ledger, TENANT, LongStream.range(0, Math.min(200, options.claims()))
                        .mapToObj(ClaimsBench::consumer).toList(), options.clients());
        Double besideReaders = rebuildOnce(ledger, "beside " + options.clients() + " clients reading");
        RebuildReads.Result reads = readers.stop();
        say("READS DURING THE REBUILD, %d clients: %s", options.clients(), reads.summary());
        if (besideReaders != null) {
            report.add("rebuild, " + options.clients() + " clients reading", String.format("%,.0f events/s; %s",
                    besideReaders, reads.summary()));
        }
    }

    /**
     * Rebuilds the read model once and waits for it to end; its events per second over the positions it covered, or
     * null when it could not start.
     */
    private Double rebuildOnce(LedgerClient ledger, String how) throws Exception {
        long started = System.nanoTime();
        LedgerClient.Answer accepted = ledger.startRebuild();
        if (accepted.status() != 202) {
            say("rebuild %s: could not start (%d %s)", how, accepted.status(), accepted.body());
            return null;
        }
        String location = "/v1/admin/projections/consumer-claims/rebuilds/" + accepted.body().path("id").asText();
        JsonNode progress = accepted.body();
        while ("running".equals(progress.path("state").asText())) {
            Thread.sleep(1000);
            progress = ledger.get(location).body();
            say("  rebuild %s: %d of %d, %.0f events/s", progress.path("state").asText(),
                    progress.path("processed").asLong(), progress.path("total").asLong(),
                    progress.path("events_per_second").asDouble());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double perSecond = progress.path("total").asLong() / seconds;
        say("REBUILD %s of %d event positions: %.1f s, %.0f events per second (state %s)", how.toUpperCase(),
                progress.path("total").asLong(), seconds, perSecond, progress.path("state").asText());
        return perSecond;
    }

    private void compaction(Wrk.Result withoutCompaction) throws Exception {
        waitForProjectionToSettle(server.client());
        Compaction.Figures figures = new Compaction(options, server, database, wrk)
                .measure(() -> waitForProjectionToSettle(server.client()));
        say("COMPACTION: %s; heartbeats at rest %.0f bytes each before, %.1f bytes each in compacted runs; table "
                        + "%,d -> %,d bytes", Compaction.describe(figures), figures.before().bytesPerHeartbeatRow(),
                figures.after().bytesPerHeartbeatInRuns(), figures.before().bytes(), figures.after().bytes());
        Wrk.Result during = figures.whileCompacting();
        say("  single heartbeats while compacting (for %.1f s of the %s run): %.0f per second, %s, %s",
                Math.min(figures.seconds(), during.seconds()), Report.human(options.duration()), during.perSecond(),
                during.latencies(), during.errors());
        report.add("compaction", Compaction.describe(figures));
        report.add("heartbeat at rest, before and after compaction", String.format("%.0f -> %.1f bytes",
                figures.before().bytesPerHeartbeatRow(), figures.after().bytesPerHeartbeatInRuns()));
        double perHeartbeat = figures.after().allTablesBytesPerHeartbeat();
        report.add("every ledger table over its heartbeats", String.format("%.1f -> %.1f bytes (%,d claims)",
                figures.before().allTablesBytesPerHeartbeat(), perHeartbeat, options.claims()),
                "goal <= 24 bytes", perHeartbeat <= 24);
        double ratio = during.perSecond() / figures.beforeCompacting().perSecond();
        report.add("single heartbeats just before compacting", String.format("%,.0f per second (%s)",
                figures.beforeCompacting().perSecond(), figures.beforeCompacting().latencies()));
        report.add("ratio: heartbeats while compacting / just before", String.format("%.2f", ratio),
                "goal >= 0.90", ratio >= 0.90);
        if (withoutCompaction != null) {
            report.add("ratio: heartbeats while compacting / heartbeats phase",
                    String.format("%.2f", during.perSecond() / withoutCompaction.perSecond()));
        }
    }

    private void storageOverTime() throws Exception {
        say("storage over time: %d long epochs, a heartbeat about every 20 ms each, %d steps of %s, retention %s",
                options.storageClaims(), options.storageSteps(), Report.human(options.storageStep()),
                Report.human(options.storageRetention()));
        List<StorageOverTime.Step> steps = new StorageOverTime(options, server, database)
                .measure(() -> waitForProjectionToSettle(server.client()));
        // the first third fills the epochs before retention has anything to drop (a full run and the retention take
        // about 140 s at the defaults); after it, a run grows until it is full, so the bytes rise and fall within a
        // band: compare the highest of the middle third with the highest of the last
        int third = steps.size() / 3;
        List<StorageOverTime.Step> middle = steps.subList(third, 2 * third);
        List<StorageOverTime.Step> last = steps.subList(2 * third, steps.size());
        long middleMost = middle.stream().mapToLong(StorageOverTime.Step::bytes).max().orElse(0);
        long lastMost = last.stream().mapToLong(StorageOverTime.Step::bytes).max().orElse(0);
        StorageOverTime.Step end = steps.get(steps.size() - 1);
        double growth = (double) lastMost / Math.max(1, middleMost) - 1;
        String measured = String.format("at most %,d bytes in the middle third, %,d in the last (%+.0f%%), while the"
                        + " heartbeats written went from %,d to %,d; %,d bytes of exports", middleMost, lastMost,
                growth * 100, middle.get(middle.size() - 1).heartbeatsWritten(), end.heartbeatsWritten(),
                end.exportBytes());
        say("STORAGE OVER TIME, with retention: %s", measured);
        report.add("storage over time, highest of the middle and last thirds", measured,
                "goal: levels off (<= +10%)", growth <= 0.10);
    }

    // ----- soak -----

    private void soak() throws Exception {
        prepareClaims();
        LedgerClient ledger = server.client();
        Duration window = Duration.ofSeconds(30);
        long windows = Math.max(1, options.soakDuration().toSeconds() / window.toSeconds());
        say("soak: %d heartbeats per second for %s over %d claims", options.soakRate(),
                Report.human(options.soakDuration()), options.claims());
        long errors = 0;
        Histogram all = new Histogram(3);
        List<Long> oldGeneration = new ArrayList<>();
        for (long w = 0; w < windows; w++) {
            Load.Result run = heartbeatsAtRate(window, options.soakRate());
            errors += run.errors();
            all.add(run.latencyMicros());
            oldGeneration.add(ledger.oldGenerationUsedBytes());
            say("  %3ds: %.0f per second, %s, errors %d, heap used %.0f MiB, old generation %.0f MiB, RSS %d MiB",
                    (w + 1) * window.toSeconds(), run.perSecond(), run.latencies(), run.errors(),
                    ledger.heapUsedBytes() / 1048576.0, oldGeneration.get(oldGeneration.size() - 1) / 1048576.0,
                    rssMiB(server.pid()));
        }
        say("SOAK: errors %d; latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms; old generation first "
                        + "%.0f MiB, last %.0f MiB, max %.0f MiB", errors, all.getValueAtPercentile(50) / 1000.0,
                all.getValueAtPercentile(99) / 1000.0, all.getValueAtPercentile(99.9) / 1000.0,
                all.getMaxValue() / 1000.0, oldGeneration.get(0) / 1048576.0,
                oldGeneration.get(oldGeneration.size() - 1) / 1048576.0,
                oldGeneration.stream().mapToLong(Long::longValue).max().orElse(0) / 1048576.0);
        if (errors > 0) {
            System.exit(1);
        }
    }

    // ----- helpers -----

    /** Single heartbeats for random claims at a fixed total rate, one kept-alive connection per client. */
    private Load.Result heartbeatsAtRate(Duration duration, double rate) {
        List<HeartbeatConnection> connections = new ArrayList<>();
        for (int c = 0; c < options.clients(); c++) {
            connections.add(server.heartbeatConnection());
        }
        try {
            return Load.run(options.clients(), duration, rate, (client, i) -> {
                int status = connections.get(client).heartbeat(TENANT,
                        consumer(ThreadLocalRandom.current().nextLong(options.claims())));
                return status >= 200 && status < 300;
            });
        } finally {
            connections.forEach(HeartbeatConnection::close);
        }
    }

    private void waitForProjectionToSettle(LedgerClient ledger) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        double lag = Double.MAX_VALUE;
        while (System.nanoTime() < deadline && lag > 0) {
            Thread.sleep(1000);
            JsonNode metric = ledger.get("/actuator/metrics/claims.projection.lag.events").body();
            lag = metric.path("measurements").path(0).path("value").asDouble(Double.MAX_VALUE);
        }
    }

    /**
     * Waits until the Merkle log's writer has logged every stored event, so that the rebuild is measured on its own,
     * not beside the writer catching up with the synthetic events appended all at once.
     */
    private void waitForMerkleLog() throws Exception {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MINUTES.toNanos(10);
        long head = database.number("SELECT COALESCE(max(global_index), 0) FROM domain_event_entry");
        while (System.nanoTime() < deadline && database.number("SELECT high_water FROM merkle_log_head") < head) {
            Thread.sleep(1000);
        }
        say("rebuild: waited %.1f s for the Merkle log to log every stored event", (System.nanoTime() - started) / 1e9);
    }

    private static String perSecond(Wrk.Result run) {
        return String.format("%,.0f per second (p99 %.1f ms; %s)", run.perSecond(), run.p99Ms(), run.errors());
    }

    /** The load generator's, the server's and PostgreSQL's shares of the machine, and the rest. */
    private static String shares(CpuMeter.Shares cpu, String generator, String serverName) {
        double server = serverName == null ? 0 : cpu.of(serverName);
        double rest = cpu.machine() - cpu.of(generator) - server - cpu.of("PostgreSQL");
        return String.format("%s %.0f%%, %sPostgreSQL %.0f%%, anything else %.0f%% (shares of the machine)", generator,
                cpu.of(generator) * 100, serverName == null ? "" : String.format("%s %.0f%%, ", serverName,
                        server * 100), cpu.of("PostgreSQL") * 100, Math.max(0, rest) * 100);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    static void say(String format, Object... arguments) {
        Report.say(format, arguments);
    }
}
