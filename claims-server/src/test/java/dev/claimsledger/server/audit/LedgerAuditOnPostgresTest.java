package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.audit.SampleLedger.Filled;
import dev.claimsledger.server.audit.StoredRows.EventRow;
import dev.claimsledger.server.audit.StoredRows.Undo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /v1/admin/audit} on PostgreSQL: clean on a ledger nobody touched, and each kind of tampering with the
 * stored events or the read model reported where it happened. One ledger serves the class; every test starts from a
 * clean audit, changes rows with SQL behind the ledger's back and puts them back afterwards.
 */
class LedgerAuditOnPostgresTest extends TamperedLedgerTest {

    @Test
    void anUntouchedLedgerAuditsCleanWithEveryClaimAndEventCounted() throws Exception {
        JsonNode report = ledger.auditOverHttp();

        assertThat(report.get("clean").asBoolean()).as("%s", report).isTrue();
        assertThat(report.get("violation_count").asInt()).isZero();
        assertThat(report.get("violations")).isEmpty();
        assertThat(report.get("events").asLong()).isEqualTo(rows.count("SELECT count(*) FROM domain_event_entry"))
                .isEqualTo(ledger.sample().events());
        assertThat(report.get("claims").asLong()).isEqualTo(ledger.sample().epochs());
        assertThat(report.get("rows_lagging").asLong()).isZero();
    }

    @Test
    void aChangedEventPayloadIsReportedAsABrokenChainAtThatEventsPosition() throws Exception {
        EventRow changed = ledger.targetEvent(2);

        JsonNode report;
        try (Undo ignored = rows.replaceInPayload(changed, "\"epoch\":1", "\"epoch\":1 ")) {
            report = ledger.auditOverHttp();
        }

        assertThat(report.get("clean").asBoolean()).as("%s", report).isFalse();
        assertThat(report.get("violation_count").asInt()).as("%s", report).isEqualTo(1);
        JsonNode violation = report.get("violations").get(0);
        assertViolation(violation, "chain_broken", changed);
    }

    @Test
    void aChangedLeaseInAnEventIsReportedAtThatEventsPosition() throws Exception {
        EventRow changed = ledger.targetEvent(7);
        String lease = changed.payloadJson().get("leaseExpiresAt").asText();

        JsonNode report;
        try (Undo ignored = rows.replaceInPayload(changed, lease, "2099-01-01T00:00:00Z")) {
            report = ledger.auditOverHttp();
        }

        assertThat(report.get("clean").asBoolean()).as("%s", report).isFalse();
        assertThat(violationsNamingAnEvent(report)).as("%s", report)
                .anySatisfy(violation -> assertViolation(violation, "chain_broken", changed));
    }

    @Test
    void aDeletedEventIsReportedAsMissingWhereTheGapShows() throws Exception {
        EventRow deleted = ledger.targetEvent(2);
        EventRow next = ledger.targetEvent(3);

        JsonNode report;
        try (Undo ignored = rows.delete(deleted)) {
            report = ledger.auditOverHttp();
        }

        assertThat(report.get("clean").asBoolean()).as("%s", report).isFalse();
        assertThat(violationsNamingAnEvent(report)).as("%s", report)
                .anySatisfy(violation -> assertViolation(violation, "event_missing", next))
                .allSatisfy(violation -> assertThat(violation.get("position").asLong()).isEqualTo(next.position()));
    }

    @ParameterizedTest(name = "by swapping their {0}")
    @ValueSource(strings = {"contents", "sequence numbers"})
    void swappedEventsAreReportedAtBothPositions(String how) throws Exception {
        EventRow first = ledger.targetEvent(6);
        EventRow second = ledger.targetEvent(7);

        JsonNode report;
        try (Undo ignored = how.equals("contents") ? rows.swapContents(first, second)
                : rows.swapSequences(first, second)) {
            report = ledger.auditOverHttp();
        }

        assertThat(report.get("clean").asBoolean()).as("%s", report).isFalse();
        // the event after them may be named too, as the event before it was moved
        assertThat(violationsNamingAnEvent(report)).as("%s", report)
                .allSatisfy(violation -> assertThat(violation.get("consumer_id").asText()).isEqualTo(target.consumer()))
                .anySatisfy(violation -> assertChainBrokenAt(violation, first))
                .anySatisfy(violation -> assertChainBrokenAt(violation, second));
    }

