package dev.claimsledger.merkle;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Signs notes with one Ed25519 key under one name, and tells the verifier key that checks them.
 */
public final class NoteSigner {

    private final String name;
    private final PrivateKey key;
    private final byte[] publicKey;
    private final int keyId;

    public NoteSigner(String name, PrivateKey key) {
        if (!SignedNote.isValidName(name)) {
            throw new IllegalArgumentException("'" + name + "' cannot name a key: it must be non-empty, without spaces"
                    + " or plus signs");
        }
        this.name = name;
        this.key = key;
        this.publicKey = Ed25519Keys.publicKeyOf(key);
        this.keyId = SignedNote.keyId(name, publicKey);
    }

    public String name() {
        return name;
    }

    public int keyId() {
        return keyId;
    }

    /** {@code <name>+<key ID in hex>+<base64(0x01 ‖ public key)>}, what a verifier is given. */
    public String verifierKey() {
        return name + "+" + String.format("%08x", keyId) + "+" + Base64.getEncoder().encodeToString(
                ByteBuffer.allocate(1 + publicKey.length).put(SignedNote.ED25519).put(publicKey).array());
    }

    /** The signed note of {@code text}, which must end with a newline and hold no blank line. */
    public String sign(String text) {
        if (!text.endsWith("\n") || text.contains("\n\n") || text.startsWith("\n")) {
            throw new IllegalArgumentException("a note's text ends with a newline and holds no blank line");
        }
        byte[] signature;
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(text.getBytes(StandardCharsets.UTF_8));
            signature = signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
        byte[] line = ByteBuffer.allocate(4 + signature.length).putInt(keyId).put(signature).array();
        return text + "\n" + SignedNote.SIGNATURE_PREFIX + name + " " + Base64.getEncoder().encodeToString(line) + "\n";
    }
}
