package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.compaction.Compactor;
import dev.claimsledger.compaction.HeartbeatSegment;
import dev.claimsledger.compaction.RetentionExport;
import dev.claimsledger.compaction.RetentionExportCheck;
import dev.claimsledger.compaction.StoredRow;
import dev.claimsledger.core.LedgerObjectMapper;
import dev.claimsledger.merkle.Checkpoint;
import dev.claimsledger.merkle.LeafSource;
import dev.claimsledger.merkle.LogVerification;
import dev.claimsledger.merkle.VerificationReport;
import dev.claimsledger.server.audit.SampleLedger.Ending;
import dev.claimsledger.server.audit.SampleLedger.Filled;
import dev.claimsledger.server.audit.SampleLedger.Sample;
import dev.claimsledger.server.audit.StoredRows.EventRow;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/**
 * Retention beyond compaction, on a ledger filled with claims of every kind: once the heartbeats' detail is dropped,
 * each epoch keeps one summary; the read model, a rebuild, the audit and {@code as_of} outside the dropped spans give
 * the same answers as before, and {@code as_of} within one is refused with {@code history_not_retained}; the export
 * matches the ledger, and the Merkle log verifies with it; a changed export, or a summary changed or removed behind the
 * ledger's back, is reported; a retention killed between its export and its drop loses nothing, and the next one
 * finishes its work; a rebuild from summaries gives the same read model. Run against each database the ledger supports, with a retention of one millisecond, so
 * that each compaction also drops the detail of every run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class RetentionContract {

    private static final String TENANT = "retained";
    private static final int CONSUMERS = 8;
    private static final int HEARTBEATS = 4;
    private static final String SUMMARY = "HeartbeatsCompacted";

    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;
    private StoredRows rows;
    private Sample sample;
    private Path exports;

    abstract TestDatabase database();

    /** Where the ledger exports what retention drops: a directory of the test's own. */
    abstract Path exportDirectory();

    @BeforeAll
    void fill() {
        TestDatabase database = database();
        rows = new StoredRows(database);
        exports = exportDirectory();
        ledger = Ledger.startWithHttp(database, Map.of("claims.deadlines.polling-interval", "200ms",
                "claims.compaction.enabled", "false", "claims.compaction.hot-window", "0s",
                "claims.retention.heartbeat-detail", "1ms", "claims.retention.export-directory", exports.toString()));
        http = new LedgerHttp(Ledger.baseUrl(ledger));
        sample = SampleLedger.fill(http, TENANT, CONSUMERS, HEARTBEATS);
        SampleLedger.awaitSettled(rows, sample);
    }

    @AfterAll
    void stop() {
        ledger.close();
    }

    /** The heartbeats the metric says retention dropped, 0 before the first. */
    private double droppedMetric() {
        Counter counter = ledger.getBean(MeterRegistry.class).find("claims.retention.heartbeats.dropped").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    @Order(1)
    void eachEpochKeepsOneSummaryAndTheReadModelTheAuditAndAsOfOutsideItAreUnchanged() throws Exception {
        // given what the ledger answers before retention
        Map<String, List<JsonNode>> historyBefore = histories();
        Map<String, String> asOfBefore = asOfs();
        List<Map<String, Object>> readModelBefore = rows.consumerClaims();
        Checkpoint checkpoint = LedgerMaintenance.checkpointOfEvery(http, rows.count("SELECT count(*) FROM domain_event_entry"));

        // when heartbeats are compacted and their detail is dropped
        JsonNode done = LedgerMaintenance.compact(http);

        // then detail was exported, then dropped, and each epoch keeps one summary with every heartbeat counted
        long dropped = done.path("heartbeats_detail_dropped").asLong();
        assertThat(dropped).as("%s", done).isPositive();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(droppedMetric()).isEqualTo(dropped));
        assertThat(RetentionExport.files(exports)).hasSize(1);
        for (Filled filled : sample.consumers()) {
            Map<Long, Long> heartbeatsBefore = new LinkedHashMap<>();
            historyBefore.get(filled.consumer()).stream()
                    .filter(entry -> entry.path("type").asText().equals("HeartbeatReceived"))
                    .forEach(entry -> heartbeatsBefore.merge(entry.path("payload").path("epoch").asLong(), 1L,
                            Long::sum));
            Map<Long, Long> summarized = new LinkedHashMap<>();
            for (EventRow row : rows.stream(filled.streamId())) {
                assertThat(row.simpleType()).as("%s", row).isNotEqualTo("HeartbeatReceived");
                if (row.simpleType().equals(SUMMARY)) {
                    assertThat(row.payloadJson().path("format").asText()).isEqualTo(HeartbeatSegment.SUMMARY_FORMAT);
                    assertThat(summarized.put(row.payloadJson().path("epoch").asLong(),
                            row.payloadJson().path("count").asLong())).as("a second summary of one epoch").isNull();
                }
            }
            assertThat(summarized).as("the heartbeats of %s", filled.consumer()).isEqualTo(heartbeatsBefore);
        }

        // and the read model, the audit and every other event of the history are what they were
        assertThat(rows.consumerClaims()).isEqualTo(readModelBefore);
        Reply audit = http.get(LedgerHttp.AUDIT);
        assertThat(audit.json().path("clean").asBoolean()).as("%s", audit).isTrue();
        Map<String, List<JsonNode>> historyAfter = histories();
        historyBefore.forEach((consumer, entries) -> assertThat(withoutHeartbeats(historyAfter.get(consumer)))
                .as("the history of %s", consumer).isEqualTo(withoutHeartbeats(entries)));

        // and the claims as of their claim and as of the far future are what they were
        assertThat(asOfs()).isEqualTo(asOfBefore);

        // and an instant among the dropped heartbeats is refused, not answered with a guess
        Filled released = sample.first(Ending.RELEASED);
        JsonNode summary = summaryOf(released);
        Instant first = HeartbeatSegment.decode(Base64.getDecoder().decode(summary.path("heartbeats").asText()))
                .get(0).receivedAt();
        Reply within = http.get(LedgerHttp.withQuery(LedgerHttp.claim(TENANT, released.consumer(), 1), "as_of", first));
        assertThat(within.status()).as("%s", within).isEqualTo(410);
        assertThat(within.json().path("code").asText()).isEqualTo("history_not_retained");
        Reply after = http.get(LedgerHttp.withQuery(LedgerHttp.claim(TENANT, released.consumer(), 1), "as_of",
                summary.path("lastReceivedAt").asText()));
        assertThat(after.status()).as("%s", after).isEqualTo(200);
        assertThat(after.number("heartbeat_count")).isEqualTo(HEARTBEATS);

        // and the export matches the ledger, summary for summary
        RetentionExportCheck.Report report = exportCheck();
        assertThat(report.intact()).as("%s", report).isTrue();
        assertThat(report.summariesVerified()).isEqualTo(rows.count(
                "SELECT count(*) FROM domain_event_entry WHERE payload_type LIKE '%.HeartbeatsCompacted'"));

        // and the Merkle log's leaves are recomputed from the ledger and the export as they were signed
        assertThat(merkleLog(checkpoint).intact()).isTrue();
    }

    @Test
    @Order(2)
    void withoutItsExportTheMerkleLogNamesTheLeavesOfDroppedHeartbeats() throws Exception {
        // given a checkpoint that covers heartbeats whose detail was dropped
        Checkpoint checkpoint = LedgerMaintenance.checkpointOfEvery(http, 1);

        // when the export is moved away
        Path aside = Files.createTempDirectory("retention-aside");
        List<Path> files = RetentionExport.files(exports);
        for (Path file : files) {
            Files.move(file, aside.resolve(file.getFileName()));
        }
        VerificationReport withoutExport;
        try {
            withoutExport = merkleLog(checkpoint);
        } finally {
            for (Path file : files) {
                Files.move(aside.resolve(file.getFileName()), file);
            }
        }

        // then the leaves of the dropped heartbeats have no event, and with the export back, they do
        assertThat(withoutExport.intact()).isFalse();
        assertThat(withoutExport.findings().toString()).contains("the event is missing");
        assertThat(merkleLog(checkpoint).intact()).isTrue();
    }

    @Test
    @Order(3)
    void aChangedExportOrASummaryChangedOrRemovedIsReported() throws Exception {
        Filled target = sample.first(Ending.SUPERSEDED);
        EventRow summary = rows.stream(target.streamId()).stream()
                .filter(row -> row.simpleType().equals(SUMMARY)).findFirst().orElseThrow();

        // when one heartbeat's time in the export is changed, the check names it
        Path file = RetentionExport.files(exports).get(0);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int index = lineOf(lines, target.streamId());
        List<String> altered = new ArrayList<>(lines);
        altered.set(index, alterSegment(lines.get(index)));
        Files.write(file, altered, StandardCharsets.UTF_8);
        try {
            RetentionExportCheck.Report report = exportCheck();
            assertThat(report.intact()).isFalse();
            assertThat(report.findings().toString()).contains(target.streamId());
        } finally {
            Files.write(file, lines, StandardCharsets.UTF_8);
        }

        // and when a summary's hash before its heartbeats is changed, the audit reports a broken chain
        String hashBefore = summary.payloadJson().path("hashBefore").asText();
        try (StoredRows.Undo undo = rows.setPayload(summary, replaced(summary, hashBefore,
                (hashBefore.charAt(0) == '0' ? "1" : "0") + hashBefore.substring(1)))) {
            assertThat(rules(target)).contains("chain_broken");
            assertThat(exportCheck().intact()).isFalse();
        }

        // and when its count is changed, the audit reports it
        long count = summary.payloadJson().path("count").asLong();
        try (StoredRows.Undo undo = rows.setPayload(summary, replaced(summary, "\"count\":" + count,
                "\"count\":" + (count + 1)))) {
            assertThat(rules(target)).contains("chain_broken");
        }

        // and when it is removed, the audit reports the missing events
        try (StoredRows.Undo undo = rows.delete(summary)) {
            assertThat(rules(target)).contains("event_missing");
        }

        // and with everything put back, all is clean again
        assertThat(http.get(LedgerHttp.AUDIT).json().path("clean").asBoolean()).isTrue();
        assertThat(exportCheck().intact()).isTrue();
    }

    @Test
    @Order(4)
    void heartbeatsAfterASummaryJoinItEvenAfterARetentionKilledBetweenExportAndDrop() throws Exception {
        // given an active claim whose heartbeats were summarized, and three more heartbeats compacted into a run
        Filled active = sample.first(Ending.ACTIVE);
        long counted = http.get(LedgerHttp.claim(TENANT, active.consumer(), 1)).number("heartbeat_count");
        for (int i = 0; i < 3; i++) {
            http.postExpecting(200, LedgerHttp.heartbeats(TENANT, active.consumer(), 1), null);
        }
        SampleLedger.awaitSettled(rows, sample);
        long head = rows.headPosition();
        ledger.getBean(Compactor.class).compactAll(Duration.ZERO, () -> LedgerMaintenance.passedUpTo(head), (processed, total) -> {
        });
        EventRow run = runsOf(active).stream()
                .filter(row -> row.payloadJson().path("format").asText().equals(HeartbeatSegment.FORMAT))
                .findFirst().orElseThrow();
        assertThat(run.payloadJson().path("count").asLong()).isEqualTo(3);

        // when a retention exports the run and is killed before it drops it
        try (RetentionExport export = new RetentionExport(exports, Instant.now())) {
            export.append(List.of(new StoredRow(run.position(), run.eventIdentifier(), run.streamId(),
                    run.sequence(), run.type(), run.timeStamp(), run.payloadType(), run.payload(), run.metaData())));
        }

        // then the export matches the ledger, which still holds those heartbeats
        RetentionExportCheck.Report halfway = exportCheck();
        assertThat(halfway.intact()).as("%s", halfway).isTrue();
        assertThat(halfway.runsStillHeld()).isEqualTo(1);

        // and when retention runs again, the run joins the epoch's summary, which counts every heartbeat
        JsonNode done = LedgerMaintenance.compact(http);
        assertThat(done.path("heartbeats_detail_dropped").asLong()).as("%s", done).isEqualTo(3);
        assertThat(runsOf(active)).hasSize(1);
        assertThat(summaryOf(active).path("count").asLong()).isEqualTo(counted + 3);
        assertThat(http.get(LedgerHttp.claim(TENANT, active.consumer(), 1)).number("heartbeat_count"))
                .isEqualTo(counted + 3);

        // and the three exports together match it, and the audit is clean
        assertThat(RetentionExport.files(exports)).hasSize(3);
        RetentionExportCheck.Report report = exportCheck();
        assertThat(report.intact()).as("%s", report).isTrue();
        assertThat(report.runsStillHeld()).isZero();
        assertThat(http.get(LedgerHttp.AUDIT).json().path("clean").asBoolean()).isTrue();
    }

    @Test
    @Order(5)
    void aRebuildFromSummariesGivesTheSameReadModel() throws SQLException {
        // given the read model, built while the heartbeats were events of their own
        List<Map<String, Object>> before = rows.consumerClaims();

        // when it is rebuilt from the summaries
        Reply started = http.post(LedgerHttp.REBUILD);
        assertThat(started.status()).as("%s", started).isEqualTo(202);
        JsonNode finished = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> http.get(started.location()).json(),
                        progress -> !"running".equals(progress.path("state").asText()));

        // then it is the same, row for row
        assertThat(finished.path("state").asText()).as("%s", finished).isEqualTo("done");
        assertThat(rows.consumerClaims()).isEqualTo(before);
    }

    private List<EventRow> runsOf(Filled filled) throws SQLException {
        return rows.stream(filled.streamId()).stream().filter(row -> row.simpleType().equals(SUMMARY)).toList();
    }

    private RetentionExportCheck.Report exportCheck() {
        return new RetentionExportCheck(ledger.getBean(DataSource.class), LedgerObjectMapper.create()).check(exports);
    }

    private VerificationReport merkleLog(Checkpoint checkpoint) {
        return new LogVerification(ledger.getBean(JdbcTemplate.class), ledger.getBean(LeafSource.class))
                .verify(checkpoint, progress -> {
                });
    }

    private JsonNode summaryOf(Filled filled) throws SQLException {
        return runsOf(filled).stream().filter(row -> row.payloadJson().path("format").asText()
                .equals(HeartbeatSegment.SUMMARY_FORMAT)).findFirst().orElseThrow().payloadJson();
    }

    private static byte[] replaced(EventRow row, String from, String to) {
        String payload = new String(row.payload(), StandardCharsets.UTF_8);
        assertThat(payload).as("payload of %s", row).contains(from);
        return payload.replace(from, to).getBytes(StandardCharsets.UTF_8);
    }

    private static int lineOf(List<String> lines, String streamId) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"stream\":\"" + streamId + "\"")) {
                return i;
            }
        }
        throw new AssertionError("no exported run of " + streamId);
    }

    /** The line with one bit of its run's last heartbeat's reported time flipped. */
    static String alterSegment(String line) throws IOException {
        JsonNode exported = LedgerHttp.JSON.readTree(line);
        String payloadText = new String(Base64.getDecoder().decode(exported.path("payload").asText()),
                StandardCharsets.UTF_8);
        JsonNode payload = LedgerHttp.JSON.readTree(payloadText);
        byte[] segment = Base64.getDecoder().decode(payload.path("heartbeats").asText());
        segment[segment.length - 2] ^= 0x02;
        String altered = payloadText.replace(payload.path("heartbeats").asText(),
                Base64.getEncoder().encodeToString(segment));
        return line.replace(exported.path("payload").asText(),
                Base64.getEncoder().encodeToString(altered.getBytes(StandardCharsets.UTF_8)));
    }

    private List<String> rules(Filled target) {
        List<String> found = new ArrayList<>();
        http.get(LedgerHttp.AUDIT).json().path("violations").forEach(violation -> {
            if (violation.path("consumer_id").asText().equals(target.consumer())) {
                found.add(violation.path("rule").asText());
            }
        });
        return found;
    }


    private Map<String, List<JsonNode>> histories() {
        Map<String, List<JsonNode>> histories = new LinkedHashMap<>();
        for (Filled filled : sample.consumers()) {
            List<JsonNode> entries = new ArrayList<>();
            http.get(LedgerHttp.withQuery(LedgerHttp.history(TENANT, filled.consumer()), "limit", 1000)).json()
                    .path("events").forEach(entries::add);
            histories.put(filled.consumer(), entries);
        }
        return histories;
    }

    private static List<JsonNode> withoutHeartbeats(List<JsonNode> entries) {
        return entries.stream().filter(entry -> !entry.path("type").asText().equals("HeartbeatReceived")
                && !entry.path("type").asText().equals(SUMMARY)).toList();
    }

    /** Each consumer's first epoch as of its claim and as of the far future, compared without its remaining time. */
    private Map<String, String> asOfs() throws SQLException {
        Map<String, String> states = new LinkedHashMap<>();
        for (Filled filled : sample.consumers()) {
            Instant claimedAt = Instant.parse(rows.stream(filled.streamId()).get(0).payloadJson().path("claimedAt")
                    .asText());
            for (Instant asOf : List.of(claimedAt, Instant.parse("2100-01-01T00:00:00Z"))) {
                states.put(filled.consumer() + "@" + asOf, http.get(LedgerHttp.withQuery(
                        LedgerHttp.claim(TENANT, filled.consumer(), 1), "as_of", asOf)).body());
            }
        }
        return states;
    }
}
