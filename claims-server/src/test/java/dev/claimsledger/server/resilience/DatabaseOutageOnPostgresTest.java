package dev.claimsledger.server.resilience;

import static dev.claimsledger.server.resilience.LedgerChecks.acknowledgedButNotStored;
import static dev.claimsledger.server.resilience.LedgerChecks.eventually;
import static dev.claimsledger.server.resilience.LedgerChecks.lapsedButNotEnded;
import static dev.claimsledger.server.resilience.LedgerChecks.readModel;
import static dev.claimsledger.server.resilience.LedgerChecks.readModelDrift;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.resilience.LedgerClient.Answer;
import dev.claimsledger.server.resilience.StoredLedger.EpochKey;
import dev.claimsledger.server.resilience.Traffic.Op;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.PrivatePostgres;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.RunsAlone;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL goes away while the ledger runs under load: restarted, or the ledger's sessions ended. While it is gone
 * every request is answered within {@code claims.http.request-timeout}, with a 503 {@code unavailable} (never a 500,
 * never a hang), readiness reports DOWN and liveness stays UP; once it is back the ledger recovers by itself: commands
 * succeed again, the read model catches up, the leases that ran out during the outage expire, nothing acknowledged is
 * lost, and the audit is clean. Each test has a PostgreSQL server of its own, which it may stop.
 */
@RunsAlone
@RequiresPostgres
class DatabaseOutageOnPostgresTest {

    private static final String TENANT = "outage";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** Beyond the request timeout, what a loaded machine may add before the answer reaches the client. */
    private static final Duration SLACK = Duration.ofMillis(1_500);
    private static final int CLIENTS = 4;
    private static final int HEARTBEATED_CLAIMS = 8;
    private static final int LAPSING_CLAIMS = 3;
    private static final Duration RECOVERY = Duration.ofSeconds(45);

    private final Traffic traffic = new Traffic();
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    private final ExecutorService readers = Executors.newFixedThreadPool(8);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Future<?>> load = new ArrayList<>();
    private PrivatePostgres postgres;
    private LedgerProcess ledger;
    private LedgerClient client;
    private Instant loadStartedAt;

    @BeforeEach
    void start(TestInfo test) {
        postgres = PrivatePostgres.start();
        Map<String, String> settings = new HashMap<>(LedgerProcess.QUICK_DEADLINES);
        settings.put("claims.http.request-timeout", REQUEST_TIMEOUT.toMillis() + "ms");
        ledger = LedgerProcess.start("outage-" + test.getTestMethod().orElseThrow().getName(), postgres.database(),
                settings);
        client = new LedgerClient(ledger.baseUrl());
    }

