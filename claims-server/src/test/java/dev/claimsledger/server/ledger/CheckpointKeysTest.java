package dev.claimsledger.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.merkle.Ed25519Keys;
import dev.claimsledger.merkle.NoteSigner;
import dev.claimsledger.merkle.NoteVerifier;
import dev.claimsledger.server.ClaimsProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which key signs checkpoints (README, Verifiable checkpoints): the configured file, else in the embedded run one
 * generated once in the data directory, and under the {@code postgres} profile none, which refuses to start.
 */
class CheckpointKeysTest {

    private static final Duration INTERVAL = Duration.ofSeconds(2);

    @TempDir
    Path directory;

    @Test
    void theConfiguredKeyFileSignsUnderTheConfiguredOrigin() throws IOException {
        Path file = directory.resolve("operator.pem");
        Ed25519Keys.generateUnlessPresent(file);

        NoteSigner signer = CheckpointKeys.signer(new ClaimsProperties.Checkpoints(INTERVAL, file, "ledger.example/eu"),
                directory.resolve("data"), List.of("postgres"));

        assertThat(signer.name()).isEqualTo("ledger.example/eu");
        assertThat(NoteVerifier.parse(signer.verifierKey()).open(signer.sign("ledger.example/eu\n0\nx\n")))
                .isEqualTo("ledger.example/eu\n0\nx\n");
        assertThat(signer.verifierKey()).isEqualTo(new NoteSigner("ledger.example/eu",
                Ed25519Keys.readPrivateKey(file)).verifierKey());
        assertThat(directory.resolve("data")).doesNotExist();
    }

    @Test
    void withoutAKeyFileTheEmbeddedRunGeneratesOneInItsDataDirectoryOnceAndNamesTheLogAfterIt() {
        Path dataDir = directory.resolve("data");
        ClaimsProperties.Checkpoints unset = new ClaimsProperties.Checkpoints(INTERVAL, null, null);

        NoteSigner first = CheckpointKeys.signer(unset, dataDir, List.of());
        NoteSigner second = CheckpointKeys.signer(unset, dataDir, List.of());

        assertThat(dataDir.resolve(CheckpointKeys.GENERATED_KEY_FILE)).exists();
        assertThat(second.verifierKey()).as("the same key after a restart").isEqualTo(first.verifierKey());
        assertThat(first.name()).matches("claims-ledger/[0-9a-f]{16}");
    }

    @Test
    void underThePostgresProfileWithoutAKeyFileItRefusesToStartSayingWhatToSet() {
        Path dataDir = directory.resolve("data");

        assertThatThrownBy(() -> CheckpointKeys.signer(new ClaimsProperties.Checkpoints(INTERVAL, null, null), dataDir,
                List.of("postgres")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("postgres profile requires a checkpoint signing key")
                .hasMessageContaining("claims.checkpoints.signing-key-file")
                .hasMessageContaining("openssl genpkey -algorithm ed25519");
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void anUnusableKeyFileOrOriginIsRefusedNamingTheSetting() throws IOException {
        Path notAKey = Files.writeString(directory.resolve("not-a-key.pem"), "hello\n");
        Path key = directory.resolve("key.pem");
        Ed25519Keys.generateUnlessPresent(key);

        assertThatThrownBy(() -> CheckpointKeys.signer(new ClaimsProperties.Checkpoints(INTERVAL, notAKey, null),
                directory, List.of())).hasMessageStartingWith("claims.checkpoints.signing-key-file: ")
                .hasMessageContaining(notAKey.toString());
        assertThatThrownBy(() -> CheckpointKeys.signer(new ClaimsProperties.Checkpoints(INTERVAL, key, "two words"),
                directory, List.of())).hasMessageStartingWith("claims.checkpoints.origin: ");
    }
}
