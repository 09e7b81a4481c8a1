package dev.claimsledger.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.merkle.Checkpoints;
import dev.claimsledger.server.ClaimsLedgerApplication;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code verify} on the embedded H2 database: while the server runs, H2's file lock keeps any other process out, and
 * the command says so in one line and how to go on; once the server is stopped, it verifies.
 */
class VerifyCommandOnH2Test {

    @TempDir
    Path directory;

    @Test
    void whileTheServerHoldsTheDatabaseVerifySaysSoAndOnceItStoppedItVerifies() throws Exception {
        Path dataDir = directory.resolve("data");
        Path checkpoint = directory.resolve("saved.txt");
        Path key = directory.resolve("key.pub");
        VerifyRun held;
        try (ConfigurableApplicationContext server = Ledger.startWithHttp(TestDatabase.freshH2(dataDir),
                Map.of("claims.checkpoints.interval", "200ms"))) {
            LedgerHttp http = new LedgerHttp(Ledger.baseUrl(server));
            http.postExpecting(201, LedgerHttp.claims("acme"), Map.of("consumer_id", "worker-1", "epoch", 1,
                    "entity_url", "https://example.test/1", "stream_path", "/1", "lease_ttl_ms", 600_000));
            String note = awaitCheckpointOfOneEvent(server);
            Files.writeString(checkpoint, note);
            Files.writeString(key, http.get("/v1/admin/ledger/public-key").body());

            held = inAnotherProcess("verify", "--checkpoint", checkpoint.toString(), "--public-key", key.toString(),
                    "--claims.data-dir=" + dataDir);
        }

        assertThat(held.exitStatus()).as("%s", held).isEqualTo(VerifyCommand.COULD_NOT_RUN);
        assertThat(held.err().lines().filter(line -> line.contains("could not run")).toList()).as("%s", held)
                .singleElement().asString().contains("held by a running server").contains("stop the server")
                .contains("PostgreSQL");
        VerifyRun stopped = VerifyRun.of("--checkpoint", checkpoint.toString(), "--public-key", key.toString(),
                "--claims.data-dir=" + dataDir);
        assertThat(stopped.exitStatus()).as("%s", stopped).isEqualTo(VerifyCommand.INTACT);
    }

    private static String awaitCheckpointOfOneEvent(ConfigurableApplicationContext server) throws InterruptedException {
        Checkpoints checkpoints = server.getBean(Checkpoints.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String note = checkpoints.latest().orElse("");
            if (note.contains("\n1\n")) {
                return note;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no checkpoint of the claim's event within 60 s");
    }

    /** The jar's {@code main} in a JVM of its own, from the test classpath (the jar is not packaged yet). */
    private VerifyRun inAnotherProcess(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), ClaimsLedgerApplication.class.getName()));
        command.addAll(List.of(arguments));
        Path out = directory.resolve("verify.out");
        Path err = directory.resolve("verify.err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // whatever the environment of the build says, the command reads only the arguments given here
        builder.environment().keySet().removeIf(variable -> variable.startsWith("SPRING_")
                || variable.startsWith("CLAIMS_") || variable.startsWith("AXON_"));
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("verify did not end within 120 s");
        }
        return new VerifyRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
