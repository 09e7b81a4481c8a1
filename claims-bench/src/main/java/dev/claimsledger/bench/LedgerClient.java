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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * The ledger's HTTP API, as a worker fleet calls it: one request per command, with the run's API key.
 */
final class LedgerClient {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final ObjectMapper json = new ObjectMapper();
    private final String baseUrl;
    private final String authorization;

    LedgerClient(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl;
        this.authorization = "Bearer " + apiKey;
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

    Answer release(String tenant, String consumer) {
        return post("/v1/tenants/" + tenant + "/claims/" + encode(consumer) + "/epochs/1/release", null);
    }

    /**
     * Makes {@code count} claims at epoch 1, {@code prefix + index} for index from {@code first}, from
     * {@code clients} threads; the lease TTL of each is asked for when it is sent (so it can aim at an instant).
     */
    Load.Result claimAll(int clients, String tenant, String prefix, long first, long count, LongUnaryOperator ttlMs) {
        return claimAll(clients, tenant, prefix, first, count, ttlMs, Duration.ofHours(1));
    }

    /** As above, but stops making claims after {@code limit}. */
    Load.Result claimAll(int clients, String tenant, String prefix, long first, long count, LongUnaryOperator ttlMs,
                         Duration limit) {
        AtomicLong next = new AtomicLong(first);
        return Load.run(clients, limit, 0, (client, iteration) -> {
            long index = next.getAndIncrement();
            if (index >= first + count) {
                throw new Load.Stop();
            }
            int status = claim(tenant, prefix + index, ttlMs.applyAsLong(index)).status();
            return status == 201 || status == 200;
        });
    }

    Answer startCompaction() {
        return post("/v1/admin/compactions", null);
    }

    Answer startRebuild() {
        return post("/v1/admin/projections/consumer-claims/rebuild", null);
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", authorization).GET());
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

    private Answer post(String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .header("Authorization", authorization)
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

    static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
