package dev.claimsledger.server;

import com.github.kagkarlsson.scheduler.Scheduler;
import org.axonframework.config.Configuration;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.context.annotation.Bean;

/**
 * Refuses to start unless lease deadlines are persistent. Without a db-scheduler {@code Scheduler} bean Axon quietly
 * falls back to an in-memory deadline manager, and every lease pending at a restart would then never expire.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
class PersistentDeadlinesGuard {

    static final String ADVICE = "Deadlines would be lost on restart and abandoned claims would never expire. Make "
            + "sure db-scheduler is enabled (db-scheduler.enabled=true) and a DataSource is configured.";

    /** Checks the bean definitions, before Axon inspects the aggregate and fails on a less helpful error. */
    @Bean
    static BeanFactoryPostProcessor persistentSchedulerRequired() {
        return beanFactory -> {
            if (beanFactory.getBeanNamesForType(Scheduler.class, true, false).length == 0) {
                throw new IllegalStateException("Lease expiry needs Axon's DbSchedulerDeadlineManager, but no "
                        + "db-scheduler Scheduler is configured. " + ADVICE);
            }
        };
    }

    /** Checks the deadline manager Axon actually uses, once everything is built. */
    @Bean
    SmartInitializingSingleton persistentDeadlineManagerInUse(Configuration axonConfiguration) {
        return () -> requirePersistent(axonConfiguration.deadlineManager());
    }

    static void requirePersistent(DeadlineManager deadlineManager) {
        if (!(deadlineManager instanceof DbSchedulerDeadlineManager)) {
            throw new IllegalStateException("Lease expiry needs Axon's DbSchedulerDeadlineManager, but the deadline "
                    + "manager is " + (deadlineManager == null ? "missing" : deadlineManager.getClass().getName())
                    + ". " + ADVICE);
        }
    }
}
