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

    /**
     * The consumer a stream id names; the inverse of {@link #streamId()}.
     *
     * @throws IllegalArgumentException when the text is not a stream id
     */
    public static ConsumerRef fromStreamId(String streamId) {
        int colon = streamId.indexOf(':');
        try {
            int tenantLength = Integer.parseInt(streamId.substring(0, colon));
            int slash = colon + 1 + tenantLength;
            if (colon <= 0 || tenantLength < 0 || slash >= streamId.length() || streamId.charAt(slash) != '/') {
                throw new IllegalArgumentException("not a stream id: " + streamId);
            }
            return new ConsumerRef(streamId.substring(colon + 1, slash), streamId.substring(slash + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a stream id: " + streamId, e);
        }
    }
}
