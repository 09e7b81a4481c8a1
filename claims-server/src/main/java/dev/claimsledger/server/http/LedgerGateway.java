package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimError;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.ClaimState;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.core.LeaseWriter;
import dev.claimsledger.server.ClaimsProperties;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseType;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Sends the HTTP layer's commands and queries and waits for them. Two guarantees live here:
 * <ul>
 * <li><b>A 2xx always means stored.</b> A command's answer arrives only after its events are committed. A command that
 * lost an optimistic-concurrency race (another node appended to the same stream first) is sent again: it is decided
 * anew on the current state, so no update is lost and the caller never sees the race.</li>
 * <li><b>Every call is answered within {@code claims.http.request-timeout}.</b> Axon's local buses run a message on
 * the caller's thread, so waiting on their futures bounds nothing; the work therefore runs on a bounded pool of ledger
 * workers while the request's thread waits at most the timeout and then answers 503 {@code unavailable}. A call the
 * caller gave up on before a worker took it is never started; one already running finishes (or fails) on its own and
 * its outcome is discarded: a 503 means "not known to be stored; retry", which every command allows (a repeated claim
 * is idempotent, a repeated release too, a second heartbeat is harmless). Workers are never interrupted, because an
 * interrupt can break the embedded database's file. A database that cannot be reached is 503 too, never 500.</li>
 * </ul>
 *
 * <p>Heartbeats, single or batched, go to the {@link LeaseWriter}, which decides them as the aggregate would and stores
 * those that arrive together in one transaction (group commit); the request's thread waits for that commit, at most
 * the timeout. Claims, releases and queries go through Axon's buses on the ledger workers.
 */
@Component
public class LedgerGateway implements DisposableBean {

    static final int MAX_ATTEMPTS = 8;
    /** How many calls run on the database at once, and how many more may wait for a worker. */
    static final int WORKERS = 64;
    static final int WAITING = 4096;
    /** A deadlock and a serialization failure: the database rolled the command back; it is safe to send again. */
    private static final Set<String> RETRYABLE_SQL_STATES = Set.of("40P01", "40001");

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final LeaseWriter leases;
    private final long timeoutNanos;
    private final ThreadPoolExecutor workers;

