package dev.claimsledger.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A small client for the HTTP API of a running ledger: real HTTP through {@link HttpClient}, JSON read with Jackson 2
 * into trees, so the tests see exactly what a caller sees on the wire. Paths are sent as written, percent-escapes
 * included; the path builders below encode ids as path segments.
 *
 * <p>One made by {@link #heldToTheServedDocument} also checks every exchange against the OpenAPI document the ledger
 * serves, and fails the call that breaks it. That is a choice of each test class: tests that send hostile requests on
 * purpose use a plain one.
 */
public final class LedgerHttp {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final String baseUrl;
    private final Duration requestTimeout;
    private final OpenApiContract contract;

    /** HttpClient's default protocol (HTTP/2 where the server upgrades), 5 s to connect, 30 s for an answer. */
    public LedgerHttp(String baseUrl) {
        this(baseUrl, HttpClient.Version.HTTP_2, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    public LedgerHttp(String baseUrl, HttpClient.Version version, Duration connectTimeout, Duration requestTimeout) {
        this(baseUrl, version, connectTimeout, requestTimeout, null);
    }

    private LedgerHttp(String baseUrl, HttpClient.Version version, Duration connectTimeout, Duration requestTimeout,
                       OpenApiContract contract) {
        this.client = HttpClient.newBuilder().version(version).connectTimeout(connectTimeout).build();
        this.baseUrl = baseUrl;
        this.requestTimeout = requestTimeout;
        this.contract = contract;
    }

    /**
     * A client whose every exchange must keep the OpenAPI document the ledger at {@code baseUrl} serves (see
     * {@link OpenApiContract}): an answer the document does not declare, or a request it refuses that the ledger
     * accepted, fails the call with an {@link AssertionError}.
     */
    public static LedgerHttp heldToTheServedDocument(String baseUrl) {
        return new LedgerHttp(baseUrl, HttpClient.Version.HTTP_2, Duration.ofSeconds(5), Duration.ofSeconds(30),
                OpenApiContract.servedBy(baseUrl));
    }

    /** The exchanges that broke the served document since the last call; none for a client not held to it. */
    public List<String> takeContractViolations() {
        return contract == null ? List.of() : contract.takeViolations();
    }

    public String baseUrl() {
        return baseUrl;
    }

    public Reply get(String path) {
        return send(path, HttpRequest.Builder::GET);
    }

    /** A POST with no body at all. */
    public Reply post(String path) {
        return send(path, LedgerHttp::postNothing);
    }

    /** A POST of {@code body} exactly as given, as {@code application/json}; for bodies that are not valid JSON. */
    public Reply postRaw(String path, String body) {
        return send(path, postJson(body));
    }

    /** A POST of {@code body} written as JSON. */
    public Reply post(String path, Object body) {
        return postRaw(path, write(body));
    }

    /** A POST (of {@code body} as JSON, or of nothing when it is null) that must be answered with {@code status}. */
    public Reply postExpecting(int status, String path, Object body) {
        Reply reply = body == null ? post(path) : post(path, body);
        assertThat(reply.status()).as("POST %s answered %s", path, reply).isEqualTo(status);
        return reply;
    }

    /** Claims epoch 1 of {@code consumer} with a 10-minute lease, then records {@code heartbeats} in one batch. */
    public void claimWithHeartbeats(String tenant, String consumer, int heartbeats) {
        postExpecting(201, claims(tenant), Map.of("consumer_id", consumer, "epoch", 1,
                "entity_url", "https://example.test/" + consumer, "stream_path", "/streams/" + consumer,
                "lease_ttl_ms", 600_000));
        postExpecting(200, heartbeatBatch(tenant), Map.of("heartbeats",
                Collections.nCopies(heartbeats, Map.of("consumer_id", consumer, "epoch", 1))));
    }

    /** Any request: {@code shape} gets a builder for {@code path} of this ledger and sets method, headers and body. */
    public Reply send(String path, UnaryOperator<HttpRequest.Builder> shape) {
        try {
            return exchange(path, shape);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the ledger", e);
        }
    }

    /** {@link #send}, for callers that record a call that got no answer rather than fail on it. */
    public Reply exchange(String path, UnaryOperator<HttpRequest.Builder> shape)
            throws IOException, InterruptedException {
        HttpRequest request = shape.apply(HttpRequest.newBuilder(uri(path))).timeout(requestTimeout).build();
        HttpResponse<String> response = client.send(request,
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        Reply reply = new Reply(response.statusCode(), response.headers(), response.body());
        if (contract != null) {
            contract.check(request, reply);
        }
        return reply;
    }

    /** A path of this ledger as written; anything else (an absolute URI in a Location header) resolved against it. */
    private URI uri(String path) {
        return path.startsWith("/") ? URI.create(baseUrl + path) : URI.create(baseUrl + "/").resolve(path);
    }

    // --- request shapes ---------------------------------------------------------------------------------------------

    /** A POST without a body. */
    public static HttpRequest.Builder postNothing(HttpRequest.Builder request) {
        return request.POST(HttpRequest.BodyPublishers.noBody());
    }

    /** A POST of {@code json} exactly as given, as {@code application/json}. */
    public static UnaryOperator<HttpRequest.Builder> postJson(String json) {
        return request -> request.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    }

    public static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body + " as JSON", e);
        }
    }

    // --- paths ------------------------------------------------------------------------------------------------------

    public static final String AUDIT = "/v1/admin/audit";
    public static final String REBUILD = "/v1/admin/projections/consumer-claims/rebuild";

    public static String claims(String tenant) {
        return "/v1/tenants/" + segment(tenant) + "/claims";
    }

    public static String claim(String tenant, String consumer, long epoch) {
        return claims(tenant) + "/" + segment(consumer) + "/epochs/" + epoch;
    }

    public static String heartbeats(String tenant, String consumer, long epoch) {
        return claim(tenant, consumer, epoch) + "/heartbeats";
    }

    /** Where a batch of a tenant's heartbeats is posted. */
    public static String heartbeatBatch(String tenant) {
        return "/v1/tenants/" + segment(tenant) + "/heartbeats";
    }

    public static String release(String tenant, String consumer, long epoch) {
        return claim(tenant, consumer, epoch) + "/release";
    }

    public static String history(String tenant, String consumer) {
        return claims(tenant) + "/" + segment(consumer) + "/history";
    }

    public static String epochHistory(String tenant, String consumer, long epoch) {
        return claim(tenant, consumer, epoch) + "/history";
    }

    public static String runnerHealth(String tenant, String runner) {
        return "/v1/tenants/" + segment(tenant) + "/runners/" + segment(runner) + "/health";
    }

    /** {@code path?name=value&...}, leaving out parameters whose value is null. */
    public static String withQuery(String path, Map<String, ?> parameters) {
        String query = parameters.entrySet().stream().filter(entry -> entry.getValue() != null)
                .map(entry -> entry.getKey() + "=" + URLEncoder.encode(String.valueOf(entry.getValue()),
                        StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return query.isEmpty() ? path : path + "?" + query;
    }

    /** {@code withQuery(path, query(namesAndValues))}. */
    public static String withQuery(String path, Object... namesAndValues) {
        return withQuery(path, query(namesAndValues));
    }

    public static Map<String, Object> query(Object... namesAndValues) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            parameters.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return parameters;
    }

    /** {@code id} as one path segment: every byte of its UTF-8 but letters, digits and {@code -._~} percent-encoded. */
    public static String segment(String id) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean unreserved = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || "-._~".indexOf(c) >= 0;
            if (unreserved) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", (int) c));
            }
        }
        return encoded.toString();
    }

    /** One HTTP answer. */
    public record Reply(int status, HttpHeaders headers, String body) {

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String contentType() {
            return header("Content-Type");
        }

        public String location() {
            return header("Location");
        }

        /** The body as a JSON tree; a missing node for an empty body. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("the answer (HTTP " + status + ") is not JSON: " + body, e);
            }
        }

        public String text(String field) {
            JsonNode value = json().get(field);
            return value == null || value.isNull() ? null : value.asText();
        }

        public Instant instant(String field) {
            String value = text(field);
            return value == null ? null : Instant.parse(value);
        }

        public long number(String field) {
            JsonNode value = json().get(field);
            if (value == null || !value.isNumber()) {
                throw new AssertionError("field " + field + " is not a number in " + body);
            }
            return value.asLong();
        }

        /** The problem's {@code code}, or null when the answer has none (or is not JSON). */
        public String code() {
            try {
                JsonNode code = JSON.readTree(body).get("code");
                return code == null || code.isNull() ? null : code.asText();
            } catch (JsonProcessingException e) {
                return null;
            }
        }

        /** Asserts an RFC 9457 problem with the given status and stable code. */
        public void assertProblem(int expectedStatus, String code) {
            assertThat(status).as("%s", this).isEqualTo(expectedStatus);
            assertThat(contentType()).as("%s", this).startsWith("application/problem+json");
            assertThat(json().path("code").asText()).as("%s", this).isEqualTo(code);
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + contentType() + " " + body;
        }
    }
}
