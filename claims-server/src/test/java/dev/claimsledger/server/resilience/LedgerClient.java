package dev.claimsledger.server.resilience;

import static dev.claimsledger.server.support.LedgerHttp.claims;
import static dev.claimsledger.server.support.LedgerHttp.heartbeats;
import static dev.claimsledger.server.support.LedgerHttp.query;
import static dev.claimsledger.server.support.LedgerHttp.withQuery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.claimsledger.api.ConsumerRef;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.LedgerHttp.Reply;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A client of one ledger node's claims API that never throws for a failed call: a request the node did not answer
 * (refused, reset, killed mid-request) is an {@link Answer} with status {@link #NO_ANSWER}, whose outcome is unknown.
 * HTTP/1.1 only, 2 s to connect, 20 s for an answer.
 */
final class LedgerClient {

    static final int NO_ANSWER = -1;

    private final LedgerHttp http;

    LedgerClient(String baseUrl) {
        http = new LedgerHttp(baseUrl, HttpClient.Version.HTTP_1_1, Duration.ofSeconds(2), Duration.ofSeconds(20));
    }

    String baseUrl() {
        return http.baseUrl();
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
        return call(claims(tenant), LedgerHttp.postJson(LedgerHttp.write(body)));
    }

    /** {@code POST .../epochs/{epoch}/heartbeats}. */
    Answer heartbeat(String tenant, String consumer, long epoch) {
        return call(heartbeats(tenant, consumer, epoch), LedgerHttp::postNothing);
    }

    /** {@code POST .../epochs/{epoch}/release}, acknowledging one stream offset. */
    Answer release(String tenant, String consumer, long epoch) {
        return call(LedgerHttp.release(tenant, consumer, epoch), LedgerHttp.postJson(LedgerHttp.write(Map.of(
                "acked_streams", List.of(Map.of("path", "/streams/" + consumer, "offset", String.valueOf(epoch)))))));
    }

    /**
     * {@code POST /v1/tenants/{tenant}/heartbeats} for {@code epochs} (consumer to epoch): the batch's answer, and one
     * answer per heartbeat in the batch's order, made of the batch's status line and the item's own status and claim
     * (or error), so that each can be judged like a single heartbeat's answer.
     */
    BatchAnswer heartbeatBatch(String tenant, Map<String, Long> epochs) {
        List<Map<String, Object>> items = epochs.entrySet().stream()
                .<Map<String, Object>>map(entry -> Map.of("consumer_id", entry.getKey(), "epoch", entry.getValue()))
                .toList();
        Answer batch = call(LedgerHttp.heartbeatBatch(tenant),
                LedgerHttp.postJson(LedgerHttp.write(Map.of("heartbeats", items))));
        List<Answer> each = new ArrayList<>();
        if (batch.status() == 200) {
            for (JsonNode result : batch.json().path("results")) {
                JsonNode body = result.has("claim") ? result.get("claim") : result.path("error");
                each.add(new Answer(new Reply(result.path("status").asInt(), batch.reply().headers(),
                        body.toString()), null, batch.sent(), batch.received()));
            }
        } else {
            epochs.forEach((consumer, epoch) -> each.add(batch));
        }
        return new BatchAnswer(batch, each);
    }

    /** A batch's answer, and each heartbeat's. */
    record BatchAnswer(Answer batch, List<Answer> each) {
    }

    /**
     * Every event of one consumer's stream, through {@code GET .../claims/{consumer}/history}: what the ledger stored,
     * read through a running server (the embedded database's file is the server's alone while it runs).
     */
    List<StoredLedger.Event> history(String tenant, String consumer) {
        List<StoredLedger.Event> events = new ArrayList<>();
        String after = null;
        do {
            Answer page = call(withQuery(LedgerHttp.history(tenant, consumer), query("limit", 1000,
                    "after_sequence", after)), HttpRequest.Builder::GET);
            if (page.status() == 404 && events.isEmpty()) {
                return events;
            }
            if (page.status() != 200) {
                throw new IllegalStateException("history of " + consumer + " via " + baseUrl() + ": " + page);
            }
            for (JsonNode event : page.json().path("events")) {
                events.add(new StoredLedger.Event(event.path("position").asLong(),
                        ConsumerRef.streamId(tenant, consumer), event.path("sequence").asLong(),
                        event.path("type").asText(), event.path("payload")));
            }
            after = page.text("next_after_sequence");
        } while (after != null);
        return events;
    }

    /** A GET of any path of the node, such as a claim or a health probe. */
    Answer get(String path) {
        return call(path, HttpRequest.Builder::GET);
    }

    /** {@code GET /v1/admin/audit} of the running server. */
    Answer audit() {
        return call(LedgerHttp.AUDIT, HttpRequest.Builder::GET);
    }

    /** {@code GET /v1/tenants/{tenant}/claims?limit=&cursor=}. */
    Answer claimsPage(String tenant, int limit, String cursor) {
        return call(withQuery(claims(tenant), query("limit", limit, "cursor", cursor)), HttpRequest.Builder::GET);
    }

    private Answer call(String path, UnaryOperator<HttpRequest.Builder> shape) {
        Instant sent = Instant.now();
        try {
            return new Answer(http.exchange(path, shape), null, sent, Instant.now());
        } catch (IOException e) {
            return new Answer(null, e.toString(), sent, Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(null, "interrupted", sent, Instant.now());
        }
    }

    /** One call's reply, or none ({@link #NO_ANSWER}) with why. */
    record Answer(Reply reply, String failure, Instant sent, Instant received) {

        int status() {
            return answered() ? reply.status() : NO_ANSWER;
        }

        boolean answered() {
            return reply != null;
        }

        boolean success() {
            return status() >= 200 && status() < 300;
        }

        /** The body as JSON; a missing node when there is no body. */
        JsonNode json() {
            return answered() ? reply.json() : MissingNode.getInstance();
        }

        /** The problem's {@code code} of an error answer. */
        String code() {
            return json().path("code").asText(null);
        }

        String text(String field) {
            return answered() ? reply.text(field) : null;
        }

        Instant instant(String field) {
            return answered() ? reply.instant(field) : null;
        }

        /** The field as a number, 0 when it is missing. */
        long number(String field) {
            return json().path(field).asLong();
        }

        @Override
        public String toString() {
            return answered() ? "HTTP " + status() + " " + reply.body() : "no answer (" + failure + ")";
        }
    }
}
