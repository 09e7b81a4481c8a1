package dev.claimsledger.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The ledger's HTTP API as this client speaks it (README, "The HTTP API"): the requests it makes and what it reads
 * from the answers. JSON in snake_case, read as trees, so that fields the ledger adds later are simply ignored.
 */
final class LedgerWire {

    static final int MAX_BATCH_SIZE = 1000;
    static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
    private static final byte[] BATCH_START = "{\"heartbeats\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BATCH_END = "]}".getBytes(StandardCharsets.UTF_8);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String authorization;

    /** {@code apiKey} may be null: a ledger in open mode (loopback, no keys file) takes calls without one. */
    LedgerWire(URI baseUrl, String apiKey) {
        String url = baseUrl.toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = apiKey == null ? null : "Bearer " + apiKey;
    }

    HttpRequest claim(String tenant, ClaimRequest request, Duration ttl, Duration timeout) {
        ObjectNode body = JSON.createObjectNode()
                .put("consumer_id", request.consumerId())
                .put("epoch", request.epoch())
                .put("entity_url", request.entityUrl())
                .put("stream_path", request.streamPath())
                .put("lease_ttl_ms", ttl.toMillis());
        if (request.wakeId() != null) {
            body.put("wake_id", request.wakeId());
        }
        if (request.runnerId() != null) {
            body.put("runner_id", request.runnerId());
        }
        if (request.leasePolicy() != null) {
            body.put("lease_policy", request.leasePolicy().wireName());
        }
        return post("/v1/tenants/" + segment(tenant) + "/claims", bytes(body), timeout);
    }

    /** One heartbeat as an element of a batch, written once per claim. */
    static byte[] heartbeatItem(String consumerId, long epoch) {
        return bytes(JSON.createObjectNode().put("consumer_id", consumerId).put("epoch", epoch));
    }

    /** How many bytes a batch of heartbeat items takes, items aside. */
    static int batchOverhead() {
        return BATCH_START.length + BATCH_END.length;
    }

    HttpRequest heartbeats(String tenant, List<byte[]> items, Duration timeout) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(BATCH_START);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                body.write(',');
            }
            body.writeBytes(items.get(i));
        }
        body.writeBytes(BATCH_END);
        return post("/v1/tenants/" + segment(tenant) + "/heartbeats", body.toByteArray(), timeout);
    }

    HttpRequest release(String tenant, String consumerId, long epoch, List<AckedStream> ackedStreams,
                        Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode acked = body.putArray("acked_streams");
        ackedStreams.forEach(stream -> acked.addObject().put("path", stream.path()).put("offset", stream.offset()));
        return post("/v1/tenants/" + segment(tenant) + "/claims/" + segment(consumerId) + "/epochs/" + epoch
                + "/release", bytes(body), timeout);
    }

    /** A claim as the ledger answered it, reduced to what the client keeps. */
    static ClaimAnswer claimAnswer(byte[] body) {
        return ClaimAnswer.of(tree(body));
    }

    /** The results of a heartbeat batch, in the request's order. */
    static List<BatchResult> batchResults(byte[] body) {
        JsonNode results = tree(body).path("results");
        if (!results.isArray()) {
            throw new IllegalArgumentException("a heartbeat batch's answer has no results array");
        }
        List<BatchResult> parsed = new ArrayList<>(results.size());
        for (JsonNode result : results) {
            JsonNode error = result.path("error");
            parsed.add(new BatchResult(result.path("consumer_id").asText(), result.path("epoch").asLong(-1),
                    result.path("status").asInt(), result.hasNonNull("claim") ? ClaimAnswer.of(result.get("claim")) : null,
                    error.path("code").asText(null), error.path("detail").asText(null)));
        }
        return parsed;
    }

    /** The stable code and detail of an RFC 9457 problem; {@code unknown} and the body when it is not one. */
    static Problem problem(int status, byte[] body) {
        try {
            JsonNode problem = JSON.readTree(body);
            if (problem != null && problem.hasNonNull("code")) {
                return new Problem(problem.get("code").asText(), problem.path("detail").asText(""));
            }
        } catch (IOException e) {
            // not JSON: a proxy's page, say
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return new Problem("unknown", "HTTP " + status + (text.isBlank() ? "" : ": " + abbreviate(text)));
    }

    /** {@code id} as one path segment: every byte of its UTF-8 but letters, digits and {@code -._~} percent-encoded. */
    static String segment(String id) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || "-._~".indexOf(c) >= 0;
            if (unreserved) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    private HttpRequest post(String path, byte[] body, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private static JsonNode tree(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the ledger's answer is not JSON: "
                    + abbreviate(new String(body, StandardCharsets.UTF_8)), e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /**
     * A claim as the ledger answered it: its {@code status}, the lease's end on the ledger's clock, and how much of
     * the lease was left when the answer was made.
     */
    record ClaimAnswer(String status, Instant leaseExpiresAt, Duration leaseRemaining) {

        static ClaimAnswer of(JsonNode claim) {
            String expires = claim.path("lease_expires_at").asText(null);
            JsonNode remaining = claim.path("lease_remaining_ms");
            if (expires == null || !remaining.canConvertToLong()) {
                throw new IllegalArgumentException("a claim in the ledger's answer lacks lease_expires_at or"
                        + " lease_remaining_ms: " + abbreviate(claim.toString()));
            }
            try {
                return new ClaimAnswer(claim.path("status").asText(), Instant.parse(expires),
                        Duration.ofMillis(remaining.asLong()));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("a claim in the ledger's answer has an unreadable lease_expires_at: "
                        + expires, e);
            }
        }

        boolean active() {
            return "active".equals(status);
        }
    }

    /** One heartbeat's result in a batch: {@code claim} for a 2xx, {@code code} and {@code detail} otherwise. */
    record BatchResult(String consumerId, long epoch, int status, ClaimAnswer claim, String code, String detail) {
    }

    record Problem(String code, String detail) {
    }
}
