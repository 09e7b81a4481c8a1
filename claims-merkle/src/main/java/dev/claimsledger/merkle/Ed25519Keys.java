package dev.claimsledger.merkle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Ed25519 keys with the JDK's own provider: private keys as PEM PKCS#8 files exactly as
 * {@code openssl genpkey -algorithm ed25519} writes them, public keys as their raw 32 bytes (RFC 8032).
 */
public final class Ed25519Keys {

    public static final int KEY_SIZE = 32;
    private static final String ALGORITHM = "Ed25519";
    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";
    /** The DER of a SubjectPublicKeyInfo for Ed25519 (RFC 8410) before its 32 key bytes. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    /** The DER of a PKCS#8 PrivateKeyInfo for Ed25519 (RFC 8410) before its 32-byte seed. */
    private static final byte[] PKCS8_PREFIX = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
            0x04, 0x22, 0x04, 0x20};

    private Ed25519Keys() {
    }

    /**
     * Reads a PEM PKCS#8 Ed25519 private key.
     *
     * @throws IllegalArgumentException when the file holds no such key, naming the file and what is wrong
     */
    public static PrivateKey readPrivateKey(Path pem) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the signing key file " + pem + ": " + e.getMessage(), e);
        }
        return parsePrivateKey(text, pem.toString());
    }

    /** Parses the text of a PEM PKCS#8 Ed25519 private key; {@code source} names it in errors. */
    public static PrivateKey parsePrivateKey(String pem, String source) {
        int begin = pem.indexOf(PEM_BEGIN);
        int end = pem.indexOf(PEM_END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(source + " holds no unencrypted PEM private key (" + PEM_BEGIN
                    + "); make one with: openssl genpkey -algorithm ed25519 -out <file>");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + PEM_BEGIN.length(), end));
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException(source + " holds a private key that is not Ed25519 (" + e.getMessage()
                    + "); make one with: openssl genpkey -algorithm ed25519 -out <file>", e);
        }
    }

    /** The PEM text of a private key, as openssl writes it. */
    public static String toPem(PrivateKey key) {
        return PEM_BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(key.getEncoded()) + "\n"
                + PEM_END + "\n";
    }

    public static PrivateKey generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair().getPrivate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java 15+ runtime has Ed25519", e);
        }
    }

    /**
     * Writes a new key to {@code file}, readable by its owner only where the file system allows it, unless the file
     * already exists; either way returns the key in the file. Safe when several processes start at once.
     */
    public static PrivateKey generateUnlessPresent(Path file) throws IOException {
        if (Files.exists(file)) {
            return readPrivateKey(file);
        }
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, ".signing-key", ".tmp");
        try {
            restrictToOwner(temporary);
            Files.writeString(temporary, toPem(generate()), StandardCharsets.US_ASCII);
            Files.move(temporary, file);
        } catch (FileAlreadyExistsException e) {
            // another process made it first: use that one
        } finally {
            Files.deleteIfExists(temporary);
        }
        return readPrivateKey(file);
    }

    /** The raw 32-byte public key of a private key. */
    public static byte[] publicKeyOf(PrivateKey key) {
        byte[] seed = seedOf(key);
        try {
            // the JDK derives the public key only while generating a pair; the "random" bytes it draws are the seed
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
            byte[] encoded = generator.generateKeyPair().getPublic().getEncoded();
            return Arrays.copyOfRange(encoded, encoded.length - KEY_SIZE, encoded.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java 15+ runtime has Ed25519", e);
        }
    }

    /** A public key from its raw 32 bytes. */
    public static PublicKey publicKey(byte[] raw) {
        if (raw.length != KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + raw.length);
        }
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, raw)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** A private key from its 32-byte seed (RFC 8032's private key). */
    public static PrivateKey privateKey(byte[] seed) {
        if (seed.length != KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 private key has 32 bytes, not " + seed.length);
        }
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    private static byte[] seedOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey edec) || edec.getBytes().isEmpty()
                || !"Ed25519".equalsIgnoreCase(edec.getParams().getName())) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + key.getAlgorithm());
        }
        return edec.getBytes().get();
    }

    private static byte[] concat(byte[] prefix, byte[] rest) {
        byte[] all = Arrays.copyOf(prefix, prefix.length + rest.length);
        System.arraycopy(rest, 0, all, prefix.length, rest.length);
        return all;
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own defaults apply
        }
    }

    /** Hands out the given seed as the generator's only random bytes. */
    private static final class FixedSeed extends SecureRandom {

        private final byte[] seed;

        FixedSeed(byte[] seed) {
            this.seed = seed;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("the key generator asked for " + bytes.length + " bytes, not a seed");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
