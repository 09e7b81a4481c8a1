package dev.claimsledger.server.http;

import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceException;
import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimError;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.server.ClaimsProperties;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.responsetypes.ResponseType;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.stereotype.Component;

/**
 * Sends the HTTP layer's commands and queries and waits for them, within {@code claims.http.request-timeout}. A
 * command's answer arrives only after its events are committed, so a 2xx always means stored. A command that lost an
 * optimistic-concurrency race (another node appended to the same stream first) is sent again: it is decided anew on
 * the current state, so no update is lost and the caller never sees the race.
 *
 * <p>A batch of heartbeats is recorded with one commit (group commit): each heartbeat is still its own command, decided
 * by its consumer's aggregate in a unit of work nested in the batch's, and the events of all the accepted ones are
 * inserted together when the batch's transaction commits. A heartbeat the ledger rejects is answered in its place and
 * appends nothing. Nothing is answered before the commit; a batch whose commit loses a race is decided again whole.
 */
@Component
class LedgerGateway {

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final TransactionManager transactions;
    private final long timeoutMillis;

    LedgerGateway(CommandGateway commands, QueryGateway queries, TransactionManager transactions,
                  ClaimsProperties properties) {
        this.commands = commands;
        this.queries = queries;
        this.transactions = transactions;
        this.timeoutMillis = properties.http().requestTimeout().toMillis();
    }

    static final int MAX_ATTEMPTS = 8;
    /** A deadlock and a serialization failure: the database rolled the command back; it is safe to send again. */
    private static final Set<String> RETRYABLE_SQL_STATES = Set.of("40P01", "40001");

    ClaimCommandResult send(Object command) {
        return decidedAgainWhileLosingRaces(() -> await(commands.send(command)),
                "concurrent changes to this consumer kept winning; retry later");
    }

    /** The outcome of one heartbeat of a batch: the claim after it, or why it was rejected. */
    record BatchOutcome(ClaimState claim, ClaimRejectedException rejection) {
    }

    /**
     * Records {@code heartbeats} with one commit and answers in their order. The batch's units of work run in the
     * order of their streams, so that two batches on one node take the streams' locks in the same order.
     */
    List<BatchOutcome> recordHeartbeats(List<RecordHeartbeat> heartbeats) {
        return decidedAgainWhileLosingRaces(() -> recordInOneTransaction(heartbeats),
                "concurrent changes to these consumers kept winning; retry later");
    }

    /** Runs {@code attempt} again, after a short random pause, each time it loses a race; a conflict after the last. */
    private static <T> T decidedAgainWhileLosingRaces(Supplier<T> attempt, String conflictDetail) {
        for (int attempts = 1; ; attempts++) {
            try {
                return attempt.get();
            } catch (LostRaceException lost) {
                if (attempts == MAX_ATTEMPTS) {
                    throw new ClaimRejectedException(ClaimErrorCode.CONFLICT, conflictDetail);
                }
                backOff(attempts);
            }
        }
    }

    private List<BatchOutcome> recordInOneTransaction(List<RecordHeartbeat> heartbeats) {
        Integer[] order = new Integer[heartbeats.size()];
        Arrays.setAll(order, index -> index);
        Arrays.sort(order, Comparator.comparing(index -> heartbeats.get(index).streamId()));
        BatchOutcome[] outcomes = new BatchOutcome[heartbeats.size()];
        UnitOfWork<?> batch = DefaultUnitOfWork.startAndGet(GenericMessage.asMessage(heartbeats.size()));
        try {
            batch.attachTransaction(transactions);
            for (int index : order) {
                outcomes[index] = decide(heartbeats.get(index));
            }
            batch.commit();
        } catch (RuntimeException e) {
            if (batch.isActive()) {
                batch.rollback(e);
            }
            throw translate(e);
        }
        return List.of(outcomes);
    }

    private BatchOutcome decide(RecordHeartbeat heartbeat) {
        try {
            return new BatchOutcome(await(commands.<ClaimCommandResult>send(heartbeat)).claim(), null);
        } catch (ClaimRejectedException rejected) {
            return new BatchOutcome(null, rejected);
        }
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted while retrying", e);
        }
    }

    <R> R query(Object query, ResponseType<R> responseType) {
        return await(queries.query(query, responseType));
    }

    private <R> R await(CompletableFuture<R> pending) {
        try {
            return pending.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(false);
            throw new LedgerUnavailableException("the ledger did not answer within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted while waiting for the ledger", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    private static RuntimeException translate(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            // a TaskInstanceException: the deadline this command cancels was just removed by a command on another
            // node, or is being run by a watchdog right now
            if (cause instanceof ConcurrencyException || cause instanceof AggregateStreamCreationException
                    || cause instanceof TaskInstanceException
                    || cause instanceof SQLException sql && RETRYABLE_SQL_STATES.contains(sql.getSQLState())) {
                return new LostRaceException(failure);
            }
        }
        if (failure instanceof CommandExecutionException execution) {
            ClaimError error = execution.getDetails().filter(ClaimError.class::isInstance).map(ClaimError.class::cast)
                    .orElse(null);
            if (error != null) {
                return new ClaimRejectedException(error.code(), error.message());
            }
        }
        if (failure instanceof ClaimRejectedException rejected) {
            return rejected;
        }
        return failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
    }

    /** Another command on the same stream committed first. */
    private static final class LostRaceException extends RuntimeException {

        LostRaceException(Throwable cause) {
            super(cause);
        }
    }
}
