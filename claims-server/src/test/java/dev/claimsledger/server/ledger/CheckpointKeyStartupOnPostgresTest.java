package dev.claimsledger.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.claimsledger.server.security.ApiKeys;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A production node without a checkpoint signing key does not start (it would sign with a key of its own that no
 * auditor holds), and it says which setting is missing.
 */
@RequiresPostgres
class CheckpointKeyStartupOnPostgresTest {

    @TempDir
    Path directory;

    @Test
    void underThePostgresProfileWithApiKeysButNoSigningKeyTheLedgerRefusesToStart() throws IOException {
        Path keys = Files.writeString(directory.resolve("api-keys.yaml"), "- name: auditor\n  sha256: "
                + ApiKeys.sha256Hex("auditor") + "\n  scopes: [claims:audit]\n  tenants: [\"*\"]\n");

        Throwable failure = catchThrowable(() -> {
            try (ConfigurableApplicationContext ignored = Ledger.start(TestDatabase.freshPostgresSchema(), Map.of(
                    "spring.profiles.active", "postgres", "claims.security.api-keys-file", keys.toString(),
                    "claims.data-dir", directory.resolve("data").toString()))) {
                // started: the assertion below fails
            }
        });

        Throwable root = failure;
        while (root != null && root.getCause() != null) {
            root = root.getCause();
        }
        assertThat(root).as("why the ledger did not start").isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("postgres profile requires a checkpoint signing key")
                .hasMessageContaining("claims.checkpoints.signing-key-file");
        assertThat(directory.resolve("data").resolve(CheckpointKeys.GENERATED_KEY_FILE)).doesNotExist();
    }
}
