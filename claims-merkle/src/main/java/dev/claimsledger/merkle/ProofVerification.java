package dev.claimsledger.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client does with a proof, step by step as RFC 9162 writes it: §2.1.3.2 for inclusion, §2.1.4.2 for
 * consistency. Nothing here trusts the server: sizes, hashes and the proof's length are all checked.
 */
public final class ProofVerification {

    private ProofVerification() {
    }

    /** Whether {@code proof} shows the leaf with hash {@code leafHash} at {@code index} in the tree of {@code size}. */
    public static boolean inclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size || !wellFormed(leafHash) || !wellFormed(root) || !wellFormed(proof)) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = TreeHashes.node(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = TreeHashes.node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /**
     * Whether {@code proof} shows the tree of {@code second} leaves with root {@code secondHash} to extend the tree of
     * {@code first} leaves with root {@code firstHash}. Equal sizes need an empty proof and equal roots; a first
     * size of 0 is refused (every tree extends the empty one; the RFC defines no proof for it).
     */
    public static boolean consistency(long first, long second, byte[] firstHash, byte[] secondHash,
                                      List<byte[]> proof) {
        if (first < 1 || second < first || !wellFormed(firstHash) || !wellFormed(secondHash) || !wellFormed(proof)) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && MessageDigest.isEqual(firstHash, secondHash);
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(first) == 1) {
            path.add(0, firstHash);
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = TreeHashes.node(c, fr);
                sr = TreeHashes.node(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = TreeHashes.node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstHash) && MessageDigest.isEqual(sr, secondHash);
    }

    private static boolean wellFormed(byte[] hash) {
        return hash != null && hash.length == TreeHashes.SIZE;
    }

    private static boolean wellFormed(List<byte[]> proof) {
        return proof != null && proof.stream().allMatch(ProofVerification::wellFormed);
    }
}
