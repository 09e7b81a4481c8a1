package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claimsledger.server.audit.SampleLedger.Sample;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Rebuilding the {@code consumer_claims} read model over HTTP, on PostgreSQL. One ledger serves the class, filled
 * before the tests with a few hundred events of active, released, expired and superseded claims; every test waits
 * until its rebuild is done, so the next one can start. Some tests hold the read model's processor, as a rebuild's
 * switch does, to catch a rebuild at the moment before it switches.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectionRebuildOnPostgresTest {

    private static final String TENANT = "rebuild";

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private final StoredRows rows = new StoredRows(database);
    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;
    private Sample sample;
    private final List<String> rebuildsStarted = new ArrayList<>();

    @BeforeAll
    void fillTheLedger() throws Exception {
        ledger = Ledger.startWithHttp(database, Map.of("claims.deadlines.polling-interval", "200ms"));
        http = new LedgerHttp(Ledger.baseUrl(ledger));
        sample = SampleLedger.fill(http, TENANT, 48, 6);
        SampleLedger.awaitSettled(rows, sample);
        assertThat(rows.count("SELECT count(*) FROM domain_event_entry")).as("events in the ledger")
                .isEqualTo(sample.events()).isGreaterThanOrEqualTo(400);
        assertThat(rows.consumerClaims()).hasSize((int) sample.epochs())
                .extracting(row -> row.get("status")).contains("active", "released", "expired", "superseded");
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    /** No test leaves a rebuild running for the next one. */
    @AfterEach
    void awaitEveryRebuildStarted() {
        rebuildsStarted.forEach(this::awaitFinished);
        rebuildsStarted.clear();
    }

    @Test
    void aRebuildGivesTheReadModelBackRowForRow() throws Exception {
        List<Map<String, Object>> before = rows.consumerClaims();

        Reply started = startRebuild();

        assertThat(started.status()).as("%s", started).isEqualTo(202);
        assertThat(started.location()).as("Location of %s", started).isNotNull();
        JsonNode finished = awaitFinished(started.location()).get(0);
        assertThat(finished.get("state").asText()).as("%s", finished).isEqualTo("done");
        List<Map<String, Object>> after = rows.consumerClaims();
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i)).as("row %d", i).isEqualTo(before.get(i));
        }
    }

    @Test
    void aRebuildRestoresRowsThatWereLostOrEditedByHand() throws Exception {
        List<Map<String, Object>> before = rows.consumerClaims();
        Map<String, Object> lost = before.get(0);
        Map<String, Object> edited = before.get(before.size() - 1);
        rows.deleteClaimRow((String) lost.get("tenant_id"), (String) lost.get("consumer_id"), (Long) lost.get("epoch"));
        rows.editClaimRow((String) edited.get("tenant_id"), (String) edited.get("consumer_id"),
                (Long) edited.get("epoch"), "heartbeat_count", "heartbeat_count + 100");
        assertThat(rows.consumerClaims()).as("the read model before the rebuild").isNotEqualTo(before);

        Reply started = startRebuild();

        assertThat(started.status()).as("%s", started).isEqualTo(202);
        assertThat(awaitFinished(started.location()).get(0).get("state").asText()).isEqualTo("done");
        assertThat(rows.consumerClaims()).isEqualTo(before);
    }

    @Test
    void aRebuildReportsItsProgressUntilEveryPositionIsProcessed() throws Exception {
        long head = rows.headPosition();

        Reply started = startRebuild();

        assertThat(started.status()).as("%s", started).isEqualTo(202);
        assertThat(started.json().get("id").asText()).isNotBlank();
        assertThat(started.json().get("total").asLong()).as("total: the newest position when it started")
                .isEqualTo(head);
        List<JsonNode> progress = awaitFinished(started.location());
        JsonNode finished = progress.get(0);
        assertThat(finished.get("id").asText()).isEqualTo(started.json().get("id").asText());
        assertThat(finished.get("state").asText()).as("%s", finished).isEqualTo("done");
        assertThat(finished.get("total").asLong()).isEqualTo(head);
        assertThat(finished.get("processed").asLong()).isEqualTo(head);
        assertThat(finished.get("events_per_second").asDouble()).isPositive();
        assertThat(finished.get("eta_ms").asLong()).isZero();
        List<Long> processed = progress.subList(1, progress.size()).stream()
                .map(seen -> seen.get("processed").asLong()).toList();
        assertThat(processed).as("processed, as polled while it ran, never goes back")
                .isSortedAccordingTo(Long::compare)
                .allSatisfy(seen -> assertThat(seen).isBetween(0L, head));
    }

    /**
     * The first rebuild cannot switch while the test holds the processor's token rows, so it is certainly still
     * running when the second one is asked for.
     */
    @Test
    void aSecondRebuildWhileOneRunsIsAConflict() throws Exception {
        Reply first;
        Reply second;
        try (StoredRows.Hold ignored = rows.holdTheProcessor()) {
            first = startRebuild();
            assertThat(first.status()).as("%s", first).isEqualTo(202);

            second = startRebuild();

            assertThat(http.get(first.location()).json().get("state").asText()).isEqualTo("running");
        }
        second.assertProblem(409, "conflict");
        assertThat(second.location()).isNull();
        assertThat(awaitFinished(first.location()).get(0).get("state").asText()).isEqualTo("done");
    }

    @Test
    void whileARebuildWaitsToSwitchReadersAreAnsweredFromTheReadModelAsItWas() throws Exception {
        Map<String, Object> row = rows.consumerClaims().get(0);
        String claim = LedgerHttp.claim((String) row.get("tenant_id"), (String) row.get("consumer_id"),
                (Long) row.get("epoch"));
        Reply before = http.get(claim);
        Reply started;
        Reply during;
        try (StoredRows.Hold ignored = rows.holdTheProcessor()) {
            started = startRebuild();
            awaitEverythingRead(started.location());

            during = http.get(claim);
        }

        assertThat(during.status()).as("%s", during).isEqualTo(200);
        // lease_remaining_ms is computed when the answer is made
        JsonNode seen = ((ObjectNode) during.json()).without("lease_remaining_ms");
        JsonNode expected = ((ObjectNode) before.json()).without("lease_remaining_ms");
        assertThat(seen).isEqualTo(expected);
        assertThat(awaitFinished(started.location()).get(0).get("state").asText()).isEqualTo("done");
    }

    /**
     * The rebuild's table disappears while the rebuild waits to switch: the switch fails, and the read model and its
     * processor are left as they were.
     */
    @Test
    void aRebuildThatFailsLeavesTheReadModelServingAndItsProcessorRunning() throws Exception {
        List<Map<String, Object>> before = rows.consumerClaims();
        Reply started;
        try (StoredRows.Hold hold = rows.holdTheProcessor()) {
            started = startRebuild();
            awaitEverythingRead(started.location());
            hold.execute("ALTER TABLE consumer_claims_rebuild RENAME TO consumer_claims_rebuild_moved");
        }
        JsonNode failed;
        try {
            failed = awaitFinished(started.location()).get(0);
            assertThat(rows.consumerClaims()).as("the read model after the failed rebuild").isEqualTo(before);
        } finally {
            try (StoredRows.Hold hold = rows.holdTheProcessor()) {
                hold.execute("ALTER TABLE consumer_claims_rebuild_moved RENAME TO consumer_claims_rebuild");
            }
        }

        assertThat(failed.get("state").asText()).as("%s", failed).isEqualTo("failed");
        assertThat(failed.get("failure").asText()).contains("consumer_claims_rebuild");
        http.postExpecting(201, LedgerHttp.claims(TENANT), SampleLedger.claimRequest(
                new SampleLedger.Filled(TENANT, "after-a-failed-rebuild", SampleLedger.Ending.ACTIVE, "fixed"), 1,
                SampleLedger.LONG_TTL_MS));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                http.get(LedgerHttp.claim(TENANT, "after-a-failed-rebuild", 1)).status()).isEqualTo(200));
        Reply again = startRebuild();
        assertThat(awaitFinished(again.location()).get(0).get("state").asText()).isEqualTo("done");
    }

    @Test
    void anUnknownRebuildIsNotFound() {
        Reply reply = http.get("/v1/admin/projections/consumer-claims/rebuilds/no-such-rebuild");

        reply.assertProblem(404, "not_found");
    }

    /** {@code POST .../rebuild}; remembers where a rebuild that started can be followed. */
    private Reply startRebuild() {
        Reply reply = http.post(LedgerHttp.REBUILD);
        if (reply.status() == 202 && reply.location() != null) {
            rebuildsStarted.add(reply.location());
        }
        return reply;
    }

    /** Waits until a rebuild has read every event there was when it started. */
    private void awaitEverythingRead(String location) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode progress = http.get(location).json();
            return progress.get("processed").asLong() == progress.get("total").asLong();
        });
    }

    /**
     * Polls a rebuild until it is no longer running. Returns its last state first, then every state seen while it
     * ran, in order.
     */
    private List<JsonNode> awaitFinished(String location) {
        List<JsonNode> seen = new ArrayList<>();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Reply reply = http.get(location);
            assertThat(reply.status()).as("%s", reply).isEqualTo(200);
            last[0] = reply.json();
            seen.add(last[0]);
            return !"running".equals(last[0].get("state").asText());
        });
        List<JsonNode> result = new ArrayList<>();
        result.add(last[0]);
        result.addAll(seen);
        return result;
    }
}
