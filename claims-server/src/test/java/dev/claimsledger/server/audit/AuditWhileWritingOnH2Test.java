package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.ClaimsLedgerApplication;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the embedded H2 database, the default setup: the audit reads one {@code SNAPSHOT} of every table. And the
 * {@code audit} command, run as a second process beside the running server, says how to audit through the server.
 */
class AuditWhileWritingOnH2Test extends AuditWhileWritingContract {

    /** Static, so that it exists before the class's one ledger starts in {@code @BeforeAll}. */
    @TempDir
    static Path dataDir;

    @Override
    TestDatabase database() {
        return TestDatabase.freshH2(dataDir);
    }

    @Test
    void theAuditCommandBesideTheRunningServerSaysInOneLineHowToAuditThroughIt() throws Exception {
        String port = ledger.getEnvironment().getProperty("local.server.port");

        CommandProcess run = CommandProcess.run("audit", "--claims.data-dir=" + dataDir, "--server.port=" + port);

        assertThat(run.exitStatus()).as("%s", run).isEqualTo(AuditCommand.SERVER_HOLDS_DATABASE).isEqualTo(3);
        assertThat(run.err().lines().toList()).as("%s", run).singleElement().asString()
                .contains("in use by a running ledger server")
                .contains("GET http://127.0.0.1:" + port + "/v1/admin/audit")
                .contains("claims:audit");
        assertThat(run.out()).doesNotContain("audit clean");
    }

    /** The server's jar as a separate process, started from the test classpath (the jar is not repackaged yet). */
    private record CommandProcess(int exitStatus, String out, String err) {

        static CommandProcess run(String... arguments) throws IOException, InterruptedException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-cp",
                    System.getProperty("java.class.path"), ClaimsLedgerApplication.class.getName()));
            command.addAll(List.of(arguments));
            Path out = Files.createTempFile("audit-command", ".out");
            Path err = Files.createTempFile("audit-command", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .start();
                if (!process.waitFor(180, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("the audit command did not end within 180 s");
                }
                return new CommandProcess(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitStatus + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }
}
