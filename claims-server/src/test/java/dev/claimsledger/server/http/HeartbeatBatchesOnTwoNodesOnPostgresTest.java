package dev.claimsledger.server.http;

import static dev.claimsledger.server.support.LedgerHttp.claims;
import static dev.claimsledger.server.support.LedgerHttp.heartbeatBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.server.audit.LedgerAudit;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.RunsAlone;
import dev.claimsledger.server.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Batches of heartbeats for the same few consumers, sent at once to two nodes on one PostgreSQL schema: each node
 * caches the streams and commits a batch at once, so batches keep losing the (stream, sequence) race to the other
 * node and are decided again. No acknowledged heartbeat may be missing, none may be stored twice, and the audit
 * (lease invariants, hash chain, read model) must find the streams intact.
 */
@RunsAlone
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeartbeatBatchesOnTwoNodesOnPostgresTest {

    private static final String TENANT = "batch-race";
    private static final int CONSUMERS = 8;
    private static final int THREADS = 6;
    private static final int BATCHES_PER_THREAD = 15;
    private static final int HEARTBEATS_PER_BATCH = 12;

    private final TestDatabase database = TestDatabase.freshPostgresSchema();
    private final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    private final List<LedgerHttp> clients = new ArrayList<>();

    @BeforeAll
    void startTwoNodes() {
        for (int n = 0; n < 2; n++) {
            ConfigurableApplicationContext node = Ledger.startWithHttp(database, Map.of());
            nodes.add(node);
            clients.add(new LedgerHttp(Ledger.baseUrl(node)));
        }
    }

    @AfterAll
    void stopNodes() {
        nodes.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void everyAcknowledgedHeartbeatIsStoredOnceWhileBatchesRaceOnTwoNodes() throws Exception {
        List<String> consumers = new ArrayList<>();
        for (int c = 0; c < CONSUMERS; c++) {
            String consumer = "consumer-" + c;
            consumers.add(consumer);
            assertThat(clients.get(c % 2).post(claims(TENANT), Map.of("consumer_id", consumer, "epoch", 1,
                    "entity_url", "https://x.example/" + consumer, "stream_path", "/s/" + consumer,
                    "lease_ttl_ms", 60_000)).status()).isEqualTo(201);
        }
        Map<String, AtomicInteger> acknowledged = new ConcurrentHashMap<>();
        consumers.forEach(consumer -> acknowledged.put(consumer, new AtomicInteger()));
        List<String> failures = new ArrayList<>();

        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            LedgerHttp client = clients.get(t % 2);
            running.add(threads.submit(() -> {
                for (int b = 0; b < BATCHES_PER_THREAD; b++) {
                    List<Map<String, Object>> batch = new ArrayList<>();
                    for (int h = 0; h < HEARTBEATS_PER_BATCH; h++) {
                        String consumer = consumers.get(ThreadLocalRandom.current().nextInt(CONSUMERS));
                        batch.add(Map.of("consumer_id", consumer, "epoch", 1));
                    }
                    Reply reply = client.post(heartbeatBatch(TENANT), Map.of("heartbeats", batch));
                    if (reply.status() != 200) {
                        synchronized (failures) {
                            failures.add(reply.toString());
                        }
                        continue;
                    }
                    for (JsonNode result : reply.json().get("results")) {
                        if (result.get("status").asInt() == 200) {
                            acknowledged.get(result.get("consumer_id").asText()).incrementAndGet();
                        } else {
                            synchronized (failures) {
                                failures.add(result.toString());
                            }
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> thread : running) {
            thread.get(3, TimeUnit.MINUTES);
        }
        threads.shutdown();

        assertThat(failures).as("batches or heartbeats that failed").isEmpty();
        for (String consumer : consumers) {
            List<DomainEventMessage<?>> events = Ledger.events(nodes.get(0), ConsumerRef.streamId(TENANT, consumer));
            assertThat(events).extracting(DomainEventMessage::getSequenceNumber).as(consumer)
                    .containsExactlyElementsOf(LongStream.range(0, events.size()).boxed().toList());
            assertThat(events.stream().filter(event -> event.getPayload() instanceof HeartbeatReceived).count())
                    .as("heartbeats stored for %s", consumer)
                    .isEqualTo(acknowledged.get(consumer).get());
        }
        assertThat(acknowledged.values().stream().mapToInt(AtomicInteger::get).sum())
                .isEqualTo(THREADS * BATCHES_PER_THREAD * HEARTBEATS_PER_BATCH);
        LedgerAudit audit = nodes.get(1).getBean(LedgerAudit.class);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(audit.run(progress -> { })).as("the audit of the raced streams: lease invariants, hash"
                        + " chain, read model").satisfies(report -> {
                            assertThat(report.violations()).isEmpty();
                            assertThat(report.rowsLagging()).isZero();
                            assertThat(report.clean()).isTrue();
                        }));
    }
}
