package dev.claimsledger.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The keys file and the check of a presented key (README, Security): only SHA-256 hashes are stored, a key is found by
 * the hash of what is presented, and a file that cannot be used is refused naming the entry.
 */
class ApiKeysTest {

    private static final String WRITER_KEY = "example-writer-key";
    /** {@code printf %s example-writer-key | sha256sum}, as in docker/api-keys.yaml and the README. */
    private static final String WRITER_HASH = "2372911e0db398f678738e955f56150159a3f6f2069bfd5cdaf4554fbfdc6f05";

    @TempDir
    Path directory;

    // === sha256Hex ===================================================================================================

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            example-writer-key  | 2372911e0db398f678738e955f56150159a3f6f2069bfd5cdaf4554fbfdc6f05
            example-auditor-key | f36a7e34c0a28123eddea6b4c288e2191520faa288f62badfece26ef8f7ce636
            example-admin-key   | 9b3a91136feac4a6472d2cc9af52e9a6f9e367c1e8fcffb5a41c5c2beeaad08e
            clé-ünïcode-🔑       | c04d2611b52a7e826a37bb79fd829f240cdfc30f7ef71759647a7af7053ec47a
            """)
    void sha256HexIsWhatSha256sumPrintsForTheKey(String key, String printedBySha256sum) {
        assertThat(ApiKeys.sha256Hex(key)).isEqualTo(printedBySha256sum);
    }

    @Test
    void sha256HexOfTheEmptyKeyIsTheHashOfNoBytes() {
        assertThat(ApiKeys.sha256Hex("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    /** Run for real where the tools exist; ASCII keys only, so that the shell's locale cannot change the bytes. */
    @ParameterizedTest
    @ValueSource(strings = {"example-writer-key", "a key with spaces", "$HOME'\"\\%s%%", "-n"})
    void sha256HexAgreesWithPrintfPipedToSha256sum(String key) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/sha256sum")) || Files.isExecutable(Path.of("/bin/sha256sum")),
                "sha256sum is not installed");
        ProcessBuilder command = new ProcessBuilder("sh", "-c", "printf %s \"$KEY\" | sha256sum");
        command.environment().put("KEY", key);
        Process process = command.redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(ApiKeys.sha256Hex(key)).isEqualTo(printed.substring(0, 64));
    }

    // === authenticate ================================================================================================

    @Test
    void authenticateFindsTheEntryWhoseHashIsTheKeysSha256() throws IOException {
        ApiKeys keys = ApiKeys.load(file("""
                - name: writer
                  sha256: %s
                  scopes: [claims:write, claims:read]
                  tenants: [acme, globex]
                - name: auditor
                  sha256: %s
                  scopes: [claims:audit]
                  tenants: ["*"]
                """.formatted(WRITER_HASH, ApiKeys.sha256Hex("auditor-key"))));

        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.authenticate(WRITER_KEY)).get().extracting(ApiKey::name).isEqualTo("writer");
        assertThat(keys.authenticate("auditor-key")).get().extracting(ApiKey::name).isEqualTo("auditor");
    }

    @Test
    void authenticateTakesNothingButTheExactKey() throws IOException {
        ApiKeys keys = ApiKeys.load(file("""
                - name: writer
                  sha256: %s
                  scopes: [claims:write]
                  tenants: [acme]
                """.formatted(WRITER_HASH)));

        for (String presented : List.of(WRITER_HASH, WRITER_KEY + " ", " " + WRITER_KEY, WRITER_KEY.toUpperCase(),
                WRITER_KEY.substring(1), "", "example-writer-ke", "example-writer-key\n")) {
            assertThat(keys.authenticate(presented)).as("authenticate(\"%s\")", presented).isEmpty();
        }
    }

    @Test
    void aJsonKeysFileLoadsLikeAYamlOne() throws IOException {
        ApiKeys keys = ApiKeys.load(file("""
                [{"name": "writer", "sha256": "%s", "scopes": ["claims:write"], "tenants": ["acme"]}]
                """.formatted(WRITER_HASH)));

        assertThat(keys.authenticate(WRITER_KEY)).get().satisfies(key -> {
            assertThat(key.scopes()).containsExactly("claims:write");
            assertThat(key.tenants()).containsExactly("acme");
        });
    }

    @Test
    void theExampleKeysFileHoldsTheDocumentedExampleKeys() {
        ApiKeys keys = ApiKeys.load(Path.of("../docker/api-keys.yaml"));

        assertThat(keys.authenticate("example-writer-key")).get().extracting(ApiKey::name).isEqualTo("example-writer");
        assertThat(keys.authenticate("example-auditor-key")).get().extracting(ApiKey::name)
                .isEqualTo("example-auditor");
        assertThat(keys.authenticate("example-admin-key")).get().extracting(ApiKey::name).isEqualTo("example-admin");
    }

    // === scopes and tenants of an entry ==============================================================================

    @Test
    void aKeyForEveryTenantAllowsAnyTenant() {
        ApiKey key = new ApiKey("fleet", WRITER_HASH, Set.of(ApiKey.WRITE), Set.of("*"));

        assertThat(key.allowsTenant("acme")).isTrue();
        assertThat(key.allowsTenant("anything at all")).isTrue();
    }

    @Test
    void aKeyForListedTenantsAllowsExactlyThose() {
        ApiKey key = new ApiKey("acme-only", WRITER_HASH, Set.of(ApiKey.WRITE), Set.of("acme", "globex"));

        assertThat(key.allowsTenant("acme")).isTrue();
        assertThat(key.allowsTenant("globex")).isTrue();
        assertThat(key.allowsTenant("ACME")).isFalse();
        assertThat(key.allowsTenant("acme2")).isFalse();
        assertThat(key.allowsTenant("*")).isFalse();
    }

    @Test
    void aKeyHasOnlyTheScopesItLists() {
        ApiKey key = new ApiKey("reader", WRITER_HASH, Set.of(ApiKey.READ), Set.of("acme"));

        assertThat(key.hasScope(ApiKey.READ)).isTrue();
        assertThat(key.hasScope(ApiKey.WRITE)).isFalse();
        assertThat(key.hasScope(ApiKey.AUDIT)).isFalse();
        assertThat(key.hasScope(ApiKey.ADMIN)).isFalse();
    }

    // === a file that cannot be used ==================================================================================

    @ParameterizedTest(name = "sha256: {0}")
    @ValueSource(strings = {"2372911E0DB398F678738E955F56150159A3F6F2069BFD5CDAF4554FBFDC6F05",
            "2372911e0db398f678738e955f56150159a3f6f2069bfd5cdaf4554fbfdc6f0",
            "2372911e0db398f678738e955f56150159a3f6f2069bfd5cdaf4554fbfdc6f055",
            "zz72911e0db398f678738e955f56150159a3f6f2069bfd5cdaf4554fbfdc6f05", "example-writer-key", "\"\""})
    void aBadSha256IsRefusedNamingTheEntry(String sha256) throws IOException {
        Path file = secondEntryIs("""
                - name: broken-key
                  sha256: %s
                  scopes: [claims:read]
                  tenants: [acme]
                """.formatted(sha256));

        assertThatThrownBy(() -> ApiKeys.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("entry 2 (broken-key)")
                .hasMessageContaining("sha256");
    }

    @Test
    void aMissingSha256IsRefusedNamingTheEntry() throws IOException {
        Path file = secondEntryIs("""
                - name: broken-key
                  scopes: [claims:read]
                  tenants: [acme]
                """);

        assertThatThrownBy(() -> ApiKeys.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("entry 2 (broken-key)").hasMessageContaining("sha256");
    }

    @ParameterizedTest(name = "scopes: {0}")
    @ValueSource(strings = {"[claims:delete]", "[claims:read, claims:everything]", "[CLAIMS:READ]", "[read]", "[]",
            "[\"*\"]"})
    void anUnknownOrMissingScopeIsRefusedNamingTheEntry(String scopes) throws IOException {
        Path file = secondEntryIs("""
                - name: broken-key
                  sha256: %s
                  scopes: %s
                  tenants: [acme]
                """.formatted(ApiKeys.sha256Hex("broken"), scopes));

        assertThatThrownBy(() -> ApiKeys.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("entry 2 (broken-key)").hasMessageContaining("scopes");
    }

    @ParameterizedTest(name = "tenants: {0}")
    @ValueSource(strings = {"tenants: []", "tenants: null", "tenants: ~", ""})
    void emptyOrMissingTenantsAreRefusedNamingTheEntry(String tenantsLine) throws IOException {
        Path file = secondEntryIs("""
                - name: broken-key
                  sha256: %s
                  scopes: [claims:read]
                  %s
                """.formatted(ApiKeys.sha256Hex("broken"), tenantsLine));

        assertThatThrownBy(() -> ApiKeys.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("entry 2 (broken-key)").hasMessageContaining("tenants");
    }

    @Test
    void anEntryWithoutANameIsRefusedNamingItsPosition() throws IOException {
        Path file = secondEntryIs("""
                - sha256: %s
                  scopes: [claims:read]
                  tenants: [acme]
                """.formatted(ApiKeys.sha256Hex("nameless")));

        assertThatThrownBy(() -> ApiKeys.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("entry 2").hasMessageContaining("name");
    }

    @ParameterizedTest(name = "file: {0}")
    @ValueSource(strings = {"", "[]", "# only a comment\n", "name: not-a-list", "- just a string", "{{{"})
    void aFileWithoutUsableKeysIsRefusedNamingTheFile(String content) throws IOException {
        Path file = file(content);

        assertThatThrownBy(() -> ApiKeys.load(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void aMissingFileIsRefusedNamingTheFile() {
        Path missing = directory.resolve("no-such-keys.yaml");

        assertThatThrownBy(() -> ApiKeys.load(missing)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(missing.toString());
    }

    // === helpers =====================================================================================================

    /** A keys file whose first entry is good and whose second is {@code entry}. */
    private Path secondEntryIs(String entry) throws IOException {
        return file("""
                - name: good-key
                  sha256: %s
                  scopes: [claims:write]
                  tenants: [acme]
                """.formatted(WRITER_HASH) + entry);
    }

    private Path file(String content) throws IOException {
        Path file = Files.createTempFile(directory, "api-keys-", ".yaml");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
