package dev.claimsledger.server.resilience;

import dev.claimsledger.server.ClaimsLedgerApplication;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One ledger server as a separate JVM, started from the test classpath (in the test phase the jar is not repackaged
 * yet) in the default open mode on 127.0.0.1, pointed at a PostgreSQL schema through {@code spring.datasource.*}.
 * Its output goes to a file under {@code target/resilience/}. {@link #kill()} is a SIGKILL: no shutdown hook, no
 * graceful stop, exactly what a crash or an OOM kill does. {@link #close()} kills it too if it still runs, so an
 * {@code @AfterEach} can always call it.
 */
final class LedgerProcess implements AutoCloseable {

    static final Path LOG_DIR = Path.of("target", "resilience");

    /** The setting the resilience tests lower, for quick tests: due lease watchdogs looked for every 200 ms. */
    static final Map<String, String> QUICK_DEADLINES = Map.of("claims.deadlines.polling-interval", "200ms");
    private static final Duration READY_WITHIN = Duration.ofSeconds(120);
    private static final HttpClient PROBE = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;
    private final Instant readyAt;

    private LedgerProcess(String name, Process process, int port, Path log, Instant readyAt) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
        this.readyAt = readyAt;
    }

    /**
     * Starts a server on a free port, or on the port {@code server.port} in the settings names (to start a server
     * again where its clients expect it), and returns once {@code /actuator/health/readiness} answers UP. The settings
     * are passed as command-line arguments, so they win over {@code application.yml}, as an operator's would.
     */
    static LedgerProcess start(String name, TestDatabase database, Map<String, String> settings) {
        Process process = null;
        int port = settings.containsKey("server.port") ? Integer.parseInt(settings.get("server.port")) : freePort();
        Path log = LOG_DIR.resolve(name + ".log");
        try {
            Files.createDirectories(LOG_DIR);
            Map<String, Object> arguments = new LinkedHashMap<>(database.properties());
            arguments.put("server.port", port);
            arguments.put("server.address", "127.0.0.1");
            arguments.put("spring.main.banner-mode", "off");
            arguments.putAll(settings);
            // C1 only: a server of a few seconds' light load never pays back C2's compilations, which took a third of
            // the CPU of a start (30 s against 19 s until ready) from the test beside it on the two cores
            List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx512m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Daxoniq.update-checker.disabled=true", "-Ddisable-axoniq-console-message=true",
                    "-cp", System.getProperty("java.class.path"), ClaimsLedgerApplication.class.getName()));
            arguments.forEach((key, value) -> command.add("--" + key + "=" + value));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // whatever the environment of the build says, this server runs open on loopback, on its own schema
            builder.environment().keySet().removeIf(variable -> variable.startsWith("SPRING_")
                    || variable.startsWith("CLAIMS_") || variable.startsWith("AXON_"));
            process = builder.start();
            Instant readyAt = awaitReady(name, process, port, log);
            return new LedgerProcess(name, process, port, log, readyAt);
        } catch (IOException e) {
            destroy(process);
            throw new UncheckedIOException("cannot start ledger " + name, e);
        } catch (RuntimeException | Error e) {
            destroy(process);
            throw e;
        }
    }

    String name() {
        return name;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** When it first answered ready. */
    Instant readyAt() {
        return readyAt;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Fails, with its last output, unless it still runs: before a planned kill, it must not have died already. */
    void assertAlive() {
        if (!process.isAlive()) {
            throw new AssertionError("ledger " + this + " died unexpectedly with status " + process.exitValue()
                    + "; its output ends with:\n" + logTail(40));
        }
    }

    /** SIGKILL (on Linux {@link Process#destroyForcibly()} sends SIGKILL) and waits until the process is gone. */
    Instant kill() {
        destroy(process);
        return Instant.now();
    }

    /** The last lines of its output, for failure messages. */
    String logTail(int lines) {
        return tail(log, lines);
    }

    /** How many lines it has written so far: a mark for {@link #logLines(String, int)}. */
    int logLength() {
        return readLog().size();
    }

    /** Its output lines that contain {@code text}, from line {@code from} (0 for all) on. */
    List<String> logLines(String text, int from) {
        List<String> lines = readLog();
        return lines.subList(Math.min(from, lines.size()), lines.size()).stream()
                .filter(line -> line.contains(text)).toList();
    }

    private List<String> readLog() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e + ")");
        }
    }

    @Override
    public void close() {
        destroy(process);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", " + baseUrl() + ", log " + log + ")";
    }

    private static Instant awaitReady(String name, Process process, int port, Path log) {
        HttpRequest readiness = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("ledger " + name + " exited with status " + process.exitValue()
                        + " before it was ready; its output ends with:\n" + tail(log, 60));
            }
            try {
                HttpResponse<String> response = PROBE.send(readiness, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    Instant ready = Instant.now();
                    // the answer came from this process, not from another one on a port just freed
                    if (!process.isAlive() || !tail(log, 200).contains("Tomcat started on port " + port + " ")) {
                        throw new AssertionError("something else answered on port " + port + " for ledger " + name
                                + "; its output ends with:\n" + tail(log, 60));
                    }
                    return ready;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for ledger " + name, e);
            }
            sleep(100);
        }
        throw new AssertionError("ledger " + name + " was not ready within " + READY_WITHIN
                + "; its output ends with:\n" + tail(log, 60));
    }

    private static void destroy(Process process) {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("process " + process.pid() + " survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
