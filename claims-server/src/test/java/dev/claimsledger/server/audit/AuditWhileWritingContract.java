package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.SyntheticClaims;
import dev.claimsledger.server.support.TestDatabase;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The audit on a live ledger: writers keep claiming, heartbeating, superseding and releasing through the HTTP API
 * while audits run, so rows, events and the read model's processor move all the time. No audit raises a false alarm,
 * and a row deleted or set back by hand is reported by every audit. One ledger serves the class: 100 consumers of 20
 * events written with JDBC before the tests, of tenant {@value #TENANT}, and the writers' own consumers besides.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AuditWhileWritingContract {

    static final String TENANT = "audited-live";
    private static final int CONSUMERS = 100;
    private static final int HEARTBEATS = 19;
    private static final int WRITERS = 4;
    private static final int AUDITS = 5;

    ConfigurableApplicationContext ledger;
    LedgerHttp http;
    private TestDatabase database;
    private ExecutorService writerThreads;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong acknowledged = new AtomicLong();
    private final List<Future<?>> writers = new ArrayList<>();

    abstract TestDatabase database();

    @BeforeAll
    void startALedgerWithAHistory() throws Exception {
        database = database();
        ledger = Ledger.startWithHttp(database, Map.of());
        // an audit reads and hashes every event: give it time on a busy machine
        http = new LedgerHttp(Ledger.baseUrl(ledger), HttpClient.Version.HTTP_1_1, Duration.ofSeconds(5),
                Duration.ofSeconds(120));
        SyntheticClaims.append(database, TENANT, CONSUMERS, HEARTBEATS);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> SyntheticClaims.rowsCaughtUp(database, TENANT, HEARTBEATS) == CONSUMERS);
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    @BeforeEach
    void startWriters() {
        writerThreads = Executors.newFixedThreadPool(WRITERS);
        writing.set(true);
        for (int w = 0; w < WRITERS; w++) {
            String consumer = "writer-" + w + "-" + System.nanoTime();
            writers.add(writerThreads.submit(() -> write(consumer)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= 20);
    }

    @AfterEach
    void stopWriters() throws Exception {
        writing.set(false);
        writerThreads.shutdown();
        for (Future<?> writer : writers) {
            writer.get(30, TimeUnit.SECONDS);
        }
        writers.clear();
    }

    @Test
    void auditsTakenWhileWritersRunRaiseNoFalseAlarm() {
        for (int audit = 1; audit <= AUDITS; audit++) {
            long writesBefore = acknowledged.get();

            JsonNode report = audit(LedgerHttp.AUDIT);

            assertThat(report.get("violations")).as("audit %d of %d: %s", audit, AUDITS, report).isEmpty();
            assertThat(report.get("clean").asBoolean()).isTrue();
            assertThat(acknowledged.get()).as("writes acknowledged while audit %d ran", audit)
                    .isGreaterThan(writesBefore);
        }
    }

    @Test
    void aDeletedRowAndARowSetBackAreReportedByEveryAuditWhileWritersRun() throws Exception {
        String deleted = SyntheticClaims.consumer(1);
        String setBack = SyntheticClaims.consumer(2);
        try {
            update("DELETE FROM consumer_claims WHERE tenant_id = ? AND consumer_id = ?", deleted);
            update("UPDATE consumer_claims SET last_event_sequence = last_event_sequence - 1,"
                    + " heartbeat_count = heartbeat_count - 1 WHERE tenant_id = ? AND consumer_id = ?", setBack);

            for (String path : List.of(LedgerHttp.AUDIT, LedgerHttp.AUDIT, LedgerHttp.AUDIT, tenantAudit(TENANT))) {
                JsonNode report = audit(path);

                assertThat(report.get("clean").asBoolean()).as("%s: %s", path, report).isFalse();
                assertThat(report.get("violations")).as("%s: %s", path, report).hasSize(2)
                        .anySatisfy(violation -> assertRowViolation(violation, "projection_row_missing", deleted))
                        .anySatisfy(violation -> assertRowViolation(violation, "projection_row_behind", setBack));
            }
        } finally {
            rebuildTheReadModel();
        }
        assertThat(audit(LedgerHttp.AUDIT).get("violations")).as("after a rebuild").isEmpty();
    }

    @Test
    void aTenantsAuditChecksOnlyThatTenantsClaims() throws Exception {
        String other = "audited-other";
        SyntheticClaims.append(database, other, 5, 3);
        String deleted = SyntheticClaims.consumer(3);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> SyntheticClaims.rowsCaughtUp(database, other, 3) == 5);
            update("DELETE FROM consumer_claims WHERE tenant_id = ? AND consumer_id = ?", deleted);

            JsonNode otherReport = audit(tenantAudit(other));
            JsonNode tenantReport = audit(tenantAudit(TENANT));

            assertThat(otherReport.get("clean").asBoolean()).as("%s", otherReport).isTrue();
            assertThat(otherReport.get("claims").asLong()).isEqualTo(5);
            assertThat(otherReport.get("events").asLong()).isEqualTo(5 * 4);
            assertThat(tenantReport.get("violations")).as("%s", tenantReport).singleElement()
                    .satisfies(violation -> assertRowViolation(violation, "projection_row_missing", deleted));
        } finally {
            rebuildTheReadModel();
        }
    }

    private static String tenantAudit(String tenant) {
        return "/v1/tenants/" + tenant + "/audit";
    }

    private JsonNode audit(String path) {
        Reply reply = http.get(path);
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        return reply.json();
    }

    private static void assertRowViolation(JsonNode violation, String rule, String consumer) {
        assertThat(violation.get("rule").asText()).as("%s", violation).isEqualTo(rule);
        assertThat(violation.get("tenant_id").asText()).isEqualTo(TENANT);
        assertThat(violation.get("consumer_id").asText()).isEqualTo(consumer);
        assertThat(violation.get("epoch").asLong()).isEqualTo(1);
    }

    /** Puts the tampered rows right again, with writers still running. */
    private void rebuildTheReadModel() {
        Reply started = http.post(LedgerHttp.REBUILD);
        assertThat(started.status()).as("%s", started).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> !"running".equals(http.get(started.location()).json().path("state").asText()));
        assertThat(http.get(started.location()).json().path("state").asText()).isEqualTo("done");
    }

    private void update(String sql, String consumer) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, TENANT);
            statement.setString(2, consumer);
            assertThat(statement.executeUpdate()).as("%s for %s", sql, consumer).isEqualTo(1);
        }
    }

    /** Claims, heartbeats, a higher epoch that supersedes, a release: over and over, as a worker would. */
    private void write(String consumer) {
        for (long epoch = 1; writing.get(); epoch++) {
            call(LedgerHttp.claims(TENANT), Map.of("consumer_id", consumer, "epoch", epoch,
                    "entity_url", "https://example.test/" + consumer, "stream_path", "/streams/" + consumer,
                    "lease_ttl_ms", 600_000));
            for (int beat = 0; beat < 3; beat++) {
                call(LedgerHttp.heartbeats(TENANT, consumer, epoch), null);
            }
            if (epoch % 2 == 0) {
                call(LedgerHttp.release(TENANT, consumer, epoch), null);
            }
        }
    }

    private void call(String path, Object body) {
        Reply reply = body == null ? http.post(path) : http.post(path, body);
        assertThat(reply.status()).as("POST %s: %s", path, reply).isBetween(200, 201);
        acknowledged.incrementAndGet();
    }
}
