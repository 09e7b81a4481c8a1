package dev.claimsledger.server.security;

import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Calls to a running ledger with or without an API key, over HTTP/1.1 only, on {@link LedgerHttp}: paths are sent
 * exactly as written, percent-escapes included, and {@link #send} gives full control over a request.
 */
final class Calls {

    private final LedgerHttp http;

    Calls(String baseUrl) {
        http = new LedgerHttp(baseUrl, HttpClient.Version.HTTP_1_1, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    /** A GET, with {@code Authorization: Bearer key} unless the key is null. */
    Reply get(String path, String key) {
        return http.send(path, request -> bearer(request, key).GET());
    }

    /** A POST of {@code body} written as JSON, with {@code Authorization: Bearer key} unless the key is null. */
    Reply post(String path, String key, Object body) {
        return http.send(path, request -> LedgerHttp.postJson(LedgerHttp.write(body)).apply(bearer(request, key)));
    }

    /** A POST without a body. */
    Reply post(String path, String key) {
        return http.send(path, request -> LedgerHttp.postNothing(bearer(request, key)));
    }

    /** A GET with an {@code Authorization} header exactly as given. */
    Reply getWithAuthorization(String path, String authorization) {
        return http.send(path, request -> request.header("Authorization", authorization).GET());
    }

    /** Any request: the builder's URI is this ledger's base URL and {@code path}. */
    Reply send(String path, UnaryOperator<HttpRequest.Builder> shape) {
        return http.send(path, shape);
    }

    private static HttpRequest.Builder bearer(HttpRequest.Builder request, String key) {
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }

    static Map<String, Object> claimBody(String consumer, long epoch) {
        return Map.of("consumer_id", consumer, "epoch", epoch, "entity_url", "https://example.test/orders/" + consumer,
                "stream_path", "/orders/" + consumer + "/events", "runner_id", "runner-1", "lease_ttl_ms", 60_000);
    }
}
