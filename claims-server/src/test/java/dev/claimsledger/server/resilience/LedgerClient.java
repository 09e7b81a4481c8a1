package dev.claimsledger.server.resilience;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client of one ledger node's claims API that never throws for a failed call: a request the node did not answer
 * (refused, reset, killed mid-request) is an {@link Answer} with status {@link #NO_ANSWER}, whose outcome is unknown.
 * ({@code http.LedgerHttp} is package-private to its tests, so these tests carry their own small client.)
 */
final class LedgerClient {

    static final int NO_ANSWER = -1;
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final String baseUrl;

    LedgerClient(String baseUrl) {
        this.baseUrl = baseUrl;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    String baseUrl() {
        return baseUrl;
    }

    /** {@code POST /v1/tenants/{tenant}/claims}. */
    Answer claim(String tenant, String consumer, long epoch, long ttlMillis, String policy) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("consumer_id", consumer);
        body.put("epoch", epoch);
        body.put("entity_url", "https://example.test/" + consumer + "/" + epoch);
        body.put("stream_path", "/streams/" + consumer);
        body.put("runner_id", "runner-" + consumer);
        body.put("lease_ttl_ms", ttlMillis);
        body.put("lease_policy", policy);
        return post("/v1/tenants/" + tenant + "/claims", write(body));
    }

    /** {@code POST .../epochs/{epoch}/heartbeats}. */
    Answer heartbeat(String tenant, String consumer, long epoch) {
        return post(claimPath(tenant, consumer, epoch) + "/heartbeats", null);
    }

    /** {@code POST .../epochs/{epoch}/release}, acknowledging one stream offset. */
    Answer release(String tenant, String consumer, long epoch) {
        return post(claimPath(tenant, consumer, epoch) + "/release", write(Map.of("acked_streams",
                List.of(Map.of("path", "/streams/" + consumer, "offset", String.valueOf(epoch))))));
    }

    /** {@code GET /v1/tenants/{tenant}/claims?limit=&cursor=}. */
    Answer claimsPage(String tenant, int limit, String cursor) {
        return get("/v1/tenants/" + tenant + "/claims?limit=" + limit
                + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
    }

    private static String claimPath(String tenant, String consumer, long epoch) {
        return "/v1/tenants/" + tenant + "/claims/" + consumer + "/epochs/" + epoch;
    }

    private Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    private Answer post(String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path));
        if (json == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        return send(request);
    }

    private Answer send(HttpRequest.Builder request) {
        Instant sent = Instant.now();
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body(), null, sent, Instant.now());
        } catch (IOException e) {
            return new Answer(NO_ANSWER, null, e.toString(), sent, Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(NO_ANSWER, null, "interrupted", sent, Instant.now());
        }
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** One call's answer, or {@link #NO_ANSWER} with why. */
    record Answer(int status, String body, String failure, Instant sent, Instant received) {

        boolean answered() {
            return status != NO_ANSWER;
        }

        boolean success() {
            return status >= 200 && status < 300;
        }

        JsonNode json() {
            if (body == null || body.isEmpty()) {
                return MissingNode.getInstance();
            }
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("the answer (HTTP " + status + ") is not JSON: " + body, e);
            }
        }

        /** The problem's {@code code} of an error answer. */
        String code() {
            return json().path("code").asText(null);
        }

        String text(String field) {
            JsonNode value = json().get(field);
            return value == null || value.isNull() ? null : value.asText();
        }

        Instant instant(String field) {
            String value = text(field);
            return value == null ? null : Instant.parse(value);
        }

        long number(String field) {
            return json().path(field).asLong();
        }

        @Override
        public String toString() {
            return answered() ? "HTTP " + status + " " + body : "no answer (" + failure + ")";
        }
    }
}
