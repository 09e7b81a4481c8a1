package dev.claimsledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Readers while the read model is rebuilt: clients poll claims that exist, one {@code GET} of a claim per call and a
 * page of the tenant's claims every fifth call, and count every answer that shows the read model going back: a 404,
 * an empty page, or a claim with fewer heartbeats or an earlier update than before the rebuild started or than the
 * same client saw last.
 */
final class RebuildReads {

    /** What the readers saw. */
    record Result(long reads, long notFound, long emptyPages, long older, long otherFailures, Histogram latency) {

        String summary() {
            return String.format("%d reads: %d not found, %d empty pages, %d older claims, %d other failures;"
                            + " read latency p50 %.1f ms, p99 %.1f ms, max %.1f ms", reads, notFound, emptyPages, older,
                    otherFailures, latency.getValueAtPercentile(50) / 1000.0,
                    latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0);
        }
    }

    private final LedgerClient ledger;
    private final String tenant;
    private final Map<String, JsonNode> before;
    private final List<String> consumers;
    private final ExecutorService clients;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();
    private final AtomicLong emptyPages = new AtomicLong();
    private final AtomicLong older = new AtomicLong();
    private final AtomicLong otherFailures = new AtomicLong();
    private final Histogram latency = new Histogram(3);

    private RebuildReads(LedgerClient ledger, String tenant, Map<String, JsonNode> before, int clients) {
        this.ledger = ledger;
        this.tenant = tenant;
        this.before = before;
        this.consumers = new ArrayList<>(before.keySet());
        this.clients = Executors.newFixedThreadPool(clients);
    }

    /** Reads each consumer's epoch 1 once, then starts {@code clients} readers polling them. */
    static RebuildReads start(LedgerClient ledger, String tenant, List<String> consumers, int clients) {
        Map<String, JsonNode> before = new HashMap<>();
        for (String consumer : consumers) {
            LedgerClient.Answer answer = ledger.get(path(tenant, consumer));
            if (answer.status() == 200) {
                before.put(consumer, answer.body());
            }
        }
        if (before.isEmpty()) {
            throw new IllegalStateException("none of the claims to read exists");
        }
        RebuildReads readers = new RebuildReads(ledger, tenant, before, clients);
        for (int c = 0; c < clients; c++) {
            int offset = c;
            readers.clients.submit(() -> readers.poll(offset));
        }
        return readers;
    }

    Result stop() throws InterruptedException {
        running.set(false);
        clients.shutdown();
        clients.awaitTermination(60, TimeUnit.SECONDS);
        synchronized (latency) {
            return new Result(reads.get(), notFound.get(), emptyPages.get(), older.get(), otherFailures.get(),
                    latency.copy());
        }
    }

    private void poll(int offset) {
        Map<String, JsonNode> lastSeen = new HashMap<>(before);
        for (long i = offset; running.get(); i++) {
            long started = System.nanoTime();
            if (i % 5 == 0) {
                readPage(lastSeen);
            } else {
                readOne(consumers.get((int) (i % consumers.size())), lastSeen);
            }
            synchronized (latency) {
                latency.recordValue(Math.max(1, (System.nanoTime() - started) / 1000));
            }
        }
    }

    private void readOne(String consumer, Map<String, JsonNode> lastSeen) {
        LedgerClient.Answer answer = ledger.get(path(tenant, consumer));
        reads.incrementAndGet();
        if (answer.status() == 404) {
            notFound.incrementAndGet();
        } else if (answer.status() != 200) {
            otherFailures.incrementAndGet();
        } else {
            compare(consumer, answer.body(), lastSeen);
        }
    }

    private void readPage(Map<String, JsonNode> lastSeen) {
        LedgerClient.Answer answer = ledger.get("/v1/tenants/" + tenant + "/claims?limit=100");
        reads.incrementAndGet();
        if (answer.status() != 200) {
            otherFailures.incrementAndGet();
        } else if (answer.body().path("claims").isEmpty()) {
            emptyPages.incrementAndGet();
        } else {
            for (JsonNode claim : answer.body().path("claims")) {
                String consumer = claim.path("consumer_id").asText();
                if (lastSeen.containsKey(consumer) && claim.path("epoch").asLong() == 1) {
                    compare(consumer, claim, lastSeen);
                }
            }
        }
    }

    private void compare(String consumer, JsonNode seen, Map<String, JsonNode> lastSeen) {
        JsonNode reference = lastSeen.get(consumer);
        boolean wentBack = seen.path("heartbeat_count").asLong() < reference.path("heartbeat_count").asLong()
                || Instant.parse(seen.path("updated_at").asText())
                .isBefore(Instant.parse(reference.path("updated_at").asText()));
        if (wentBack) {
            older.incrementAndGet();
        } else {
            lastSeen.put(consumer, seen);
        }
    }

    private static String path(String tenant, String consumer) {
        return "/v1/tenants/" + tenant + "/claims/" + consumer + "/epochs/1";
    }
}
