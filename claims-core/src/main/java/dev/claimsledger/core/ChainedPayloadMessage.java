package dev.claimsledger.core;

import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;

/**
 * A message that keeps the payload bytes its chain hash was computed from, so that the event store writes those bytes
 * instead of serializing the payload a second time. Any other serializer or representation serializes as usual.
 */
final class ChainedPayloadMessage<T> extends GenericMessage<T> {

    private final transient Serializer serializer;
    private final transient SerializedObject<byte[]> payload;

    ChainedPayloadMessage(String identifier, T payload, MetaData metaData, EventChain.Serialized serialized) {
        super(identifier, payload, metaData);
        this.serializer = serialized.serializer();
        this.payload = serialized.payload();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> SerializedObject<R> serializePayload(Serializer serializer, Class<R> expectedRepresentation) {
        if (serializer == this.serializer && expectedRepresentation == byte[].class) {
            return (SerializedObject<R>) payload;
        }
        return super.serializePayload(serializer, expectedRepresentation);
    }
}
