package dev.claimsledger.server;

import org.axonframework.config.Configuration;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Refuses to start unless lease deadlines are persistent. Without a db-scheduler {@code Scheduler} bean Axon quietly
 * falls back to an in-memory deadline manager, and every lease pending at a restart would then never expire.
 */
@Component
class PersistentDeadlinesGuard implements SmartInitializingSingleton {

    private final Configuration axonConfiguration;

    PersistentDeadlinesGuard(Configuration axonConfiguration) {
        this.axonConfiguration = axonConfiguration;
    }

    @Override
    public void afterSingletonsInstantiated() {
        requirePersistent(axonConfiguration.deadlineManager());
    }

    static void requirePersistent(DeadlineManager deadlineManager) {
        if (!(deadlineManager instanceof DbSchedulerDeadlineManager)) {
            throw new IllegalStateException("Lease expiry needs Axon's DbSchedulerDeadlineManager, but the deadline "
                    + "manager is " + (deadlineManager == null ? "missing" : deadlineManager.getClass().getName())
                    + ". Deadlines would be lost on restart and abandoned claims would never expire. Make sure "
                    + "db-scheduler is enabled (db-scheduler.enabled=true) and that a DataSource is configured.");
        }
    }
}
