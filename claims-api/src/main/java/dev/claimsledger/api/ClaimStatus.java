package dev.claimsledger.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * Where a claim stands. Every status but {@link #ACTIVE} is final.
 */
public enum ClaimStatus {
    @JsonProperty("active")
    ACTIVE,
    @JsonProperty("released")
    RELEASED,
    @JsonProperty("expired")
    EXPIRED,
    @JsonProperty("superseded")
    SUPERSEDED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isEnded() {
        return this != ACTIVE;
    }
}
