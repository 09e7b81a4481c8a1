package dev.claimsledger.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The timing rules for a lease of one TTL, in one place: when to give it up, how long a request may take, when to
 * renew and how long to wait before a retry. For a 3 s TTL: give up 300 ms before the lease could end, requests of at
 * most 750 ms, renewal 0.75 to 0.9 s after an acknowledgement, retries after 50 to 100 ms, then longer, up to 300 ms.
 *
 * <p>Why these: a renewal at about a third of the TTL (etcd's keep-alive, {@code client/v3/lease.go}) and a request
 * timeout of at most a quarter of it leave room for two tries, with a backoff between them, before the client gives
 * the lease up; a request timeout longer than the lease made two leaders in Kubernetes (kubernetes #44887, fixed by a
 * timeout of half the renew deadline in PR #98059), so a timeout that does not fit is refused. Jitter spreads the
 * renewals of claims made together, as Kubernetes' leader election does.
 *
 * @param margin         how long before the earliest possible end of the lease the client gives it up: a tenth of the
 *                       TTL, at most 500 ms; it covers the two clocks running at slightly different rates
 * @param requestTimeout the longest any request about this lease may take
 */
record LeaseTiming(Duration ttl, Duration margin, Duration requestTimeout) {

    static final Duration MAX_MARGIN = Duration.ofMillis(500);
    /** The ledger itself answers 503 after {@code claims.http.request-timeout}, 10 s by default. */
    static final Duration MAX_DERIVED_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_FIRST_BACKOFF = Duration.ofMillis(100);

    /**
     * The timing of a lease of {@code ttl}, with the client's {@code requestTimeout}, or null to take a quarter of the
     * TTL (at most 10 s). A request timeout over a quarter of the TTL does not fit: refused.
     */
    static LeaseTiming of(Duration ttl, Duration requestTimeout) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a lease TTL must be positive, was " + ttl);
        }
        Duration quarter = ttl.dividedBy(4);
        if (requestTimeout != null && requestTimeout.compareTo(quarter) > 0) {
            throw new IllegalArgumentException("the request timeout " + requestTimeout + " does not fit in a lease of "
                    + ttl + ": it must be at most a quarter of the TTL (" + quarter + "), so that two tries fit"
                    + " before the lease ends; lengthen the lease or shorten the client's request timeout");
        }
        Duration margin = min(ttl.dividedBy(10), MAX_MARGIN);
        return new LeaseTiming(ttl, margin, requestTimeout != null ? requestTimeout
                : min(quarter, MAX_DERIVED_REQUEST_TIMEOUT));
    }

    /** When a lease of {@code remaining} from {@code sentAt} (both nanoTime) must be given up. */
    long deadline(long sentAt, Duration remaining) {
        return sentAt + remaining.toNanos() - margin.toNanos();
    }

    /** The deadline after a renewal sent at {@code sentAt} and acknowledged: the lease ran on for a TTL from then. */
    long deadlineAfterRenewal(long sentAt) {
        return deadline(sentAt, ttl);
    }

    /**
     * How long after an acknowledgement to renew: a third of the TTL (of what is left until the deadline, when that is
     * less), less up to 15% of jitter. A {@link LeasePolicy#FIXED fixed} lease's pings come every third of the TTL.
     */
    long renewalDelay(long untilDeadline, LeasePolicy policy) {
        long basis = policy == LeasePolicy.FIXED ? ttl.toNanos() : Math.min(ttl.toNanos(), Math.max(0, untilDeadline));
        return (long) (basis / 3.0 * ThreadLocalRandom.current().nextDouble(0.85, 1.0));
    }

    /**
     * How long to wait before try {@code failedAttempts + 1}: doubling from the first backoff (a thirtieth of the TTL,
     * at most 100 ms) up to a tenth of the TTL, each a random half to whole of that.
     */
    long backoff(int failedAttempts) {
        long first = Math.min(MAX_FIRST_BACKOFF.toNanos(), ttl.toNanos() / 30);
        long cap = ttl.toNanos() / 10;
        long ceiling = first << Math.min(Math.max(failedAttempts - 1, 0), 20);
        long bound = Math.max(1, Math.min(ceiling, cap));
        return (long) (bound * ThreadLocalRandom.current().nextDouble(0.5, 1.0)) + 1;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
