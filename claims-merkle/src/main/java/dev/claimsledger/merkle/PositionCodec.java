package dev.claimsledger.merkle;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A tile's leaf positions, packed: each is stored as its difference from the one before (the first from 0),
 * zigzag-mapped so that a small step back stays small, as an unsigned LEB128 varint. Leaves follow commit order, which
 * is almost, but not quite, position order, so nearly every step takes one byte.
 */
final class PositionCodec {

    private PositionCodec() {
    }

    static byte[] encode(long[] positions, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count + 8);
        long previous = 0;
        for (int i = 0; i < count; i++) {
            long delta = positions[i] - previous;
            long zigzag = (delta << 1) ^ (delta >> 63);
            while ((zigzag & ~0x7FL) != 0) {
                out.write((int) ((zigzag & 0x7F) | 0x80));
                zigzag >>>= 7;
            }
            out.write((int) zigzag);
            previous = positions[i];
        }
        return out.toByteArray();
    }

    static long[] decode(byte[] packed) {
        long[] positions = new long[Math.max(packed.length, 1)];
        int count = 0;
        long previous = 0;
        int i = 0;
        while (i < packed.length) {
            long zigzag = 0;
            int shift = 0;
            byte b;
            do {
                if (i == packed.length || shift > 63) {
                    throw new IllegalArgumentException("a packed position ends early");
                }
                b = packed[i++];
                zigzag |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            long delta = (zigzag >>> 1) ^ -(zigzag & 1);
            previous += delta;
            positions[count++] = previous;
        }
        return Arrays.copyOf(positions, count);
    }
}
