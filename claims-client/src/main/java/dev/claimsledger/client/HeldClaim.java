package dev.claimsledger.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A claim this client holds, renewed by the client's one renewer until it is released or lost.
 *
 * <p><b>Held</b> means: the claim is in the renewal set and this machine's clock has not yet reached its deadline,
 * the send time of the last acknowledged heartbeat (or of the claim) plus the TTL, minus the safety margin. The ledger
 * extends a lease from the moment it records a heartbeat, which is after the client sent it, so the lease is alive at
 * least until then. {@link #isHeld()} and {@link #checkHeld()} read the clock themselves: a claim whose renewer is
 * stalled (a long GC pause, a starved thread) stops being held on time, not when the renewer wakes up (Redisson's
 * watchdog kept locks past their lease after such pauses, redisson #2665, #3636). An acknowledgement that comes back
 * after the deadline does not revive the claim.
 *
 * <p>Even so, a process can pause between a check and the write it guards. Pass {@link #epoch()}, the fencing token,
 * with every downstream write, and let the downstream store refuse writes with an older epoch.
 *
 * <p><b>Lost</b> is final and reported once: {@link #lost()} completes exactly once with the reason, off the renewer's
 * thread (etcd's {@code Session.Done()} gives no reason, etcd #8181; Redisson had no callback at all, redisson #4698;
 * fabric8's leader election sometimes skips {@code onStopLeading}, fabric8 #2860). A lost claim is never sent another
 * heartbeat. A released claim is not lost: its {@link #lost()} never completes.
 *
 * <p>Thread-safe. {@link #release} and {@link #close()} block until the ledger has answered.
 */
public final class HeldClaim implements AutoCloseable {

    enum State { HELD, RELEASING, RELEASED, LOST }

    /** Who a claim is, in the ledger and in the renewal set. */
    record Key(String tenant, String consumerId, long epoch) {
    }

    private final Renewer renewer;
    private final Key key;
    private final LeasePolicy policy;
    private final LeaseTiming timing;
    private final byte[] heartbeatItem;
    private final CompletableFuture<ClaimLoss> lost = new CompletableFuture<>();

    // guarded by this; times are System.nanoTime()
    private State state = State.HELD;
    private long deadline;
    private long acknowledgedSentAt;
    private long renewAt;
    private boolean renewing;
    private int failedRenewals;
    private ClaimLoss loss;
    private CompletableFuture<Void> release;
    private volatile Instant leaseExpiresAt;

    HeldClaim(Renewer renewer, Key key, LeasePolicy policy, LeaseTiming timing, long sentAt, long deadline,
              Instant leaseExpiresAt) {
        this.renewer = renewer;
        this.key = key;
        this.policy = policy;
        this.timing = timing;
        this.heartbeatItem = LedgerWire.heartbeatItem(key.consumerId(), key.epoch());
        this.acknowledgedSentAt = sentAt;
        this.deadline = deadline;
        this.leaseExpiresAt = leaseExpiresAt;
        long now = System.nanoTime();
        this.renewAt = now + timing.renewalDelay(deadline - now, policy);
    }

    public String tenant() {
        return key.tenant();
    }

    public String consumerId() {
        return key.consumerId();
    }

    /** The fencing token: pass it along with every downstream write, so that a stale holder's writes are refused. */
    public long epoch() {
        return key.epoch();
    }

    public Duration leaseTtl() {
        return timing.ttl();
    }

    /** The policy the claim was asked with. */
    public LeasePolicy leasePolicy() {
        return policy;
    }

    /** The lease's end as the ledger last acknowledged it, on the ledger's clock. */
    public Instant leaseExpiresAt() {
        return leaseExpiresAt;
    }

    /** True while the claim is held: in the renewal set and before its deadline. Never true again once false. */
    public boolean isHeld() {
        long now = System.nanoTime();
        synchronized (this) {
            if (state != State.HELD) {
                return false;
            }
            if (now - deadline < 0) {
                return true;
            }
        }
        giveUpIfDue(now);
        return false;
    }

    /**
     * Returns if the claim is held; throws {@link ClaimLostException} once it is lost, {@link IllegalStateException}
     * once it is released or being released.
     */
    public void checkHeld() {
        if (isHeld()) {
            return;
        }
        synchronized (this) {
            if (loss != null) {
                throw new ClaimLostException(loss);
            }
            throw new IllegalStateException("claim " + this + " is " + state.name().toLowerCase() + ", not held");
        }
    }

    /**
     * Completes exactly once, with why the claim was lost, on a thread of the client's own (never the renewer's, and
     * never the caller's of a method of this class); keep what runs there short, or hand it to an executor of yours.
     * Never completes when the claim is released first. Each call returns a new future; completing it yourself
     * affects nobody else.
     */
    public CompletableFuture<ClaimLoss> lost() {
        return lost.copy();
    }

    /**
     * Releases the claim, recording how far the worker got in its streams. The claim leaves the renewal set first,
     * and the release is sent once no heartbeat of it is on its way; failures without an answer, and 503s, are
     * retried while the lease lasts. Releasing a released claim does nothing; a release under way is waited for.
     *
     * @throws ClaimLostException     when the claim was lost before the ledger took the release (the acked streams
     *                                were then not recorded)
     * @throws ClaimRejectedException when the ledger refused it for another reason (a missing scope, say); the claim
     *                                is then held and renewed again
     */
    public void release(List<AckedStream> ackedStreams) {
        List<AckedStream> acked = List.copyOf(ackedStreams);
        giveUpIfDue(System.nanoTime());
        CompletableFuture<Void> underWay;
        CompletableFuture<Void> mine = null;
        synchronized (this) {
            switch (state) {
                case LOST:
                    throw new ClaimLostException(loss);
                case RELEASED:
                    return;
                case RELEASING:
                    underWay = release;
                    break;
                default:
                    state = State.RELEASING;
                    underWay = mine = release = new CompletableFuture<>();
            }
        }
        if (mine == null) {
            try {
                underWay.join();
                return;
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        try {
            renewer.release(this, acked);
            mine.complete(null);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * {@link #release} with no acked streams. Does nothing when the claim is already released or lost (a loss is
     * reported through {@link #lost()}); idempotent.
     */
    @Override
    public void close() {
        try {
            release(List.of());
        } catch (ClaimLostException alreadyReported) {
            // its loss completed lost(); closing a lost claim has nothing left to do
        }
    }

    @Override
    public String toString() {
        return key.tenant() + "/" + key.consumerId() + " epoch " + key.epoch();
    }

    // --- for the renewer ---------------------------------------------------------------------------------------------

    Key key() {
        return key;
    }

    LeaseTiming timing() {
        return timing;
    }

    byte[] heartbeatItem() {
        return heartbeatItem;
    }

    /** Whether a heartbeat is due and none is on its way. A claim past its deadline is given up instead. */
    boolean dueForRenewal(long now) {
        synchronized (this) {
            if (state != State.HELD) {
                return false;
            }
            if (now - deadline < 0) {
                return !renewing && now - renewAt >= 0;
            }
        }
        giveUpIfDue(now);
        return false;
    }

    /** When the next heartbeat is due, for ordering the due claims. */
    synchronized long renewAt() {
        return renewAt;
    }

    /**
     * Marks a heartbeat as on its way, unless the claim is no longer held; it stays so until {@link #renewed},
     * {@link #renewalFailed} or {@link #renewalDropped}.
     */
    synchronized boolean startRenewal() {
        if (state != State.HELD || renewing || System.nanoTime() - deadline >= 0) {
            return false;
        }
        renewing = true;
        return true;
    }

    /** Whether the heartbeat marked by {@link #startRenewal} may still go out: the claim has not left the set since. */
    boolean stillToRenew() {
        synchronized (this) {
            if (state == State.HELD && renewing) {
                return true;
            }
        }
        renewalDropped();
        return false;
    }

    /** The heartbeat marked by {@link #startRenewal} was not sent. */
    synchronized void renewalDropped() {
        renewing = false;
        notifyAll();
    }

    /** Waits, at most {@code timeoutNanos}, until no heartbeat of this claim is on its way. */
    synchronized void awaitNoRenewal(long timeoutNanos) throws InterruptedException {
        long until = System.nanoTime() + timeoutNanos;
        while (renewing) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** A heartbeat sent at {@code sentAt} was acknowledged at {@code now}, with the claim as the ledger now has it. */
    void renewed(long sentAt, long now, LedgerWire.ClaimAnswer claim) {
        synchronized (this) {
            renewing = false;
            notifyAll();
            if (state != State.HELD) {
                return;
            }
            if (now - deadline < 0) {
                failedRenewals = 0;
                leaseExpiresAt = claim.leaseExpiresAt();
                if (policy != LeasePolicy.FIXED) {
                    acknowledgedSentAt = Math.max(acknowledgedSentAt, sentAt);
                    deadline = Math.max(deadline, timing.deadlineAfterRenewal(sentAt));
                }
                renewAt = now + timing.renewalDelay(deadline - now, policy);
                return;
            }
        }
        giveUpIfDue(now);
    }

    /** A heartbeat got no usable answer: try again after a backoff; the deadline decides when to stop. */
    synchronized void renewalFailed(long now) {
        renewing = false;
        notifyAll();
        if (state == State.HELD) {
            failedRenewals++;
            renewAt = now + timing.backoff(failedRenewals);
        }
    }

    /** Whether a try at {@code when} could still be in time. */
    synchronized boolean savableAt(long when) {
        return when - deadline < 0;
    }

    /** Gives the claim up if its deadline has passed. */
    void giveUpIfDue(long now) {
        synchronized (this) {
            if (state != State.HELD || now - deadline < 0) {
                return;
            }
        }
        if (policy == LeasePolicy.FIXED) {
            lose(LossReason.EXPIRED, "the fixed lease ran out, as planned");
        } else {
            lose(LossReason.NO_ACK_WITHIN_LEASE, "no heartbeat acknowledged in time: gave up "
                    + Duration.ofNanos(now - acknowledgedSentAt).toMillis() + " ms after sending the last one that"
                    + " was (TTL " + timing.ttl().toMillis() + " ms, safety margin " + timing.margin().toMillis()
                    + " ms)");
        }
    }

    /**
     * Loses the claim, unless it is already lost or released. Returns the loss in effect (this one or an earlier
     * one), or null when the claim was released.
     */
    ClaimLoss lose(LossReason reason, String detail) {
        ClaimLoss decided;
        synchronized (this) {
            if (state == State.LOST || state == State.RELEASED) {
                return loss;
            }
            state = State.LOST;
            decided = loss = new ClaimLoss(key.tenant(), key.consumerId(), key.epoch(), reason, detail, Instant.now());
        }
        renewer.lost(this, decided);
        return decided;
    }

    /** Called by the renewer, on the client's notifier thread. */
    void notifyLost(ClaimLoss loss) {
        lost.complete(loss);
    }

    void released() {
        synchronized (this) {
            if (state == State.RELEASING) {
                state = State.RELEASED;
            }
        }
    }

    /** The ledger refused the release for a reason that does not end the claim: it is held and renewed again. */
    synchronized boolean releaseRefused(long now) {
        if (state != State.RELEASING) {
            return false;
        }
        state = State.HELD;
        renewAt = now;
        return true;
    }
}
