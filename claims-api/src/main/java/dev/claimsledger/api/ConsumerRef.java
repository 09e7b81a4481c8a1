package dev.claimsledger.api;

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
     * The aggregate identifier of this consumer's stream: {@code <length of tenant_id>:<tenant_id>/<consumer_id>},
     * for example {@code 4:acme/worker-1}. The length prefix makes the mapping one-to-one whatever characters the
     * ids contain, and the ids stay readable in the event store.
     */
    public String streamId() {
        return streamId(tenantId, consumerId);
    }

    public static String streamId(String tenantId, String consumerId) {
        return tenantId.length() + ":" + tenantId + "/" + consumerId;
    }
}
