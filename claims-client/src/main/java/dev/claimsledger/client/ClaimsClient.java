package dev.claimsledger.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker's client of the claims ledger: {@link #claim} makes a claim and returns a {@link HeldClaim}, which stays
 * alive by itself until it is released, and says when it is lost, once, with a reason.
 *
 * <pre>{@code
 * try (ClaimsClient client = ClaimsClient.builder(URI.create("http://127.0.0.1:8080")).apiKey(key).build()) {
 *     HeldClaim claim = client.claim("acme", ClaimRequest.builder("worker-1", 1, entityUrl, streamPath)
 *             .leaseTtl(Duration.ofSeconds(30)).build());
 *     claim.lost().thenAccept(loss -> stopWorking(loss.reason()));
 *     ... work, passing claim.epoch() with every write, checking claim.checkHeld() between steps ...
 *     claim.release(List.of(new AckedStream(streamPath, offset)));
 * }
 * }</pre>
 *
 * <p>Threads, whatever the number of claims: one renewer, one notifier (runs {@code lost()} listeners and the
 * deadline watchdog), two senders (heartbeat requests), one for the HTTP client's own work, and the HTTP client's
 * selector; all daemons. {@link #claim} and {@link HeldClaim#release} send on the caller's thread. How renewal works
 * is {@link Renewer}'s account; the timing rules are on {@link Builder}.
 *
 * <p>{@link #close()} releases every claim still held (without acked streams; release a claim yourself to record
 * how far you got), then stops the threads. A client that is never closed leaves its claims to expire at the end of
 * their leases; its threads are daemons and do not keep the JVM alive.
 */
public final class ClaimsClient implements AutoCloseable {

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final LedgerWire wire;
    private final Renewer renewer;
    private final ExecutorService httpThread;
    private final Duration defaultLeaseTtl;
    private final Duration requestTimeout;

    private ClaimsClient(Builder builder) {
        String name = "claims-client-" + CLIENTS.incrementAndGet();
        this.wire = new LedgerWire(builder.baseUrl, builder.apiKey);
        this.defaultLeaseTtl = builder.defaultLeaseTtl;
        this.requestTimeout = builder.requestTimeout;
        // the HTTP client's own work (reading and writing on its selector's behalf) is short and never blocks
        this.httpThread = Executors.newSingleThreadExecutor(daemonThreads(name + "-http"));
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(httpThread)
                .build();
        ScheduledExecutorService scheduler = builder.renewerExecutor != null ? builder.renewerExecutor
                : singleThread(name + "-renewer");
        this.renewer = new Renewer(wire, http, scheduler, singleThread(name + "-notifier"),
                Executors.newFixedThreadPool(Renewer.SENDERS, daemonThreads(name + "-sender-")),
                daemonThreads(name + "-closing-"), builder.maxBatchSize, builder.maxRequestBytes);
        renewer.start();
    }

    /** A builder for a client of the ledger at {@code baseUrl}, such as {@code http://127.0.0.1:8080}. */
    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    /**
     * Makes a claim and returns it held and renewed. Blocks until the ledger has answered. A request that gets no
     * answer, or a 503, is tried again (a claim is idempotent: the same epoch with the same data is taken again as
     * it is) while the lease it asks for could still be of use.
     *
     * @throws IllegalArgumentException when the client's request timeout does not fit in the claim's lease (at most a
     *                                  quarter of its TTL); nothing is sent
     * @throws ClaimRejectedException   when the ledger refused the claim ({@code stale_epoch}, {@code conflict},
     *                                  {@code validation_failed}...), or no answer came in time ({@code unavailable})
     * @throws IllegalStateException    when the client is closed
     */
    public HeldClaim claim(String tenant, ClaimRequest request) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(request, "request");
        if (tenant.isBlank()) {
            throw new IllegalArgumentException("tenant must not be blank");
        }
        if (renewer.isClosed()) {
            throw new IllegalStateException("the client is closed");
        }
        Duration ttl = request.leaseTtl() != null ? request.leaseTtl() : defaultLeaseTtl;
        LeaseTiming timing = LeaseTiming.of(ttl, requestTimeout);
        HttpRequest http = wire.claim(tenant, request, ttl, timing.requestTimeout());
        long firstSentAt = System.nanoTime();
        long worthTryingUntil = timing.deadline(firstSentAt, ttl);
        for (int attempt = 1; ; attempt++) {
            long sentAt = System.nanoTime();
            Reply reply = exchange(http);
            if (reply.status() == 200 || reply.status() == 201) {
                return held(tenant, request, timing, sentAt, reply);
            }
            if (reply.answered() && !reply.retryable()) {
                LedgerWire.Problem problem = LedgerWire.problem(reply.status(), reply.body());
                throw new ClaimRejectedException(problem.code(), reply.status(), problem.detail());
            }
            long backoff = timing.backoff(attempt);
            if (System.nanoTime() + backoff - worthTryingUntil >= 0) {
                throw new ClaimRejectedException("unavailable", reply.status(), "no usable answer to the claim after "
                        + attempt + " tries; the last: " + reply.describe());
            }
            sleep(backoff);
        }
    }

    /**
     * The claim the ledger answered. A new claim (201) has its lease from when the ledger recorded it, after the
     * request was sent; a repeated one (200) may have been made long before, so only what the ledger said was left
     * of its lease counts.
     */
    private HeldClaim held(String tenant, ClaimRequest request, LeaseTiming timing, long sentAt, Reply reply) {
        LedgerWire.ClaimAnswer answer = LedgerWire.claimAnswer(reply.body());
        HeldClaim.Key key = new HeldClaim.Key(tenant, request.consumerId(), request.epoch());
        if (!answer.active()) {
            throw new ClaimRejectedException("claim_not_active", reply.status(), "epoch " + request.epoch()
                    + " of " + request.consumerId() + " was claimed before and has ended: it is " + answer.status());
        }
        long deadline = reply.status() == 201 ? timing.deadline(sentAt, timing.ttl())
                : timing.deadline(sentAt, answer.leaseRemaining());
        if (deadline - System.nanoTime() <= 0) {
            throw new ClaimRejectedException("claim_expired", reply.status(), "epoch " + request.epoch() + " of "
                    + request.consumerId() + " was claimed before and its lease ends within the safety margin");
        }
        LeasePolicy policy = request.leasePolicy() != null ? request.leasePolicy() : LeasePolicy.RENEW_ON_HEARTBEAT;
        return renewer.hold(new HeldClaim(renewer, key, policy, timing, sentAt, deadline, answer.leaseExpiresAt()));
    }

    /** What the renewer has been doing: claims held, the last successful renewal, failures. */
    public ClientHealth health() {
        return renewer.health();
    }

    /**
     * Releases every claim still held (without acked streams), waits for requests in flight and stops the client's
     * threads. A claim that cannot be released is reported lost. Idempotent.
     */
    @Override
    public void close() {
        renewer.close();
        httpThread.shutdown();
    }

    private Reply exchange(HttpRequest request) {
        try {
            return renewer.exchange(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while claiming; the claim may have been made", e);
        }
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while claiming; the claim may have been made", e);
        }
    }

    private static ScheduledExecutorService singleThread(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, daemonThreads(name));
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix.endsWith("-") ? prefix + count.incrementAndGet() : prefix);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Settings of a {@link ClaimsClient}, checked at {@link #build()}. The timing follows from each claim's lease TTL:
     *
     * <ul>
     *   <li>renewal about a third of the TTL after the last acknowledgement (0.85 to 1 times a third, jittered);</li>
     *   <li>each request times out after the {@linkplain #requestTimeout request timeout}: unless set, a quarter of
     *       the TTL of the shortest lease it serves, at most 10 s;</li>
     *   <li>a failed renewal is tried again after a backoff: from a thirtieth of the TTL (at most 100 ms), doubling up
     *       to a tenth of the TTL, jittered;</li>
     *   <li>a claim is given up (reported lost, {@link LossReason#NO_ACK_WITHIN_LEASE}) at the send time of its last
     *       acknowledged heartbeat plus the TTL, minus a safety margin of a tenth of the TTL, at most 500 ms.</li>
     * </ul>
     *
     * For a 3 s lease: renewal every 0.75 to 0.9 s, requests of at most 750 ms, retries after 50 ms to 300 ms, and the
     * claim given up 2.7 s after the send of the last acknowledged heartbeat: two full tries fit before that.
     */
    public static final class Builder {

        private final URI baseUrl;
        private String apiKey;
        private Duration defaultLeaseTtl = Duration.ofSeconds(30);
        private Duration requestTimeout;
        private int maxBatchSize = LedgerWire.MAX_BATCH_SIZE;
        private int maxRequestBytes = LedgerWire.DEFAULT_MAX_REQUEST_BYTES;
        private ScheduledExecutorService renewerExecutor;

        private Builder(URI baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        }

        /** The API key, sent as {@code Authorization: Bearer <key>}; none for a ledger in open mode. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** The lease TTL of claims whose request names none; 30 s unless set. */
        public Builder defaultLeaseTtl(Duration defaultLeaseTtl) {
            this.defaultLeaseTtl = defaultLeaseTtl;
            return this;
        }

        /**
         * How long any request may take, for every lease. Unset, each request gets a quarter of the TTL of the
         * shortest lease it serves, at most 10 s. Set, it must fit in every lease: at most a quarter of the default
         * lease TTL (checked at {@link #build()}) and of each claim's (checked at {@link ClaimsClient#claim}).
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** The most heartbeats per request, 1 to 1,000 (the ledger's limit); 1,000 unless set. */
        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /**
         * The largest heartbeat request body, in bytes; 65,536 unless set, the ledger's default
         * {@code claims.http.max-body-size}. Should the ledger answer 413, the client halves it for later requests.
         */
        public Builder maxRequestBytes(int maxRequestBytes) {
            this.maxRequestBytes = maxRequestBytes;
            return this;
        }

        /** For tests: the executor whose one thread runs the renewer; the client shuts it down on close. */
        Builder renewerExecutor(ScheduledExecutorService renewerExecutor) {
            this.renewerExecutor = renewerExecutor;
            return this;
        }

        /**
         * The client, its threads started.
         *
         * @throws IllegalArgumentException when a setting is out of range or the request timeout does not fit in
         *                                  the default lease
         */
        public ClaimsClient build() {
            if (!baseUrl.isAbsolute() || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))
                    || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("baseUrl must be an absolute http or https URL, such as"
                        + " http://127.0.0.1:8080; was " + baseUrl);
            }
            if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
                throw new IllegalArgumentException("baseUrl must have no query or fragment; was " + baseUrl);
            }
            if (apiKey != null && apiKey.isBlank()) {
                throw new IllegalArgumentException("apiKey must not be blank; leave it unset for a ledger in open mode");
            }
            Objects.requireNonNull(defaultLeaseTtl, "defaultLeaseTtl");
            if (requestTimeout != null && (requestTimeout.isNegative() || requestTimeout.isZero())) {
                throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
            }
            LeaseTiming.of(defaultLeaseTtl, requestTimeout);
            if (maxBatchSize < 1 || maxBatchSize > LedgerWire.MAX_BATCH_SIZE) {
                throw new IllegalArgumentException("maxBatchSize must be 1 to " + LedgerWire.MAX_BATCH_SIZE + ", was "
                        + maxBatchSize);
            }
            if (maxRequestBytes < 1024) {
                throw new IllegalArgumentException("maxRequestBytes must be at least 1024, was " + maxRequestBytes);
            }
            return new ClaimsClient(this);
        }
    }
}
