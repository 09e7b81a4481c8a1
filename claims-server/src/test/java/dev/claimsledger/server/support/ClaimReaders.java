package dev.claimsledger.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Readers that poll claims that exist while something else goes on (a rebuild), as API callers would, and count
 * every answer that shows the read model going back: a 404, an empty page of the tenant's claims, or a claim older
 * than it was before they started (fewer heartbeats, an earlier update, an ended claim active again). Each reader
 * also compares every answer with the last one it saw of that claim. Several readers per node, every node polled.
 */
public final class ClaimReaders implements AutoCloseable {

    private static final int READERS_PER_NODE = 2;
    private static final int EXAMPLES = 10;

    /** One claim that exists before the readers start. */
    public record Claim(String tenant, String consumer, long epoch) {

        String path() {
            return LedgerHttp.claim(tenant, consumer, epoch);
        }
    }

    /** What the readers saw. */
    public record Outcome(long reads, long notFound, long emptyPages, long older, long otherFailures,
                          List<String> examples) {

        /** Whether no answer showed the read model going back, and every call was answered 200. */
        public boolean clean() {
            return notFound == 0 && emptyPages == 0 && older == 0 && otherFailures == 0;
        }

        @Override
        public String toString() {
            return reads + " reads: " + notFound + " not found, " + emptyPages + " empty pages, " + older
                    + " older claims, " + otherFailures + " other failures" + (examples.isEmpty() ? "" : "; " + examples);
        }
    }

    private final List<Claim> claims;
    private final Map<Claim, JsonNode> before;
    private final ExecutorService threads;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();
    private final AtomicLong emptyPages = new AtomicLong();
    private final AtomicLong older = new AtomicLong();
    private final AtomicLong otherFailures = new AtomicLong();
    private final ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();

    private ClaimReaders(List<Claim> claims, Map<Claim, JsonNode> before, int threads) {
        this.claims = claims;
        this.before = before;
        this.threads = Executors.newFixedThreadPool(threads);
    }

    /** Reads every claim once from the first node (each must be there), then starts the readers on every node. */
    public static ClaimReaders start(List<LedgerHttp> nodes, List<Claim> claims) {
        Map<Claim, JsonNode> before = new HashMap<>();
        for (Claim claim : claims) {
            Reply reply = nodes.get(0).get(claim.path());
            assertThat(reply.status()).as("%s before the readers start: %s", claim, reply).isEqualTo(200);
            before.put(claim, reply.json());
        }
        ClaimReaders readers = new ClaimReaders(List.copyOf(claims), before, nodes.size() * READERS_PER_NODE);
        for (LedgerHttp node : nodes) {
            for (int r = 0; r < READERS_PER_NODE; r++) {
                int offset = r;
                readers.threads.submit(() -> readers.poll(node, offset));
            }
        }
        return readers;
    }

    /** How many reads have been answered so far. */
    public long reads() {
        return reads.get();
    }

    /** Stops the readers and says what they saw. */
    public Outcome stop() throws InterruptedException {
        running.set(false);
        threads.shutdown();
        assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).as("readers stopped").isTrue();
        return new Outcome(reads.get(), notFound.get(), emptyPages.get(), older.get(), otherFailures.get(),
                List.copyOf(examples));
    }

    @Override
    public void close() {
        running.set(false);
        threads.shutdownNow();
    }

    private void poll(LedgerHttp node, int offset) {
        Map<Claim, JsonNode> lastSeen = new HashMap<>(before);
        for (long i = offset; running.get(); i++) {
            Claim claim = claims.get((int) (i % claims.size()));
            try {
                if (i % 5 == 0) {
                    readPage(node, claim.tenant(), lastSeen);
                } else {
                    readOne(node, claim, lastSeen);
                }
            } catch (RuntimeException e) {
                failure(otherFailures, node.baseUrl() + " " + claim + ": " + e);
            }
        }
    }

    private void readOne(LedgerHttp node, Claim claim, Map<Claim, JsonNode> lastSeen) {
        Reply reply = node.get(claim.path());
        reads.incrementAndGet();
        if (reply.status() == 404) {
            failure(notFound, node.baseUrl() + " " + claim + ": " + reply);
        } else if (reply.status() != 200) {
            failure(otherFailures, node.baseUrl() + " " + claim + ": " + reply);
        } else {
            compare(claim, reply.json(), lastSeen, node);
        }
    }

    private void readPage(LedgerHttp node, String tenant, Map<Claim, JsonNode> lastSeen) {
        Reply reply = node.get(LedgerHttp.withQuery(LedgerHttp.claims(tenant), "limit", 100));
        reads.incrementAndGet();
        if (reply.status() != 200) {
            failure(otherFailures, node.baseUrl() + " page of " + tenant + ": " + reply);
            return;
        }
        JsonNode page = reply.json().path("claims");
        if (page.isEmpty()) {
            failure(emptyPages, node.baseUrl() + " page of " + tenant + ": " + reply);
            return;
        }
        for (JsonNode listed : page) {
            Claim claim = new Claim(listed.path("tenant_id").asText(), listed.path("consumer_id").asText(),
                    listed.path("epoch").asLong());
            if (lastSeen.containsKey(claim)) {
                compare(claim, listed, lastSeen, node);
            }
        }
    }

    private void compare(Claim claim, JsonNode seen, Map<Claim, JsonNode> lastSeen, LedgerHttp node) {
        JsonNode reference = lastSeen.get(claim);
        if (isOlder(seen, reference)) {
            failure(older, node.baseUrl() + " " + claim + " went back from " + reference + " to " + seen);
        } else {
            lastSeen.put(claim, seen);
        }
    }

    private static boolean isOlder(JsonNode seen, JsonNode reference) {
        return seen.path("heartbeat_count").asLong() < reference.path("heartbeat_count").asLong()
                || Instant.parse(seen.path("updated_at").asText())
                .isBefore(Instant.parse(reference.path("updated_at").asText()))
                || "active".equals(seen.path("status").asText())
                && !"active".equals(reference.path("status").asText());
    }

    private void failure(AtomicLong counter, String example) {
        counter.incrementAndGet();
        if (examples.size() < EXAMPLES) {
            examples.add(example);
        }
    }

    /** The claims of {@code consumers} in epoch 1. */
    public static List<Claim> epochOne(String tenant, List<String> consumers) {
        List<Claim> claims = new ArrayList<>();
        consumers.forEach(consumer -> claims.add(new Claim(tenant, consumer, 1)));
        return claims;
    }
}
