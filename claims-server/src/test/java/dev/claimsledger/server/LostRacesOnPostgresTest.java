package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.RacingNode;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the ledger does when another node wins a stream's next sequence number while it is deciding: the lease
 * watchdog that lost is decided again within seconds (db-scheduler, which ran it before, waited five minutes), and
 * heartbeats that lost are decided again and counted once, because the ledger's counters count committed facts only.
 * The other node is a {@link RacingNode} holding its append open until the ledger's own append waits on it.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LostRacesOnPostgresTest {

    private static final String TENANT = "races";
    private static final Pattern HEARTBEATS_TOTAL = Pattern.compile("(?m)^claims_heartbeats_total\\{[^}]*} (\\S+)$");

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private ConfigurableApplicationContext ledger;
    private LedgerHttp http;

    @BeforeAll
    void start() {
        ledger = Ledger.startWithHttp(database, Map.of());
        http = new LedgerHttp(Ledger.baseUrl(ledger));
    }

    @AfterAll
    void stop() {
        ledger.close();
    }

    @Test
    void aLeaseWatchdogThatLosesTheRaceForTheNextSequenceNumberRunsAgainWithinSeconds() throws Exception {
        // given a claim whose lease ends in 6 s
        String consumer = "watchdog-" + System.nanoTime();
        Reply claimed = claim(consumer, 6_000);
        Instant leaseEnd = claimed.instant("lease_expires_at");

        // and another node that appends a heartbeat just before the lease ends and holds its transaction open
        HeartbeatReceived won;
        try (RacingNode other = new RacingNode(database)) {
            won = other.appendHeartbeat(TENANT, consumer, leaseEnd.minusMillis(300));

            // when the watchdog fires at the lease's end and waits on that append, and then the other node commits
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> other.sessionsWaitingOnMe() > 0);
            other.commit();
        }

        // then the watchdog runs again within seconds, follows the renewed lease, and expires it once it ends
        List<Object> events = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Ledger.payloads(ledger, ConsumerRef.streamId(TENANT, consumer)),
                        payloads -> payloads.stream().anyMatch(ClaimLeaseExpired.class::isInstance));
        ClaimLeaseExpired expired = (ClaimLeaseExpired) events.get(events.size() - 1);
        assertThat(events).hasSize(3).element(1).isEqualTo(won);
        assertThat(expired.leaseExpiresAt()).as("the lease the other node's heartbeat renewed")
                .isEqualTo(won.leaseExpiresAt());
        assertThat(Duration.between(won.leaseExpiresAt(), expired.expiredAt()))
                .as("how late after the renewed lease's end the expiry was recorded")
                .isBetween(Duration.ZERO, Duration.ofSeconds(5));
        Reply audit = http.get(LedgerHttp.AUDIT);
        assertThat(audit.json().path("clean").asBoolean()).as("the audit: %s", audit).isTrue();
    }

    /**
     * In a batch, the heartbeats decided before the one that lost were appended already when the batch is rolled back
     * and decided again whole: they must be counted once, for the commit that stored them.
     */
    @Test
    void aBatchDecidedAgainAfterLosingARaceCountsEachHeartbeatOnce() throws Exception {
        // given two claims, and the heartbeats counted so far
        String first = "counted-a-" + System.nanoTime();
        String raced = "counted-b-" + System.nanoTime();
        claim(first, 60_000);
        claim(raced, 60_000);
        double countedBefore = heartbeatsCounted();

        // when a batch of their heartbeats is sent while another node appends a heartbeat of the second, and that
        // node commits once the batch waits on it
        CompletableFuture<Reply> batch;
        try (RacingNode other = new RacingNode(database)) {
            other.appendHeartbeat(TENANT, raced, Instant.now());
            batch = CompletableFuture.supplyAsync(() -> http.post(LedgerHttp.heartbeatBatch(TENANT), Map.of(
                    "heartbeats", List.of(Map.of("consumer_id", first, "epoch", 1),
                            Map.of("consumer_id", raced, "epoch", 1)))));
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> other.sessionsWaitingOnMe() > 0);
            other.commit();
        }

        // then the batch is decided again after the other node's heartbeat, and each of its heartbeats counted once
        Reply answer = batch.get();
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        List<Integer> statuses = new ArrayList<>();
        answer.json().path("results").forEach(result -> statuses.add(result.path("status").asInt()));
        assertThat(statuses).as("%s", answer).containsExactly(200, 200);
        assertThat(answer.json().path("results").get(1).path("claim").path("heartbeat_count").asLong())
                .as("the raced heartbeat comes after the other node's").isEqualTo(2);
        assertThat(Ledger.payloads(ledger, ConsumerRef.streamId(TENANT, first))).hasSize(2);
        assertThat(Ledger.payloads(ledger, ConsumerRef.streamId(TENANT, raced))).hasSize(3);
        assertThat(heartbeatsCounted() - countedBefore).as("heartbeats this node counted").isEqualTo(2.0);
    }

    private Reply claim(String consumer, long ttlMillis) {
        return http.postExpecting(201, LedgerHttp.claims(TENANT), Map.of("consumer_id", consumer, "epoch", 1,
                "entity_url", "https://example.test/" + consumer, "stream_path", "/streams/" + consumer,
                "lease_ttl_ms", ttlMillis));
    }

    private double heartbeatsCounted() {
        Reply scrape = http.get("/actuator/prometheus");
        Matcher total = HEARTBEATS_TOTAL.matcher(scrape.body());
        assertThat(total.find()).as("claims_heartbeats_total in %s", scrape.body()).isTrue();
        return Double.parseDouble(total.group(1));
    }
}
