package dev.claimsledger.server.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claimsledger.client.ClaimLoss;
import dev.claimsledger.client.ClaimRequest;
import dev.claimsledger.client.ClaimsClient;
import dev.claimsledger.client.HeldClaim;
import dev.claimsledger.client.LossReason;
import dev.claimsledger.server.client.LedgerClaims;
import dev.claimsledger.server.support.RunsAlone;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The worker client while its ledger server is SIGKILLed and started again on the same port and database. One kill
 * tells both sides: claims whose lease outlasts the restart are never lost and are renewed once the server is back;
 * claims whose lease is shorter than the restart are each reported lost exactly once, by their lease's end, and not a
 * heartbeat of theirs reaches the server afterwards (its access log, one file per server, says so).
 */
@RunsAlone
abstract class ClaimsClientThroughACrashContract {

    /** Outlasts a restart of the server, which takes 5 to 15 s here. */
    /** Longer than a restart takes on a loaded machine (up to 26 s seen), so that the long claims outlive it. */
    private static final Duration LONG_LEASE = Duration.ofSeconds(60);
    private static final Duration SHORT_LEASE = Duration.ofSeconds(3);
    private static final Duration SHORT_LEASE_MARGIN = Duration.ofMillis(300);
    private static final int CLAIMS = 20;

    private final List<LedgerProcess> processes = new ArrayList<>();

    /** A database of the test's own, kept across the restart. */
    abstract TestDatabase database();

    /** A short name for the database, for file names. */
    abstract String databaseName();

    @AfterEach
    void stopServers() {
        processes.forEach(LedgerProcess::close);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void claimsOutliveARestartWithinTheirLeaseAndTheOthersAreLostOnceByTheirLeasesEnd() throws Exception {
        // given a server, and two workers' clients: one holding claims with a 60 s lease, one with a 3 s lease
        TestDatabase database = database();
        int port = LedgerProcess.freePort();
        LedgerProcess first = start(database, port, "before");
        URI baseUrl = URI.create(first.baseUrl());
        try (ClaimsClient longLeases = ClaimsClient.builder(baseUrl).build();
             ClaimsClient shortLeases = ClaimsClient.builder(baseUrl).build()) {
            List<HeldClaim> longClaims = claim(longLeases, "long", LONG_LEASE);
            List<HeldClaim> shortClaims = claim(shortLeases, "short", SHORT_LEASE);
            Map<HeldClaim, AtomicInteger> reports = new ConcurrentHashMap<>();
            shortClaims.forEach(claim -> claim.lost().thenAccept(loss ->
                    reports.computeIfAbsent(claim, counted -> new AtomicInteger()).incrementAndGet()));
            await().atMost(Duration.ofSeconds(10)).until(() -> shortLeases.health().heartbeatsSent() >= 2 * CLAIMS);

            // when the server is killed
            first.assertAlive();
            Instant killedAt = first.kill();

            // then each short claim is lost, with a reason, by its lease's end plus the margin
            Map<HeldClaim, ClaimLoss> losses = new HashMap<>();
            for (HeldClaim claim : shortClaims) {
                losses.put(claim, claim.lost().get(10, TimeUnit.SECONDS));
            }
            long sentByTheLosses = shortLeases.health().heartbeatsSent();
            assertThat(losses).allSatisfy((claim, loss) -> {
                assertThat(loss.reason()).as("%s", claim).isEqualTo(LossReason.NO_ACK_WITHIN_LEASE);
                assertThat(loss.at()).as("%s lost (lease acknowledged until %s)", claim, claim.leaseExpiresAt())
                        .isBefore(claim.leaseExpiresAt().plus(SHORT_LEASE_MARGIN));
            });

            // and when the server is started again on the same port, within the long leases
            LedgerProcess second = start(database, port, "after");
            System.out.println("[client] " + databaseName() + ": killed " + first + " at " + killedAt
                    + ", ready again at " + second.readyAt() + " (" + Duration.between(killedAt, second.readyAt())
                    .toMillis() + " ms)");

            // then every long claim is renewed by it, and none was lost
            await().atMost(LONG_LEASE).until(() -> longClaims.stream().allMatch(claim ->
                    !claim.leaseExpiresAt().isBefore(second.readyAt().plus(LONG_LEASE))));
            assertThat(longClaims).allMatch(HeldClaim::isHeld);
            assertThat(longLeases.health().claimsLost()).isZero();

            // and each short claim was reported exactly once, and sent no heartbeat after its loss
            assertThat(reports).hasSize(CLAIMS).allSatisfy((claim, count) -> assertThat(count).hasValue(1));
            assertThat(shortLeases.health().claimsLost()).isEqualTo(CLAIMS);
            assertThat(shortLeases.health().heartbeatsSent()).isEqualTo(sentByTheLosses);
            List<String> requestsAfter = accessLog("after");
            assertThat(requestsAfter).as("requests the restarted server received")
                    .anyMatch(line -> line.contains("POST /v1/tenants/long/heartbeats "))
                    .noneMatch(line -> line.contains("/v1/tenants/short/"));
            LedgerClaims ledger = new LedgerClaims(second.baseUrl());
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(ledger.all("short", "expired")).hasSize(CLAIMS);
                assertThat(ledger.all("long", "active")).hasSize(CLAIMS);
            });
        }
    }

    private LedgerProcess start(TestDatabase database, int port, String phase) throws IOException {
        Path accessLogs = accessLogs(phase);
        Files.createDirectories(accessLogs);
        try (Stream<Path> earlier = Files.list(accessLogs)) {
            for (Path file : earlier.toList()) {
                Files.delete(file);
            }
        }
        Map<String, String> settings = new HashMap<>(LedgerProcess.QUICK_DEADLINES);
        settings.put("server.port", String.valueOf(port));
        settings.put("server.tomcat.accesslog.enabled", "true");
        settings.put("server.tomcat.accesslog.directory", accessLogs.toAbsolutePath().toString());
        settings.put("server.tomcat.accesslog.buffered", "false");
        settings.put("server.tomcat.accesslog.rotate", "false");
        LedgerProcess process = LedgerProcess.start("client-crash-" + databaseName() + "-" + phase, database,
                settings);
        processes.add(process);
        return process;
    }

    private Path accessLogs(String phase) {
        return LedgerProcess.LOG_DIR.resolve("client-crash-" + databaseName() + "-" + phase + "-access");
    }

    /** Every request line the server of that phase logged. */
    private List<String> accessLog(String phase) throws IOException {
        try (Stream<Path> files = Files.list(accessLogs(phase))) {
            List<String> lines = new ArrayList<>();
            for (Path file : files.toList()) {
                lines.addAll(Files.readAllLines(file));
            }
            return lines;
        }
    }

    private static List<HeldClaim> claim(ClaimsClient client, String tenant, Duration ttl) {
        List<HeldClaim> claims = new ArrayList<>();
        for (int i = 0; i < CLAIMS; i++) {
            String consumer = tenant + "-" + i;
            claims.add(client.claim(tenant, ClaimRequest.builder(consumer, 1, "https://example.test/" + consumer,
                    "/streams/" + consumer).leaseTtl(ttl).build()));
        }
        return claims;
    }
}
