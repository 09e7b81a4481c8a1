package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.audit.SampleLedger.Ending;
import dev.claimsledger.server.audit.SampleLedger.Filled;
import dev.claimsledger.server.audit.SampleLedger.Sample;
import dev.claimsledger.server.audit.StoredRows.EventRow;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A running ledger on a fresh PostgreSQL schema, filled with claims of every kind and settled (expiries recorded, read
 * model caught up), for the audit tests to tamper with. Its {@link #target() target} is a consumer whose stream reads
 *
 * <pre>
 * sequence  0     ClaimMaterialized  epoch 1
 *           1-3   HeartbeatReceived  epoch 1
 *           4     ClaimSuperseded    epoch 1
 *           5     ClaimMaterialized  epoch 2
 *           6-8   HeartbeatReceived  epoch 2
 *           9     ClaimReleased      epoch 2
 * </pre>
 */
final class AuditedLedger implements AutoCloseable {

    static final int HEARTBEATS = 3;

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private final StoredRows rows = new StoredRows(database);
    private final ConfigurableApplicationContext ledger;
    private final LedgerHttp http;
    private final Sample sample;

    private AuditedLedger(String tenant) {
        ledger = Ledger.startWithHttp(database, Map.of("claims.deadlines.polling-interval", "200ms"));
        try {
            http = new LedgerHttp(Ledger.baseUrl(ledger));
            sample = SampleLedger.fill(http, tenant, 8, HEARTBEATS);
            SampleLedger.awaitSettled(rows, sample);
            assertThat(target().ending()).isEqualTo(Ending.SUPERSEDED);
            assertThat(targetEvents()).extracting(EventRow::simpleType).containsExactly("ClaimMaterialized",
                    "HeartbeatReceived", "HeartbeatReceived", "HeartbeatReceived", "ClaimSuperseded",
                    "ClaimMaterialized", "HeartbeatReceived", "HeartbeatReceived", "HeartbeatReceived",
                    "ClaimReleased");
        } catch (SQLException e) {
            ledger.close();
            throw new IllegalStateException("cannot read the events of the target consumer", e);
        } catch (RuntimeException | Error e) {
            ledger.close();
            throw e;
        }
    }

    static AuditedLedger start(String tenant) {
        return new AuditedLedger(tenant);
    }

    StoredRows rows() {
        return rows;
    }

    Sample sample() {
        return sample;
    }

    /** The consumer the tests tamper with; its epochs renew their leases on heartbeats. */
    Filled target() {
        return sample.first(Ending.SUPERSEDED);
    }

    List<EventRow> targetEvents() throws SQLException {
        return rows.stream(target().streamId());
    }

    EventRow targetEvent(long sequence) throws SQLException {
        return targetEvents().stream().filter(event -> event.sequence() == sequence).findFirst().orElseThrow();
    }

    /** {@code GET /v1/admin/audit}. */
    JsonNode auditOverHttp() {
        Reply reply = http.get(LedgerHttp.AUDIT);
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        return reply.json();
    }

    /** {@code GET /v1/tenants/{tenant}/claims/{consumer}/history/verification} of a filled consumer. */
    JsonNode verificationOverHttp(Filled consumer) {
        Reply reply = http.get(LedgerHttp.history(consumer.tenant(), consumer.consumer()) + "/verification");
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        return reply.json();
    }

    /** Fails unless the ledger audits clean: the "given" of every tampering test. */
    void assertAuditsClean() {
        JsonNode report = auditOverHttp();
        assertThat(report.get("clean").asBoolean()).as("the ledger before the test: %s", report).isTrue();
    }

    /** The {@code audit} command run against this ledger's database, as an operator would with the jar. */
    CommandRun auditCommand() {
        return CommandRun.of("--spring.datasource.url=" + database.jdbcUrl(),
                "--spring.datasource.username=" + database.user(),
                "--spring.datasource.password=" + database.password());
    }

    @Override
    public void close() {
        ledger.close();
    }

    /** What one run of {@link AuditCommand} returned and printed. */
    record CommandRun(int exitStatus, String out, String err) {

        static CommandRun of(String... arguments) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status;
            try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
                 PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                status = AuditCommand.run(arguments, outStream, errStream);
            }
            return new CommandRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }

        List<String> violationLines() {
            return out.lines().filter(line -> line.startsWith("VIOLATION ")).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitStatus + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }
}
