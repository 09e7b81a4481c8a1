package dev.claimsledger.server.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;

/**
 * One entry of the API keys file. Only the SHA-256 of the key is stored, never the key.
 *
 * @param name    who the key belongs to; shown in logs instead of the key
 * @param sha256  lowercase hex SHA-256 of the key's UTF-8 bytes
 * @param scopes  what the key may do: {@code claims:write}, {@code claims:read}, {@code claims:audit},
 *                {@code claims:admin}
 * @param tenants the tenants it may act for; {@code *} for all
 */
public record ApiKey(@JsonProperty("name") String name,
                     @JsonProperty("sha256") String sha256,
                     @JsonProperty("scopes") Set<String> scopes,
                     @JsonProperty("tenants") Set<String> tenants) {

    /** The request attribute holding the key a request was authenticated with; absent in open mode. */
    public static final String REQUEST_ATTRIBUTE = ApiKey.class.getName();

    public static final String WRITE = "claims:write";
    public static final String READ = "claims:read";
    public static final String AUDIT = "claims:audit";
    public static final String ADMIN = "claims:admin";
    public static final Set<String> SCOPES = Set.of(WRITE, READ, AUDIT, ADMIN);

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    public boolean allowsTenant(String tenant) {
        return allowsEveryTenant() || tenants.contains(tenant);
    }

    /** Whether the key may use operations that read or change every tenant at once (audit, rebuilds, metrics). */
    public boolean allowsEveryTenant() {
        return tenants.contains("*");
    }
}
