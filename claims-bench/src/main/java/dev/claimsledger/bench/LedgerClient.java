package dev.claimsledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The ledger's HTTP API, as a worker fleet calls it: one request per command.
 */
final class LedgerClient {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final ObjectMapper json = new ObjectMapper();
    private final String baseUrl;

    LedgerClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    record Answer(int status, JsonNode body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    Answer claim(String tenant, String consumer, long ttlMs) {
        String body = "{\"consumer_id\":\"" + consumer + "\",\"epoch\":1,\"entity_url\":\"https://bench.example/"
                + consumer + "\",\"stream_path\":\"/bench/" + consumer + "\",\"runner_id\":\"runner-"
                + Math.floorMod(consumer.hashCode(), 16) + "\",\"lease_ttl_ms\":" + ttlMs + "}";
        return post("/v1/tenants/" + tenant + "/claims", body);
    }

    Answer heartbeat(String tenant, String consumer) {
        return post("/v1/tenants/" + tenant + "/claims/" + encode(consumer) + "/epochs/1/heartbeats", null);
    }

    /** One request with a heartbeat for each of {@code consumers}, all at epoch 1. */
    Answer heartbeats(String tenant, List<String> consumers) {
        StringBuilder body = new StringBuilder("{\"heartbeats\":[");
        for (int i = 0; i < consumers.size(); i++) {
            body.append(i == 0 ? "" : ",").append("{\"consumer_id\":\"").append(consumers.get(i))
                    .append("\",\"epoch\":1}");
        }
        return post("/v1/tenants/" + tenant + "/heartbeats", body.append("]}").toString());
    }

    Answer startRebuild() {
        return post("/v1/admin/projections/consumer-claims/rebuild", null);
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    long heapUsedBytes() {
        return metric("/actuator/metrics/jvm.memory.used?tag=area:heap");
    }

    /** The old generation in use: what survives young collections; a leak shows as growth here that never stops. */
    long oldGenerationUsedBytes() {
        return metric("/actuator/metrics/jvm.memory.used?tag=area:heap&tag=id:G1%20Old%20Gen");
    }

    private long metric(String path) {
        Answer answer = get(path);
        return answer.ok() ? answer.body().path("measurements").path(0).path("value").asLong() : -1;
    }

    boolean ready() {
        return get("/actuator/health/readiness").ok();
    }

    private Answer post(String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(request);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = response.body().length == 0 ? json.nullNode() : json.readTree(response.body());
            return new Answer(response.statusCode(), body);
        } catch (IOException e) {
            return new Answer(-1, json.nullNode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, json.nullNode());
        }
    }

    static Instant instant(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : Instant.parse(node.asText());
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
