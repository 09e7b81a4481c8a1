package dev.claimsledger.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The TTLs a claim may ask for. Injected into the aggregate's handlers so that deployments can change them.
 */
public record LeaseLimits(Duration minTtl, Duration maxTtl) {

    public static final LeaseLimits DEFAULT = new LeaseLimits(Duration.ofSeconds(1), Duration.ofMinutes(10));

    public LeaseLimits {
        Objects.requireNonNull(minTtl, "minTtl");
        Objects.requireNonNull(maxTtl, "maxTtl");
        if (minTtl.isNegative() || minTtl.isZero() || maxTtl.compareTo(minTtl) < 0) {
            throw new IllegalArgumentException("lease limits need 0 < min <= max, got " + minTtl + " and " + maxTtl);
        }
    }

    public boolean allows(Duration ttl) {
        return ttl.compareTo(minTtl) >= 0 && ttl.compareTo(maxTtl) <= 0;
    }
}
