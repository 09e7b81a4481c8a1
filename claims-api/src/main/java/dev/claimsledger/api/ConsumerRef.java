package dev.claimsledger.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One consumer of one tenant: the unit that owns a single ordered stream of claims.
 */
public record ConsumerRef(String tenantId, String consumerId) {

    public ConsumerRef {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(consumerId, "consumerId");
    }

    /**
     * The aggregate identifier of this consumer's stream. Both parts are URL-encoded before they are joined, so the
     * mapping is one-to-one whatever characters the ids contain and stays readable in the event store.
     */
    public String streamId() {
        return streamId(tenantId, consumerId);
    }

    public static String streamId(String tenantId, String consumerId) {
        return URLEncoder.encode(tenantId, StandardCharsets.UTF_8) + "/" + URLEncoder.encode(consumerId, StandardCharsets.UTF_8);
    }
}
