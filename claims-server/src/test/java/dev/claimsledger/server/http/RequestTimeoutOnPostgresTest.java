package dev.claimsledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.RunsAlone;
import dev.claimsledger.server.support.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Every request is answered within {@code claims.http.request-timeout}, whatever the ledger waits on: with the
 * tables it needs locked (as a long transaction, a migration or a stalled disk would hold them), commands, batches,
 * reads and history answer 503 {@code unavailable} once the timeout has passed, not when the lock goes away; and the
 * ledger answers normally again once it does.
 */
@RunsAlone
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestTimeoutOnPostgresTest {

    private static final String TENANT = "timeouts";
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** Beyond the timeout, what the answer's way back may add on a loaded machine. */
    private static final Duration SLACK = Duration.ofMillis(1_500);

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;

    @BeforeAll
    void start() {
        ledger = Ledger.startWithHttp(database, Map.of("claims.http.request-timeout", TIMEOUT.toMillis() + "ms"));
        http = new LedgerHttp(Ledger.baseUrl(ledger));
        for (String consumer : List.of("worker-1", "worker-2")) {
            http.postExpecting(201, LedgerHttp.claims(TENANT), Map.of("consumer_id", consumer, "epoch", 1,
                    "entity_url", "https://example.test/" + consumer, "stream_path", "/streams/" + consumer,
                    "lease_ttl_ms", 60_000));
        }
    }

    @AfterAll
    void stop() {
        ledger.close();
    }

    @Test
    void commandsAnswer503WithinTheTimeoutWhileTheEventStoreIsLocked() throws Exception {
        try (Connection lock = locked("domain_event_entry", "EXCLUSIVE")) {
            assertUnavailableInTime("a single heartbeat", () -> http.post(LedgerHttp.heartbeats(TENANT, "worker-1", 1)));
            assertUnavailableInTime("a batch of heartbeats", () -> http.post(LedgerHttp.heartbeatBatch(TENANT),
                    Map.of("heartbeats", List.of(Map.of("consumer_id", "worker-2", "epoch", 1)))));
            assertUnavailableInTime("a claim", () -> http.post(LedgerHttp.claims(TENANT), Map.of(
                    "consumer_id", "worker-3", "epoch", 1, "entity_url", "https://example.test/3",
                    "stream_path", "/streams/3", "lease_ttl_ms", 60_000)));
            assertUnavailableInTime("a release", () -> http.post(LedgerHttp.release(TENANT, "worker-2", 1)));
        }
        assertThat(http.post(LedgerHttp.heartbeats(TENANT, "worker-1", 1)).status())
                .as("a heartbeat once the lock is gone").isEqualTo(200);
    }

    @Test
    void readsAnswer503WithinTheTimeoutWhileTheReadModelIsLocked() throws Exception {
        try (Connection lock = locked("consumer_claims", "ACCESS EXCLUSIVE")) {
            assertUnavailableInTime("a claim", () -> http.get(LedgerHttp.claim(TENANT, "worker-1", 1)));
            assertUnavailableInTime("a list of claims", () -> http.get(LedgerHttp.claims(TENANT)));
            assertUnavailableInTime("a runner's health", () -> http.get(LedgerHttp.runnerHealth(TENANT, "runner")));
        }
        assertThat(http.get(LedgerHttp.claims(TENANT)).status()).as("a list once the lock is gone").isEqualTo(200);
    }

    @Test
    void historyAnswers503WithinTheTimeoutWhileTheEventStoreCannotBeRead() throws Exception {
        try (Connection lock = locked("domain_event_entry", "ACCESS EXCLUSIVE")) {
            assertUnavailableInTime("a history", () -> http.get(LedgerHttp.history(TENANT, "worker-1")));
            assertUnavailableInTime("a claim as of an instant", () -> http.get(LedgerHttp.withQuery(
                    LedgerHttp.claim(TENANT, "worker-1", 1), "as_of", "2026-01-31T12:00:00Z")));
        }
        assertThat(http.get(LedgerHttp.history(TENANT, "worker-1")).status()).as("a history once the lock is gone")
                .isEqualTo(200);
    }

    private Connection locked(String table, String mode) throws Exception {
        Connection connection = database.connect();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("LOCK TABLE " + table + " IN " + mode + " MODE");
        }
        return connection;
    }

    private static void assertUnavailableInTime(String what, Supplier<Reply> call) {
        long started = System.nanoTime();
        Reply reply = call.get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        reply.assertProblem(503, "unavailable");
        assertThat(took).as("%s answered after %s", what, took).isBetween(TIMEOUT.minusMillis(50), TIMEOUT.plus(SLACK));
    }
}
