package dev.claimsledger.server;

import dev.claimsledger.core.LeaseDeadlines;
import org.axonframework.config.Configuration;
import org.axonframework.deadline.DeadlineManager;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;

/**
 * Refuses to start unless lease watchdogs are persistent. Without a deadline manager of its own, Axon quietly falls
 * back to one that keeps deadlines in memory, and every lease pending at a restart would then never expire.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
class PersistentDeadlinesGuard {

    static final String ADVICE = "Deadlines would be lost on restart and abandoned claims would never expire. The "
            + "ledger's own LeaseDeadlines bean (the lease_deadlines table) must be Axon's deadline manager.";

    /** Checks the deadline manager Axon actually uses, once everything is built. */
    @Bean
    SmartInitializingSingleton persistentDeadlineManagerInUse(Configuration axonConfiguration) {
        return () -> requirePersistent(axonConfiguration.deadlineManager());
    }

    static void requirePersistent(DeadlineManager deadlineManager) {
        if (!(deadlineManager instanceof LeaseDeadlines)) {
            throw new IllegalStateException("Lease expiry needs the ledger's LeaseDeadlines, but the deadline "
                    + "manager is " + (deadlineManager == null ? "missing" : deadlineManager.getClass().getName())
                    + ". " + ADVICE);
        }
    }
}
