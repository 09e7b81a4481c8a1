package dev.claimsledger.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hashes of RFC 9162 §2.1.1: a leaf hashes to {@code SHA-256(0x00 ‖ leaf)}, an inner node to
 * {@code SHA-256(0x01 ‖ left ‖ right)}, and the empty tree to {@code SHA-256("")}. The prefixes keep a leaf from ever
 * passing for an inner node.
 */
public final class TreeHashes {

    /** Every hash here is a SHA-256: 32 bytes. */
    public static final int SIZE = 32;

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    /**
     * One digest per thread, reset by each {@code digest()}: looking one up for every hash cost a third of an append,
     * and cloning one allocated its buffers every time.
     */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(TreeHashes::newDigest);
    private static final byte[] EMPTY_ROOT = sha256(new byte[0]);

    private TreeHashes() {
    }

    public static byte[] leaf(byte[] leaf) {
        MessageDigest digest = digest();
        digest.update(LEAF_PREFIX);
        digest.update(leaf);
        return digest.digest();
    }

    public static byte[] node(byte[] left, byte[] right) {
        MessageDigest digest = digest();
        digest.update(NODE_PREFIX);
        digest.update(left);
        digest.update(right);
        return digest.digest();
    }

    /** The root of the tree with no leaf. */
    public static byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    public static byte[] sha256(byte[] data) {
        return digest().digest(data);
    }

    /** The thread's digest, reset in case a hash before on this thread failed halfway. */
    private static MessageDigest digest() {
        MessageDigest digest = DIGESTS.get();
        digest.reset();
        return digest;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
