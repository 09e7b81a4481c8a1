package dev.claimsledger.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;

/**
 * The tamper-evidence chain of a consumer's stream. Every event carries, in its metadata under {@link #HASH_KEY}, the
 * lowercase hex SHA-256 of
 *
 * <pre>
 * "claims-ledger-chain/1\n" + aggregate_identifier + "\n" + sequence_number + "\n" + payload_type + "\n"
 *     + previous_hash + "\n" + payload
 * </pre>
 *
 * where the text parts are UTF-8, {@code sequence_number} is in decimal, {@code payload_type} is the event's class
 * name as stored, {@code previous_hash} is the hash of the event before it in the same stream (empty for the first
 * event), and {@code payload} is the exact bytes stored in the event store's payload column. Changing, removing or
 * reordering any event breaks the chain from that event on.
 */
public class EventChain {

    public static final String HASH_KEY = "ledger.chainHash";
    static final String DOMAIN = "claims-ledger-chain/1";
    private static final byte[] DOMAIN_LINE = (DOMAIN + "\n").getBytes(StandardCharsets.UTF_8);
    private static final HexFormat HEX = HexFormat.of();
    /** One digest per thread, reset by each {@link #hash}: a lookup per hash allocated more than the rest of it. */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(EventChain::sha256);

    private final Serializer serializer;
    private final SerializedType metaDataType;

    /** @param serializer the serializer the event store uses, so the hashed bytes are the stored bytes */
    public EventChain(Serializer serializer) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.metaDataType = serializer.typeForClass(MetaData.class);
    }

    /** The hash of {@code payload} appended at {@code sequence} of {@code streamId}, after {@code previousHash}. */
    public String hashOf(String streamId, long sequence, Object payload, String previousHash) {
        return serialized(streamId, sequence, payload, previousHash).hash();
    }

    /**
     * The payload's stored bytes, their hash appended at {@code sequence} of {@code streamId}, and the metadata that
     * holds that hash alone, as stored.
     */
    Serialized serialized(String streamId, long sequence, Object payload, String previousHash) {
        SerializedObject<byte[]> stored = serializer.serialize(payload, byte[].class);
        String hash = hash(streamId, sequence, payload.getClass().getName(), stored.getData(), previousHash);
        return new Serialized(serializer, stored, hash,
                new SimpleSerializedObject<>(CanonicalForm.metaDataColumn(hash), byte[].class, metaDataType));
    }

    /**
     * A payload as {@code serializer} stores it, the chain hash of those bytes, and the metadata holding the hash as
     * {@code serializer} stores it.
     */
    record Serialized(Serializer serializer, SerializedObject<byte[]> payload, String hash,
                      SerializedObject<byte[]> metaData) {
    }

    /** The chain hash from the stored columns of an event; what an auditor recomputes. */
    public static String hash(String streamId, long sequence, String payloadType, byte[] payload, String previousHash) {
        // the header's parts one after another hash as the header would: no string of it is built
        MessageDigest digest = DIGESTS.get();
        digest.reset();
        digest.update(DOMAIN_LINE);
        line(digest, streamId);
        line(digest, Long.toString(sequence));
        line(digest, payloadType);
        line(digest, previousHash == null ? "" : previousHash);
        digest.update(payload);
        return HEX.formatHex(digest.digest());
    }

    private static void line(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
