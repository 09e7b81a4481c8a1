package dev.claimsledger.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.RequiresPostgres;
import dev.claimsledger.server.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * When the ledger refuses to start (README, Security): without a keys file off a loopback address or under the
 * {@code postgres} profile, and with a keys file it cannot use. Each refusal says why in its message.
 */
class ApiKeyStartupTest {

    @TempDir
    Path directory;

    @Test
    void boundToEveryAddressWithoutKeysItRefusesToStart() {
        Throwable failure = startFailure(h2(), Map.of("server.address", "0.0.0.0"));

        assertThat(rootCause(failure)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0.0.0.0").hasMessageContaining("without API keys")
                .hasMessageContaining("claims.security.api-keys-file");
    }

    @Test
    void boundToAnotherInterfaceWithoutKeysItRefusesToStart() {
        Throwable failure = startFailure(h2(), Map.of("server.address", "192.0.2.10"));

        assertThat(rootCause(failure)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("192.0.2.10").hasMessageContaining("without API keys").hasMessageContaining("claims.security.api-keys-file");
    }

    @Test
    @RequiresPostgres
    void underThePostgresProfileWithoutKeysItRefusesToStart() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.profiles.active", "postgres");

        Throwable failure = startFailure(TestDatabase.freshPostgresSchema(), properties);

        assertThat(rootCause(failure)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("postgres profile requires API keys")
                .hasMessageContaining("claims.security.api-keys-file");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a bad sha256     | 2372911E0DB398F678738E955F56150159A3F6F2069BFD5CDAF4554FBFDC6F05 | [claims:read]   | [acme] | sha256
            an unknown scope | 2372911e0db398f678738e955f56150159a3f6f2069bfd5cdaf4554fbfdc6f05 | [claims:delete] | [acme] | scopes
            empty tenants    | 2372911e0db398f678738e955f56150159a3f6f2069bfd5cdaf4554fbfdc6f05 | [claims:read]   | []     | tenants
            """)
    void aKeysFileWithABrokenEntryStopsStartUpNamingTheEntry(String problem, String sha256, String scopes,
                                                             String tenants, String field) throws IOException {
        Path keysFile = directory.resolve("api-keys.yaml");
        Files.writeString(keysFile, """
                - name: fine-key
                  sha256: %s
                  scopes: [claims:write]
                  tenants: ["*"]
                - name: broken-key
                  sha256: %s
                  scopes: %s
                  tenants: %s
                """.formatted(ApiKeys.sha256Hex("fine"), sha256, scopes, tenants), StandardCharsets.UTF_8);

        Throwable failure = startFailure(h2(), Map.of("claims.security.api-keys-file", keysFile.toString()));

        assertThat(rootCause(failure)).as(problem).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(keysFile.toString()).hasMessageContaining("entry 2 (broken-key)")
                .hasMessageContaining(field);
    }

    @Test
    void aMissingKeysFileStopsStartUpNamingTheFile() {
        Path missing = directory.resolve("not-there.yaml");

        Throwable failure = startFailure(h2(), Map.of("claims.security.api-keys-file", missing.toString()));

        assertThat(rootCause(failure)).hasMessageContaining(missing.toString());
    }

    // === helpers =====================================================================================================

    private TestDatabase h2() {
        return TestDatabase.freshH2(directory.resolve("data"));
    }

    /** Starts the ledger with HTTP; it must fail. A ledger that starts anyway is closed and the test fails. */
    private static Throwable startFailure(TestDatabase database, Map<String, Object> properties) {
        Throwable failure = catchThrowable(() -> {
            ConfigurableApplicationContext started = Ledger.startWithHttp(database, properties);
            started.close();
        });
        assertThat(failure).as("the ledger started with %s", properties).isNotNull();
        return failure;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
