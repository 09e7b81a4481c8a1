package dev.claimsledger.client;

/** How the ledger moves a claim's lease; see README, "Claims, leases and the invariants". */
public enum LeasePolicy {
    /** Each acknowledged heartbeat moves the lease's end to the ledger's now plus the TTL. The ledger's default. */
    RENEW_ON_HEARTBEAT("renew_on_heartbeat"),
    /**
     * The lease ends at the claim's time plus the TTL, whatever happens: heartbeats are alive-pings that never move it.
     * The client keeps sending them and reports the claim lost ({@link LossReason#EXPIRED}) when that end comes.
     */
    FIXED("fixed");

    private final String wireName;

    LeasePolicy(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the ledger's JSON. */
    public String wireName() {
        return wireName;
    }
}
