package dev.claimsledger.merkle;

/**
 * The columns of a stored event that its leaf covers, exactly as stored.
 *
 * @param position    the event's global index ({@code global_index})
 * @param streamId    its stream ({@code aggregate_identifier})
 * @param sequence    its place in the stream ({@code sequence_number})
 * @param payloadType the {@code payload_type} column
 * @param payload     the {@code payload} column's bytes
 * @param metaData    the {@code meta_data} column's bytes, null when the column is NULL
 */
public record EventRow(long position, String streamId, long sequence, String payloadType, byte[] payload,
                       byte[] metaData) {
}
