package dev.claimsledger.client;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one renewer of a {@link ClaimsClient}. It owns the renewal set and this promise: <b>every claim in the set is
 * renewed before its deadline or reported lost, exactly once, with a reason; a claim that has left the set is never
 * sent another heartbeat.</b>
 *
 * <p>One thread renews every claim, not one per claim (thread-per-lease designs drew complaints: ShedLock #1587, etcd
 * #11487): every {@link #TICK} it collects the due claims of each tenant and sends them together, at most 1,000 and
 * {@code maxRequestBytes} per request, through {@code POST /v1/tenants/{tenant}/heartbeats}, as etcd sends every lease
 * over one stream and Redisson renews 100 locks per call. At most {@link #SENDERS} requests are on their way at once,
 * each on a sender thread; while they are, due claims wait and go out together in the next one, so a slow ledger gets
 * fewer, larger requests rather than a queue of small ones. Each result is decided on its own: {@code stale_epoch},
 * {@code claim_not_active}, {@code claim_not_found} and {@code claim_expired} end that claim at once and leave the
 * others alone; no answer, 503 and the like are retried after a backoff while the lease can still be saved (an early
 * Consul {@code RenewPeriodic} gave a session up on the first failed renewal).
 *
 * <p>A claim leaves the set before its release is sent, and the release waits until no heartbeat of the claim is on
 * its way (Redisson's renewal outlived {@code unlock()}, redisson #7272).
 *
 * <p>A second thread, the notifier, completes {@link HeldClaim#lost()} (so listeners never run on the renewer's
 * thread) and runs a watchdog that gives up claims past their deadline, so that a stalled renewer still leads to a
 * reported loss. Nothing escapes either loop: an unexpected error is logged and counted, and the loop goes on (etcd's
 * keep-alive loop halts for good, {@code ErrKeepAliveHalted}; Redisson's watchdog stopped silently, redisson #3194).
 */
final class Renewer {

    static final Duration TICK = Duration.ofMillis(50);
    static final Duration WATCHDOG_PERIOD = Duration.ofMillis(100);
    /** How many heartbeat requests may be on their way at once. */
    static final int SENDERS = 2;
    /** How many releases {@link #close()} sends at once. */
    static final int RELEASES_AT_ONCE = 16;
    private static final int MIN_REQUEST_BYTES = 1024;
    private static final Logger log = LoggerFactory.getLogger(Renewer.class);

    private final Map<HeldClaim.Key, HeldClaim> renewalSet = new ConcurrentHashMap<>();
    private final Semaphore sending = new Semaphore(SENDERS);
    private final Object lifecycle = new Object();
    private final LedgerWire wire;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final ScheduledExecutorService notifier;
    private final ExecutorService senders;
    private final ThreadFactory closingThreads;
    private final int maxBatchSize;
    private final AtomicInteger maxRequestBytes;

    private final LongAdder heartbeatRequests = new LongAdder();
    private final LongAdder heartbeatsSent = new LongAdder();
    private final LongAdder renewalFailures = new LongAdder();
    private final LongAdder claimsLost = new LongAdder();
    private final LongAdder unexpectedErrors = new LongAdder();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private volatile Instant lastSuccessfulRenewal;
    private volatile Instant lastRan;
    private ScheduledFuture<?> rounds;
    private ScheduledFuture<?> watchdog;
    private boolean closed;

    Renewer(LedgerWire wire, HttpClient http, ScheduledExecutorService scheduler, ScheduledExecutorService notifier,
            ExecutorService senders, ThreadFactory closingThreads, int maxBatchSize, int maxRequestBytes) {
        this.wire = wire;
        this.http = http;
        this.scheduler = scheduler;
        this.notifier = notifier;
        this.senders = senders;
        this.closingThreads = closingThreads;
        this.maxBatchSize = maxBatchSize;
        this.maxRequestBytes = new AtomicInteger(maxRequestBytes);
    }

    void start() {
        rounds = scheduler.scheduleWithFixedDelay(this::round, 0, TICK.toNanos(), TimeUnit.NANOSECONDS);
        watchdog = notifier.scheduleWithFixedDelay(this::watch, WATCHDOG_PERIOD.toNanos(), WATCHDOG_PERIOD.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** Puts a claim the ledger acknowledged into the renewal set; the one already there if it is the same claim. */
    HeldClaim hold(HeldClaim claim) {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the client is closed; the claim " + claim
                        + " was made and will expire at the end of its lease");
            }
            HeldClaim existing = renewalSet.putIfAbsent(claim.key(), claim);
            return existing == null ? claim : existing;
        }
    }

    /** Sends one request and waits for its answer, on the caller's thread. */
    Reply exchange(HttpRequest request) throws InterruptedException {
        return Reply.exchange(http, request);
    }

    // --- renewal -----------------------------------------------------------------------------------------------------

    private void round() {
        try {
            lastRan = Instant.now();
            long now = System.nanoTime();
            List<HeldClaim> due = new ArrayList<>();
            for (HeldClaim claim : renewalSet.values()) {
                if (claim.dueForRenewal(now)) {
                    due.add(claim);
                }
            }
            if (due.isEmpty() || sending.availablePermits() == 0) {
                return;
            }
            // the longest due first, should there be more than the senders take now
            due.sort(Comparator.comparingLong(claim -> claim.renewAt() - now));
            Map<String, List<HeldClaim>> byTenant = new LinkedHashMap<>();
            due.forEach(claim -> byTenant.computeIfAbsent(claim.tenant(), tenant -> new ArrayList<>()).add(claim));
            for (Map.Entry<String, List<HeldClaim>> tenant : byTenant.entrySet()) {
                for (List<HeldClaim> batch : batches(tenant.getValue())) {
                    if (!sending.tryAcquire()) {
                        return;
                    }
                    dispatch(tenant.getKey(), batch);
                }
            }
        } catch (Throwable unexpected) {
            unexpected("a renewal round failed", unexpected);
        }
    }

    /** The claims in requests of at most {@code maxBatchSize} heartbeats and {@code maxRequestBytes} bytes. */
    private List<List<HeldClaim>> batches(List<HeldClaim> claims) {
        int byteLimit = maxRequestBytes.get();
        List<List<HeldClaim>> batches = new ArrayList<>();
        List<HeldClaim> batch = new ArrayList<>();
        int bytes = LedgerWire.batchOverhead();
        for (HeldClaim claim : claims) {
            int size = claim.heartbeatItem().length + 1;
            if (!batch.isEmpty() && (batch.size() == maxBatchSize || bytes + size > byteLimit)) {
                batches.add(batch);
                batch = new ArrayList<>();
                bytes = LedgerWire.batchOverhead();
            }
            batch.add(claim);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    /** Hands a batch to a sender, holding a permit that the sender gives back. */
    private void dispatch(String tenant, List<HeldClaim> batch) {
        List<HeldClaim> marked = batch.stream().filter(HeldClaim::startRenewal).toList();
        if (marked.isEmpty()) {
            sending.release();
            return;
        }
        try {
            senders.execute(() -> send(tenant, marked));
        } catch (RejectedExecutionException closing) {
            marked.forEach(HeldClaim::renewalDropped);
            sending.release();
        }
    }

    private void send(String tenant, List<HeldClaim> marked) {
        List<HeldClaim> batch = marked;
        try {
            // a claim released or lost since it was collected is left out: no heartbeat after it left the set
            batch = marked.stream().filter(HeldClaim::stillToRenew).toList();
            if (batch.isEmpty()) {
                return;
            }
            Duration timeout = batch.stream().map(claim -> claim.timing().requestTimeout())
                    .min(Comparator.naturalOrder()).orElseThrow();
            HttpRequest request = wire.heartbeats(tenant, batch.stream().map(HeldClaim::heartbeatItem).toList(),
                    timeout);
            heartbeatRequests.increment();
            heartbeatsSent.add(batch.size());
            long sentAt = System.nanoTime();
            answered(tenant, batch, sentAt, exchange(request));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.forEach(HeldClaim::renewalDropped);
        } catch (Throwable unexpected) {
            unexpected(batch.size() + " heartbeats of tenant " + tenant + " failed unexpectedly", unexpected);
            long now = System.nanoTime();
            batch.forEach(claim -> claim.renewalFailed(now));
        } finally {
            sending.release();
        }
    }

    private void answered(String tenant, List<HeldClaim> batch, long sentAt, Reply reply) {
        long now = System.nanoTime();
        if (reply.status() != 200) {
            renewalFailures.increment();
            if (reply.status() == 413) {
                int limit = maxRequestBytes.updateAndGet(bytes -> Math.max(MIN_REQUEST_BYTES, bytes / 2));
                log.warn("the ledger found {} heartbeats of tenant {} too large; batches are now kept under {} bytes"
                        + " (set maxRequestBytes to the ledger's claims.http.max-body-size)", batch.size(), tenant,
                        limit);
            }
            failed(tenant, batch.size(), reply);
            batch.forEach(claim -> claim.renewalFailed(now));
            return;
        }
        List<LedgerWire.BatchResult> results = LedgerWire.batchResults(reply.body());
        if (results.size() != batch.size()) {
            throw new IllegalStateException("the ledger answered " + results.size() + " results to " + batch.size()
                    + " heartbeats");
        }
        for (int i = 0; i < batch.size(); i++) {
            HeldClaim claim = batch.get(i);
            LedgerWire.BatchResult result = results.get(i);
            if (!result.consumerId().equals(claim.consumerId()) || result.epoch() != claim.epoch()) {
                throw new IllegalStateException("result " + i + " is for " + result.consumerId() + " epoch "
                        + result.epoch() + ", not for " + claim);
            }
        }
        boolean acknowledged = false;
        for (int i = 0; i < batch.size(); i++) {
            HeldClaim claim = batch.get(i);
            LedgerWire.BatchResult result = results.get(i);
            LossReason loss = lossReason(result.code());
            if (result.status() / 100 == 2 && result.claim() != null) {
                claim.renewed(sentAt, now, result.claim());
                acknowledged = true;
            } else if (loss != null) {
                claim.lose(loss, "the ledger answered " + result.code() + ": " + result.detail());
                claim.renewalDropped();
            } else {
                renewalFailures.increment();
                log.warn("the ledger refused a heartbeat of {} with HTTP {} {} ({}); retrying while the lease lasts",
                        claim, result.status(), result.code(), result.detail());
                claim.renewalFailed(now);
            }
        }
        if (acknowledged) {
            lastSuccessfulRenewal = Instant.now();
            int failures = failuresInARow.getAndSet(0);
            if (failures > 0) {
                log.info("heartbeats are acknowledged again, after {} failed requests", failures);
            }
        }
    }

    private void failed(String tenant, int heartbeats, Reply reply) {
        String cause = reply.describe();
        if (failuresInARow.getAndIncrement() == 0) {
            log.warn("{} heartbeats of tenant {} failed ({}); retrying while the leases last", heartbeats, tenant,
                    cause);
        } else {
            log.debug("{} heartbeats of tenant {} failed again ({})", heartbeats, tenant, cause);
        }
    }

    /** The loss a rejection means, or null when it does not end the claim. */
    static LossReason lossReason(String code) {
        if (code == null) {
            return null;
        }
        return switch (code) {
            case "stale_epoch" -> LossReason.STALE_EPOCH;
            // not found: the ledger holds no such claim any more; the closest is "not active"
            case "claim_not_active", "claim_not_found" -> LossReason.NOT_ACTIVE;
            case "claim_expired" -> LossReason.EXPIRED;
            default -> null;
        };
    }

    private void watch() {
        try {
            long now = System.nanoTime();
            renewalSet.values().forEach(claim -> claim.giveUpIfDue(now));
        } catch (Throwable unexpected) {
            unexpected("the watchdog's round failed", unexpected);
        }
    }

    /** The claim is lost (it decided so): out of the set, counted, logged, and reported off this thread. */
    void lost(HeldClaim claim, ClaimLoss loss) {
        renewalSet.remove(claim.key(), claim);
        claimsLost.increment();
        log.warn("claim {} lost: {} ({})", claim, loss.reason(), loss.detail());
        try {
            notifier.execute(() -> claim.notifyLost(loss));
        } catch (RejectedExecutionException clientClosed) {
            claim.notifyLost(loss);
        }
    }

    // --- releases ----------------------------------------------------------------------------------------------------

    /**
     * Releases a claim that has just left the renewal state, on the caller's thread: out of the set, then, once no
     * heartbeat of it is on its way, the release, tried again after a backoff while the lease lasts.
     */
    void release(HeldClaim claim, List<AckedStream> ackedStreams) {
        renewalSet.remove(claim.key(), claim);
        LeaseTiming timing = claim.timing();
        HttpRequest request = wire.release(claim.tenant(), claim.consumerId(), claim.epoch(), ackedStreams,
                timing.requestTimeout());
        try {
            claim.awaitNoRenewal(timing.requestTimeout().plus(Duration.ofSeconds(1)).toNanos());
            for (int attempt = 1; ; attempt++) {
                Reply reply = exchange(request);
                long now = System.nanoTime();
                if (reply.status() == 200) {
                    claim.released();
                    return;
                }
                if (reply.answered() && !reply.retryable()) {
                    throw refused(claim, reply, now);
                }
                long backoff = timing.backoff(attempt);
                if (!claim.savableAt(now + backoff)) {
                    throw new ClaimLostException(claim.lose(LossReason.NO_ACK_WITHIN_LEASE, "the release was not"
                            + " acknowledged before the lease's end; the last try: " + reply.describe()));
                }
                TimeUnit.NANOSECONDS.sleep(backoff);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (claim.releaseRefused(System.nanoTime())) {
                renewalSet.put(claim.key(), claim);
            }
            throw new IllegalStateException("interrupted while releasing " + claim + "; it is held and renewed again",
                    e);
        }
    }

    private RuntimeException refused(HeldClaim claim, Reply reply, long now) {
        LedgerWire.Problem problem = LedgerWire.problem(reply.status(), reply.body());
        LossReason reason = lossReason(problem.code());
        if (reason != null) {
            return new ClaimLostException(claim.lose(reason, "the ledger answered the release with "
                    + problem.code() + ": " + problem.detail()));
        }
        if (claim.releaseRefused(now)) {
            renewalSet.put(claim.key(), claim);
        }
        return new ClaimRejectedException(problem.code(), reply.status(), problem.detail());
    }

    // --- health and closing ------------------------------------------------------------------------------------------

    ClientHealth health() {
        return new ClientHealth(renewalSet.size(), lastSuccessfulRenewal, renewalFailures.sum(), claimsLost.sum(),
                unexpectedErrors.sum(), lastRan, heartbeatRequests.sum(), heartbeatsSent.sum());
    }

    /**
     * Takes no more claims, releases every claim still held ({@link #RELEASES_AT_ONCE} at a time, on threads started
     * for that, while the renewer keeps renewing those not released yet), then stops renewing, waits for the
     * heartbeats on their way and stops the threads. A claim that could not be released is reported lost, since
     * nothing renews it any more.
     */
    void close() {
        List<HeldClaim> held;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            held = new ArrayList<>(renewalSet.values());
        }
        ExecutorService releasing = Executors.newFixedThreadPool(RELEASES_AT_ONCE, closingThreads);
        long patience = LeaseTiming.MAX_DERIVED_REQUEST_TIMEOUT.plusSeconds(1).toMillis();
        try {
            List<Future<?>> releases = new ArrayList<>();
            for (HeldClaim claim : held) {
                releases.add(releasing.submit(() -> {
                    try {
                        claim.close();
                    } catch (RuntimeException e) {
                        log.warn("could not release {} while closing: {}", claim, e.getMessage());
                    }
                }));
            }
            for (Future<?> release : releases) {
                release.get();
            }
            rounds.cancel(false);
            // the round under way, if any, has handed out its batches; then every sender is done with them
            scheduler.submit(() -> { }).get(patience, TimeUnit.MILLISECONDS);
            if (!sending.tryAcquire(SENDERS, patience, TimeUnit.MILLISECONDS)) {
                log.warn("closing while heartbeats are still on their way");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("closing did not wait for everything: {}", e.toString());
        } finally {
            rounds.cancel(false);
            releasing.shutdownNow();
        }
        renewalSet.values().forEach(claim -> claim.lose(LossReason.NO_ACK_WITHIN_LEASE,
                "the client was closed and could not release it; nothing renews it any more"));
        watchdog.cancel(false);
        scheduler.shutdown();
        senders.shutdown();
        notifier.shutdown();
        try {
            notifier.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isClosed() {
        synchronized (lifecycle) {
            return closed;
        }
    }

    private void unexpected(String what, Throwable failure) {
        unexpectedErrors.increment();
        log.error("{}; the renewer goes on", what, failure);
    }
}
