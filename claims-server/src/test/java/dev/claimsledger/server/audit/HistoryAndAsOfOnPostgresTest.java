package dev.claimsledger.server.audit;

import static dev.claimsledger.server.support.LedgerHttp.claim;
import static dev.claimsledger.server.support.LedgerHttp.claims;
import static dev.claimsledger.server.support.LedgerHttp.epochHistory;
import static dev.claimsledger.server.support.LedgerHttp.heartbeats;
import static dev.claimsledger.server.support.LedgerHttp.history;
import static dev.claimsledger.server.support.LedgerHttp.release;
import static dev.claimsledger.server.support.LedgerHttp.withQuery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.server.audit.StoredRows.EventRow;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A consumer's history, read over HTTP from the event store, and its claims as they stood at an instant
 * ({@code as_of}), every exchange checked against the OpenAPI document the ledger serves. One ledger on PostgreSQL
 * serves the class; before the tests one consumer lives through three epochs, made over HTTP with another
 * consumer's events in between:
 *
 * <pre>
 * sequence  event               epoch
 *    0      ClaimMaterialized     1   (lease 60 s)
 *    1      HeartbeatReceived     1   (reported_at sent)
 *    2      HeartbeatReceived     1
 *    3      ClaimSuperseded       1   \ one command: epoch 2 is claimed
 *    4      ClaimMaterialized     2   / (lease 1 s)
 *    5      HeartbeatReceived     2
 *    6      ClaimLeaseExpired     2   (the watchdog)
 *    7      ClaimMaterialized     3
 *    8      ClaimReleased         3
 * </pre>
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryAndAsOfOnPostgresTest {

    private static final String TENANT = "acme";
    private static final String CONSUMER = "worker-1";
    private static final String NEIGHBOUR = "worker-2";
    private static final long TTL_MS = 60_000;
    private static final long SHORT_TTL_MS = 1_000;
    private static final String REPORTED_AT = "2020-01-01T00:00:00Z";
    private static final List<String> TYPES = List.of("ClaimMaterialized", "HeartbeatReceived", "HeartbeatReceived",
            "ClaimSuperseded", "ClaimMaterialized", "HeartbeatReceived", "ClaimLeaseExpired", "ClaimMaterialized",
            "ClaimReleased");
    private static final Map<Long, List<Long>> SEQUENCES_OF_EPOCH = Map.of(1L, List.of(0L, 1L, 2L, 3L),
            2L, List.of(4L, 5L, 6L), 3L, List.of(7L, 8L));

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private final StoredRows rows = new StoredRows(database);
    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;

    // the answers of the commands that made the history
    private Reply claimed1;
    private Reply beat1;
    private Reply beat2;
    private Reply claimed2;
    private Reply beat3;
    private Reply claimed3;
    private Reply released3;
    private List<EventRow> stored;

    @BeforeAll
    void liveThroughThreeEpochs() throws Exception {
        ledger = Ledger.startWithHttp(database, Map.of("claims.deadlines.polling-interval", "200ms"));
        http = LedgerHttp.heldToTheServedDocument(Ledger.baseUrl(ledger));

        claimed1 = http.postExpecting(201, claims(TENANT), claimRequest(CONSUMER, 1, TTL_MS));
        http.postExpecting(201, claims(TENANT), claimRequest(NEIGHBOUR, 1, TTL_MS));
        beat1 = http.postExpecting(200, heartbeats(TENANT, CONSUMER, 1), Map.of("reported_at", REPORTED_AT));
        Thread.sleep(150);
        http.postExpecting(200, heartbeats(TENANT, NEIGHBOUR, 1), null);
        beat2 = http.postExpecting(200, heartbeats(TENANT, CONSUMER, 1), null);
        claimed2 = http.postExpecting(201, claims(TENANT), claimRequest(CONSUMER, 2, SHORT_TTL_MS));
        beat3 = http.postExpecting(200, heartbeats(TENANT, CONSUMER, 2), null);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> rows.stream(streamId()).size() == 7);
        claimed3 = http.postExpecting(201, claims(TENANT), claimRequest(CONSUMER, 3, TTL_MS));
        released3 = http.postExpecting(200, release(TENANT, CONSUMER, 3),
                Map.of("acked_streams", List.of(Map.of("path", "/streams/a", "offset", "17"))));
        http.postExpecting(200, heartbeats(TENANT, NEIGHBOUR, 1), null);

        stored = rows.stream(streamId());
        assertThat(stored).extracting(EventRow::simpleType).as("the history made for the tests")
                .containsExactlyElementsOf(TYPES);
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    // === history =====================================================================================================

    @Test
    void historyListsEveryEventOfTheConsumerInSequenceOrderWithItsType() {
        JsonNode events = historyPage(history(TENANT, CONSUMER), null, null).get("events");

        assertThat(events).extracting(event -> event.get("sequence").asLong())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(events).extracting(event -> event.get("type").asText()).containsExactlyElementsOf(TYPES);
    }

    @Test
    void historyPositionsAreTheEventsGlobalPositionsAndIncrease() {
        JsonNode events = historyPage(history(TENANT, CONSUMER), null, null).get("events");

        List<Long> positions = new ArrayList<>();
        events.forEach(event -> positions.add(event.get("position").asLong()));
        assertThat(positions).containsExactlyElementsOf(stored.stream().map(EventRow::position).toList());
        assertThat(positions).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
        assertThat(positions.get(positions.size() - 1) - positions.get(0))
                .as("the neighbour's events lie between them").isGreaterThan(positions.size() - 1);
    }

    @Test
    void historyPayloadsAndTimestampsAreTheStoredOnes() {
        JsonNode events = historyPage(history(TENANT, CONSUMER), null, null).get("events");

        assertThat(events).hasSize(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            EventRow row = stored.get(i);
            assertThat(events.get(i).get("payload")).as("payload of %s", row).isEqualTo(row.payloadJson());
            assertThat(Instant.parse(events.get(i).get("timestamp").asText())).as("timestamp of %s", row)
                    .isEqualTo(Instant.parse(row.timeStamp()));
        }
    }

    @Test
    void historyPayloadsCarryWhatTheLedgerDecided() {
        JsonNode events = historyPage(history(TENANT, CONSUMER), null, null).get("events");

        JsonNode materialized = events.get(0).get("payload");
        assertThat(materialized.get("tenantId").asText()).isEqualTo(TENANT);
        assertThat(materialized.get("consumerId").asText()).isEqualTo(CONSUMER);
        assertThat(materialized.get("epoch").asLong()).isEqualTo(1);
        assertThat(materialized.get("entityUrl").asText()).isEqualTo(claimed1.text("entity_url"));
        assertThat(materialized.get("leaseTtlMs").asLong()).isEqualTo(TTL_MS);
        assertThat(instant(materialized, "claimedAt")).isEqualTo(claimed1.instant("claimed_at"));
        assertThat(instant(materialized, "leaseExpiresAt")).isEqualTo(claimed1.instant("lease_expires_at"));

        JsonNode firstBeat = events.get(1).get("payload");
        assertThat(instant(firstBeat, "receivedAt")).isEqualTo(beat1.instant("last_heartbeat_at"));
        assertThat(instant(firstBeat, "reportedAt")).isEqualTo(Instant.parse(REPORTED_AT));
        assertThat(instant(firstBeat, "leaseExpiresAt")).isEqualTo(beat1.instant("lease_expires_at"));

        JsonNode superseded = events.get(3).get("payload");
        assertThat(superseded.get("epoch").asLong()).isEqualTo(1);
        assertThat(superseded.get("supersededByEpoch").asLong()).isEqualTo(2);
        assertThat(instant(superseded, "supersededAt")).isEqualTo(claimed2.instant("claimed_at"));
        assertThat(instant(superseded, "leaseExpiresAt")).isEqualTo(beat2.instant("lease_expires_at"));

        JsonNode expired = events.get(6).get("payload");
        assertThat(expired.get("epoch").asLong()).isEqualTo(2);
        assertThat(instant(expired, "leaseExpiresAt")).isEqualTo(beat3.instant("lease_expires_at"));
        assertThat(instant(expired, "expiredAt")).isAfterOrEqualTo(beat3.instant("lease_expires_at"));

        JsonNode releasedEvent = events.get(8).get("payload");
        assertThat(instant(releasedEvent, "releasedAt")).isEqualTo(released3.instant("released_at"));
        assertThat(releasedEvent.get("ackedStreams").get(0).get("offset").asText()).isEqualTo("17");
    }

    @ParameterizedTest(name = "epoch {0}")
    @ValueSource(longs = {1, 2, 3})
    void epochHistoryHoldsOnlyThatEpochsEvents(long epoch) {
        JsonNode events = historyPage(epochHistory(TENANT, CONSUMER, epoch), null, null).get("events");

        List<Long> expected = SEQUENCES_OF_EPOCH.get(epoch);
        assertThat(events).extracting(event -> event.get("sequence").asLong()).containsExactlyElementsOf(expected);
        assertThat(events).extracting(event -> event.get("type").asText())
                .containsExactlyElementsOf(expected.stream().map(sequence -> TYPES.get(sequence.intValue())).toList());
        assertThat(events).extracting(event -> event.get("payload").get("epoch").asLong()).containsOnly(epoch);
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {1, 2, 3, 4, 8, 9, 10})
    void pagingThroughTheHistoryVisitsEveryEventOnce(int limit) {
        List<Long> visited = pageThrough(history(TENANT, CONSUMER), limit);

        assertThat(visited).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    }

    @ParameterizedTest(name = "epoch {0}")
    @ValueSource(longs = {1, 2, 3})
    void pagingThroughAnEpochsHistoryVisitsEachOfItsEventsOnce(long epoch) {
        List<Long> visited = pageThrough(epochHistory(TENANT, CONSUMER, epoch), 1);

        assertThat(visited).containsExactlyElementsOf(SEQUENCES_OF_EPOCH.get(epoch));
    }

    @Test
    void theHistoryOfAnUnknownConsumerIsNotFound() {
        http.get(history(TENANT, "nobody")).assertProblem(404, "claim_not_found");
    }

    @Test
    void theHistoryOfAnEpochNeverClaimedIsNotFound() {
        http.get(epochHistory(TENANT, CONSUMER, 4)).assertProblem(404, "claim_not_found");
    }

    // === as_of =======================================================================================================

    @Test
    void aClaimAsOfBeforeItWasMadeIsNotFound() {
        Instant before = claimed1.instant("claimed_at").minusMillis(1);

        asOf(1, before).assertProblem(404, "claim_not_found");
    }

    @Test
    void aClaimAsOfBetweenTwoHeartbeatsHasTheLeaseAndHeartbeatCountOfThen() {
        Instant firstBeat = beat1.instant("last_heartbeat_at");
        Instant between = firstBeat.plus(Duration.between(firstBeat, beat2.instant("last_heartbeat_at")).dividedBy(2));

        Reply reply = asOf(1, between);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.text("status")).isEqualTo("active");
        assertThat(reply.number("heartbeat_count")).isEqualTo(1);
        assertThat(reply.instant("last_heartbeat_at")).isEqualTo(firstBeat);
        assertThat(reply.instant("lease_expires_at")).isEqualTo(beat1.instant("lease_expires_at"))
                .isBefore(beat2.instant("lease_expires_at"));
        assertThat(reply.number("lease_remaining_ms"))
                .isEqualTo(Duration.between(between, beat1.instant("lease_expires_at")).toMillis());
        assertThat(reply.instant("updated_at")).isEqualTo(firstBeat);
    }

    @Test
    void aClaimAsOfAfterItsExpiryIsExpired() {
        Instant expiredAt = instant(stored.get(6).payloadJson(), "expiredAt");

        Reply reply = asOf(2, expiredAt.plusMillis(1));

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.text("status")).isEqualTo("expired");
        assertThat(reply.text("end_reason")).isEqualTo("expired");
        assertThat(reply.instant("ended_at")).isEqualTo(expiredAt);
        assertThat(reply.instant("lease_expires_at")).isEqualTo(beat3.instant("lease_expires_at"));
        assertThat(reply.number("heartbeat_count")).isEqualTo(1);
        assertThat(reply.number("lease_remaining_ms")).isZero();
    }

    @Test
    void aClaimAsOfAfterItsLeaseRanOutButBeforeTheExpiryWasRecordedHasNoLeaseRemaining() {
        Instant leaseEnd = beat3.instant("lease_expires_at");
        Instant expiredAt = instant(stored.get(6).payloadJson(), "expiredAt");
        assertThat(expiredAt).as("the watchdog records an expiry after the lease's end").isAfter(leaseEnd);
        Instant between = leaseEnd.plus(Duration.between(leaseEnd, expiredAt).dividedBy(2));

        Reply reply = asOf(2, between);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.text("status")).as("no expiry was recorded yet").isEqualTo("active");
        assertThat(reply.number("lease_remaining_ms")).isZero();
    }

    @Test
    void aClaimAsOfAfterItWasSupersededIsSuperseded() {
        Instant supersededAt = claimed2.instant("claimed_at");

        Reply reply = asOf(1, supersededAt);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.text("status")).isEqualTo("superseded");
        assertThat(reply.instant("ended_at")).isEqualTo(supersededAt);
        assertThat(reply.number("heartbeat_count")).isEqualTo(2);
        assertThat(reply.number("lease_remaining_ms")).isZero();
    }

    @Test
    void aClaimAsOfNowIsWhatTheReadModelHolds() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> "released".equals(http.get(claim(TENANT, CONSUMER, 3)).text("status")));
        JsonNode current = http.get(claim(TENANT, CONSUMER, 3)).json();

        Reply reply = asOf(3, Instant.now());

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.json()).isEqualTo(current);
        assertThat(reply.instant("released_at")).isEqualTo(released3.instant("released_at"));
    }

    @ParameterizedTest(name = "as_of={0}")
    @ValueSource(strings = {"yesterday", "2026-13-01T00:00:00Z", "2026-01-31 12:00:00", "1700000000000", ""})
    void aMalformedAsOfIsRejectedAsInvalid(String asOf) {
        http.get(withQuery(claim(TENANT, CONSUMER, 1), "as_of", asOf)).assertProblem(400, "validation_failed");
    }

    // === helpers =====================================================================================================

    private Reply asOf(long epoch, Instant instant) {
        return http.get(withQuery(claim(TENANT, CONSUMER, epoch), "as_of", instant.toString()));
    }

    private JsonNode historyPage(String path, Long afterSequence, Integer limit) {
        Reply reply = http.get(withQuery(path, "after_sequence", afterSequence, "limit", limit));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        return reply.json();
    }

    /** Follows {@code next_after_sequence} from the first page to the last; the sequences of every event seen. */
    private List<Long> pageThrough(String path, int limit) {
        List<Long> visited = new ArrayList<>();
        Long after = null;
        for (int page = 0; page < 50; page++) {
            JsonNode body = historyPage(path, after, limit);
            JsonNode events = body.get("events");
            assertThat(events.size()).as("page %d after %s", page, after).isBetween(1, limit);
            events.forEach(event -> visited.add(event.get("sequence").asLong()));
            JsonNode next = body.get("next_after_sequence");
            if (next == null || next.isNull()) {
                return visited;
            }
            assertThat(next.asLong()).as("the cursor is the last sequence of its page")
                    .isEqualTo(events.get(events.size() - 1).get("sequence").asLong());
            after = next.asLong();
        }
        throw new AssertionError("paging never ended; visited " + visited);
    }

    private static Instant instant(JsonNode payload, String field) {
        return Instant.parse(payload.get(field).asText());
    }

    private static String streamId() {
        return ConsumerRef.streamId(TENANT, CONSUMER);
    }

    private static Map<String, Object> claimRequest(String consumer, long epoch, long ttlMs) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("consumer_id", consumer);
        request.put("epoch", epoch);
        request.put("entity_url", "https://example.test/entities/" + consumer);
        request.put("stream_path", "/streams/work-" + epoch);
        request.put("wake_id", "wake-" + epoch);
        request.put("runner_id", "runner-a");
        request.put("lease_ttl_ms", ttlMs);
        request.put("lease_policy", "renew_on_heartbeat");
        return request;
    }
}
