package dev.claimsledger.server.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Real HTTP calls to a running ledger through {@link HttpClient}: any method, path, headers and body, with or without
 * an API key. Paths are sent exactly as written, percent-escapes included.
 */
final class Calls {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    Calls(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A GET, with {@code Authorization: Bearer key} unless the key is null. */
    Answer get(String path, String key) {
        return send(request(path, key).GET());
    }

    /** A POST of {@code body} written as JSON, with {@code Authorization: Bearer key} unless the key is null. */
    Answer post(String path, String key, Object body) {
        return send(request(path, key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body), StandardCharsets.UTF_8)));
    }

    /** A POST without a body. */
    Answer post(String path, String key) {
        return send(request(path, key).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A GET with an {@code Authorization} header exactly as given. */
    Answer getWithAuthorization(String path, String authorization) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", authorization).GET());
    }

    /** Any request: the builder's URI is this ledger's base URL and {@code path}. */
    Answer send(String path, java.util.function.UnaryOperator<HttpRequest.Builder> shape) {
        return send(shape.apply(HttpRequest.newBuilder(uri(path))));
    }

    private HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path));
        return key == null ? builder : builder.header("Authorization", "Bearer " + key);
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the ledger", e);
        }
    }

    static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body + " as JSON", e);
        }
    }

    static Map<String, Object> claimBody(String consumer, long epoch) {
        return Map.of("consumer_id", consumer, "epoch", epoch, "entity_url", "https://example.test/orders/" + consumer,
                "stream_path", "/orders/" + consumer + "/events", "runner_id", "runner-1", "lease_ttl_ms", 60_000);
    }

    /** One HTTP answer. */
    record Answer(int status, HttpHeaders headers, String body) {

        String contentType() {
            return headers.firstValue("Content-Type").orElse(null);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("the answer (HTTP " + status + ") is not JSON: " + body, e);
            }
        }

        /** The problem's {@code code}, or null when the answer has none. */
        String code() {
            try {
                JsonNode code = JSON.readTree(body).get("code");
                return code == null || code.isNull() ? null : code.asText();
            } catch (JsonProcessingException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            String text = body.length() > 300 ? body.substring(0, 300) + "..." : body;
            return "HTTP " + status + " " + contentType() + " " + text;
        }
    }
}
