package dev.claimsledger.core;

/**
 * Names of beans the core's annotations refer to, which the application that hosts the core must define.
 */
public final class CoreBeanNames {

    /** The {@code SnapshotTriggerDefinition} of the {@code Claim} aggregate. */
    public static final String SNAPSHOT_TRIGGER = "claimSnapshotTrigger";

    /** The {@code Repository} of the {@code Claim} aggregate, made by {@link ClaimRepository#create}. */
    public static final String CLAIM_REPOSITORY = "claimRepository";

    private CoreBeanNames() {
    }
}
