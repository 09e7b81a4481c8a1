package dev.claimsledger.server.audit;

import java.time.Instant;

/**
 * One row of the event store, as stored.
 *
 * @param position the global index, across all streams
 * @param sequence the sequence number within the stream
 */
public record StoredEvent(long position, String streamId, long sequence, Instant timestamp, String payloadType,
                          byte[] payload, byte[] metaData) {

    /** The event's simple name, e.g. {@code HeartbeatReceived}. */
    public String type() {
        return payloadType.substring(payloadType.lastIndexOf('.') + 1);
    }
}
