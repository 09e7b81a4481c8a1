package dev.claimsledger.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * How heartbeats affect a claim's lease.
 */
public enum LeasePolicy {
    /** The lease is set once when the claim is made; heartbeats are alive-pings and never move it. */
    @JsonProperty("fixed")
    FIXED,
    /** Each heartbeat moves the lease to ledger-now + TTL, never earlier than it was. The upstream service's behaviour. */
    @JsonProperty("renew_on_heartbeat")
    RENEW_ON_HEARTBEAT;

    public static final LeasePolicy DEFAULT = RENEW_ON_HEARTBEAT;

    /** The wire name, as used in JSON and in stored events. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LeasePolicy orDefault(LeasePolicy policy) {
        return policy == null ? DEFAULT : policy;
    }
}
