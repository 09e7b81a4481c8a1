package dev.claimsledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.HdrHistogram.Histogram;

/**
 * The ledger benchmark: heartbeats over HTTP against a running server, beside the plain-SQL design it replaces
 * (one {@code UPDATE consumer_claims} per heartbeat) on the same PostgreSQL with the same clients and claims; expiry
 * precision; rebuild speed; the server's memory. And a bounded soak. See BENCHMARKS.md.
 */
public final class ClaimsBench {

    private static final String TENANT = "bench";
    private static final String EXPIRY_TENANT = "bench-expiry";
    private static final long LONG_TTL_MS = 600_000;

    private final Options options;
    private final LedgerClient ledger;
    private final ObjectMapper json = new ObjectMapper();

    private ClaimsBench(Options options) {
        this.options = options;
        this.ledger = new LedgerClient(options.baseUrl());
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        ClaimsBench bench = new ClaimsBench(options);
        if (options.runs("soak")) {
            bench.soak();
        } else {
            bench.benchmark();
        }
    }

    private void benchmark() throws Exception {
        say("claims-bench: %d claims, %d clients, %s per run, against %s", options.claims(), options.clients(),
                options.duration(), options.baseUrl());
        say("machine: %d cores, %s", Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"));
        Load.Result ledgerRun = null;
        Load.Result baselineRun = null;
        if (options.runs("heartbeats") || options.runs("batch") || options.runs("half-peak")
                || options.runs("memory")) {
            prepareClaims();
        }
        if (options.runs("heartbeats")) {
            warmUp();
            ledgerRun = heartbeats();
        }
        if (options.runs("http-floor")) {
            httpFloor();
        }
        if (options.runs("batch")) {
            batches();
        }
        if (options.runs("baseline")) {
            baselineRun = baseline();
        }
        if (ledgerRun != null && baselineRun != null) {
            say("RATIO ledger / baseline: %.2f (%.0f / %.0f heartbeats per second)",
                    ledgerRun.perSecond() / baselineRun.perSecond(), ledgerRun.perSecond(), baselineRun.perSecond());
        }
        if (options.runs("half-peak") && ledgerRun != null) {
            halfPeak(ledgerRun.perSecond());
        }
        if (options.runs("memory")) {
            memory();
        }
        if (options.runs("expiry")) {
            expiryPrecision();
        }
        if (options.runs("rebuild")) {
            rebuild();
        }
    }

    // ----- phases -----

    private void prepareClaims() {
        Load.Result made = Load.run(options.clients(), Duration.ofHours(1), 0, new Load.Operation() {
            private final AtomicLong next = new AtomicLong();

            @Override
            public boolean call(int client, long iteration) {
                long index = next.getAndIncrement();
                if (index >= options.claims()) {
                    throw new Load.Stop();
                }
                int status = ledger.claim(TENANT, consumer(index), LONG_TTL_MS).status();
                return status == 201 || status == 200;
            }
        });
        say("prepared %d active claims in %.1f s (%d errors)", options.claims(), made.elapsed().toMillis() / 1000.0,
                made.errors());
    }

    /** Heartbeats that are not counted, so that the server's JIT compilation is done before the measured run. */
    private void warmUp() {
        Load.Result run = Load.run(options.clients(), options.warmup(), 0, (client, i) ->
                ledger.heartbeat(TENANT, consumer(ThreadLocalRandom.current().nextLong(options.claims()))).ok());
        say("warm-up: %s of heartbeats, %.0f per second (not counted)", options.warmup(), run.perSecond());
    }

    /**
     * What the HTTP stack alone allows here: the same clients calling the server's liveness probe, which touches
     * neither Axon nor the database. No per-request design can beat this on this machine.
     */
    private void httpFloor() {
        Load.Result run = Load.run(options.clients(), options.duration(), 0, (client, i) ->
                ledger.get("/actuator/health/liveness").ok());
        say("HTTP FLOOR GET /actuator/health/liveness: %.0f per second, %s, errors %d of %d", run.perSecond(),
                run.latencies(), run.errors(), run.calls());
    }

    /**
     * Heartbeats sent {@code --batch-size} to a request through {@code POST /v1/tenants/{tenant}/heartbeats}, which
     * records each request's heartbeats with one commit. Counted in heartbeats; latency is per request. Warmed up
     * first like the single heartbeats.
     */
    private void batches() {
        Load.Operation batch = (client, i) -> {
            List<String> consumers = new ArrayList<>(options.batchSize());
            for (int n = 0; n < options.batchSize(); n++) {
                consumers.add(consumer(ThreadLocalRandom.current().nextLong(options.claims())));
            }
            LedgerClient.Answer answer = ledger.heartbeats(TENANT, consumers);
            if (!answer.ok()) {
                return false;
            }
            for (JsonNode result : answer.body().path("results")) {
                if (result.path("status").asInt() != 200) {
                    return false;
                }
            }
            return true;
        };
        Load.run(options.clients(), options.warmup(), 0, batch);
        Load.Result run = Load.run(options.clients(), options.duration(), 0, batch);
        say("LEDGER BATCHED heartbeats over HTTP, %d per request: %.0f heartbeats per second (%.0f requests per"
                + " second), request %s, failed requests %d of %d", options.batchSize(),
                run.perSecond() * options.batchSize(), run.perSecond(), run.latencies(), run.errors(), run.calls());
    }

    private Load.Result heartbeats() throws Exception {
        Histogram lag = new Histogram(3);
        AtomicReference<long[]> lastAck = new AtomicReference<>();
        ExecutorService sampler = Executors.newSingleThreadExecutor();
        sampler.submit(() -> sampleProjectionLag(lastAck, lag));
        Load.Result run = Load.run(options.clients(), options.duration(), 0, (client, i) -> {
            long index = ThreadLocalRandom.current().nextLong(options.claims());
            LedgerClient.Answer answer = ledger.heartbeat(TENANT, consumer(index));
            if (answer.ok()) {
                lastAck.set(new long[]{index, answer.body().path("heartbeat_count").asLong(), System.nanoTime()});
            }
            return answer.ok();
        });
        sampler.shutdownNow();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
        say("LEDGER heartbeats over HTTP: %.0f per second, %s, errors %d of %d", run.perSecond(), run.latencies(),
                run.errors(), run.calls());
        say("LEDGER projection lag (2xx to row shows it): p50 %.1f ms, p99 %.1f ms (%d samples)",
                lag.getValueAtPercentile(50) / 1000.0, lag.getValueAtPercentile(99) / 1000.0, lag.getTotalCount());
        return run;
    }

    private void sampleProjectionLag(AtomicReference<long[]> lastAck, Histogram lag) {
        try (Connection connection = connect(); PreparedStatement read = connection.prepareStatement(
                "SELECT heartbeat_count FROM consumer_claims WHERE tenant_id = ? AND consumer_id = ? AND epoch = 1")) {
            while (!Thread.currentThread().isInterrupted()) {
                long[] ack = lastAck.get();
                if (ack == null) {
                    Thread.sleep(10);
                    continue;
                }
                read.setString(1, TENANT);
                read.setString(2, consumer(ack[0]));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline) {
                    try (ResultSet row = read.executeQuery()) {
                        if (row.next() && row.getLong(1) >= ack[1]) {
                            lag.recordValue(Math.max(1, (System.nanoTime() - ack[2]) / 1000));
                            break;
                        }
                    }
                    Thread.sleep(1);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            say("projection lag sampling stopped: %s", e.getMessage());
        }
    }

    /** The design the ledger replaces: one row per claim, one UPDATE per heartbeat, same PostgreSQL and clients. */
    private Load.Result baseline() throws Exception {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS bench_baseline CASCADE");
            statement.execute("CREATE SCHEMA bench_baseline");
            statement.execute("CREATE TABLE bench_baseline.consumer_claims (LIKE consumer_claims INCLUDING ALL)");
            statement.execute("INSERT INTO bench_baseline.consumer_claims SELECT * FROM consumer_claims"
                    + " WHERE tenant_id = '" + TENANT + "'");
            statement.execute("ANALYZE bench_baseline.consumer_claims");
        }
        List<Connection> connections = new ArrayList<>();
        List<PreparedStatement> updates = new ArrayList<>();
        for (int c = 0; c < options.clients(); c++) {
            Connection connection = connect();
            connections.add(connection);
            updates.add(connection.prepareStatement("UPDATE bench_baseline.consumer_claims"
                    + " SET last_heartbeat_at = now(), updated_at = now()"
                    + " WHERE tenant_id = ? AND consumer_id = ? AND epoch = ?"));
        }
        Load.Result run = Load.run(options.clients(), options.duration(), 0, (client, i) -> {
            PreparedStatement update = updates.get(client);
            update.setString(1, TENANT);
            update.setString(2, consumer(ThreadLocalRandom.current().nextLong(options.claims())));
            update.setLong(3, 1);
            return update.executeUpdate() == 1;
        });
        for (Connection connection : connections) {
            connection.close();
        }
        say("BASELINE single-row UPDATE per heartbeat (JDBC, autocommit): %.0f per second, %s, errors %d of %d",
                run.perSecond(), run.latencies(), run.errors(), run.calls());
        return run;
    }

    private void halfPeak(double peak) {
        double rate = peak / 2;
        Load.Result run = Load.run(options.clients(), options.duration(), rate, (client, i) ->
                ledger.heartbeat(TENANT, consumer(ThreadLocalRandom.current().nextLong(options.claims()))).ok());
        say("LEDGER heartbeats at half the peak (%.0f per second offered): %.0f per second, %s, errors %d", rate,
                run.perSecond(), run.latencies(), run.errors());
    }

    private void memory() throws Exception {
        long heap = ledger.heapUsedBytes();
        say("SERVER memory with %d active claims: heap used %.0f MiB%s", options.claims(), heap / 1048576.0,
                options.serverPid() > 0 ? ", RSS " + rssMiB(options.serverPid()) + " MiB" : "");
        if (options.serverPid() > 0 && fullCollection(options.serverPid())) {
            say("SERVER memory with %d active claims after a full collection (jcmd GC.run): heap used %.0f MiB",
                    options.claims(), ledger.heapUsedBytes() / 1048576.0);
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

    private void expiryPrecision() throws Exception {
        int count = options.expiryClaims();
        Instant windowStart = Instant.now().plusSeconds(Math.max(15, count / 400));
        long windowMillis = options.expiryWindow().toMillis();
        AtomicLong next = new AtomicLong();
        Load.Result made = Load.run(options.clients(), Duration.ofHours(1), 0, (client, i) -> {
            long index = next.getAndIncrement();
            if (index >= count) {
                throw new Load.Stop();
            }
            Instant end = windowStart.plusMillis(windowMillis * index / count);
            long ttl = Math.max(1000, Duration.between(Instant.now(), end).toMillis());
            return ledger.claim(EXPIRY_TENANT, "expiring-" + index, ttl).status() == 201;
        });
        say("expiry: made %d claims ending within %s in %.1f s (%d errors)", count, options.expiryWindow(),
                made.elapsed().toMillis() / 1000.0, made.errors());
        String streams = EXPIRY_TENANT.length() + ":" + EXPIRY_TENANT + "/%";
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        List<String> expiries = List.of();
        while (System.nanoTime() < deadline) {
            expiries = payloads("dev.claimsledger.api.ClaimLeaseExpired", streams);
            if (expiries.size() >= count - made.errors()) {
                break;
            }
            Thread.sleep(500);
        }
        Histogram delay = new Histogram(3);
        for (String payload : expiries) {
            JsonNode event = json.readTree(payload);
            long micros = Duration.between(Instant.parse(event.path("leaseExpiresAt").asText()),
                    Instant.parse(event.path("expiredAt").asText())).toNanos() / 1000;
            delay.recordValue(Math.max(1, micros));
        }
        say("EXPIRY delay from lease_expires_at to ClaimLeaseExpired: p50 %.0f ms, p99 %.0f ms, max %.0f ms "
                        + "(%d of %d expired)", delay.getValueAtPercentile(50) / 1000.0,
                delay.getValueAtPercentile(99) / 1000.0, delay.getMaxValue() / 1000.0, expiries.size(),
                count - made.errors());
    }

    private void rebuild() throws Exception {
        long existing;
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM domain_event_entry")) {
            rows.next();
            existing = rows.getLong(1);
        }
        long missing = Math.max(0, options.rebuildEvents() - existing);
        if (missing > 0) {
            long started = System.nanoTime();
            try (Connection connection = connect()) {
                long written = SyntheticEvents.append(connection, missing);
                say("rebuild: appended %d synthetic events in %.1f s", written,
                        (System.nanoTime() - started) / 1e9);
            }
        }
        waitForProjectionToSettle();
        RebuildReads readers = missing > 0
                ? RebuildReads.start(ledger, SyntheticEvents.TENANT, IntStream.range(0, 200)
                        .mapToObj(SyntheticEvents::consumer).toList(), options.clients())
                : RebuildReads.start(ledger, TENANT, LongStream.range(0, Math.min(200, options.claims()))
                        .mapToObj(ClaimsBench::consumer).toList(), options.clients());
        long started = System.nanoTime();
        LedgerClient.Answer accepted = ledger.startRebuild();
        if (accepted.status() != 202) {
            readers.stop();
            say("rebuild: could not start (%d %s)", accepted.status(), accepted.body());
            return;
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
        say("REBUILD of %d event positions: %.1f s, %.0f events per second (state %s)",
                progress.path("total").asLong(), seconds, progress.path("total").asLong() / seconds,
                progress.path("state").asText());
        say("READS DURING THE REBUILD, %d clients: %s", options.clients(), readers.stop().summary());
    }

    // ----- soak -----

    private void soak() throws Exception {
        prepareClaims();
        Duration window = Duration.ofSeconds(30);
        long windows = Math.max(1, options.soakDuration().toSeconds() / window.toSeconds());
        say("soak: %d heartbeats per second for %s over %d claims", options.soakRate(), options.soakDuration(),
                options.claims());
        long errors = 0;
        Histogram all = new Histogram(3);
        List<Long> oldGeneration = new ArrayList<>();
        for (long w = 0; w < windows; w++) {
            Load.Result run = Load.run(options.clients(), window, options.soakRate(), (client, i) ->
                    ledger.heartbeat(TENANT, consumer(ThreadLocalRandom.current().nextLong(options.claims()))).ok());
            errors += run.errors();
            all.add(run.latencyMicros());
            oldGeneration.add(ledger.oldGenerationUsedBytes());
            say("  %3ds: %.0f per second, %s, errors %d, heap used %.0f MiB, old generation %.0f MiB%s",
                    (w + 1) * window.toSeconds(), run.perSecond(), run.latencies(), run.errors(),
                    ledger.heapUsedBytes() / 1048576.0, oldGeneration.get(oldGeneration.size() - 1) / 1048576.0,
                    options.serverPid() > 0 ? ", RSS " + rssMiB(options.serverPid()) + " MiB" : "");
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

    private void waitForProjectionToSettle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        double lag = Double.MAX_VALUE;
        while (System.nanoTime() < deadline && lag > 0) {
            Thread.sleep(1000);
            JsonNode metric = ledger.get("/actuator/metrics/claims.projection.lag.events").body();
            lag = metric.path("measurements").path(0).path("value").asDouble(Double.MAX_VALUE);
        }
    }

    private List<String> payloads(String type, String streams) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection connection = connect(); PreparedStatement select = connection.prepareStatement(
                "SELECT convert_from(payload, 'UTF8') FROM domain_event_entry"
                        + " WHERE payload_type = ? AND aggregate_identifier LIKE ?")) {
            select.setString(1, type);
            select.setString(2, streams);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
        }
        return found;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(options.jdbcUrl(), options.jdbcUser(), options.jdbcPassword());
    }

    private static String consumer(long index) {
        return "worker-" + index;
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

    private static void say(String format, Object... arguments) {
        System.out.println(String.format(format, arguments));
        System.out.flush();
    }
}
