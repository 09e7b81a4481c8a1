package dev.claimsledger.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.ClaimReaders;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.RebuildWhileReading;
import dev.claimsledger.server.support.SyntheticClaims;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A rebuild of the read model on the embedded H2 database, the default setup, while readers poll claims that exist and
 * a writer keeps heartbeating some of them. The ledger holds 150 consumers of 100 events each, written with JDBC
 * before the test, so that the rebuild runs for a few seconds. (On PostgreSQL the same is shown with two nodes:
 * {@code RebuildOnTwoNodesOnPostgresTest}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadsDuringRebuildOnH2Test {

    private static final String TENANT = "rebuilt";
    private static final int CONSUMERS = 150;
    private static final int HEARTBEATS = 99;
    private static final int READ_CONSUMERS = 60;
    private static final int WRITTEN_CONSUMERS = 10;

    @TempDir
    static Path directory;

    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;

    @BeforeAll
    void startALedgerWithALargeHistory() throws Exception {
        TestDatabase database = TestDatabase.freshH2(directory);
        ledger = Ledger.startWithHttp(database, Map.of());
        http = new LedgerHttp(Ledger.baseUrl(ledger));
        SyntheticClaims.append(database, TENANT, CONSUMERS, HEARTBEATS);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> SyntheticClaims.rowsCaughtUp(database, TENANT, HEARTBEATS) == CONSUMERS);
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    @Test
    void readersNeverSeeTheReadModelGoBackWhileItIsRebuilt() throws Exception {
        List<String> readConsumers = IntStream.range(0, READ_CONSUMERS).mapToObj(SyntheticClaims::consumer).toList();

        RebuildWhileReading.Result run = RebuildWhileReading.run(List.of(http), http, http,
                ClaimReaders.epochOne(TENANT, readConsumers), WRITTEN_CONSUMERS, started -> {
                });

        assertThat(run.finished().get("state").asText()).as("%s", run.finished()).isEqualTo("done");
        assertThat(run.finished().get("total").asLong()).isGreaterThanOrEqualTo((long) CONSUMERS * (HEARTBEATS + 1));
        assertThat(run.readers().clean()).as("%s", run.readers()).isTrue();
        assertThat(run.readsDuring()).as("reads while the rebuild ran").isGreaterThanOrEqualTo(50);
        assertThat(run.heartbeats()).as("heartbeats written while it ran").isPositive();
        assertTheReadModelAuditsClean();
    }

    /** Exact against the events: also every heartbeat the writer recorded while the rebuild ran. */
    private void assertTheReadModelAuditsClean() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode report = http.get(LedgerHttp.AUDIT).json();
            assertThat(report.get("clean").asBoolean()).as("%s", report).isTrue();
            assertThat(report.get("rows_lagging").asLong()).as("%s", report).isZero();
        });
    }
}
