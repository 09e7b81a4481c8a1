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

    private static final byte[] META_DATA_START = ("{\"" + EventChain.HASH_KEY + "\":\"")
            .getBytes(StandardCharsets.UTF_8);

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

    /**
     * The event's metadata column: {@link #metaData} as the stored format writes it,
     * {@code {"ledger.chainHash":"<hash>"}}, without going through the mapper (once for every event the lease writer
     * stores and every heartbeat compaction gives back). The hash is lowercase hex, so nothing in it needs escaping.
     */
    public static byte[] metaDataColumn(String chainHash) {
        byte[] column = new byte[META_DATA_START.length + chainHash.length() + 2];
        System.arraycopy(META_DATA_START, 0, column, 0, META_DATA_START.length);
        for (int i = 0; i < chainHash.length(); i++) {
            column[META_DATA_START.length + i] = (byte) chainHash.charAt(i);
        }
        column[column.length - 2] = '"';
        column[column.length - 1] = '}';
        return column;
    }
}
