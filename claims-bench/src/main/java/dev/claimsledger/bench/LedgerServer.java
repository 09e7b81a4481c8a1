package dev.claimsledger.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The ledger under test, run from its jar as in production: the {@code postgres} profile on the benchmark's database,
 * API keys on (a key made for this run, stored only as its SHA-256 in a keys file, as README's Security section
 * says). Leases may last up to 6 hours, so that claims made early in a run stay pending to its end. The benchmark
 * stops and starts it for the phases that need a fresh process or downtime.
 */
final class LedgerServer extends ServerProcess {

    private final Options options;
    private final String apiKey;
    private final Path keysFile;
    private final Path signingKeyFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Instant startedAt;
    private Instant readyAt;

    LedgerServer(Options options) {
        super("ledger", "http://127.0.0.1:" + options.port(), options.workDir().resolve("bench-server.log"));
        this.options = options;
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        this.apiKey = "bench-" + HexFormat.of().formatHex(key);
        this.keysFile = options.workDir().resolve("bench-api-keys.yaml").toAbsolutePath();
        this.signingKeyFile = options.workDir().resolve("bench-checkpoint-signing-key.pem").toAbsolutePath();
        try {
            Files.createDirectories(keysFile.getParent());
            Files.writeString(keysFile, "- name: claims-bench\n  sha256: " + sha256Hex(apiKey) + "\n"
                    + "  scopes: [claims:write, claims:read, claims:audit, claims:admin]\n  tenants: [\"*\"]\n");
            // the postgres profile signs checkpoints only with a key given to it (README, Verifiable checkpoints)
            byte[] pkcs8 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
            Files.writeString(signingKeyFile, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                    + "\n-----END PRIVATE KEY-----\n");
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot write " + keysFile + " and " + signingKeyFile, e);
        }
    }

    String apiKey() {
        return apiKey;
    }

    /** A client of the process running now: its connections do not outlive a restart. */
    LedgerClient client() {
        return new LedgerClient(baseUrl(), apiKey);
    }

    /** A connection for single heartbeats at a fixed rate, one per client thread (see {@link HeartbeatConnection}). */
    HeartbeatConnection heartbeatConnection() {
        return new HeartbeatConnection("127.0.0.1", options.port(), apiKey);
    }

    /** Starts the server and waits until its readiness probe answers. */
    void start() {
        start(List.of());
    }

    /** Starts the server with {@code settings} added to its own, and waits until its readiness probe answers. */
    void start(List<String> settings) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options.serverJvmOptions());
        command.addAll(List.of("-jar", options.serverJar().toString(), "--server.port=" + options.port(),
                "--spring.profiles.active=postgres", "--claims.security.api-keys-file=" + keysFile,
                "--claims.checkpoints.signing-key-file=" + signingKeyFile,
                "--claims.lease.max-ttl=6h", "--spring.datasource.hikari.maximum-pool-size=24",
                // compaction only in its own phase, and there of every heartbeat the processors have passed
                "--claims.compaction.enabled=false", "--claims.compaction.hot-window=0s",
                // a line per sweep that found due watchdogs, by step, for the expiry phases
                "--logging.level.dev.claimsledger.core.LeaseWriter.sweeps=DEBUG"));
        command.addAll(settings);
        startedAt = Instant.now();
        launch(command, Map.of("CLAIMS_DB_URL", options.jdbcUrl(), "CLAIMS_DB_USER", options.jdbcUser(),
                "CLAIMS_DB_PASSWORD", options.jdbcPassword()));
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!ready()) {
            checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the ledger was not ready within 5 minutes");
            }
            sleep(50);
        }
        readyAt = Instant.now();
    }

    /** When the last start began: the process was launched. */
    Instant startedAt() {
        return startedAt;
    }

    /** When the last start ended: the readiness probe answered 200 (polled every 50 ms). */
    Instant readyAt() {
        return readyAt;
    }

    private boolean ready() {
        try {
            HttpRequest probe = HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2)).GET().build();
            return http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
