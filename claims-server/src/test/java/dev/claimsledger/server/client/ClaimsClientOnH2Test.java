package dev.claimsledger.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.support.TestDatabase;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against the embedded ledger, on H2, and README's worker, which a newcomer runs against it. */
class ClaimsClientOnH2Test extends ClaimsClientContract {

    private static final Path README = Path.of("..", "README.md");

    /** Static, so that it exists before the class's one ledger starts in {@code @BeforeAll}. */
    @TempDir
    static Path dataDir;

    @Override
    TestDatabase database() {
        return TestDatabase.freshH2(dataDir);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void readmesWorkerExampleHoldsAndReleasesItsClaim(@TempDir Path dir) throws Exception {
        // given README's worker, pointed at this ledger and cut to two steps of work
        String source = javaBlockAfter(Files.readString(README), "## A worker client");
        assertThat(source).contains("public class Worker", "http://127.0.0.1:8080", "step < 30");
        Path worker = dir.resolve("Worker.java");
        Files.writeString(worker, source.replace("http://127.0.0.1:8080", baseUrl).replace("step < 30", "step < 2"));

        // when it is run with the JDK's single-file launcher, as README says: the client and its runtime dependencies
        String classpath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Stream.of("claims-client", "jackson-databind", "jackson-core", "jackson-annotations",
                        "slf4j-api").anyMatch(entry::contains))
                .collect(Collectors.joining(File.pathSeparator));
        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, worker.toString()).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // then it held the claim, worked, and released it with its offset
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).contains("epoch ", "processed offset 2", "released at offset 2");
        Matcher holding = Pattern.compile("holding epoch (\\d+)").matcher(output);
        assertThat(holding.find()).as(output).isTrue();
        long epoch = Long.parseLong(holding.group(1));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode claim = claims.claim("acme", "worker-1", epoch);
            assertThat(claim.path("status").asText()).isEqualTo("released");
            assertThat(claim.path("acked_streams").get(0).path("offset").asText()).isEqualTo("2");
        });
    }

    /** The first {@code java} code block after {@code heading}. */
    private static String javaBlockAfter(String markdown, String heading) {
        int section = markdown.indexOf("\n" + heading + "\n");
        assertThat(section).as("README has a section %s", heading).isNotNegative();
        int start = markdown.indexOf("```java\n", section);
        int end = markdown.indexOf("```\n", start + 1);
        assertThat(start).as("a java block in %s", heading).isPositive();
        return markdown.substring(start + "```java\n".length(), end);
    }
}
