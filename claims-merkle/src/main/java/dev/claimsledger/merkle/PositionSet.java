package dev.claimsledger.merkle;

import java.util.HashMap;
import java.util.Map;

/**
 * A set of non-negative positions as a bitmap in pages of 65,536: about a bit per position of the range in use.
 */
final class PositionSet {

    private static final int PAGE_BITS = 16;

    private final Map<Long, long[]> pages = new HashMap<>();

    void add(long position) {
        long[] page = pages.computeIfAbsent(position >>> PAGE_BITS, key -> new long[(1 << PAGE_BITS) / 64]);
        int bit = (int) (position & ((1 << PAGE_BITS) - 1));
        page[bit >>> 6] |= 1L << (bit & 63);
    }

    boolean contains(long position) {
        long[] page = pages.get(position >>> PAGE_BITS);
        int bit = (int) (position & ((1 << PAGE_BITS) - 1));
        return page != null && (page[bit >>> 6] & (1L << (bit & 63))) != 0;
    }
}
