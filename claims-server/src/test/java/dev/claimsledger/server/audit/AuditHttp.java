package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Real HTTP calls to a running ledger for the audit, history and rebuild tests, read as Jackson trees so the tests see
 * what a caller sees on the wire. (The claims API tests have their own client, package-private to their package.)
 */
final class AuditHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    AuditHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** A POST with no body. */
    Reply post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A POST of {@code body} written as JSON. */
    Reply post(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body + " as JSON", e);
        }
    }

    /** A POST that must succeed with {@code status}; returns the answer. */
    Reply postExpecting(int status, String path, Object body) {
        Reply reply = body == null ? post(path) : post(path, body);
        assertThat(reply.status()).as("POST %s answered %s", path, reply).isEqualTo(status);
        return reply;
    }

    private URI uri(String path) {
        // a Location header is a path of this server
        return URI.create(baseUrl + "/").resolve(path);
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

    // --- paths (the ids the tests use are plain: letters, digits, '-') --------------------------------------------

    static String claims(String tenant) {
        return "/v1/tenants/" + tenant + "/claims";
    }

    static String claim(String tenant, String consumer, long epoch) {
        return claims(tenant) + "/" + consumer + "/epochs/" + epoch;
    }

    static String heartbeats(String tenant, String consumer, long epoch) {
        return claim(tenant, consumer, epoch) + "/heartbeats";
    }

    static String release(String tenant, String consumer, long epoch) {
        return claim(tenant, consumer, epoch) + "/release";
    }

    static String history(String tenant, String consumer) {
        return claims(tenant) + "/" + consumer + "/history";
    }

    static String epochHistory(String tenant, String consumer, long epoch) {
        return claim(tenant, consumer, epoch) + "/history";
    }

    static final String AUDIT = "/v1/admin/audit";
    static final String REBUILD = "/v1/admin/projections/consumer-claims/rebuild";

    /** {@code path?name=value&...}, leaving out parameters whose value is null. */
    static String withQuery(String path, Object... namesAndValues) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            parameters.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        String query = parameters.entrySet().stream().filter(entry -> entry.getValue() != null)
                .map(entry -> entry.getKey() + "=" + URLEncoder.encode(String.valueOf(entry.getValue()),
                        StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return query.isEmpty() ? path : path + "?" + query;
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

        /** Asserts an RFC 9457 problem with the given status and stable code. */
        void assertProblem(int expectedStatus, String code) {
            assertThat(status).as("%s", this).isEqualTo(expectedStatus);
            assertThat(contentType).as("%s", this).startsWith("application/problem+json");
            assertThat(json().path("code").asText()).as("%s", this).isEqualTo(code);
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + contentType + " " + body;
        }
    }
}
