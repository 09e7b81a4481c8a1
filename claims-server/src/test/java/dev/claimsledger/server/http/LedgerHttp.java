package dev.claimsledger.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A small client for the claims HTTP API of a running ledger: real HTTP through {@link HttpClient}, JSON read with
 * Jackson 2 into trees, so the tests see exactly what a caller sees on the wire.
 */
final class LedgerHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    LedgerHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    String baseUrl() {
        return baseUrl;
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** A POST with no body at all. */
    Reply post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A POST of {@code body} exactly as given, as {@code application/json}; for bodies that are not valid JSON. */
    Reply postRaw(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** A POST of {@code body} written as JSON. */
    Reply post(String path, Object body) {
        return postRaw(path, write(body));
    }

    static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body + " as JSON", e);
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.headers().firstValue("Location").orElse(null), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the ledger", e);
        }
    }

    // --- paths ------------------------------------------------------------------------------------------------------

    static String claims(String tenant) {
        return "/v1/tenants/" + segment(tenant) + "/claims";
    }

    static String claim(String tenant, String consumer, long epoch) {
        return claims(tenant) + "/" + segment(consumer) + "/epochs/" + epoch;
    }

    static String heartbeats(String tenant, String consumer, long epoch) {
        return claim(tenant, consumer, epoch) + "/heartbeats";
    }

    static String release(String tenant, String consumer, long epoch) {
        return claim(tenant, consumer, epoch) + "/release";
    }

    static String runnerHealth(String tenant, String runner) {
        return "/v1/tenants/" + segment(tenant) + "/runners/" + segment(runner) + "/health";
    }

    /** {@code path?name=value&...}, leaving out parameters whose value is null. */
    static String withQuery(String path, Map<String, ?> parameters) {
        String query = parameters.entrySet().stream().filter(entry -> entry.getValue() != null)
                .map(entry -> entry.getKey() + "=" + URLEncoder.encode(String.valueOf(entry.getValue()),
                        StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return query.isEmpty() ? path : path + "?" + query;
    }

    static Map<String, Object> query(Object... namesAndValues) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            parameters.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return parameters;
    }

    /** The ids the tests use are plain (letters, digits, '-', '.'), so they go into a path as they are. */
    private static String segment(String id) {
        if (!id.matches("[A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("the test client only takes plain ids, not " + id);
        }
        return id;
    }

    /** One HTTP answer. */
    record Reply(int status, String contentType, String location, String body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("the answer (HTTP " + status + ") is not JSON: " + body, e);
            }
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
            JsonNode value = json().get(field);
            if (value == null || !value.isNumber()) {
                throw new AssertionError("field " + field + " is not a number in " + body);
            }
            return value.asLong();
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + contentType + " " + body;
        }
    }
}
