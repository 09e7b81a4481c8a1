package dev.claimsledger.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claimsledger.server.security.HostileRequests.Client;
import dev.claimsledger.server.security.HostileRequests.Expect;
import dev.claimsledger.server.security.HostileRequests.Hostile;
import dev.claimsledger.server.security.HostileRequests.Raw;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import dev.claimsledger.server.support.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Nothing a client sends makes the ledger fail or store anything (README, The HTTP API and Security): thousands of
 * malformed requests ({@link HostileRequests}) to every endpoint, each answered with a 4xx
 * {@code application/problem+json} that has a {@code code}, never a 5xx; afterwards the event store holds no event
 * from them, and the ledger is live and takes a valid claim.
 *
 * <p>The ledger runs without a keys file (open mode on 127.0.0.1), so that the requests reach the validation rather
 * than stopping at the key check. All requests are sent once, before the tests, by a few threads; each test then
 * checks one promise over every answer and lists every request that broke it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest {

    private static final int THREADS = 8;
    private static final int SHOWN = 60;

    @TempDir
    static Path dataDir;

    private ConfigurableApplicationContext ledger;
    private String baseUrl;
    private int port;
    private long eventsBefore;
    private final List<Outcome> outcomes = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** The database the ledger runs on. */
    TestDatabase database() {
        return TestDatabase.freshH2(dataDir);
    }

    @BeforeAll
    void sendEveryHostileRequestToAnOpenLedger() throws Exception {
        ledger = Ledger.startWithHttp(database(), Map.of());
        baseUrl = Ledger.baseUrl(ledger);
        port = Integer.parseInt(ledger.getEnvironment().getRequiredProperty("local.server.port"));
        eventsBefore = eventCount();

        List<Hostile> requests = HostileRequests.all();
        long started = System.nanoTime();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Outcome>> answers = new ArrayList<>();
            for (Hostile request : requests) {
                answers.add(threads.submit(() -> send(request)));
            }
            for (Future<Outcome> answer : answers) {
                outcomes.add(answer.get());
            }
        } finally {
            threads.shutdownNow();
        }
        Files.write(Path.of("target", getClass().getSimpleName() + "-answers.txt"),
                outcomes.stream().map(Outcome::toString).toList());
        System.out.printf("%n%d hostile requests in %d ms; by status: %s%n", outcomes.size(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), outcomes.stream()
                        .collect(Collectors.groupingBy(Outcome::status, TreeMap::new, Collectors.counting())));
    }

    @AfterAll
    void stopLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    @Test
    @Order(1)
    void thousandsOfHostileRequestsReachEveryEndpoint() {
        assertThat(outcomes).hasSizeBetween(2_000, 5_000);
        List<String> sent = outcomes.stream().map(outcome -> outcome.request().description()).toList();
        for (String endpoint : List.of("POST claims", "POST heartbeat", "POST release", "GET claim", "GET list",
                "GET runner health", "GET consumer history", "GET epoch history", "as_of", "rebuild", "audit")) {
            assertThat(sent).as("requests to %s", endpoint).anyMatch(description -> description.contains(endpoint));
        }
    }

    @Test
    @Order(2)
    void everyHostileRequestIsAnswered() {
        assertNone("no answer arrived (connection closed, reset or timed out)", outcome -> outcome.failure() != null);
    }

    @Test
    @Order(3)
    void noHostileRequestCausesAServerError() {
        assertNone("a 5xx answer", outcome -> outcome.status() >= 500 && !isUnsupportedProtocolAnswer(outcome));
    }

    /**
     * An HTTP version the server does not speak, a transfer coding it does not implement or CONNECT may be answered
     * 505 or 501 as HTTP defines; but that is the client's doing, so the problem must not say {@code internal_error}
     * ("something failed inside the ledger that no request should cause").
     */
    @Test
    @Order(3)
    void anUnsupportedProtocolIsRefusedWithoutBlamingTheLedger() {
        assertNone("an unsupported protocol answered other than 4xx/501/505, or coded internal_error", outcome ->
                outcome.failure() == null && outcome.request().expect() == Expect.UNSUPPORTED_PROTOCOL
                        && (!(outcome.status() >= 400 && outcome.status() <= 499 || isUnsupportedProtocolAnswer(outcome))
                        || "internal_error".equals(code(outcome))));
    }

    @Test
    @Order(4)
    void everyMalformedRequestIsRefusedWithAClientError() {
        assertNone("a malformed request not answered 4xx", outcome -> outcome.failure() == null
                && outcome.request().expect() == Expect.REFUSED && (outcome.status() < 400 || outcome.status() > 499));
    }

    @Test
    @Order(5)
    void everyErrorIsAProblemWithACode() {
        // a server-wide "OPTIONS *" is answered by Tomcat's protocol handler itself, before any valve or servlet
        assertNone("an error that is not application/problem+json with a code and the status", outcome ->
                outcome.failure() == null && outcome.status() >= 400 && !isProblem(outcome)
                        && !outcome.request().description().startsWith("OPTIONS * "));
    }

    @Test
    @Order(6)
    void everyToleratedReadAnswersJson() {
        assertNone("a 2xx that is not application/json", outcome -> outcome.failure() == null
                && outcome.status() < 300 && (outcome.contentType() == null
                || !outcome.contentType().startsWith("application/json")));
    }

    @Test
    @Order(7)
    void theEventStoreGainedNoEventFromThem() {
        assertThat(eventCount()).as("rows in domain_event_entry after %d hostile requests", outcomes.size())
                .isEqualTo(eventsBefore);
    }

    @Test
    @Order(8)
    void theLedgerIsStillLiveAndTakesAValidClaim() throws IOException, InterruptedException {
        long eventsNow = eventCount();
        HttpResponse<String> liveness = client.send(HttpRequest.newBuilder(URI.create(baseUrl
                + "/actuator/health/liveness")).build(), HttpResponse.BodyHandlers.ofString());
        Reply claim = new Calls(baseUrl).post("/v1/tenants/" + HostileRequests.TENANT + "/claims", null,
                Calls.claimBody("after-the-storm", 1));

        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(LedgerHttp.JSON.readTree(liveness.body()).get("status").asText()).isEqualTo("UP");
        assertThat(claim.status()).as("%s", claim).isEqualTo(201);
        assertThat(Ledger.payloads(ledger, HostileRequests.TENANT.length() + ":" + HostileRequests.TENANT
                + "/after-the-storm")).hasSize(1);
        assertThat(eventCount()).isEqualTo(eventsNow + 1);
    }

    /**
     * The epoch in a path is the fencing token of a command: it is a decimal number, not any text a number parser
     * can make a number of. (The same reason the JSON body takes only JSON integers for it.)
     */
    @Test
    @Order(9)
    void anEpochInACommandPathIsOnlyADecimalNumber() {
        Calls http = new Calls(baseUrl);
        String tenant = HostileRequests.TENANT;
        Reply made = http.post("/v1/tenants/" + tenant + "/claims", null, Calls.claimBody("spelled-epoch", 16));
        assertThat(made.status()).as("%s", made).isEqualTo(201);

        List<String> accepted = new ArrayList<>();
        for (String spelling : List.of("0x10", "0X10", "%2310", "%2016", "16%20", "%EF%BC%91%EF%BC%96")) {
            Reply heartbeat = http.post("/v1/tenants/" + tenant + "/claims/spelled-epoch/epochs/" + spelling
                    + "/heartbeats", null);
            if (heartbeat.status() < 400) {
                accepted.add(spelling + " -> " + heartbeat.status());
            }
        }

        assertThat(accepted).as("epochs spelled other than in decimal that a heartbeat took").isEmpty();
        assertThat(Ledger.payloads(ledger, tenant.length() + ":" + tenant + "/spelled-epoch")).hasSize(1);
    }

    // === sending =====================================================================================================

    private Outcome send(Hostile request) {
        try {
            if (request.send() instanceof Client call) {
                HttpRequest built;
                try {
                    built = build(call);
                } catch (IllegalArgumentException refusedByHttpClient) {
                    return raw(request, asRaw(call));
                }
                HttpResponse<byte[]> response = client.send(built, HttpResponse.BodyHandlers.ofByteArray());
                return new Outcome(request, response.statusCode(),
                        response.headers().firstValue("Content-Type").orElse(null),
                        new String(response.body(), StandardCharsets.UTF_8), null);
            }
            return raw(request, ((Raw) request.send()).bytes());
        } catch (IOException e) {
            return new Outcome(request, 0, null, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(request, 0, null, null, e.toString());
        }
    }

    private HttpRequest build(Client call) {
        HttpRequest.BodyPublisher body = call.body() == null ? HttpRequest.BodyPublishers.noBody()
                : call.chunked() ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(call.body()))
                : HttpRequest.BodyPublishers.ofByteArray(call.body());
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + call.path()))
                .timeout(Duration.ofSeconds(20)).method(call.method(), body);
        call.headers().forEach(builder::header);
        return builder.build();
    }

    /** The same request as bytes, for what HttpClient refuses to send (a character it will not put in a URI). */
    private static byte[] asRaw(Client call) {
        StringBuilder headers = new StringBuilder("Host: 127.0.0.1\r\nConnection: close\r\n");
        call.headers().forEach((name, value) -> headers.append(name).append(": ").append(value).append("\r\n"));
        byte[] body = call.body() == null ? new byte[0] : call.body();
        if (call.body() != null) {
            headers.append("Content-Length: ").append(body.length).append("\r\n");
        }
        return RawHttp.request(call.method() + " " + call.path() + " HTTP/1.1", headers.toString(), body);
    }

    private Outcome raw(Hostile request, byte[] bytes) throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(port, bytes);
        return new Outcome(request, answer.status(), answer.contentType(), answer.body(), null);
    }

    // === checking ====================================================================================================

    private static boolean isUnsupportedProtocolAnswer(Outcome outcome) {
        return outcome.request().expect() == Expect.UNSUPPORTED_PROTOCOL
                && (outcome.status() == 501 || outcome.status() == 505);
    }

    private static String code(Outcome outcome) {
        try {
            JsonNode code = LedgerHttp.JSON.readTree(outcome.body()).get("code");
            return code == null ? null : code.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isProblem(Outcome outcome) {
        if (outcome.contentType() == null || !outcome.contentType().startsWith("application/problem+json")) {
            return false;
        }
        try {
            JsonNode problem = LedgerHttp.JSON.readTree(outcome.body());
            return problem.hasNonNull("code") && !problem.get("code").asText().isBlank()
                    && problem.path("status").asInt() == outcome.status();
        } catch (IOException e) {
            return false;
        }
    }

    private void assertNone(String broken, Predicate<Outcome> breaks) {
        List<Outcome> breaking = outcomes.stream().filter(breaks).toList();
        String report = breaking.stream().limit(SHOWN).map(Outcome::toString)
                .collect(Collectors.joining("\n  ", "\n  ", breaking.size() > SHOWN
                        ? "\n  ... and " + (breaking.size() - SHOWN) + " more" : ""));
        assertThat(breaking).as("%d of %d hostile requests got %s:%s", breaking.size(), outcomes.size(), broken,
                report).isEmpty();
    }

    private long eventCount() {
        Long count = new JdbcTemplate(ledger.getBean(DataSource.class))
                .queryForObject("select count(*) from domain_event_entry", Long.class);
        return count == null ? 0 : count;
    }

    /** What one hostile request got: a status (0 without an answer), or why nothing came. */
    record Outcome(Hostile request, int status, String contentType, String body, String failure) {

        @Override
        public String toString() {
            String answer = failure != null ? failure : "HTTP " + status + " " + contentType + " "
                    + (body == null ? "" : body.length() > 200 ? body.substring(0, 200) + "..." : body);
            return request + "  ->  " + answer.replaceAll("\\p{Cntrl}", "?");
        }
    }
}
