package dev.claimsledger.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * Tree heads and proofs exactly as RFC 9162 §2.1 defines them, over any {@link HashSource}: {@code MTH} (§2.1.1),
 * {@code PATH} (§2.1.3.1) and {@code PROOF}/{@code SUBPROOF} (§2.1.4.1). Every range the definitions split into is a
 * run of complete subtrees, so the source is only ever asked for complete ones.
 */
public final class MerkleProofs {

    private MerkleProofs() {
    }

    /** {@code MTH(D[0:size])}: the root of the first {@code size} leaves. */
    public static byte[] root(HashSource source, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("a tree size is at least 0, was " + size);
        }
        return size == 0 ? TreeHashes.emptyRoot() : rangeHash(source, 0, size);
    }

    /** {@code MTH(D[start:end])} for {@code start < end}. */
    public static byte[] rangeHash(HashSource source, long start, long end) {
        long n = end - start;
        if (n < 1) {
            throw new IllegalArgumentException("empty range [" + start + ", " + end + ")");
        }
        if (Long.bitCount(n) == 1 && start % n == 0) {
            return source.subtree(Long.numberOfTrailingZeros(n), start / n);
        }
        long k = largestPowerOfTwoBelow(n);
        return TreeHashes.node(rangeHash(source, start, start + k), rangeHash(source, start + k, end));
    }

    /** {@code PATH(index, D[0:size])}: the audit path of one leaf, lowest sibling first. */
    public static List<byte[]> inclusionProof(HashSource source, long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + size);
        }
        List<byte[]> proof = new ArrayList<>();
        path(source, index, 0, size, proof);
        return proof;
    }

    /** {@code PROOF(first, D[0:second])} for {@code 0 < first <= second}; empty when the sizes are equal. */
    public static List<byte[]> consistencyProof(HashSource source, long first, long second) {
        if (first < 1 || first > second) {
            throw new IllegalArgumentException("a consistency proof needs 0 < first <= second, was " + first + " and "
                    + second);
        }
        List<byte[]> proof = new ArrayList<>();
        subproof(source, first, 0, second, true, proof);
        return proof;
    }

    /** The largest power of two smaller than {@code n}, for {@code n >= 2}: the RFC's split point {@code k}. */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    private static void path(HashSource source, long m, long start, long end, List<byte[]> proof) {
        long n = end - start;
        if (n == 1) {
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m < k) {
            path(source, m, start, start + k, proof);
            proof.add(rangeHash(source, start + k, end));
        } else {
            path(source, m - k, start + k, end, proof);
            proof.add(rangeHash(source, start, start + k));
        }
    }

    private static void subproof(HashSource source, long m, long start, long end, boolean known, List<byte[]> proof) {
        long n = end - start;
        if (m == n) {
            if (!known) {
                proof.add(rangeHash(source, start, end));
            }
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            subproof(source, m, start, start + k, known, proof);
            proof.add(rangeHash(source, start + k, end));
        } else {
            subproof(source, m - k, start + k, end, false, proof);
            proof.add(rangeHash(source, start, start + k));
        }
    }
}
