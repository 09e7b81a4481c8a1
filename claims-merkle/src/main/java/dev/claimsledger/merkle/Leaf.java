package dev.claimsledger.merkle;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One event as a leaf of the log, in the versioned binary encoding README documents byte by byte. Version 1, every
 * integer big-endian:
 *
 * <pre>
 * offset   size  field
 * 0        1     version: 0x01
 * 1        8     global_index, the event's position (signed 64-bit, at least 0)
 * 9        8     sequence_number in its stream (signed 64-bit, at least 0)
 * 17       32    SHA-256 of the payload column's bytes
 * 49       1     0x01 when meta_data holds bytes, 0x00 when it is NULL
 * 50       32    SHA-256 of the meta_data column's bytes; 32 zero bytes when it is NULL
 * 82       4     n, the length of aggregate_identifier in UTF-8 bytes (unsigned)
 * 86       n     aggregate_identifier, UTF-8
 * 86+n     4     t, the length of payload_type in UTF-8 bytes (unsigned)
 * 90+n     t     payload_type, UTF-8
 * </pre>
 *
 * Nothing follows; fixed fields come first and each text has its length before it, so no two events share an
 * encoding. The leaf's hash in the tree is {@code SHA-256(0x00 ‖ encoding)}.
 *
 * @param metadataHash null when the event's meta_data column is NULL
 */
public record Leaf(long position, String streamId, long sequence, String payloadType, byte[] payloadHash,
                   byte[] metadataHash) {

    public static final byte VERSION = 1;
    private static final int FIXED_LENGTH = 1 + 8 + 8 + TreeHashes.SIZE + 1 + TreeHashes.SIZE + 4 + 4;

    public Leaf {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(payloadType, "payloadType");
        if (position < 0 || sequence < 0) {
            throw new IllegalArgumentException("position and sequence are at least 0, were " + position + " and "
                    + sequence);
        }
        if (payloadHash == null || payloadHash.length != TreeHashes.SIZE
                || metadataHash != null && metadataHash.length != TreeHashes.SIZE) {
            throw new IllegalArgumentException("payload and metadata hashes are SHA-256 hashes of 32 bytes");
        }
        payloadHash = payloadHash.clone();
        metadataHash = metadataHash == null ? null : metadataHash.clone();
    }

    /** The leaf of a stored event. */
    public static Leaf of(EventRow row) {
        return new Leaf(row.position(), row.streamId(), row.sequence(), row.payloadType(),
                TreeHashes.sha256(row.payload()), row.metaData() == null ? null : TreeHashes.sha256(row.metaData()));
    }

    public byte[] encode() {
        byte[] stream = streamId.getBytes(StandardCharsets.UTF_8);
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(FIXED_LENGTH + stream.length + type.length)
                .put(VERSION)
                .putLong(position)
                .putLong(sequence)
                .put(payloadHash)
                .put(metadataHash == null ? (byte) 0 : (byte) 1)
                .put(metadataHash == null ? new byte[TreeHashes.SIZE] : metadataHash)
                .putInt(stream.length)
                .put(stream)
                .putInt(type.length)
                .put(type)
                .array();
    }

    /** {@code SHA-256(0x00 ‖ encode())}: the leaf's hash in the tree. */
    public byte[] hash() {
        return TreeHashes.leaf(encode());
    }

    /**
     * Reads an encoding back.
     *
     * @throws IllegalArgumentException when the bytes are not exactly one version 1 leaf
     */
    public static Leaf decode(byte[] encoded) {
        try {
            ByteBuffer in = ByteBuffer.wrap(encoded);
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown leaf version " + version);
            }
            long position = in.getLong();
            long sequence = in.getLong();
            byte[] payloadHash = new byte[TreeHashes.SIZE];
            in.get(payloadHash);
            byte present = in.get();
            byte[] metadataHash = new byte[TreeHashes.SIZE];
            in.get(metadataHash);
            if (present != 0 && present != 1 || present == 0 && !Arrays.equals(metadataHash, new byte[TreeHashes.SIZE])) {
                throw new IllegalArgumentException("malformed metadata presence");
            }
            String stream = text(in);
            String type = text(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the leaf");
            }
            return new Leaf(position, stream, sequence, type, payloadHash, present == 1 ? metadataHash : null);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("the leaf ends early", e);
        }
    }

    private static String text(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("a text length of " + Integer.toUnsignedString(length) + " bytes runs past"
                    + " the leaf");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a text of the leaf is not UTF-8", e);
        }
    }

    @Override
    public byte[] payloadHash() {
        return payloadHash.clone();
    }

    @Override
    public byte[] metadataHash() {
        return metadataHash == null ? null : metadataHash.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Leaf leaf && Arrays.equals(encode(), leaf.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "Leaf[position=" + position + ", stream=" + streamId + ", sequence=" + sequence + ", type=" + payloadType
                + ", payload=" + HexFormat.of().formatHex(payloadHash) + ", metadata="
                + (metadataHash == null ? "null" : HexFormat.of().formatHex(metadataHash)) + "]";
    }
}