    @ParameterizedTest(name = "{0} set to {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "lease_expires_at | lease_expires_at + interval '1 hour'",
            "status           | 'active'",
            "heartbeat_count  | heartbeat_count + 1"})
    void aHandEditedReadModelRowIsReportedAsProjectionDriftOfItsClaim(String column, String expression)
            throws Exception {
        JsonNode report;
        try (Undo ignored = rows.editClaimRow(target.tenant(), target.consumer(), 2, column, expression)) {
            report = ledger.auditOverHttp();
        }

        assertThat(report.get("clean").asBoolean()).as("%s", report).isFalse();
        assertThat(report.get("violation_count").asInt()).as("%s", report).isEqualTo(1);
        JsonNode violation = report.get("violations").get(0);
        assertThat(violation.get("rule").asText()).isEqualTo("projection_drift");
        assertThat(violation.get("tenant_id").asText()).isEqualTo(target.tenant());
        assertThat(violation.get("consumer_id").asText()).isEqualTo(target.consumer());
        assertThat(violation.get("epoch").asLong()).isEqualTo(2);
        assertThat(violation.get("detail").asText()).contains(column);
    }

    // --- one consumer's verification (the operator's page asks it for the claim it shows) -------------------------

    @Test
    void anUntouchedConsumersHistoryVerifiesIntactWithEveryEventCounted() throws Exception {
        JsonNode verification = ledger.verificationOverHttp(target);

        assertThat(verification.get("chain_intact").asBoolean()).as("%s", verification).isTrue();
        assertThat(verification.get("clean").asBoolean()).as("%s", verification).isTrue();
        assertThat(verification.get("violations")).isEmpty();
        assertThat(verification.get("events").asLong()).isEqualTo(ledger.targetEvents().size());
        assertThat(verification.get("tenant_id").asText()).isEqualTo(target.tenant());
        assertThat(verification.get("consumer_id").asText()).isEqualTo(target.consumer());
    }

    @Test
    void aChangedEventBreaksTheChainOfItsConsumerOnly() throws Exception {
        EventRow changed = ledger.targetEvent(6);
        Filled other = ledger.sample().first(SampleLedger.Ending.RELEASED);

        JsonNode verification;
        JsonNode otherVerification;
        try (Undo ignored = rows.replaceInPayload(changed, "\"epoch\":2", "\"epoch\":2 ")) {
            verification = ledger.verificationOverHttp(target);
            otherVerification = ledger.verificationOverHttp(other);
        }

        assertThat(verification.get("chain_intact").asBoolean()).as("%s", verification).isFalse();
        assertThat(verification.get("clean").asBoolean()).isFalse();
        assertThat(verification.get("violations")).hasSize(1);
        assertViolation(verification.get("violations").get(0), "chain_broken", changed);
        assertThat(otherVerification.get("chain_intact").asBoolean()).as("%s", otherVerification).isTrue();
    }

    @Test
    void aDeletedEventBreaksTheChainWhereTheGapShows() throws Exception {
        EventRow deleted = ledger.targetEvent(7);
        EventRow next = ledger.targetEvent(8);

        JsonNode verification;
        try (Undo ignored = rows.delete(deleted)) {
            verification = ledger.verificationOverHttp(target);
        }

        assertThat(verification.get("chain_intact").asBoolean()).as("%s", verification).isFalse();
        assertThat(violationsNamingAnEvent(verification)).as("%s", verification)
                .anySatisfy(violation -> assertViolation(violation, "event_missing", next));
    }

    @Test
    void aHandEditedReadModelRowLeavesTheChainIntactButTheVerificationUnclean() throws Exception {
        JsonNode verification;
        try (Undo ignored = rows.editClaimRow(target.tenant(), target.consumer(), 2, "heartbeat_count",
                "heartbeat_count + 1")) {
            verification = ledger.verificationOverHttp(target);
        }

        assertThat(verification.get("chain_intact").asBoolean()).as("%s", verification).isTrue();
        assertThat(verification.get("clean").asBoolean()).isFalse();
        assertThat(verification.get("violations")).singleElement()
                .satisfies(violation -> assertThat(violation.get("rule").asText()).isEqualTo("projection_drift"));
    }

    private static List<JsonNode> violationsNamingAnEvent(JsonNode report) {
        List<JsonNode> named = new ArrayList<>();
        report.get("violations").forEach(violation -> {
            if (violation.hasNonNull("position")) {
                named.add(violation);
            }
        });
        return named;
    }

    private static void assertChainBrokenAt(JsonNode violation, EventRow at) {
        assertThat(violation.get("rule").asText()).as("%s", violation).isEqualTo("chain_broken");
        assertThat(violation.get("position").asLong()).as("%s", violation).isEqualTo(at.position());
    }

    private void assertViolation(JsonNode violation, String rule, EventRow at) {
        assertThat(violation.get("rule").asText()).as("%s", violation).isEqualTo(rule);
        assertThat(violation.get("tenant_id").asText()).as("%s", violation).isEqualTo(target.tenant());
        assertThat(violation.get("consumer_id").asText()).as("%s", violation).isEqualTo(target.consumer());
        assertThat(violation.get("position").asLong()).as("%s", violation).isEqualTo(at.position());
        assertThat(violation.get("sequence").asLong()).as("%s", violation).isEqualTo(at.sequence());
        assertThat(violation.get("detail").asText()).as("%s", violation).isNotBlank();
    }
}
