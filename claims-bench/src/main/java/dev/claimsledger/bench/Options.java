package dev.claimsledger.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options, {@code --name=value}, each with a default that matches BENCHMARKS.md.
 */
record Options(Path serverJar, List<String> serverJvmOptions, int port, int baselinePort, String jdbcUrl,
               String jdbcUser, String jdbcPassword, Path benchDir, Path workDir, int claims, int clients,
               int wrkThreads, Duration duration, Duration warmup, int batchSize, int releaseSamples,
               int releaseFewDeadlines, int releaseManyDeadlines, Duration releaseTimeLimit,
               Duration releaseFillLimit, int expiryClaims,
               Duration expiryWindow, Duration freshServerAge, long rebuildEvents, String phases,
               Duration soakDuration, int soakRate, int storageClaims, int storageSteps, Duration storageStep,
               Duration storageRetention) {

    Options {
        // storage-over-time compares the middle and last thirds of its steps
        if (storageSteps < 3) {
            throw new IllegalArgumentException("--storage-steps must be at least 3, was " + storageSteps);
        }
    }

    /** As docker/Dockerfile runs the server, with the heap bounded (BENCHMARKS.md). */
    static final String DEFAULT_SERVER_JVM_OPTIONS = "-Xmx1g -XX:MaxGCPauseMillis=10";
    static final String DEFAULT_PHASES = "release,heartbeats,node-baseline,batch,pgbench-floor,http-floor,half-peak,"
            + "memory,expiry-burst,expiry-burst-fresh,expiry-downtime,rebuild,compaction,storage-over-time,h2-write-delay";

    static Options parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        return new Options(
                Path.of(values.getOrDefault("server-jar", "claims-server/target/claims-server.jar")),
                List.of(values.getOrDefault("server-jvm-options", DEFAULT_SERVER_JVM_OPTIONS).trim().split("\\s+")),
                Integer.parseInt(values.getOrDefault("port", "18080")),
                Integer.parseInt(values.getOrDefault("baseline-port", "18090")),
                values.getOrDefault("jdbc-url", "jdbc:postgresql://127.0.0.1:5432/claims_bench"),
                values.getOrDefault("jdbc-user", "claims"),
                values.getOrDefault("jdbc-password", "claims"),
                Path.of(values.getOrDefault("bench-dir", "claims-bench")),
                Path.of(values.getOrDefault("work-dir", "target")),
                Integer.parseInt(values.getOrDefault("claims", "10000")),
                Integer.parseInt(values.getOrDefault("clients", "8")),
                Integer.parseInt(values.getOrDefault("wrk-threads", "2")),
                duration(values.getOrDefault("duration", "30s")),
                duration(values.getOrDefault("warmup", "30s")),
                Integer.parseInt(values.getOrDefault("batch-size", "100")),
                Integer.parseInt(values.getOrDefault("release-samples", "200")),
                Integer.parseInt(values.getOrDefault("release-few-deadlines", "100")),
                Integer.parseInt(values.getOrDefault("release-many-deadlines", "100000")),
                duration(values.getOrDefault("release-time-limit", "60s")),
                duration(values.getOrDefault("release-fill-limit", "5m")),
                Integer.parseInt(values.getOrDefault("expiry-claims", "10000")),
                duration(values.getOrDefault("expiry-window", "1s")),
                duration(values.getOrDefault("fresh-server-age", "60s")),
                Long.parseLong(values.getOrDefault("rebuild-events", "1000000")),
                values.getOrDefault("phases", DEFAULT_PHASES),
                duration(values.getOrDefault("soak-duration", "3m")),
                Integer.parseInt(values.getOrDefault("soak-rate", "300")),
                Integer.parseInt(values.getOrDefault("storage-claims", "10")),
                Integer.parseInt(values.getOrDefault("storage-steps", "12")),
                duration(values.getOrDefault("storage-step", "30s")),
                duration(values.getOrDefault("storage-retention", "60s")));
    }

    private static Duration duration(String text) {
        return Duration.parse("PT" + text.toUpperCase());
    }

    boolean runs(String phase) {
        return ("," + phases + ",").contains("," + phase + ",");
    }

    /** The PostgreSQL database's name, the last part of the JDBC URL. */
    String database() {
        String path = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
        return path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    }
}
