package dev.claimsledger.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Command-line options, {@code --name=value}, each with a default that matches BENCHMARKS.md.
 */
record Options(String baseUrl, String jdbcUrl, String jdbcUser, String jdbcPassword, int claims, int clients,
               Duration duration, Duration warmup, int batchSize, int expiryClaims, Duration expiryWindow, long rebuildEvents, long serverPid,
               String phases, Duration soakDuration, int soakRate) {

    static Options parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        return new Options(
                values.getOrDefault("base-url", "http://127.0.0.1:8080"),
                values.getOrDefault("jdbc-url", "jdbc:postgresql://127.0.0.1:5432/claims_bench"),
                values.getOrDefault("jdbc-user", "claims"),
                values.getOrDefault("jdbc-password", "claims"),
                Integer.parseInt(values.getOrDefault("claims", "10000")),
                Integer.parseInt(values.getOrDefault("clients", "8")),
                Duration.parse("PT" + values.getOrDefault("duration", "30s").toUpperCase()),
                Duration.parse("PT" + values.getOrDefault("warmup", "60s").toUpperCase()),
                Integer.parseInt(values.getOrDefault("batch-size", "100")),
                Integer.parseInt(values.getOrDefault("expiry-claims", "10000")),
                Duration.parse("PT" + values.getOrDefault("expiry-window", "10s").toUpperCase()),
                Long.parseLong(values.getOrDefault("rebuild-events", "1000000")),
                Long.parseLong(values.getOrDefault("server-pid", "0")),
                values.getOrDefault("phases", "heartbeats,http-floor,batch,baseline,half-peak,expiry,rebuild,memory"),
                Duration.parse("PT" + values.getOrDefault("soak-duration", "3m").toUpperCase()),
                Integer.parseInt(values.getOrDefault("soak-rate", "300")));
    }

    boolean runs(String phase) {
        return ("," + phases + ",").contains("," + phase + ",");
    }
}
