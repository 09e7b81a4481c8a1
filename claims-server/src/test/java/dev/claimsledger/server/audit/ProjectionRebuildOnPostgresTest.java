package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
 * until its rebuild is done, so the next one can start. Every exchange of the tests is checked against the OpenAPI
 * document the ledger serves.
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
        http = LedgerHttp.heldToTheServedDocument(Ledger.baseUrl(ledger));
        // unchecked: the fill races 1 s leases, and checking an answer must not delay the next heartbeat
        sample = SampleLedger.fill(new LedgerHttp(Ledger.baseUrl(ledger)), TENANT, 48, 6);
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
     * Reliable whatever the ledger's size: a rebuild stops the projection's processor, resets it and then checks every
     * 200 ms whether it caught up, so it runs for at least 200 ms (about 450 ms here), and the second request follows
     * the first at once. Should it ever come too late, the failure shows the first rebuild's state at that moment.
     */
    @Test
    void aSecondRebuildWhileOneRunsIsAConflict() throws Exception {
        Reply first = startRebuild();
        assertThat(first.status()).as("%s", first).isEqualTo(202);

        Reply second = startRebuild();

        JsonNode firstThen = http.get(first.location()).json();
        assertThat(second.status()).as("the second rebuild answered %s; the first one, asked right after: %s", second,
                firstThen).isEqualTo(409);
        second.assertProblem(409, "conflict");
        assertThat(second.location()).isNull();
        assertThat(awaitFinished(first.location()).get(0).get("state").asText()).isEqualTo("done");
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