    LedgerGateway(CommandGateway commands, QueryGateway queries, LeaseWriter leases, ClaimsProperties properties) {
        this.commands = commands;
        this.queries = queries;
        this.leases = leases;
        this.timeoutNanos = properties.http().requestTimeout().toNanos();
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(WAITING),
                runnable -> {
                    Thread thread = new Thread(runnable, "ledger-worker-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.workers.allowCoreThreadTimeOut(true);
    }

    ClaimCommandResult send(Object command) {
        return within(deadline -> decidedAgainWhileLosingRaces(deadline, () -> await(commands.send(command)),
                "concurrent changes to this consumer kept winning; retry later"));
    }

    /** Records one heartbeat; its answer comes once it is committed, with the heartbeats of other callers. */
    ClaimCommandResult heartbeat(RecordHeartbeat heartbeat) {
        BatchOutcome outcome = heartbeats(List.of(heartbeat)).get(0);
        if (outcome.rejection() != null) {
            throw outcome.rejection();
        }
        return outcome.result();
    }

    /** The outcome of one heartbeat of a batch: the claim after it, or why it was rejected. */
    record BatchOutcome(ClaimCommandResult result, ClaimRejectedException rejection) {

        ClaimState claim() {
            return result.claim();
        }
    }

    /**
     * Records {@code heartbeats} in one transaction (shared with other callers' heartbeats: group commit) and answers
     * in their order, once it has committed. A rejected heartbeat is answered in its place and appends nothing.
     */
    List<BatchOutcome> recordHeartbeats(List<RecordHeartbeat> heartbeats) {
        return heartbeats(heartbeats);
    }

    private List<BatchOutcome> heartbeats(List<RecordHeartbeat> heartbeats) {
        long deadline = System.nanoTime() + timeoutNanos;
        List<CompletableFuture<LeaseWriter.Outcome>> pending;
        try {
            pending = leases.record(heartbeats);
        } catch (IllegalStateException busy) {
            throw new LedgerUnavailableException("the ledger has too many heartbeats waiting; retry later", busy);
        }
        List<BatchOutcome> outcomes = new ArrayList<>(pending.size());
        try {
            for (CompletableFuture<LeaseWriter.Outcome> each : pending) {
                LeaseWriter.Outcome outcome = each.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                outcomes.add(new BatchOutcome(outcome.result(), outcome.rejection()));
            }
            return outcomes;
        } catch (TimeoutException e) {
            pending.forEach(each -> each.cancel(false));
            throw new LedgerUnavailableException("the ledger did not answer within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (claims.http.request-timeout)", e);
        } catch (InterruptedException e) {
            pending.forEach(each -> each.cancel(false));
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted while waiting for the ledger", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    <R> R query(Object query, ResponseType<R> responseType) {
        return within(deadline -> await(queries.query(query, responseType)));
    }

    /** A read of the event store (history, a claim as of an instant), bounded like every other call. */
    public <R> R read(Supplier<R> read) {
        return within(deadline -> read.get());
    }

    /**
     * Runs {@code call} on a ledger worker and waits at most the request timeout for it. {@code call} gets the
     * {@link System#nanoTime()} by which its caller stops waiting, so that it does not start retries nobody awaits.
     */
    private <R> R within(Function<Long, R> call) {
        long deadline = System.nanoTime() + timeoutNanos;
        FutureTask<R> task = new FutureTask<>(() -> call.apply(deadline));
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            throw new LedgerUnavailableException("the ledger has " + WAITING + " calls waiting already; retry later", e);
        }
        try {
            return task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // never interrupt a worker: a call already running finishes on its own; one not started never starts
            task.cancel(false);
            throw new LedgerUnavailableException("the ledger did not answer within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (claims.http.request-timeout)", e);
        } catch (InterruptedException e) {
            task.cancel(false);
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted while waiting for the ledger", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    /**
     * Runs {@code attempt} again, after a short random pause, each time it loses a race; a conflict after the last,
     * or once the caller has stopped waiting.
     */
    private static <T> T decidedAgainWhileLosingRaces(long deadline, Supplier<T> attempt, String conflictDetail) {
        for (int attempts = 1; ; attempts++) {
            try {
                return attempt.get();
            } catch (LostRaceException lost) {
                if (attempts == MAX_ATTEMPTS || System.nanoTime() > deadline) {
                    throw new ClaimRejectedException(ClaimErrorCode.CONFLICT, conflictDetail);
                }
                backOff(attempts);
            }
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

    /** The result of a future of Axon's local buses, which is already complete when they return it. */
    private static <R> R await(CompletableFuture<R> done) {
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted while waiting for the ledger", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    private static RuntimeException translate(Throwable failure) {
        if (failure instanceof LostRaceException || failure instanceof LedgerUnavailableException
                || failure instanceof ClaimRejectedException) {
            return (RuntimeException) failure;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConcurrencyException || cause instanceof AggregateStreamCreationException
                    || cause instanceof SQLException sql && sql.getSQLState() != null
                            && RETRYABLE_SQL_STATES.contains(sql.getSQLState())) {
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
        if (DatabaseUnavailable.isCause(failure)) {
            return new LedgerUnavailableException("the database cannot be reached: " + DatabaseUnavailable.describe(failure),
                    failure);
        }
        return failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
    }

    @Override
    public void destroy() {
        workers.shutdown();
    }

    /** Another command on the same stream committed first. */
    private static final class LostRaceException extends RuntimeException {

        LostRaceException(Throwable cause) {
            super(cause);
        }
    }
}
