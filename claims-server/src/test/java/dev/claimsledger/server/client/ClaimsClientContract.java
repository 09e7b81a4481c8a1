package dev.claimsledger.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.client.AckedStream;
import dev.claimsledger.client.ClaimLoss;
import dev.claimsledger.client.ClaimRejectedException;
import dev.claimsledger.client.ClaimRequest;
import dev.claimsledger.client.ClaimsClient;
import dev.claimsledger.client.ClientHealth;
import dev.claimsledger.client.HeldClaim;
import dev.claimsledger.client.LossReason;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.RunsAlone;
import dev.claimsledger.server.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The worker client against the whole ledger on a free port: real HTTP, a real database, run against each storage the
 * ledger supports. One ledger serves the class; every test works with a tenant of its own. What the ledger shows is
 * read over its HTTP API, from the read model, which lags a moment, so it is polled.
 */
@RunsAlone
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClaimsClientContract {

    private static final Duration THREE_SECONDS = Duration.ofSeconds(3);
    /** For tests about something other than timing: requests of 1.5 s leave room for a busy machine. */
    private static final Duration SIX_SECONDS = Duration.ofSeconds(6);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final String BATCH_URI = "/v1/tenants/{tenant}/heartbeats";
    /** How many claims one client holds in the 30 s hold, on every storage. */
    private static final int CLAIMS_HELD = 2_000;

    private TestDatabase database;
    private ConfigurableApplicationContext ledger;
    String baseUrl;
    LedgerClaims claims;

    abstract TestDatabase database();

    @BeforeAll
    void startLedger() {
        database = database();
        ledger = Ledger.startWithHttp(database, Map.of("claims.deadlines.polling-interval", "200ms"));
        baseUrl = Ledger.baseUrl(ledger);
        claims = new LedgerClaims(baseUrl);
        warmUp();
    }

    /**
     * Claims held and renewed for a few seconds, then released, untimed, before the tests: on a fresh ledger (and in
     * this JVM's HTTP client) the first thousands of claims and heartbeats run while the JIT compilers take a large
     * share of the two cores, and a 3 s lease has no room for that. Closing the client releases them, several at a
     * time.
     */
    private void warmUp() {
        try (ClaimsClient client = client()) {
            int warmUpClaims = CLAIMS_HELD / 2;
            claimAll(client, "warm-up", warmUpClaims);
            await().atMost(Duration.ofSeconds(30)).until(() -> client.health().heartbeatsSent() >= 3L * warmUpClaims);
        } catch (Exception e) {
            throw new IllegalStateException("warming up the ledger failed", e);
        }
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void thousandsOfClaimsWithAThreeSecondLeaseStayHeldForThirtySecondsThroughBatchedHeartbeats() throws Exception {
        // given one client holding thousands of claims with a 3 s lease
        String tenant = tenant("hold");
        Set<Thread> threadsBefore = new HashSet<>(Thread.getAllStackTraces().keySet());
        try (ClaimsClient client = client()) {
            List<HeldClaim> held = claimAll(client, tenant, CLAIMS_HELD);
            double requestsBefore = heartbeatRequests();
            double heartbeatsBefore = heartbeatsRecorded();

            // when they are held for 30 s
            Instant holdStarted = Instant.now();
            int mostClientThreads = 0;
            while (Duration.between(holdStarted, Instant.now()).compareTo(Duration.ofSeconds(30)) < 0) {
                Thread.sleep(1_000);
                mostClientThreads = Math.max(mostClientThreads, clientThreads(threadsBefore).size());
                assertThat(client.health().claimsLost()).as("claims lost %s after the hold began: %s",
                        Duration.between(holdStarted, Instant.now()), client.health()).isZero();
            }
            Instant holdEnded = Instant.now();
            double requests = heartbeatRequests() - requestsBefore;
            double heartbeats = heartbeatsRecorded() - heartbeatsBefore;
            ClientHealth health = client.health();
            System.out.printf("[client] %s: %,d claims held 30 s: %.0f heartbeats in %.0f requests (%.1f a"
                    + " request), at most %d client threads (%s); %s%n", database.description(), CLAIMS_HELD,
                    heartbeats, requests, heartbeats / requests, mostClientThreads, clientThreads(threadsBefore),
                    health);

            // then none was lost, and every lease was renewed until the end
            assertThat(held).allSatisfy(claim -> {
                assertThat(claim.isHeld()).as("%s held", claim).isTrue();
                assertThat(claim.lost()).as("%s lost", claim).isNotDone();
                assertThat(claim.leaseExpiresAt()).as("%s renewed within its last lease", claim).isAfter(holdEnded);
            });
            assertThat(health.claimsLost()).isZero();
            assertThat(health.claimsHeld()).isEqualTo(CLAIMS_HELD);
            List<JsonNode> onTheLedger = claims.all(tenant, null);
            assertThat(onTheLedger).hasSize(CLAIMS_HELD).allSatisfy(claim -> {
                assertThat(claim.path("status").asText()).as("%s", claim).isEqualTo("active");
                // 30 s held, renewed every 0.75 to 0.9 s
                assertThat(claim.path("heartbeat_count").asLong()).as("%s", claim).isGreaterThanOrEqualTo(25);
            });
            // with a handful of threads, whatever the number of claims, and many heartbeats to a request
            assertThat(mostClientThreads).as("client threads").isLessThanOrEqualTo(6);
            assertThat(heartbeats / requests).as("heartbeats per request (%.0f in %.0f)", heartbeats, requests)
                    .isGreaterThanOrEqualTo(20);

            // and closing the client releases them all
            long closing = System.nanoTime();
            client.close();
            System.out.printf("[client] %s: closing released %,d claims in %d ms%n", database.description(),
                    CLAIMS_HELD, Duration.ofNanos(System.nanoTime() - closing).toMillis());
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(claims.all(tenant, "released")).hasSize(CLAIMS_HELD));
    }

    @Test
    void aHigherEpochClaimedByAnotherWorkerEndsTheOldClaimWithStaleEpochAtItsNextRenewal() throws Exception {
        // given a claim held by one worker
        String tenant = tenant("epochs");
        try (ClaimsClient first = client(); ClaimsClient second = client()) {
            HeldClaim old = first.claim(tenant, request("worker", 1, SIX_SECONDS));

            // when another worker claims the next epoch of the same consumer
            HeldClaim newer = second.claim(tenant, request("worker", 2, SIX_SECONDS));
            Instant superseded = Instant.now();

            // then the old claim is lost as stale at its next renewal, within a renewal interval (at most 1.8 s)
            ClaimLoss loss = old.lost().get(5, TimeUnit.SECONDS);
            assertThat(loss.reason()).isEqualTo(LossReason.STALE_EPOCH);
            assertThat(Duration.between(superseded, loss.at())).isLessThan(Duration.ofMillis(2_500));
            assertThat(old.isHeld()).isFalse();
            assertThat(newer.isHeld()).isTrue();
            assertThat(newer.epoch()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(claims.claim(tenant, "worker", 1).path("status").asText()).isEqualTo("superseded");
                assertThat(claims.claim(tenant, "worker", 2).path("status").asText()).isEqualTo("active");
            });
        }
    }

    @Test
    void aReleasedClaimShowsReleasedWithItsAckedStreamsAndAClosedOneReleasedWithout() {
        // given two held claims
        String tenant = tenant("release");
        try (ClaimsClient client = client()) {
            HeldClaim released = client.claim(tenant, request("released", 1, SIX_SECONDS));
            HeldClaim closed = client.claim(tenant, request("closed", 1, SIX_SECONDS));

            // when one is released with how far the worker got, and the other closed
            released.release(List.of(new AckedStream("/orders/42/events", "17"),
                    new AckedStream("/orders/43/events", "4")));
            closed.close();
            closed.close();

            // then the ledger shows both released, the first with its acked streams
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonNode first = claims.claim(tenant, "released", 1);
                assertThat(first.path("status").asText()).isEqualTo("released");
                assertThat(first.path("acked_streams")).hasSize(2);
                assertThat(first.path("acked_streams").get(0).path("path").asText()).isEqualTo("/orders/42/events");
                assertThat(first.path("acked_streams").get(0).path("offset").asText()).isEqualTo("17");
                assertThat(first.path("acked_streams").get(1).path("offset").asText()).isEqualTo("4");
                JsonNode second = claims.claim(tenant, "closed", 1);
                assertThat(second.path("status").asText()).isEqualTo("released");
                assertThat(second.path("acked_streams")).isEmpty();
            });
            assertThat(released.isHeld()).isFalse();
            assertThat(released.lost()).isNotDone();
            assertThat(client.health().claimsHeld()).isZero();
        }
    }

    @Test
    void aClaimTheLedgerRefusesThrowsItsCode() {
        // given a consumer whose epoch 2 is claimed
        String tenant = tenant("refused");
        try (ClaimsClient client = client()) {
            client.claim(tenant, request("worker", 2, SIX_SECONDS));

            // when epoch 1 is claimed, then the ledger's stale_epoch is thrown
            assertThatThrownBy(() -> client.claim(tenant, request("worker", 1, SIX_SECONDS)))
                    .isInstanceOfSatisfying(ClaimRejectedException.class, rejection -> {
                        assertThat(rejection.code()).isEqualTo("stale_epoch");
                        assertThat(rejection.status()).isEqualTo(409);
                    });
            // and a lease shorter than the ledger takes is validation_failed
            assertThatThrownBy(() -> client.claim(tenant, request("short", 1, Duration.ofMillis(500))))
                    .isInstanceOfSatisfying(ClaimRejectedException.class,
                            rejection -> assertThat(rejection.code()).isEqualTo("validation_failed"));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWorkerPausedPastItsLeaseReportsTheClaimLostAndSendsNoHeartbeatAfterIt() throws Exception {
        // given a worker in a process of its own holding a claim with a 4 s lease, renewed a few times
        String tenant = tenant("paused");
        try (WorkerProcess worker = WorkerProcess.start(baseUrl, tenant, "worker", Duration.ofSeconds(4))) {
            long epoch = Long.parseLong(worker.await("held", Duration.ofSeconds(30)).split(" ")[1]);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    claims.claim(tenant, "worker", epoch).path("heartbeat_count").asLong() >= 2);

            // when the whole process stops, as in a long GC pause, until the ledger has expired the claim
            worker.pause();
            Instant pausedAt = Instant.now();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        claims.claim(tenant, "worker", epoch).path("status").asText().equals("expired"));
            } finally {
                worker.resume();
            }

            // then, on waking up, the worker gives the claim up by the clock, before sending anything: a heartbeat
            // would have been answered claim_expired, and no heartbeat goes out after the loss
            String lost = worker.await("lost", Duration.ofSeconds(10));
            String checked = worker.await("checked", Duration.ofSeconds(10));
            String sent = worker.await("sent", Duration.ofSeconds(10));
            assertThat(lost).startsWith("lost NO_ACK_WITHIN_LEASE ");
            assertThat(checked).isEqualTo("checked NO_ACK_WITHIN_LEASE");
            assertThat(sent.substring("sent ".length())).isEqualTo(lost.substring(lost.lastIndexOf(' ') + 1));
            JsonNode claim = claims.claim(tenant, "worker", epoch);
            assertThat(Instant.parse(claim.path("last_heartbeat_at").asText())).isBefore(pausedAt);
        }
    }

    private ClaimsClient client() {
        return ClaimsClient.builder(URI.create(baseUrl)).build();
    }

    /**
     * Claims {@code count} consumers from two threads, as workers starting together would. With four, the end of the
     * claim phase (the claims made so far renewed about 2,300 times a second, claims still coming) left the ledger
     * no heartbeat answered for 1 to 3 s in two runs of five, and claims were lost before the hold began.
     */
    private static List<HeldClaim> claimAll(ClaimsClient client, String tenant, int count) throws Exception {
        ExecutorService claimers = Executors.newFixedThreadPool(2);
        try {
            List<Future<HeldClaim>> claims = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String consumer = "holder-" + i;
                claims.add(claimers.submit(() -> client.claim(tenant, request(consumer, 1, THREE_SECONDS))));
            }
            List<HeldClaim> held = new ArrayList<>();
            for (Future<HeldClaim> claim : claims) {
                try {
                    held.add(claim.get(60, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    throw new AssertionError("claim " + held.size() + " of " + count + " failed; " + client.health(),
                            e.getCause());
                }
            }
            return held;
        } finally {
            claimers.shutdownNow();
        }
    }

    /** The client's threads among those started since {@code before}: its own and the JDK HTTP client's. */
    private static List<String> clientThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread))
                .map(Thread::getName)
                .filter(name -> name.startsWith("claims-client-") || name.startsWith("HttpClient-"))
                .sorted().toList();
    }

    private double heartbeatRequests() {
        return ledger.getBean(MeterRegistry.class).find("http.server.requests").tag("uri", BATCH_URI).timers()
                .stream().mapToDouble(Timer::count).sum();
    }

    private double heartbeatsRecorded() {
        return ledger.getBean(MeterRegistry.class).get("claims.heartbeats").counter().count();
    }

    private static ClaimRequest request(String consumer, long epoch, Duration ttl) {
        return ClaimRequest.builder(consumer, epoch, "https://example.test/entities/" + consumer,
                "/streams/" + consumer).leaseTtl(ttl).build();
    }

    private static String tenant(String name) {
        return name + "-" + SEQUENCE.incrementAndGet();
    }
}
