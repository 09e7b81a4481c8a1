package dev.claimsledger.merkle;

import java.util.List;
import java.util.function.LongConsumer;

/**
 * Where the log re-reads the stored events its leaves were made from, by global position: for proofs below a tile's
 * root and for the verifier. Every re-derivation of a leaf goes through here, so that events kept elsewhere than
 * {@code domain_event_entry} (for example compacted ones) can be served with their original position, sequence,
 * payload bytes and metadata bytes without touching the log's logic.
 */
public interface LeafSource {

    /** The stored events at these positions, in any order; a position with no stored event is left out. */
    List<EventRow> events(long[] positions);

    /** Every stored event's position, in ascending order. */
    void forEachPosition(LongConsumer action);
}
