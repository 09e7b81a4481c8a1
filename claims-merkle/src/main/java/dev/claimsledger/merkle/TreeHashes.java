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
    /** Cloned rather than looked up for every hash: the lookup cost a third of an append. */
    private static final MessageDigest PROTOTYPE = newDigest();
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

    private static MessageDigest digest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newDigest();
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
