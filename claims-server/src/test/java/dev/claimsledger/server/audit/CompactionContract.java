package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claimsledger.compaction.Compactor;
import dev.claimsledger.compaction.PassedPositions;
import dev.claimsledger.merkle.Checkpoint;
import dev.claimsledger.merkle.LeafSource;
import dev.claimsledger.merkle.LogVerification;
import dev.claimsledger.merkle.ProofVerification;
import dev.claimsledger.merkle.TreeHashes;
import dev.claimsledger.merkle.VerificationReport;
import dev.claimsledger.server.audit.SampleLedger.Ending;
import dev.claimsledger.server.audit.SampleLedger.Filled;
import dev.claimsledger.server.audit.SampleLedger.Sample;
import dev.claimsledger.server.audit.StoredRows.EventRow;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Compaction of old heartbeats, on a ledger filled with claims of every kind: the history ({@code /history}, every
 * field, and the stored bytes of every event), {@code as_of} and the audit are the same before and after it; the
 * ledger goes on taking heartbeats on compacted streams and compacts them again; compaction runs while heartbeats
 * arrive on the same streams without disturbing them; and a compacted run changed, removed or moved behind the
 * ledger's back is reported by the audit; the Merkle log's leaves, recomputed from the compacted events, still match
 * its signed checkpoint; a rebuild after compaction gives the same read model; and a compaction that dies midway
 * changes no history, and the next one finishes its work; streams share a transaction up to its share of heartbeats.
 * Run against each database the ledger supports. The hot window is 0 so that
 * every heartbeat is old enough; the scheduled compaction is off, so each test compacts when it says.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class CompactionContract {

    private static final String TENANT = "compacted";
    private static final int CONSUMERS = 12;
    private static final int HEARTBEATS = 4;
    private static final String COMPACTIONS = "/v1/admin/compactions";

    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;
    private StoredRows rows;
    private Sample sample;

    abstract TestDatabase database();

    @BeforeAll
    void fill() {
        TestDatabase database = database();
        rows = new StoredRows(database);
        ledger = Ledger.startWithHttp(database, Map.of("claims.deadlines.polling-interval", "200ms",
                "claims.compaction.enabled", "false", "claims.compaction.hot-window", "0s"));
        http = new LedgerHttp(Ledger.baseUrl(ledger));
        sample = SampleLedger.fill(http, TENANT, CONSUMERS, HEARTBEATS);
        for (Filled active : List.of(sample.first(Ending.ACTIVE), sample.consumers().get(4))) {
            // heartbeats with the worker's own time, to the nanosecond, as a worker may report it
            for (int i = 0; i < 3; i++) {
                http.postExpecting(200, LedgerHttp.heartbeats(TENANT, active.consumer(), 1),
                        Map.of("reported_at", Instant.now().minusNanos(123_456_789L * (i + 1)).toString()));
            }
        }
        SampleLedger.awaitSettled(rows, sample);
    }

    @AfterAll
    void stop() {
        ledger.close();
    }

    @Test
    @Order(1)
    void historyAsOfAndTheAuditAreExactlyTheSameAfterCompaction() throws SQLException {
        // given what the ledger answers and stores before compaction
        Map<String, String> historyBefore = histories();
        Map<String, String> asOfBefore = asOfs();
        Map<String, List<StoredEvent>> storedBefore = storedEvents();
        long rowsBefore = rows.count("SELECT count(*) FROM domain_event_entry");
        Reply auditBefore = http.get(LedgerHttp.AUDIT);
        Checkpoint checkpoint = LedgerMaintenance.checkpointOfEvery(http, rowsBefore);

        // when every heartbeat is compacted
        JsonNode done = LedgerMaintenance.compact(http);

        // then heartbeats left the event table for compacted runs
        assertThat(done.path("heartbeats_compacted").asLong()).as("%s", done).isPositive();
        assertThat(rows.count("SELECT count(*) FROM domain_event_entry")).as("rows of the event table")
                .isEqualTo(rowsBefore - done.path("rows_removed").asLong()).isLessThan(rowsBefore);
        assertThat(rows.count("SELECT count(*) FROM domain_event_entry WHERE payload_type LIKE '%.HeartbeatsCompacted'"))
                .as("compacted runs").isPositive();

        // and the history, the claims as of any instant, every stored byte and the audit are what they were
        assertThat(histories()).isEqualTo(historyBefore);
        assertThat(asOfs()).isEqualTo(asOfBefore);
        Map<String, List<StoredEvent>> storedAfter = storedEvents();
        assertThat(storedAfter.keySet()).isEqualTo(storedBefore.keySet());
        storedBefore.forEach((stream, events) -> assertThat(described(storedAfter.get(stream)))
                .as("the events of %s, byte for byte", stream).isEqualTo(described(events)));
        Reply auditAfter = http.get(LedgerHttp.AUDIT);
        assertThat(auditAfter.json().path("clean").asBoolean()).as("%s", auditAfter).isTrue();
        assertThat(auditAfter.json().path("events").asLong()).isEqualTo(auditBefore.json().path("events").asLong());

        // and every leaf of the Merkle log is recomputed from the compacted events as it was signed
        VerificationReport merkleLog = new LogVerification(ledger.getBean(JdbcTemplate.class),
                ledger.getBean(LeafSource.class)).verify(checkpoint, progress -> {
                });
        assertThat(merkleLog.intact()).as("%s", merkleLog).isTrue();
        assertThat(merkleLog.leavesChecked()).isGreaterThanOrEqualTo(checkpoint.size());

        // and every compacted heartbeat has an inclusion proof that verifies against that checkpoint
        for (StoredEvent event : storedAfter.get(sample.first(Ending.RELEASED).streamId())) {
            JsonNode proof = http.get("/v1/admin/ledger/proofs/inclusion?position=" + event.position() + "&size="
                    + checkpoint.size()).json();
            byte[] leaf = Base64.getDecoder().decode(proof.path("leaf").asText());
            List<byte[]> hashes = new ArrayList<>();
            proof.path("hashes").forEach(hash -> hashes.add(Base64.getDecoder().decode(hash.asText())));
            assertThat(ProofVerification.inclusion(proof.path("leaf_index").asLong(), checkpoint.size(),
                    TreeHashes.leaf(leaf), hashes, checkpoint.root())).as("inclusion of %s", event).isTrue();
        }

        // and compacting again finds nothing new
        assertThat(LedgerMaintenance.compact(http).path("heartbeats_compacted").asLong()).isZero();
    }

    @Test
    @Order(2)
    void compactedStreamsTakeHeartbeatsAndReleasesAndCompactAgain() throws SQLException {
        // given a compacted active claim
        Filled active = sample.first(Ending.ACTIVE);
        Reply before = http.get(LedgerHttp.claim(TENANT, active.consumer(), 1));
        long counted = before.number("heartbeat_count");

        // when it takes more heartbeats, is compacted again, and is released
        for (int i = 0; i < 3; i++) {
            Reply heartbeat = http.postExpecting(200, LedgerHttp.heartbeats(TENANT, active.consumer(), 1), null);
            assertThat(heartbeat.number("heartbeat_count")).isEqualTo(counted + i + 1);
        }
        // compaction takes only what every event processor has passed
        SampleLedger.awaitSettled(rows, sample);
        assertThat(LedgerMaintenance.compact(http).path("heartbeats_compacted").asLong()).as("the new heartbeats, merged into the run")
                .isGreaterThanOrEqualTo(3);
        Reply released = http.postExpecting(200, LedgerHttp.release(TENANT, active.consumer(), 1),
                Map.of("acked_streams", List.of(Map.of("path", "/streams/x", "offset", "1"))));

        // then the claim counts every heartbeat, before and after compaction, and the audit is clean
        assertThat(released.number("heartbeat_count")).isEqualTo(counted + 3);
        assertThat(released.text("status")).isEqualTo("released");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                http.get(LedgerHttp.claim(TENANT, active.consumer(), 1)).text("status")).isEqualTo("released"));
        Reply audit = http.get(LedgerHttp.AUDIT);
        assertThat(audit.json().path("clean").asBoolean()).as("%s", audit).isTrue();
    }

    @Test
    @Order(3)
    void compactionWhileHeartbeatsArriveOnTheSameStreamsDisturbsNone() throws Exception {
        // given clients heartbeating the active claims, one by one and in batches
        List<Filled> active = sample.consumers().stream()
                .filter(filled -> filled.ending() == Ending.ACTIVE && !filled.equals(sample.first(Ending.ACTIVE)))
                .toList();
        assertThat(active).isNotEmpty();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acknowledged = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        List<Future<?>> load = new ArrayList<>();
        Map<String, Long> countsBefore = new LinkedHashMap<>();
        for (Filled filled : active) {
            countsBefore.put(filled.consumer(), http.get(LedgerHttp.claim(TENANT, filled.consumer(), 1))
                    .number("heartbeat_count"));
        }
        for (int c = 0; c < 3; c++) {
            int client = c;
            load.add(clients.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    Filled filled = active.get((client + i) % active.size());
                    Reply reply = i % 3 == 0
                            ? http.post(LedgerHttp.heartbeatBatch(TENANT), Map.of("heartbeats", List.of(Map.of(
                                    "consumer_id", filled.consumer(), "epoch", 1))))
                            : http.post(LedgerHttp.heartbeats(TENANT, filled.consumer(), 1));
                    if (reply.status() == 200 && (i % 3 != 0
                            || reply.json().path("results").get(0).path("status").asInt() == 200)) {
                        acknowledged.incrementAndGet();
                    } else {
                        synchronized (failures) {
                            failures.add(reply.toString());
                        }
                    }
                }
                return null;
            }));
        }

        // when compaction runs again and again meanwhile
        long compacted = 0;
        for (int round = 0; round < 4; round++) {
            Thread.sleep(300);
            compacted += LedgerMaintenance.compact(http).path("heartbeats_compacted").asLong();
        }
        stop.set(true);
        for (Future<?> client : load) {
            client.get(1, TimeUnit.MINUTES);
        }
        clients.shutdown();

        // then every heartbeat was acknowledged and is counted, compaction did its work, and the audit is clean
        assertThat(failures).as("heartbeats refused or failed while compaction ran").isEmpty();
        assertThat(compacted).as("heartbeats compacted while they arrived").isPositive();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            long added = 0;
            for (Filled filled : active) {
                added += http.get(LedgerHttp.claim(TENANT, filled.consumer(), 1)).number("heartbeat_count")
                        - countsBefore.get(filled.consumer());
            }
            assertThat(added).as("heartbeats counted by the read model").isEqualTo(acknowledged.get());
        });
        Reply audit = http.get(LedgerHttp.AUDIT);
        assertThat(audit.json().path("clean").asBoolean()).as("%s", audit).isTrue();
    }

    @Test
    @Order(4)
    void aCompactedRunChangedRemovedOrMovedIsReportedByTheAudit() throws SQLException {
        // given compacted runs
        LedgerMaintenance.compact(http);
        Filled target = sample.first(Ending.RELEASED);
        EventRow run = rows.stream(target.streamId()).stream()
                .filter(row -> row.simpleType().equals("HeartbeatsCompacted")).findFirst().orElseThrow();

        // when one heartbeat's ledger time inside a run is changed by a microsecond, the audit reports it
        JsonNode payload = run.payloadJson();
        byte[] segment = Base64.getDecoder().decode(payload.path("heartbeats").asText());
        segment[segment.length - 2] ^= 0x02;
        byte[] altered = new String(run.payload(), StandardCharsets.UTF_8)
                .replace(payload.path("heartbeats").asText(), Base64.getEncoder().encodeToString(segment))
                .getBytes(StandardCharsets.UTF_8);
        try (StoredRows.Undo undo = rows.setPayload(run, altered)) {
            assertThat(violations(target)).as("a heartbeat of a compacted run changed").isNotEmpty();
        }

        // and when the run is removed
        try (StoredRows.Undo undo = rows.delete(run)) {
            assertThat(violations(target)).extracting(violation -> violation.path("rule").asText())
                    .as("a compacted run removed").contains("event_missing");
        }

        // and once put back, the audit is clean again
        Reply audit = http.get(LedgerHttp.AUDIT);
        assertThat(audit.json().path("clean").asBoolean()).as("%s", audit).isTrue();
    }

    @Test
    @Order(5)
    void aRebuildAfterCompactionGivesTheSameReadModel() throws SQLException {
        // given a compacted ledger and its read model, built while the heartbeats were events of their own
        LedgerMaintenance.compact(http);
        SampleLedger.awaitSettled(rows, sample);
        List<Map<String, Object>> before = rows.consumerClaims();
        assertThat(rows.count("SELECT count(*) FROM domain_event_entry WHERE payload_type LIKE '%.HeartbeatsCompacted'"))
                .as("compacted runs").isPositive();

        // when the read model is rebuilt from the events
        Reply started = http.post(LedgerHttp.REBUILD);
        assertThat(started.status()).as("%s", started).isEqualTo(202);
        JsonNode finished = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> http.get(started.location()).json(),
                        progress -> !"running".equals(progress.path("state").asText()));

        // then it is the same, row for row
        assertThat(finished.path("state").asText()).as("%s", finished).isEqualTo("done");
        assertThat(rows.consumerClaims()).isEqualTo(before);
    }

    @Test
    @Order(6)
    void aCompactionKilledMidwayChangesNoHistoryAndTheNextOneFinishesIt() throws SQLException {
        // given new heartbeats on every active claim
        heartbeatThreeTimesOnEveryActiveClaim();
        long head = rows.headPosition();
        LedgerMaintenance.checkpointOfEvery(http, http.get(LedgerHttp.AUDIT).json().path("events").asLong());
        Map<String, String> historyBefore = histories();
        Map<String, List<StoredEvent>> storedBefore = storedEvents();

        // when a compaction dies after its first transaction, as a killed process would between two; each stream a
        // transaction of its own, so that the small sample is not compacted whole in the first
        Compactor compactor = compactor(1);
        PassedPositions everyEventSoFar = LedgerMaintenance.passedUpTo(head);
        assertThatThrownBy(() -> compactor.compactAll(Duration.ZERO, () -> everyEventSoFar, (processed, total) -> {
            if (processed > 0) {
                throw new IllegalStateException("killed");
            }
        })).hasMessage("killed");

        // then some streams were compacted, and nothing any reader sees has changed
        long waiting = rows.count("SELECT count(*) FROM domain_event_entry WHERE payload_type LIKE '%.HeartbeatReceived'");
        assertThat(waiting).as("heartbeats left for the next compaction").isPositive();
        assertThat(histories()).isEqualTo(historyBefore);
        assertThat(storedDescribed()).isEqualTo(described(storedBefore));
        Reply audit = http.get(LedgerHttp.AUDIT);
        assertThat(audit.json().path("clean").asBoolean()).as("%s", audit).isTrue();

        // and the next compaction takes the rest, and still nothing has changed
        assertThat(LedgerMaintenance.compact(http).path("heartbeats_compacted").asLong()).isPositive();
        assertThat(rows.count("SELECT count(*) FROM domain_event_entry WHERE payload_type LIKE '%.HeartbeatReceived'"))
                .isLessThan(waiting);
        assertThat(histories()).isEqualTo(historyBefore);
        assertThat(storedDescribed()).isEqualTo(described(storedBefore));
        Reply auditAfter = http.get(LedgerHttp.AUDIT);
        assertThat(auditAfter.json().path("clean").asBoolean()).as("%s", auditAfter).isTrue();
    }

    @Test
    @Order(7)
    void streamsShareATransactionUntilItHasCompactedItsShareOfHeartbeats() throws SQLException {
        // given three new heartbeats on each of several active claims
        int streams = heartbeatThreeTimesOnEveryActiveClaim();
        assertThat(streams).as("active claims in the sample").isGreaterThanOrEqualTo(2);
        PassedPositions everyEventSoFar = LedgerMaintenance.passedUpTo(rows.headPosition());

        // when a compaction takes at least 4 heartbeats in each transaction
        List<Long> afterEachTransaction = new ArrayList<>();
        Compactor.Result result = compactor(4).compactAll(Duration.ZERO, () -> everyEventSoFar,
                (processed, total) -> afterEachTransaction.add(processed));

        // then each transaction took two streams (3 + 3 heartbeats), not one, and the last one what was left
        assertThat(result.heartbeatsCompacted()).isEqualTo(3L * streams);
        List<Long> steps = new ArrayList<>();
        for (int i = 1; i < afterEachTransaction.size(); i++) {
            long step = afterEachTransaction.get(i) - afterEachTransaction.get(i - 1);
            if (step > 0) {
                steps.add(step);
            }
        }
        List<Long> expected = new ArrayList<>(Collections.nCopies(streams / 2, 6L));
        if (streams % 2 == 1) {
            expected.add(3L);
        }
        assertThat(steps).as("heartbeats per transaction, from %s", afterEachTransaction).isEqualTo(expected);
    }

    /** Sends three heartbeats to every active claim but the first, waits for the read model; the claims' number. */
    private int heartbeatThreeTimesOnEveryActiveClaim() {
        List<Filled> active = sample.consumers().stream().filter(filled -> filled.ending() == Ending.ACTIVE
                && !filled.equals(sample.first(Ending.ACTIVE))).toList();
        for (Filled filled : active) {
            for (int i = 0; i < 3; i++) {
                http.postExpecting(200, LedgerHttp.heartbeats(TENANT, filled.consumer(), 1), null);
            }
        }
        SampleLedger.awaitSettled(rows, sample);
        return active.size();
    }

    /** A compactor on the ledger's database whose transactions take at least this many heartbeats. */
    private Compactor compactor(int heartbeatsPerTransaction) {
        return new Compactor(ledger.getBean(DataSource.class), ledger.getBean(PlatformTransactionManager.class),
                ledger.getBean("ledgerObjectMapper", ObjectMapper.class), ledger.getBean(Clock.class),
                heartbeatsPerTransaction);
    }

    private Map<String, List<String>> storedDescribed() {
        return described(storedEvents());
    }

    private static Map<String, List<String>> described(Map<String, List<StoredEvent>> stored) {
        Map<String, List<String>> described = new LinkedHashMap<>();
        stored.forEach((stream, events) -> described.put(stream, described(events)));
        return described;
    }


    private List<JsonNode> violations(Filled target) {
        Reply audit = http.get(LedgerHttp.AUDIT);
        List<JsonNode> found = new ArrayList<>();
        audit.json().path("violations").forEach(violation -> {
            if (violation.path("consumer_id").asText().equals(target.consumer())) {
                found.add(violation);
            }
        });
        return found;
    }

    private Map<String, String> histories() {
        Map<String, String> histories = new LinkedHashMap<>();
        for (Filled filled : sample.consumers()) {
            histories.put(filled.consumer(), http.get(LedgerHttp.withQuery(LedgerHttp.history(TENANT,
                    filled.consumer()), "limit", 1000)).body());
        }
        return histories;
    }

    /** Each consumer's first epoch as of its claim, a moment later, and now, compared without its remaining time. */
    private Map<String, String> asOfs() throws SQLException {
        Map<String, String> states = new LinkedHashMap<>();
        for (Filled filled : sample.consumers()) {
            Instant claimedAt = Instant.parse(rows.stream(filled.streamId()).get(0).payloadJson().path("claimedAt")
                    .asText());
            for (Instant asOf : List.of(claimedAt, claimedAt.plusMillis(150), Instant.parse("2100-01-01T00:00:00Z"))) {
                states.put(filled.consumer() + "@" + asOf, http.get(LedgerHttp.withQuery(
                        LedgerHttp.claim(TENANT, filled.consumer(), 1), "as_of", asOf)).body());
            }
        }
        return states;
    }

    private Map<String, List<StoredEvent>> storedEvents() {
        EventLog eventLog = ledger.getBean(EventLog.class);
        Map<String, List<StoredEvent>> stored = new LinkedHashMap<>();
        for (Filled filled : sample.consumers()) {
            stored.put(filled.streamId(), eventLog.stream(filled.streamId(), -1, 1000));
        }
        return stored;
    }

    /** Every stored column of the events, as text, so that a difference in one byte shows which. */
    private static List<String> described(List<StoredEvent> events) {
        return events.stream().map(event -> event.position() + " " + event.sequence() + " " + event.timestamp() + " "
                + event.payloadType() + " " + Base64.getEncoder().encodeToString(event.payload()) + " "
                + Base64.getEncoder().encodeToString(event.metaData())).toList();
    }
}
