package dev.claimsledger.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under test that the benchmark runs as a child process: its name in the report, its process (whose CPU is
 * measured) and where it listens. Its output is appended to a log file; it is stopped with SIGTERM, like a service
 * manager stops it, and killed only if it does not stop within a minute, or when the benchmark itself ends.
 */
abstract class ServerProcess implements AutoCloseable {

    private final String name;
    private final String baseUrl;
    private final Path log;
    private Process process;

    ServerProcess(String name, String baseUrl, Path log) {
        this.name = name;
        this.baseUrl = baseUrl;
        this.log = log;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (process != null) {
                process.destroyForcibly();
            }
        }));
    }

    String name() {
        return name;
    }

    String baseUrl() {
        return baseUrl;
    }

    long pid() {
        return process.pid();
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    void launch(List<String> command, Map<String, String> environment) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "---- " + Instant.now() + " " + String.join(" ", command) + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + command, e);
        }
    }

    /** Fails with the end of the log when the process has died while the benchmark waited for it. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited (" + process.exitValue() + "); the end of " + log + ":\n"
                    + tail());
        }
    }

    /** SIGTERM, then waits for the process to end; answers how long that took, in milliseconds. */
    long stop() {
        long started = System.nanoTime();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Override
    public void close() {
        if (running()) {
            stop();
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
