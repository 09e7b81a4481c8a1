package dev.claimsledger.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the ledger's HTTP API on a loopback port, for what a real ledger cannot easily be made to do: answer
 * 503, answer late, refuse one heartbeat of a batch, go away and come back on the same port. It speaks the same JSON
 * (README, "The HTTP API"), records every heartbeat and release it receives, and otherwise accepts everything: a claim
 * is 201, a heartbeat 200 with the lease moved to now plus the TTL.
 */
final class FakeLedger implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CLAIMS = Pattern.compile("/v1/tenants/([^/]+)/claims");
    private static final Pattern HEARTBEATS = Pattern.compile("/v1/tenants/([^/]+)/heartbeats");
    private static final Pattern RELEASE = Pattern.compile("/v1/tenants/([^/]+)/claims/([^/]+)/epochs/(\\d+)/release");

    /** One heartbeat as received, with the time it arrived. */
    record Heartbeat(String tenant, String consumerId, long epoch, Instant receivedAt) {
    }

    /** One release as received. */
    record Release(String tenant, String consumerId, long epoch, JsonNode ackedStreams, Instant receivedAt) {
    }

    final List<Heartbeat> heartbeats = new CopyOnWriteArrayList<>();
    final List<Release> releases = new CopyOnWriteArrayList<>();
    final AtomicInteger batchRequests = new AtomicInteger();
    /** consumer id → the error code its heartbeats are refused with (409, or 404 for {@code claim_not_found}). */
    final Map<String, String> refusedConsumers = new ConcurrentHashMap<>();
    /** How many of the next batches are answered 503 as a whole. */
    final AtomicInteger batchesToFail = new AtomicInteger();
    /** How many of the next batches are answered with a claim the client cannot read. */
    final AtomicInteger batchesToGarble = new AtomicInteger();
    /** How many of the next batches are held for {@link #batchDelay} before they are answered. */
    final AtomicInteger batchesToDelay = new AtomicInteger();
    volatile Duration batchDelay = Duration.ZERO;
    /** The tenant and size of every batch received, in order. */
    final List<Map.Entry<String, Integer>> batches = new CopyOnWriteArrayList<>();
    final AtomicInteger claimRequests = new AtomicInteger();
    /** How long each claim's lease still has when the claim is answered; null for its whole TTL. */
    volatile Duration claimRemaining;
    /** The status and code a claim is refused with; null to accept it. */
    volatile String claimRefusal;
    volatile int claimRefusalStatus = 409;
    /** How many of the next releases are answered 503. */
    final AtomicInteger releasesToFail = new AtomicInteger();
    /** The code (409) every release is refused with; null to accept them. */
    volatile String releaseRefusal;
    /** How many of the next claims are answered 503. */
    final AtomicInteger claimsToFail = new AtomicInteger();

    private final Map<String, Long> ttls = new ConcurrentHashMap<>();
    /** The lease ends of claims with a fixed lease, which heartbeats never move. */
    private final Map<String, Instant> fixedEnds = new ConcurrentHashMap<>();
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final List<ClaimsClient> clients = new CopyOnWriteArrayList<>();
    private volatile HttpServer server;
    private final int port;

    static {
        // without it the JDK's server holds each answer back up to 40 ms (Nagle's algorithm meeting delayed ACKs)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    FakeLedger() {
        server = bind(0);
        port = server.getAddress().getPort();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client of this ledger with its default settings, closed with the ledger. */
    ClaimsClient client() {
        return client(UnaryOperator.identity());
    }

    /** A client of this ledger with settings of the test's, closed with the ledger. */
    ClaimsClient client(UnaryOperator<ClaimsClient.Builder> settings) {
        ClaimsClient client = settings.apply(ClaimsClient.builder(baseUrl())).build();
        clients.add(client);
        return client;
    }

    /** Stops answering: connections to its port are refused until {@link #start()}. */
    void stop() {
        server.stop(0);
    }

    /** Listens again, on the same port. */
    void start() {
        server = bind(port);
    }

    List<Heartbeat> heartbeatsOf(String consumerId) {
        return heartbeats.stream().filter(heartbeat -> heartbeat.consumerId().equals(consumerId)).toList();
    }

    List<Release> releasesOf(String consumerId) {
        return releases.stream().filter(release -> release.consumerId().equals(consumerId)).toList();
    }

    /** Closes the clients made here (releasing what they hold), then stops answering. */
    @Override
    public void close() throws InterruptedException {
        clients.forEach(ClaimsClient::close);
        server.stop(0);
        handlers.shutdownNow();
        handlers.awaitTermination(5, TimeUnit.SECONDS);
    }

    private HttpServer bind(int port) {
        try {
            HttpServer bound = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
            bound.setExecutor(handlers);
            bound.createContext("/", this::handle);
            bound.start();
            return bound;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getRawPath();
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            Matcher matcher;
            if ((matcher = CLAIMS.matcher(path)).matches()) {
                claim(exchange, decode(matcher.group(1)), body);
            } else if ((matcher = HEARTBEATS.matcher(path)).matches()) {
                heartbeats(exchange, decode(matcher.group(1)), body);
            } else if ((matcher = RELEASE.matcher(path)).matches()) {
                String tenant = decode(matcher.group(1));
                String consumer = decode(matcher.group(2));
                long epoch = Long.parseLong(matcher.group(3));
                releases.add(new Release(tenant, consumer, epoch, body.path("acked_streams"), Instant.now()));
                if (releasesToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    answer(exchange, 503, problem("unavailable", "the fake's ledger did not answer in time"));
                    return;
                }
                if (releaseRefusal != null) {
                    answer(exchange, 409, problem(releaseRefusal, "the fake refuses releases with " + releaseRefusal));
                    return;
                }
                ObjectNode claim = claimJson(tenant, consumer, epoch, "released", Instant.now(), 0);
                claim.set("acked_streams", body.path("acked_streams"));
                answer(exchange, 200, claim);
            } else {
                answer(exchange, 404, problem("unsupported_request", "no such path in the fake: " + path));
            }
        } finally {
            exchange.close();
        }
    }

    private void claim(HttpExchange exchange, String tenant, JsonNode body) throws IOException {
        claimRequests.incrementAndGet();
        if (claimsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            answer(exchange, 503, problem("unavailable", "the fake's ledger did not answer in time"));
            return;
        }
        if (claimRefusal != null) {
            answer(exchange, claimRefusalStatus, problem(claimRefusal, "the fake refuses claims with " + claimRefusal));
            return;
        }
        String consumer = body.path("consumer_id").asText();
        long ttl = body.path("lease_ttl_ms").asLong();
        ttls.put(consumer, ttl);
        Duration remaining = claimRemaining;
        long remainingMs = remaining == null ? ttl : remaining.toMillis();
        Instant expires = Instant.now().plusMillis(remainingMs);
        if ("fixed".equals(body.path("lease_policy").asText())) {
            fixedEnds.put(consumer, expires);
        }
        answer(exchange, remaining == null ? 201 : 200, claimJson(tenant, consumer, body.path("epoch").asLong(),
                "active", expires, remainingMs));
    }

    private void heartbeats(HttpExchange exchange, String tenant, JsonNode body) throws IOException {
        batchRequests.incrementAndGet();
        batches.add(Map.entry(tenant, body.path("heartbeats").size()));
        Instant received = Instant.now();
        for (JsonNode item : body.path("heartbeats")) {
            heartbeats.add(new Heartbeat(tenant, item.path("consumer_id").asText(), item.path("epoch").asLong(),
                    received));
        }
        if (batchesToDelay.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            sleep(batchDelay);
        }
        if (batchesToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            answer(exchange, 503, problem("unavailable", "the fake's ledger did not answer in time"));
            return;
        }
        boolean garble = batchesToGarble.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        ArrayNode results = JSON.createArrayNode();
        for (JsonNode item : body.path("heartbeats")) {
            String consumer = item.path("consumer_id").asText();
            long epoch = item.path("epoch").asLong();
            ObjectNode result = results.addObject().put("consumer_id", consumer).put("epoch", epoch);
            String refusal = refusedConsumers.get(consumer);
            if (refusal != null) {
                result.put("status", "claim_not_found".equals(refusal) ? 404 : 409);
                result.putObject("error").put("code", refusal).put("detail", "the fake refuses " + consumer);
            } else {
                long ttl = ttls.getOrDefault(consumer, 30_000L);
                Instant now = Instant.now();
                Instant expires = fixedEnds.getOrDefault(consumer, now.plusMillis(ttl));
                ObjectNode claim = claimJson(tenant, consumer, epoch, "active", expires,
                        Math.max(0, Duration.between(now, expires).toMillis()));
                if (garble) {
                    claim.put("lease_expires_at", "not an instant");
                }
                result.put("status", 200).set("claim", claim);
            }
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.set("results", results);
        answer(exchange, 200, answer);
    }

    private static ObjectNode claimJson(String tenant, String consumer, long epoch, String status, Instant expires,
                                        long remainingMs) {
        return JSON.createObjectNode().put("tenant_id", tenant).put("consumer_id", consumer).put("epoch", epoch)
                .put("status", status).put("lease_expires_at", expires.toString())
                .put("lease_remaining_ms", remainingMs);
    }

    private static ObjectNode problem(String code, String detail) {
        return JSON.createObjectNode().put("code", code).put("detail", detail);
    }

    private static void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type",
                status >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
