package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.audit.AuditedLedger.CommandRun;
import dev.claimsledger.server.audit.StoredRows.EventRow;
import dev.claimsledger.server.audit.StoredRows.Undo;
import dev.claimsledger.server.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The {@code audit} command ({@code java -jar claims-server.jar audit ...}) against a ledger on PostgreSQL: its exit
 * status (0 clean, 1 violations, 2 could not run) and what it prints. One running ledger serves the class; every test
 * starts from a clean audit, changes rows with SQL behind the ledger's back and puts them back afterwards.
 */
class AuditCommandTest extends TamperedLedgerTest {

    @Test
    void aCleanLedgerExitsZeroAndPrintsTheSummary() throws Exception {
        long events = rows.count("SELECT count(*) FROM domain_event_entry");

        CommandRun run = ledger.auditCommand();

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(AuditCommand.CLEAN).isZero();
        assertThat(run.out()).as("%s", run)
                .contains("claims: " + ledger.sample().epochs() + ", events: " + events + ", violations: 0")
                .contains("audit clean")
                .doesNotContain("VIOLATION");
        assertThat(run.err()).as("%s", run).isEmpty();
    }

    @Test
    void aChangedEventPayloadExitsOneNamingThatEventsPosition() throws Exception {
        EventRow changed = ledger.targetEvent(2);

        CommandRun run;
        try (Undo ignored = rows.replaceInPayload(changed, "\"epoch\":1", "\"epoch\":1 ")) {
            run = ledger.auditCommand();
        }

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(AuditCommand.VIOLATIONS).isEqualTo(1);
        assertThat(run.violationLines()).as("%s", run).singleElement().asString()
                .startsWith("VIOLATION chain_broken tenant=" + target.tenant() + " consumer=" + target.consumer())
                .contains(" position=" + changed.position() + " sequence=2:");
        assertThat(run.out()).contains("audit found violations");
    }

    @Test
    void aChangedLeaseInAnEventExitsOneNamingThatEventsPosition() throws Exception {
        EventRow changed = ledger.targetEvent(7);
        String lease = changed.payloadJson().get("leaseExpiresAt").asText();

        CommandRun run;
        try (Undo ignored = rows.replaceInPayload(changed, lease, "2099-01-01T00:00:00Z")) {
            run = ledger.auditCommand();
        }

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(AuditCommand.VIOLATIONS);
        assertThat(run.violationLines()).as("%s", run).anySatisfy(line -> assertThat(line)
                .startsWith("VIOLATION chain_broken tenant=" + target.tenant() + " consumer=" + target.consumer())
                .contains(" position=" + changed.position() + " sequence=7:"));
    }

    @Test
    void aDeletedEventExitsOneNamingWhereTheGapShows() throws Exception {
        EventRow deleted = ledger.targetEvent(2);
        EventRow next = ledger.targetEvent(3);

        CommandRun run;
        try (Undo ignored = rows.delete(deleted)) {
            run = ledger.auditCommand();
        }

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(AuditCommand.VIOLATIONS);
        assertThat(run.violationLines()).as("%s", run).anySatisfy(line -> assertThat(line)
                .startsWith("VIOLATION event_missing tenant=" + target.tenant() + " consumer=" + target.consumer())
                .contains(" position=" + next.position() + " sequence=3:"));
    }

    @Test
    void swappedEventsExitOneNamingBothPositions() throws Exception {
        EventRow first = ledger.targetEvent(6);
        EventRow second = ledger.targetEvent(7);

        CommandRun run;
        try (Undo ignored = rows.swapContents(first, second)) {
            run = ledger.auditCommand();
        }

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(AuditCommand.VIOLATIONS);
        assertThat(run.violationLines()).as("%s", run)
                .anySatisfy(line -> assertThat(line).contains(" position=" + first.position() + " sequence=6:"))
                .anySatisfy(line -> assertThat(line).contains(" position=" + second.position() + " sequence=7:"));
    }

    @Test
    void aHandEditedReadModelRowExitsOneNamingTheClaimsProjectionDrift() throws Exception {
        CommandRun run;
        try (Undo ignored = rows.editClaimRow(target.tenant(), target.consumer(), 1, "lease_expires_at",
                "lease_expires_at - interval '5 minutes'")) {
            run = ledger.auditCommand();
        }

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(AuditCommand.VIOLATIONS);
        assertThat(run.violationLines()).as("%s", run).singleElement().asString()
                .startsWith("VIOLATION projection_drift tenant=" + target.tenant() + " consumer=" + target.consumer()
                        + " epoch=1 ")
                .contains("lease_expires_at");
    }

    @Test
    void anUnreachableDatabaseExitsTwo() {
        Instant started = Instant.now();

        CommandRun run = CommandRun.of("--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/claims_test",
                "--spring.datasource.username=claims", "--spring.datasource.password=claims");

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(AuditCommand.COULD_NOT_RUN).isEqualTo(2);
        assertThat(run.err()).as("%s", run).contains("could not run");
        assertThat(run.out()).as("%s", run).doesNotContain("audit clean");
        assertThat(Duration.between(started, Instant.now())).as("time to give up").isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aDatabaseWithoutTheLedgersTablesExitsTwo() {
        TestDatabase empty = TestDatabase.freshPostgresSchema();

        CommandRun run = CommandRun.of("--spring.datasource.url=" + empty.jdbcUrl(),
                "--spring.datasource.username=" + empty.user(), "--spring.datasource.password=" + empty.password());

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(AuditCommand.COULD_NOT_RUN);
        assertThat(run.err()).as("%s", run).contains("could not run");
    }
}
