package dev.claimsledger.compaction;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a compacted run of heartbeats, format {@value #FORMAT}: for each heartbeat only what cannot be derived
 * from the run's other facts, packed as time-series stores pack samples (Gorilla, Prometheus' chunks): positions as
 * deltas, ledger times as deltas of deltas. A heartbeat every few seconds costs about five bytes.
 *
 * <pre>
 * varint   count                          number of heartbeats, at least 1
 * varint   position[0]                    global position of the first heartbeat
 * varint   receivedAt[0]                  ledger time of the first, in microseconds since 1970-01-01T00:00:00Z
 * then for each heartbeat i, in sequence order:
 *   varint   position[i] - position[i-1]  (i &gt; 0; always positive: a stream's events are stored in order)
 *   zigzag   receivedAt[1] - receivedAt[0], microseconds                      (i = 1)
 *   zigzag   (receivedAt[i] - receivedAt[i-1]) - (receivedAt[i-1] - receivedAt[i-2])   (i &gt; 1)
 *   byte     0 when the worker reported no time, 1 when it did, then
 *   zigzag   reportedAt[i] - receivedAt[i], nanoseconds
 * </pre>
 * A varint is the LEB128 encoding of an unsigned long (7 bits a byte, least significant first, high bit set on every
 * byte but the last); a zigzag varint is the varint of {@code (n << 1) ^ (n >> 63)}, so that small negative numbers
 * stay short. Ledger times have microsecond precision (the ledger's clock ticks in microseconds); a run with a finer
 * time is not compacted.
 */
public final class HeartbeatSegment {

    /** The format name stored with each compacted run. */
    public static final String FORMAT = "hb1";
    /**
     * The format name of a summary left by retention: the same encoding, of the run's first heartbeat only (the last
     * is the summary's own), the detail of the others dropped.
     */
    public static final String SUMMARY_FORMAT = "summary1";

    private HeartbeatSegment() {
    }

    /** One heartbeat as the segment keeps it. */
    public record Heartbeat(long position, Instant receivedAt, Instant reportedAt) {
    }

    /** Whether {@code heartbeats} can be encoded: microsecond ledger times, positions growing, times representable. */
    public static boolean encodable(List<Heartbeat> heartbeats) {
        try {
            encode(heartbeats);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * @throws IllegalArgumentException when a heartbeat cannot be encoded exactly
     */
    public static byte[] encode(List<Heartbeat> heartbeats) {
        if (heartbeats.isEmpty()) {
            throw new IllegalArgumentException("a segment holds at least one heartbeat");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(heartbeats.size() * 6 + 16);
        Heartbeat first = heartbeats.get(0);
        writeVarint(out, heartbeats.size());
        writeVarint(out, requireNonNegative(first.position(), "position"));
        writeVarint(out, requireNonNegative(micros(first.receivedAt()), "ledger time"));
        long previousPosition = first.position();
        long previousMicros = micros(first.receivedAt());
        long previousDelta = 0;
        for (int i = 0; i < heartbeats.size(); i++) {
            Heartbeat heartbeat = heartbeats.get(i);
            long received = micros(heartbeat.receivedAt());
            if (i > 0) {
                long step = heartbeat.position() - previousPosition;
                if (step <= 0) {
                    throw new IllegalArgumentException("positions must grow, " + heartbeat.position() + " follows "
                            + previousPosition);
                }
                writeVarint(out, step);
                long delta = Math.subtractExact(received, previousMicros);
                writeZigzag(out, i == 1 ? delta : Math.subtractExact(delta, previousDelta));
                previousDelta = delta;
            }
            previousPosition = heartbeat.position();
            previousMicros = received;
            if (heartbeat.reportedAt() == null) {
                out.write(0);
            } else {
                out.write(1);
                writeZigzag(out, nanosBetween(heartbeat.receivedAt(), heartbeat.reportedAt()));
            }
        }
        return out.toByteArray();
    }

    /**
     * @throws IllegalArgumentException when the bytes are not a segment of this format
     */
    public static List<Heartbeat> decode(byte[] segment) {
        Reader in = new Reader(segment);
        long count = in.varint();
        if (count < 1 || count > segment.length) {
            throw new IllegalArgumentException("a segment cannot hold " + count + " heartbeats in " + segment.length
                    + " bytes");
        }
        List<Heartbeat> heartbeats = new ArrayList<>((int) count);
        long position = in.varint();
        long received = in.varint();
        long delta = 0;
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                position = Math.addExact(position, in.varint());
                long step = in.zigzag();
                delta = i == 1 ? step : Math.addExact(delta, step);
                received = Math.addExact(received, delta);
            }
            Instant receivedAt = fromMicros(received);
            int flag = in.read();
            Instant reportedAt = switch (flag) {
                case 0 -> null;
                case 1 -> receivedAt.plusNanos(in.zigzag());
                default -> throw new IllegalArgumentException("unknown reported-time flag " + flag);
            };
            heartbeats.add(new Heartbeat(position, receivedAt, reportedAt));
        }
        if (!in.atEnd()) {
            throw new IllegalArgumentException("a segment of " + count + " heartbeats has bytes left over");
        }
        return heartbeats;
    }

    private static long micros(Instant instant) {
        if (instant.getNano() % 1_000 != 0) {
            throw new IllegalArgumentException("ledger time " + instant + " is finer than a microsecond");
        }
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    private static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static long nanosBetween(Instant from, Instant to) {
        return Math.addExact(Math.multiplyExact(Math.subtractExact(to.getEpochSecond(), from.getEpochSecond()),
                1_000_000_000L), to.getNano() - from.getNano());
    }

    private static long requireNonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " " + value + " cannot be encoded");
        }
        return value;
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            out.write((int) ((rest & 0x7F) | 0x80));
            rest >>>= 7;
        }
        out.write((int) rest);
    }

    private static void writeZigzag(ByteArrayOutputStream out, long value) {
        writeVarint(out, (value << 1) ^ (value >> 63));
    }

    /** Reads varints from a segment, refusing to read past its end. */
    private static final class Reader {

        private final byte[] bytes;
        private int at;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        int read() {
            if (at >= bytes.length) {
                throw new IllegalArgumentException("a segment ends in the middle of a heartbeat");
            }
            return bytes[at++] & 0xFF;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int next = read();
                value |= (long) (next & 0x7F) << shift;
                if ((next & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("a varint of a segment is longer than 64 bits");
        }

        long zigzag() {
            long raw = varint();
            return (raw >>> 1) ^ -(raw & 1);
        }

        boolean atEnd() {
            return at == bytes.length;
        }
    }
}
