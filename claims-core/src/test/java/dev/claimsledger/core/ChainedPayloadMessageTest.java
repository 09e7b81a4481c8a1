package dev.claimsledger.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.api.HeartbeatReceived;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

class ChainedPayloadMessageTest {

    private final Serializer serializer = JacksonSerializer.builder()
            .objectMapper(LedgerObjectMapper.create()).build();
    private final EventChain chain = new EventChain(serializer);
    private final Instant at = Instant.parse("2026-12-03T10:00:00.000001Z");
    private final HeartbeatReceived heartbeat = new HeartbeatReceived("acme", "worker-1", 3, at, null,
            at.plusSeconds(30));

    @Test
    void theEventStoreWritesTheBytesTheChainHashed() {
        EventChain.Serialized serialized = chain.serialized("s-1", 7, heartbeat, "previous");
        DomainEventMessage<HeartbeatReceived> message = message(serialized);

        SerializedObject<byte[]> written = message.serializePayload(serializer, byte[].class);

        assertThat(written).isSameAs(serialized.payload());
        assertThat(serialized.hash()).isEqualTo(chain.hashOf("s-1", 7, heartbeat, "previous"))
                .isEqualTo(EventChain.hash("s-1", 7, HeartbeatReceived.class.getName(), written.getData(),
                        "previous"));
    }

    @Test
    void theEventStoreWritesTheMetadataTheSerializerWouldWriteTheChainHashAlone() {
        EventChain.Serialized serialized = chain.serialized("s-1", 7, heartbeat, "previous");
        DomainEventMessage<HeartbeatReceived> message = message(serialized);
        SerializedObject<byte[]> bySerializer = serializer.serialize(
                MetaData.from(CanonicalForm.metaData(serialized.hash())), byte[].class);

        SerializedObject<byte[]> written = message.serializeMetaData(serializer, byte[].class);

        assertThat(written).isSameAs(serialized.metaData());
        assertThat(new String(written.getData(), StandardCharsets.UTF_8))
                .isEqualTo(new String(bySerializer.getData(), StandardCharsets.UTF_8));
        assertThat(written.getType()).isEqualTo(bySerializer.getType());
        assertThat(written.getContentType()).isEqualTo(bySerializer.getContentType());
        assertThat(message.getMetaData()).isEqualTo(Map.of(EventChain.HASH_KEY, serialized.hash()));
    }

    @Test
    void anotherSerializerOrRepresentationSerializesAsUsual() {
        EventChain.Serialized serialized = chain.serialized("s-1", 7, heartbeat, null);
        DomainEventMessage<HeartbeatReceived> message = message(serialized);
        Serializer other = JacksonSerializer.builder().objectMapper(LedgerObjectMapper.create()).build();

        SerializedObject<byte[]> byOther = message.serializePayload(other, byte[].class);
        SerializedObject<String> asText = message.serializePayload(serializer, String.class);

        assertThat(byOther).isNotSameAs(serialized.payload());
        assertThat(byOther.getData()).isEqualTo(serialized.payload().getData());
        assertThat(asText.getData()).isEqualTo(new String(serialized.payload().getData(), StandardCharsets.UTF_8));
        assertThat(message.serializeMetaData(other, byte[].class)).isNotSameAs(serialized.metaData());
        assertThat(message.serializeMetaData(other, byte[].class).getData())
                .isEqualTo(serialized.metaData().getData());
    }

    private DomainEventMessage<HeartbeatReceived> message(EventChain.Serialized serialized) {
        return new GenericDomainEventMessage<>("Claim", "s-1", 7, new ChainedPayloadMessage<>("id-1", heartbeat,
                serialized), at);
    }
}
