package dev.claimsledger.merkle;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP signed note: a text ending in a newline, a blank line, then one or more signature lines
 * {@code — <name> <base64(key ID ‖ signature)>}. The key ID of an Ed25519 key is the first 4 bytes of
 * {@code SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)}. Parsing follows the rules of {@code golang.org/x/mod/sumdb/note}.
 *
 * @param text       the signed text, with its final newline
 * @param signatures the signature lines, in order
 */
public record SignedNote(String text, List<Signature> signatures) {

    /** The algorithm byte of Ed25519 in key IDs and verifier keys. */
    static final byte ED25519 = 1;
    static final String SIGNATURE_PREFIX = "\u2014 ";
    private static final int MAX_SIGNATURES = 100;

    /** One signature line. */
    public record Signature(String name, int keyId, byte[] signature) {
    }

    public SignedNote {
        signatures = List.copyOf(signatures);
    }

    /**
     * Splits a note into its text and signature lines without checking any signature.
     *
     * @throws IllegalArgumentException when it is not a well-formed signed note
     */
    public static SignedNote parse(byte[] note) {
        String all = utf8(note);
        for (int i = 0; i < all.length(); i++) {
            char c = all.charAt(i);
            if (c < 0x20 && c != '\n') {
                throw malformed("it holds a control character");
            }
        }
        int split = all.lastIndexOf("\n\n");
        if (split < 0) {
            throw malformed("no blank line before the signatures");
        }
        String text = all.substring(0, split + 1);
        String block = all.substring(split + 2);
        if (block.isEmpty() || !block.endsWith("\n")) {
            throw malformed("the signature lines must end with a newline");
        }
        List<Signature> signatures = new ArrayList<>();
        for (String line : block.substring(0, block.length() - 1).split("\n", -1)) {
            if (!line.startsWith(SIGNATURE_PREFIX)) {
                throw malformed("a signature line must start with an em dash and a space");
            }
            String[] parts = line.substring(SIGNATURE_PREFIX.length()).split(" ", 2);
            byte[] raw;
            try {
                raw = parts.length == 2 && !parts[1].isEmpty() ? Base64.getDecoder().decode(parts[1]) : new byte[0];
            } catch (IllegalArgumentException e) {
                raw = new byte[0];
            }
            if (!isValidName(parts[0]) || raw.length < 5) {
                throw malformed("a signature line needs a name and a base64 key ID and signature");
            }
            if (signatures.size() == MAX_SIGNATURES) {
                throw malformed("more than " + MAX_SIGNATURES + " signatures");
            }
            signatures.add(new Signature(parts[0], ByteBuffer.wrap(raw).getInt(), Arrays.copyOfRange(raw, 4, raw.length)));
        }
        return new SignedNote(text, signatures);
    }

    public static SignedNote parse(String note) {
        return parse(note.getBytes(StandardCharsets.UTF_8));
    }

    /** A key name: not empty, no Unicode space, no plus sign. */
    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        return name.codePoints().noneMatch(c -> c == '+' || Character.isWhitespace(c) || Character.isSpaceChar(c)
                || c == 0x85);
    }

    /** The key ID of an Ed25519 key: the first 4 bytes of {@code SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)}, big-endian. */
    public static int keyId(String name, byte[] publicKey) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer input = ByteBuffer.allocate(nameBytes.length + 2 + publicKey.length)
                .put(nameBytes).put((byte) '\n').put(ED25519).put(publicKey);
        return ByteBuffer.wrap(TreeHashes.sha256(input.array())).getInt();
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("it is not UTF-8");
        }
    }

    private static IllegalArgumentException malformed(String why) {
        return new IllegalArgumentException("malformed signed note: " + why);
    }
}
