package dev.claimsledger.server.ledger;

import dev.claimsledger.merkle.Ed25519Keys;
import dev.claimsledger.merkle.NoteSigner;
import dev.claimsledger.merkle.TreeHashes;
import dev.claimsledger.server.ClaimsProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which key signs checkpoints, and under which name: {@code claims.checkpoints.signing-key-file} when set; otherwise,
 * in the embedded run, a key generated once in the data directory (and said so); under the {@code postgres} profile
 * none at all, which stops start-up, since a production ledger must not make a key of its own on each node.
 */
final class CheckpointKeys {

    static final String GENERATED_KEY_FILE = "checkpoint-signing-key.pem";
    private static final Logger log = LoggerFactory.getLogger(CheckpointKeys.class);

    private CheckpointKeys() {
    }

    /**
     * @throws IllegalStateException when no key may or can be had, saying which setting to fix
     */
    static NoteSigner signer(ClaimsProperties.Checkpoints settings, Path dataDir, List<String> activeProfiles) {
        PrivateKey key = settings.signingKeyFile() != null ? configured(settings.signingKeyFile())
                : generated(dataDir, activeProfiles);
        String origin = settings.origin();
        if (origin == null || origin.isBlank()) {
            byte[] fingerprint = TreeHashes.sha256(Ed25519Keys.publicKeyOf(key));
            origin = "claims-ledger/" + HexFormat.of().formatHex(fingerprint, 0, 8);
        }
        try {
            return new NoteSigner(origin, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("claims.checkpoints.origin: " + e.getMessage(), e);
        }
    }

    private static PrivateKey configured(Path file) {
        try {
            return Ed25519Keys.readPrivateKey(file);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("claims.checkpoints.signing-key-file: " + e.getMessage(), e);
        }
    }

    private static PrivateKey generated(Path dataDir, List<String> activeProfiles) {
        if (activeProfiles.contains("postgres")) {
            throw new IllegalStateException("The postgres profile requires a checkpoint signing key: set "
                    + "claims.checkpoints.signing-key-file to a PEM PKCS#8 Ed25519 private key, made once with "
                    + "'openssl genpkey -algorithm ed25519 -out checkpoint-signing-key.pem' and given to every node. "
                    + "A production ledger must not generate a key of its own on each node (see README, Verifiable "
                    + "checkpoints).");
        }
        Path file = dataDir.resolve(GENERATED_KEY_FILE).toAbsolutePath().normalize();
        boolean existed = Files.exists(file);
        try {
            PrivateKey key = Ed25519Keys.generateUnlessPresent(file);
            if (existed) {
                log.info("No claims.checkpoints.signing-key-file: checkpoints are signed with the key generated "
                        + "earlier in {}", file);
            } else {
                log.warn("No claims.checkpoints.signing-key-file: generated a checkpoint signing key in {}. Keep it: "
                        + "checkpoints already handed out are verified with its public key.", file);
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep a generated checkpoint signing key in " + file, e);
        }
    }
}
