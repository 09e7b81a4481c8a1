package dev.claimsledger.server.changes;

import static dev.claimsledger.server.support.LedgerHttp.claims;
import static dev.claimsledger.server.support.LedgerHttp.heartbeats;
import static dev.claimsledger.server.support.LedgerHttp.release;
import static dev.claimsledger.server.support.LedgerHttp.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.changes.EventStreamClient.Event;
import dev.claimsledger.server.security.ApiKeys;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.OpenApiContract;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code GET /v1/tenants/{tenant}/claims/changes} as a client meets it: the whole ledger on H2 with API keys, real
 * HTTP, the stream read as the event-stream format says. Each test works in a tenant of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaimChangesHttpTest {

    private static final String WRITER = "writer-" + UUID.randomUUID();
    private static final String READER = "reader-" + UUID.randomUUID();
    /** Reads every tenant: the key the tests follow their streams with. */
    private static final String FLEET = "fleet-" + UUID.randomUUID();
    private static final int MAX_STREAMS = 3;
    private static final Duration MAX_DURATION = Duration.ofSeconds(12);
    private static final Duration SOON = Duration.ofSeconds(15);
    private static final AtomicInteger TENANTS = new AtomicInteger();

    @TempDir
    static Path directory;

    private ConfigurableApplicationContext ledger;
    private String baseUrl;
    private LedgerHttp http;
    /** Each opening, a stream or a problem, is checked against the document the ledger serves. */
    private OpenApiContract contract;

    @BeforeAll
    void startLedger() throws IOException {
        Path keys = directory.resolve("api-keys.yaml");
        Files.writeString(keys, """
                - name: writer
                  sha256: %s
                  scopes: [claims:write]
                  tenants: ["*"]
                - name: reader
                  sha256: %s
                  scopes: [claims:read]
                  tenants: [reader-tenant]
                - name: fleet
                  sha256: %s
                  scopes: [claims:read]
                  tenants: ["*"]
                """.formatted(ApiKeys.sha256Hex(WRITER), ApiKeys.sha256Hex(READER), ApiKeys.sha256Hex(FLEET)),
                StandardCharsets.UTF_8);
        ledger = Ledger.startWithHttp(TestDatabase.freshH2(directory.resolve("data")), Map.of(
                "claims.security.api-keys-file", keys.toString(),
                "claims.changes.max-streams", MAX_STREAMS,
                "claims.changes.max-duration", MAX_DURATION.toMillis() + "ms",
                "claims.changes.keep-alive", "1s"));
        baseUrl = Ledger.baseUrl(ledger);
        contract = OpenApiContract.servedBy(baseUrl);
        http = new LedgerHttp(baseUrl, HttpClient.Version.HTTP_1_1, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    /**
     * The server notices a client that went away when it next writes to it (a keep-alive comment at the latest), and
     * frees its place then; each test starts with every place free.
     */
    @BeforeEach
    void givenNoStreamOpen() {
        ClaimChangeStreams streams = ledger.getBean(ClaimChangeStreams.class);
        await().atMost(SOON).until(() -> streams.openStreams() == 0);
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    @Test
    void aStreamSendsTheTenantsStateChangesInPositionOrderWithThePositionAsTheirId() {
        // given
        String tenant = tenant();
        try (EventStreamClient stream = open(tenant, null)) {
            Event ready = stream.nextEvent(SOON);

            // when
            makeClaim(tenant, "worker-a", 1, 60_000);
            send(heartbeats(tenant, "worker-a", 1));
            send(release(tenant, "worker-a", 1));
            makeClaim(tenant, "worker-b", 1, 60_000);
            makeClaim(tenant, "worker-b", 2, 60_000);
            List<Event> events = nextEvents(stream, 5);

            // then
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
            assertThat(ready.type()).isEqualTo("ready");
            assertThat(ready.json().get("position").asText()).isEqualTo(ready.id());
            assertThat(events).extracting(Event::type)
                    .containsExactly("claimed", "released", "claimed", "superseded", "claimed");
            assertThat(events).extracting(event -> event.json().get("consumer_id").asText() + "#"
                            + event.json().get("epoch").asLong())
                    .containsExactly("worker-a#1", "worker-a#1", "worker-b#1", "worker-b#1", "worker-b#2");
            List<Long> ids = events.stream().map(event -> Long.parseLong(event.id())).toList();
            assertThat(ids).isSorted().doesNotHaveDuplicates().allSatisfy(id ->
                    assertThat(id).isGreaterThan(Long.parseLong(ready.id())));
            assertThat(events).allSatisfy(event -> {
                assertThat(event.json().get("position").asText()).isEqualTo(event.id());
                assertThat(event.json().get("tenant_id").asText()).isEqualTo(tenant);
                assertThat(event.json().get("type").asText()).isEqualTo(event.type());
            });
            JsonNode claimed = events.get(0).json();
            assertThat(claimed.get("runner_id").asText()).isEqualTo("runner-1");
            assertThat(claimed.get("entity_url").asText()).isEqualTo("https://example.test/orders/worker-a");
            assertThat(claimed.get("lease_ttl_ms").asLong()).isEqualTo(60_000);
            assertThat(events.get(3).json().get("superseded_by_epoch").asLong()).isEqualTo(2);
        }
    }

    @Test
    void aLeaseThatRunsOutIsSentAsExpired() {
        // given
        String tenant = tenant();
        try (EventStreamClient stream = open(tenant, null)) {
            stream.nextEvent(SOON);

            // when
            makeClaim(tenant, "short-lived", 1, 1_000);

            // then
            assertThat(stream.nextEvent(SOON).type()).isEqualTo("claimed");
            Event expired = stream.nextEvent(SOON);
            assertThat(expired.type()).isEqualTo("expired");
            assertThat(expired.json().get("consumer_id").asText()).isEqualTo("short-lived");
            assertThat(expired.json().get("at").asText()).isNotBlank();
        }
    }

    @Test
    void heartbeatsAndOtherTenantsChangesAreNotSent() {
        // given
        String tenant = tenant();
        String other = tenant();
        try (EventStreamClient stream = open(tenant, null)) {
            stream.nextEvent(SOON);

            // when
            makeClaim(other, "worker", 1, 60_000);
            makeClaim(tenant, "worker", 1, 60_000);
            for (int i = 0; i < 3; i++) {
                send(heartbeats(tenant, "worker", 1));
            }
            send(release(other, "worker", 1));
            makeClaim(tenant, "last", 1, 60_000);

            // then
            List<Event> events = nextEvents(stream, 2);
            assertThat(events).extracting(event -> event.type() + " " + event.json().get("consumer_id").asText())
                    .containsExactly("claimed worker", "claimed last");
            assertThat(events).allSatisfy(event ->
                    assertThat(event.json().get("tenant_id").asText()).isEqualTo(tenant));
        }
    }

    @Test
    void aStreamWithoutLastEventIdStartsAfterWhatIsStoredAlready() {
        // given
        String tenant = tenant();
        makeClaim(tenant, "before", 1, 60_000);

        // when
        try (EventStreamClient stream = open(tenant, null)) {
            stream.nextEvent(SOON);
            makeClaim(tenant, "after", 1, 60_000);

            // then
            assertThat(stream.nextEvent(SOON).json().get("consumer_id").asText()).isEqualTo("after");
        }
    }

    @Test
    void aStreamOpenedWithTheLastEventIdItGaveResumesRightAfterIt() {
        // given a client saw the first claim, then lost its connection while two more were made
        String tenant = tenant();
        String lastSeen;
        try (EventStreamClient stream = open(tenant, null)) {
            stream.nextEvent(SOON);
            makeClaim(tenant, "seen", 1, 60_000);
            lastSeen = stream.nextEvent(SOON).id();
        }
        makeClaim(tenant, "missed-1", 1, 60_000);
        makeClaim(tenant, "missed-2", 1, 60_000);

        // when
        try (EventStreamClient resumed = open(tenant, lastSeen)) {
            Event ready = resumed.nextEvent(SOON);
            List<Event> events = nextEvents(resumed, 2);

            // then
            assertThat(ready.id()).isEqualTo(lastSeen);
            assertThat(events).extracting(event -> event.json().get("consumer_id").asText())
                    .containsExactly("missed-1", "missed-2");
        }
    }

    @Test
    void aQuietStreamSendsCommentLinesToKeepProxiesOpen() {
        // given
        String tenant = tenant();
        try (EventStreamClient stream = open(tenant, null)) {
            stream.nextEvent(SOON);

            // when nothing happens for longer than claims.changes.keep-alive (1 s here)
            Event next = stream.next(SOON);

            // then
            assertThat(next.type()).isEqualTo(":comment");
        }
    }

    @Test
    void aStreamEndsByItselfAfterItsLongestDurationSoThatTheClientReconnects() {
        // given
        String tenant = tenant();
        try (EventStreamClient stream = open(tenant, null)) {
            stream.nextEvent(SOON);

            // when / then
            assertThat(stream.endsWithin(MAX_DURATION.plus(SOON))).isTrue();
        }
    }

    @Test
    void oneStreamMoreThanTheLimitIsRefusedUntilOneCloses() {
        // given every place taken
        String tenant = tenant();
        List<EventStreamClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_STREAMS; i++) {
                EventStreamClient stream = open(tenant, null);
                stream.nextEvent(SOON);
                streams.add(stream);
            }

            // when
            EventStreamClient refused = EventStreamClient.open(baseUrl, changes(tenant), FLEET, null);

            // then
            assertProblem(refused, 503, "unavailable");
            streams.remove(0).close();
            await().atMost(SOON).untilAsserted(() -> {
                try (EventStreamClient next = open(tenant, null)) {
                    assertThat(next.status()).isEqualTo(200);
                }
            });
        } finally {
            streams.forEach(EventStreamClient::close);
        }
    }

    @Test
    void aStreamNeedsAKeyThatMayReadTheTenant() {
        String tenant = tenant();

        assertProblem(EventStreamClient.open(baseUrl, changes(tenant), null, null), 401, "unauthenticated");
        assertProblem(EventStreamClient.open(baseUrl, changes(tenant), "not-a-key", null), 401, "unauthenticated");
        assertProblem(EventStreamClient.open(baseUrl, changes(tenant), WRITER, null), 403, "forbidden");
        assertProblem(EventStreamClient.open(baseUrl, changes(tenant), READER, null), 403, "forbidden");
        try (EventStreamClient allowed = EventStreamClient.open(baseUrl, changes("reader-tenant"), READER, null)) {
            assertThat(allowed.status()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "1e3", "0x10", "99999999999999999999", ""})
    void aLastEventIdThatIsNotAPositionIsRefused(String lastEventId) {
        assertProblem(EventStreamClient.open(baseUrl, changes("reader-tenant"), READER, lastEventId), 400,
                "validation_failed");
    }

    // --- helpers

    private EventStreamClient open(String tenant, String lastEventId) {
        EventStreamClient stream = EventStreamClient.open(baseUrl, changes(tenant), FLEET, lastEventId);
        assertThat(stream.status()).as("opening the stream of %s: %s", tenant, stream.status()).isEqualTo(200);
        contract.check(stream.request(), stream.replyWithFirstEvent(SOON));
        return stream;
    }

    private static List<Event> nextEvents(EventStreamClient stream, int count) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(stream.nextEvent(SOON));
        }
        return events;
    }

    private void makeClaim(String tenant, String consumer, long epoch, long ttlMs) {
        Reply reply = http.send(claims(tenant), request -> LedgerHttp.postJson(LedgerHttp.write(Map.of(
                "consumer_id", consumer, "epoch", epoch, "entity_url", "https://example.test/orders/" + consumer,
                "stream_path", "/orders/" + consumer, "runner_id", "runner-1", "lease_ttl_ms", ttlMs)))
                .apply(request.header("Authorization", "Bearer " + WRITER)));
        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
    }

    private void send(String path) {
        Reply reply = http.send(path, request -> request.header("Authorization", "Bearer " + WRITER)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(reply.status()).as("POST %s: %s", path, reply).isEqualTo(200);
    }

    private void assertProblem(EventStreamClient answer, int status, String code) {
        try (answer) {
            String body = answer.body();
            assertThat(answer.status()).isEqualTo(status);
            assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
            assertThat(body).contains("\"code\":\"" + code + "\"");
            contract.check(answer.request(), answer.reply(body));
        }
    }

    private static String changes(String tenant) {
        return "/v1/tenants/" + segment(tenant) + "/claims/changes";
    }

    private static String tenant() {
        return "tenant-" + TENANTS.incrementAndGet();
    }
}
