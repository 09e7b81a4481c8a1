package dev.claimsledger.core;

import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;

/**
 * A message that keeps the payload bytes its chain hash was computed from, so that the event store writes those bytes
 * instead of serializing the payload a second time, and its metadata, the chain hash alone, already serialized. Any
 * other serializer or representation serializes as usual.
 */
final class ChainedPayloadMessage<T> extends GenericMessage<T> {

    private final transient Serializer serializer;
    private final transient SerializedObject<byte[]> payload;
    private final transient SerializedObject<byte[]> metaData;

    ChainedPayloadMessage(String identifier, T payload, EventChain.Serialized serialized) {
        super(identifier, payload, MetaData.from(CanonicalForm.metaData(serialized.hash())));
        this.serializer = serialized.serializer();
        this.payload = serialized.payload();
        this.metaData = serialized.metaData();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> SerializedObject<R> serializePayload(Serializer serializer, Class<R> expectedRepresentation) {
        if (isKept(serializer, expectedRepresentation)) {
            return (SerializedObject<R>) payload;
        }
        return super.serializePayload(serializer, expectedRepresentation);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> SerializedObject<R> serializeMetaData(Serializer serializer, Class<R> expectedRepresentation) {
        if (isKept(serializer, expectedRepresentation)) {
            return (SerializedObject<R>) metaData;
        }
        return super.serializeMetaData(serializer, expectedRepresentation);
    }

    /** Whether the kept bytes are what {@code serializer} would give in {@code representation}. */
    private boolean isKept(Serializer serializer, Class<?> representation) {
        return serializer == this.serializer && representation == byte[].class;
    }
}
