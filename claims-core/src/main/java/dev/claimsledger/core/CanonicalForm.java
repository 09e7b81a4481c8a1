package dev.claimsledger.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * How the ledger stores the events it writes itself (the {@link LeaseWriter}'s heartbeats and expiries): besides the
 * payload and the position, every column of such a row follows from the event, its stream, its sequence number and
 * the chain hash before it, with nothing random in it. That is what lets compaction keep a heartbeat in a few bytes
 * and give its row back exactly.
 */
public final class CanonicalForm {

    private CanonicalForm() {
    }

    /** The event's identifier: a name-based UUID of its stream and sequence number, unique and the same each time. */
    public static String eventIdentifier(String stream, long sequence) {
        return UUID.nameUUIDFromBytes((stream + "#" + sequence).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The event's timestamp column: its ledger time, as Axon's event store writes timestamps (milliseconds). */
    public static String timestamp(Instant ledgerTime) {
        return CanonicalInstants.millis(ledgerTime);
    }

    /** The event's metadata: its chain hash, and nothing else. */
    public static Map<String, String> metaData(String chainHash) {
        return Map.of(EventChain.HASH_KEY, chainHash);
    }
}