    @AfterEach
    void stopEverything(TestInfo test) throws InterruptedException {
        stop.set(true);
        traffic.writeTo(LedgerProcess.LOG_DIR.resolve("outage-" + test.getTestMethod().orElseThrow().getName()
                + "-traffic.txt"));
        clients.shutdownNow();
        readers.shutdownNow();
        clients.awaitTermination(10, TimeUnit.SECONDS);
        if (ledger != null) {
            ledger.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void whilePostgresRestartsEveryRequestIsAnswered503InTimeAndTheLedgerRecoversByItself() throws Exception {
        // given claims heartbeated by several clients, and claims nobody renews whose leases end during the outage
        List<String> heartbeated = claims("busy-", HEARTBEATED_CLAIMS, 30_000);
        startLoad(heartbeated);
        Thread.sleep(1_000);
        List<String> lapsing = claims("lapsing-", LAPSING_CLAIMS, 2_000);

        // when PostgreSQL is stopped for a while
        postgres.stop();
        Instant stoppedAt = Instant.now();
        Answer readiness = pollUntil(() -> client.get("/actuator/health/readiness"), answer -> answer.status() == 503,
                Duration.ofSeconds(15));
        Answer liveness = client.get("/actuator/health/liveness");
        Answer heartbeatDuringOutage = heartbeat(heartbeated.get(0));
        // the reads of history, audits and proofs at once, so that the outage stays shorter than the leases
        Map<String, CompletableFuture<Answer>> readsDuringOutage = new LinkedHashMap<>();
        for (String read : List.of(LedgerHttp.AUDIT, "/v1/tenants/" + TENANT + "/audit",
                LedgerHttp.history(TENANT, heartbeated.get(0)),
                LedgerHttp.history(TENANT, heartbeated.get(0)) + "/verification",
                LedgerHttp.claim(TENANT, heartbeated.get(0), 1) + "?as_of=" + Instant.now(),
                "/v1/admin/ledger/checkpoint", "/v1/admin/ledger/proofs/inclusion?position=1&size=1",
                "/v1/admin/ledger/proofs/consistency?from=1&to=2")) {
            readsDuringOutage.put(read, CompletableFuture.supplyAsync(() -> client.get(read), readers));
        }
        CompletableFuture.allOf(readsDuringOutage.values().toArray(CompletableFuture[]::new)).join();
        Thread.sleep(Math.max(0, 4_000 - Duration.between(stoppedAt, Instant.now()).toMillis()));
        postgres.startServer();
        Instant backAt = Instant.now();

        // then during the outage it answered in time, with 503s, and said it was not ready but alive
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(readiness.status()).as("readiness while the database is down: %s", readiness)
                .isEqualTo(503);
        softly.assertThat(liveness.status()).as("liveness while the database is down: %s", liveness).isEqualTo(200);
        softly.assertThat(heartbeatDuringOutage.status()).as("a heartbeat while the database is down: %s",
                heartbeatDuringOutage).isEqualTo(503);
        softly.assertThat(heartbeatDuringOutage.code()).isEqualTo("unavailable");
        readsDuringOutage.forEach((read, reply) -> {
            Answer answer = reply.join();
            softly.assertThat(answer.status()).as("GET %s while the database is down: %s", read, answer).isEqualTo(503);
            softly.assertThat(answer.code()).as("GET %s", read).isEqualTo("unavailable");
            softly.assertThat(Duration.between(answer.sent(), answer.received())).as("GET %s", read)
                    .isLessThanOrEqualTo(REQUEST_TIMEOUT.plus(SLACK));
        });

        // and afterwards it recovers by itself
        Answer recovered = pollUntil(() -> heartbeat(heartbeated.get(0)), Answer::success, RECOVERY);
        softly.assertThat(recovered.status()).as("a heartbeat once the database is back: %s", recovered)
                .isEqualTo(200);
        Instant firstSuccess = traffic.where(sent -> sent.answer().success() && sent.answer().sent().isAfter(backAt))
                .stream().map(sent -> sent.answer().received()).min(Instant::compareTo).orElse(null);
        System.out.println("[resilience] outage: PostgreSQL down from " + stoppedAt + " to " + backAt
                + "; the ledger answered 2xx again at " + firstSuccess + "; traffic " + traffic.summary());
        Thread.sleep(1_000);
        stopLoad();
        assertTheOutageLeftNothingBehind(softly, lapsing);
        softly.assertThat(traffic.where(sent -> sent.answer().status() == 503)).as("503s during the outage")
                .isNotEmpty();
        softly.assertAll();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void endingTheLedgersDatabaseSessionsUnderLoadLosesNothing() throws Exception {
        // given claims heartbeated by several clients
        List<String> heartbeated = claims("busy-", HEARTBEATED_CLAIMS, 30_000);
        startLoad(heartbeated);
        Thread.sleep(1_000);

        // when every session of the ledger is ended, twice
        int ended = postgres.terminateSessions();
        Thread.sleep(1_000);
        ended += postgres.terminateSessions();
        Thread.sleep(1_000);

        // then it goes on by itself, and nothing is lost
        Answer recovered = pollUntil(() -> heartbeat(heartbeated.get(0)), Answer::success, RECOVERY);
        System.out.println("[resilience] sessions ended: " + ended + "; traffic " + traffic.summary());
        stopLoad();
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(ended).as("database sessions ended").isPositive();
        softly.assertThat(recovered.status()).as("a heartbeat after the sessions were ended: %s", recovered)
                .isEqualTo(200);
        assertTheOutageLeftNothingBehind(softly, List.of());
        softly.assertAll();
    }

    private Answer heartbeat(String consumer) {
        return traffic.record(Op.HEARTBEAT, ledger.name(), consumer, 1, client.heartbeat(TENANT, consumer, 1));
    }

    private void assertTheOutageLeftNothingBehind(SoftAssertions softly, List<String> lapsing) throws Exception {
        StoredLedger stored = new StoredLedger(postgres.database());
        softly.assertThat(traffic.where(sent -> sent.answer().status() >= 500 && sent.answer().status() != 503))
                .as("5xx answers other than 503").isEmpty();
        softly.assertThat(traffic.where(sent -> sent.answer().status() == 503
                        && !"unavailable".equals(sent.answer().code())))
                .as("503s without the code unavailable").isEmpty();
        softly.assertThat(traffic.where(sent -> !sent.answer().answered())).as("requests never answered").isEmpty();
        softly.assertThat(traffic.where(sent -> sent.answer().sent().isAfter(loadStartedAt)
                        && Duration.between(sent.answer().sent(), sent.answer().received())
                        .compareTo(REQUEST_TIMEOUT.plus(SLACK)) > 0))
                .as("answers under load slower than the request timeout").isEmpty();
        softly.assertThat(acknowledgedButNotStored(traffic.acknowledged(), stored.epochs(TENANT)))
                .as("acknowledged commands missing from the event store").isEmpty();
        softly.assertThat(eventually(Duration.ofSeconds(20),
                        () -> lapsedButNotEnded(stored.epochs(TENANT), Instant.now().minusMillis(500))))
                .as("leases that ran out (%s among them) but never expired", lapsing).isEmpty();
        softly.assertThat(lapsing).as("claims whose lease ran out during the outage")
                .allSatisfy(consumer -> assertThat(stored.epochs(TENANT).get(new EpochKey(consumer, 1)).status())
                        .isEqualTo("expired"));
        softly.assertThat(eventually(Duration.ofSeconds(30),
                        () -> readModelDrift(stored.epochs(TENANT), readModel(client, TENANT))))
                .as("read-model rows that differ from their events").isEmpty();
        Answer audit = client.audit();
        softly.assertThat(audit.status()).as("the audit: %s", audit).isEqualTo(200);
        softly.assertThat(audit.json().path("clean").asBoolean()).as("the audit: %s", audit).isTrue();
    }

    private List<String> claims(String prefix, int count, long ttlMillis) {
        List<String> consumers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String consumer = prefix + i;
            Answer answer = traffic.record(Op.CLAIM, ledger.name(), consumer, 1,
                    client.claim(TENANT, consumer, 1, ttlMillis, "renew_on_heartbeat"));
            assertThat(answer.status()).as("claim %s: %s", consumer, answer).isEqualTo(201);
            consumers.add(consumer);
        }
        return consumers;
    }

    /** Clients heartbeating the claims, and now and then reading one, until {@link #stopLoad}. */
    private void startLoad(List<String> consumers) {
        loadStartedAt = Instant.now();
        for (int i = 0; i < CLIENTS; i++) {
            load.add(clients.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                    String consumer = consumers.get(random.nextInt(consumers.size()));
                    if (random.nextDouble() < 0.2) {
                        traffic.record(Op.READ, ledger.name(), consumer, 1,
                                client.get(LedgerHttp.claim(TENANT, consumer, 1)));
                    } else {
                        traffic.record(Op.HEARTBEAT, ledger.name(), consumer, 1,
                                client.heartbeat(TENANT, consumer, 1));
                    }
                }
            }));
        }
    }

    private void stopLoad() throws Exception {
        stop.set(true);
        for (Future<?> client : load) {
            client.get(30, TimeUnit.SECONDS);
        }
    }

    private static Answer pollUntil(Supplier<Answer> call, Predicate<Answer> done, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Answer answer = call.get();
        while (!done.test(answer) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            answer = call.get();
        }
        return answer;
    }
}
