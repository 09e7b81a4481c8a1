package dev.claimsledger.server.security;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.claimsledger.merkle.TreeHashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The configured API keys, and the check of a presented key against them in constant time.
 */
public final class ApiKeys {

    private static final HexFormat HEX = HexFormat.of();

    private final List<ApiKey> keys;
    private final List<byte[]> hashes;

    private ApiKeys(List<ApiKey> keys) {
        this.keys = List.copyOf(keys);
        this.hashes = keys.stream().map(key -> HEX.parseHex(key.sha256())).toList();
    }

    /**
     * Reads a keys file: a YAML or JSON list of {@code {name, sha256, scopes, tenants}}.
     *
     * @throws IllegalStateException naming the file and the entry, when the file cannot be used
     */
    public static ApiKeys load(Path file) {
        List<ApiKey> keys;
        try {
            keys = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the API keys file " + file + ": " + e.getMessage(), e);
        }
        if (keys == null || keys.isEmpty()) {
            throw new IllegalStateException("the API keys file " + file + " holds no keys");
        }
        for (int i = 0; i < keys.size(); i++) {
            check(file, i, keys.get(i));
        }
        return new ApiKeys(keys);
    }

    private static void check(Path file, int index, ApiKey key) {
        String where = "API keys file " + file + ", entry " + (index + 1);
        if (key == null || key.name() == null || key.name().isBlank()) {
            throw new IllegalStateException(where + ": every key needs a name");
        }
        where += " (" + key.name() + ")";
        if (key.sha256() == null || !key.sha256().matches("[0-9a-f]{64}")) {
            throw new IllegalStateException(where + ": sha256 must be 64 lowercase hex digits");
        }
        if (key.scopes() == null || key.scopes().isEmpty() || !ApiKey.SCOPES.containsAll(key.scopes())) {
            throw new IllegalStateException(where + ": scopes must be some of " + ApiKey.SCOPES);
        }
        if (key.tenants() == null || key.tenants().isEmpty()) {
            throw new IllegalStateException(where + ": tenants must list tenant ids, or \"*\"");
        }
    }

    /** The key whose hash matches; every stored hash is compared, so the time taken does not tell which. */
    public Optional<ApiKey> authenticate(String presented) {
        byte[] hash = sha256(presented);
        ApiKey match = null;
        for (int i = 0; i < keys.size(); i++) {
            if (MessageDigest.isEqual(hash, hashes.get(i))) {
                match = keys.get(i);
            }
        }
        return Optional.ofNullable(match);
    }

    public int size() {
        return keys.size();
    }

    /** The lowercase hex SHA-256 of a key, as the keys file stores it. */
    public static String sha256Hex(String key) {
        return HEX.formatHex(sha256(key));
    }

    /** With the digest each thread keeps: looking SHA-256 up for every request cost more than hashing the key. */
    private static byte[] sha256(String key) {
        return TreeHashes.sha256(key.getBytes(StandardCharsets.UTF_8));
    }
}
