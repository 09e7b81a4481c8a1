package dev.claimsledger.server;

import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
import java.time.Instant;
import org.axonframework.deadline.dbscheduler.DbSchedulerBinaryDeadlineDetails;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Axon's deadline task as db-scheduler runs it, with one change: a deadline whose run fails (it lost a race for its
 * stream against a command on another node, or the database failed for a moment) is run again within about a second,
 * then after doubling pauses of at most {@link #LONGEST_PAUSE}. db-scheduler's default for Axon's task retries only
 * after five minutes, which left lapsed leases active that long.
 */
@Configuration(proxyBeanMethods = false)
class DeadlineRetries {

    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);

    /** Takes the place of Axon's own task bean of this qualifier, which Axon defines only when none exists. */
    @Bean
    @Qualifier("deadlineDetailsTask")
    Task<DbSchedulerBinaryDeadlineDetails> deadlineDetailsTask(ApplicationContext context) {
        Task<DbSchedulerBinaryDeadlineDetails> axonTask = DbSchedulerDeadlineManager.binaryTask(
                () -> context.getBean(DbSchedulerDeadlineManager.class));
        return Tasks.oneTime(axonTask.getName(), DbSchedulerBinaryDeadlineDetails.class)
                .onFailure(new RetrySoon<>(FIRST_PAUSE, LONGEST_PAUSE))
                .execute((instance, execution) -> axonTask.execute(instance, execution));
    }

    /** Reschedules a failed run after {@code first}, doubling with each consecutive failure up to {@code longest}. */
    static final class RetrySoon<T> implements FailureHandler<T> {

        private static final Logger log = LoggerFactory.getLogger(RetrySoon.class);

        private final Duration first;
        private final Duration longest;

        RetrySoon(Duration first, Duration longest) {
            this.first = first;
            this.longest = longest;
        }

        /** The pause before the next run, after {@code failures} consecutive failures (1 for the first). */
        Duration pauseAfter(int failures) {
            Duration pause = first;
            for (int i = 1; i < failures && pause.compareTo(longest) < 0; i++) {
                pause = pause.multipliedBy(2);
            }
            return pause.compareTo(longest) > 0 ? longest : pause;
        }

        @Override
        public void onFailure(ExecutionComplete complete, ExecutionOperations<T> operations) {
            int failures = complete.getExecution().consecutiveFailures + 1;
            Duration pause = pauseAfter(failures);
            Instant next = complete.getTimeDone().plus(pause);
            log.info("deadline {} failed ({} in a row: {}); running it again at {}", complete.getExecution().getId(),
                    failures, complete.getCause().map(Throwable::toString).orElse("no cause"), next);
            operations.reschedule(complete, next);
        }
    }
}
