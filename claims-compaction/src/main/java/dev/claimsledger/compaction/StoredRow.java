package dev.claimsledger.compaction;

/**
 * One row of {@code domain_event_entry}, as stored: what readers of the history, the audit and the Merkle log see of
 * an event, whether it is still a row of its own or given back from a compacted run.
 *
 * @param position the global index
 * @param sequence the sequence number within the stream
 */
public record StoredRow(long position, String eventIdentifier, String streamId, long sequence, String aggregateType,
                        String timeStamp, String payloadType, byte[] payload, byte[] metaData) {
}
