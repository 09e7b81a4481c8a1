package dev.claimsledger.merkle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Checks signed notes against one trusted verifier key, {@code <name>+<key ID in hex>+<base64(0x01 ‖ key)>}. Only
 * the key given here is trusted: a key sent along with a note never is.
 */
public final class NoteVerifier {

    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{8}");

    private final String name;
    private final int keyId;
    private final PublicKey key;

    private NoteVerifier(String name, int keyId, PublicKey key) {
        this.name = name;
        this.keyId = keyId;
        this.key = key;
    }

    /**
     * Reads a verifier key.
     *
     * @throws IllegalArgumentException when it is malformed, is not Ed25519, or its key ID does not match its name
     *                                  and key
     */
    public static NoteVerifier parse(String verifierKey) {
        String[] parts = verifierKey.split("\\+", 3);
        if (parts.length != 3 || !SignedNote.isValidName(parts[0]) || !KEY_ID.matcher(parts[1]).matches()) {
            throw new IllegalArgumentException("not a verifier key <name>+<8 hex digits>+<base64 key>");
        }
        byte[] encoded;
        try {
            encoded = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the verifier key's key is not base64", e);
        }
        if (encoded.length != 1 + Ed25519Keys.KEY_SIZE || encoded[0] != SignedNote.ED25519) {
            throw new IllegalArgumentException("the verifier key is not an Ed25519 key (0x01 and 32 bytes)");
        }
        byte[] raw = Arrays.copyOfRange(encoded, 1, encoded.length);
        int keyId = SignedNote.keyId(parts[0], raw);
        if (keyId != HexFormat.fromHexDigits(parts[1])) {
            throw new IllegalArgumentException("the verifier key's ID " + parts[1] + " does not match its name and key");
        }
        return new NoteVerifier(parts[0], keyId, Ed25519Keys.publicKey(raw));
    }

    public String name() {
        return name;
    }

    /** {@code <name>+<key ID in hex>}, how messages name the key. */
    public String describe() {
        return name + "+" + String.format("%08x", keyId);
    }

    /**
     * The note's text, once a signature line by this key (same name, same key ID) verifies; other signatures are
     * ignored.
     *
     * @throws IllegalArgumentException when the note is malformed, carries no signature by this key, or that
     *                                  signature does not verify
     */
    public String open(String note) {
        SignedNote parsed = SignedNote.parse(note);
        SignedNote.Signature ours = parsed.signatures().stream()
                .filter(signature -> signature.name().equals(name) && signature.keyId() == keyId)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the note carries no signature by the key "
                        + describe()));
        if (!verifies(parsed.text(), ours.signature())) {
            throw new IllegalArgumentException("the note's signature by the key " + describe() + " does not verify");
        }
        return parsed.text();
    }

    private boolean verifies(String text, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(text.getBytes(StandardCharsets.UTF_8));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
