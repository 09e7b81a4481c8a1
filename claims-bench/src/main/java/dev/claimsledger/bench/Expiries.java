package dev.claimsledger.bench;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Mass expiry. A burst: {@code --expiry-claims} leases made to end within {@code --expiry-window} of each other, all
 * made before the first of them ends, on the running server; the delay from each lease's end to the expiry the
 * ledger recorded ({@code ended_at} of the expired row, which is the {@code expiredAt} of its
 * {@code ClaimLeaseExpired}). Downtime: the same leases, but the server is stopped before they end and started after
 * the last has ended; the time from readiness until each expiry is recorded.
 */
final class Expiries {

    /** Claims that the bench waits for on the read model, up to this long after the last lease's end. */
    private static final Duration PATIENCE = Duration.ofMinutes(5);

    record Burst(long made, long failed, double madeSeconds, double secondsToSpare, long expired,
                 Histogram delayMicros, double endSpreadMs, String autovacuum) {

        @Override
        public String toString() {
            return String.format("%d leases ending within %.0f ms (made in %.1f s, %.1f s to spare before the first "
                            + "end, %d failed), %d expired; delay after each lease's end p50 %.0f ms, p99 %.0f ms, "
                            + "max %.0f ms; autovacuum while they were made and expired: %s",
                    made, endSpreadMs, madeSeconds, secondsToSpare, failed, expired,
                    delayMicros.getValueAtPercentile(50) / 1000.0, delayMicros.getValueAtPercentile(99) / 1000.0,
                    delayMicros.getMaxValue() / 1000.0, autovacuum);
        }
    }

    record Downtime(long made, long expiredBeforeStop, double stopSeconds, double downSeconds, double startSeconds,
                    long expired, Histogram afterReadyMicros) {

        double lastAfterReadySeconds() {
            return afterReadyMicros.getMaxValue() / 1e6;
        }

        @Override
        public String toString() {
            return String.format("%d leases ended while the server was down for %.1f s (stopped in %.1f s, ready "
                            + "%.1f s after its start; %d had expired before the stop); %d expired; after readiness "
                            + "p50 %.2f s, p99 %.2f s, last %.2f s", made, downSeconds, stopSeconds, startSeconds,
                    expiredBeforeStop, expired, afterReadyMicros.getValueAtPercentile(50) / 1e6,
                    afterReadyMicros.getValueAtPercentile(99) / 1e6, lastAfterReadySeconds());
        }
    }

    private final Options options;
    private final LedgerServer server;
    private final Database database;

    Expiries(Options options, LedgerServer server, Database database) {
        this.options = options;
        this.server = server;
        this.database = database;
    }

    Burst burst(String tenant) throws SQLException {
        Instant firstEnd = Instant.now().plus(lead(tenant));
        try (AutovacuumWatch autovacuum = new AutovacuumWatch(database)) {
            Load.Result made = makeEnding(tenant, firstEnd);
            double spare = Duration.between(Instant.now(), firstEnd).toMillis() / 1000.0;
            long expected = made.calls() - made.errors();
            long expired = awaitExpired(tenant, expected, firstEnd.plus(options.expiryWindow()).plus(PATIENCE));
            Histogram delay = new Histogram(3);
            for (double micros : database.numbers("SELECT extract(epoch FROM ended_at - lease_expires_at) * 1000000"
                    + " FROM consumer_claims WHERE tenant_id = ? AND status = 'expired'", tenant)) {
                delay.recordValue(Math.max(1, (long) micros));
            }
            double spread = database.number("SELECT extract(epoch FROM max(lease_expires_at) - min(lease_expires_at))"
                    + " * 1000 FROM consumer_claims WHERE tenant_id = ?", tenant);
            return new Burst(expected, made.errors(), made.elapsed().toMillis() / 1000.0, spare, expired, delay,
                    spread, autovacuum.toString());
        }
    }

    Downtime downtime(String tenant) throws SQLException {
        // 20 s more for the server's graceful stop
        Instant firstEnd = Instant.now().plus(lead(tenant)).plusSeconds(20);
        Load.Result made = makeEnding(tenant, firstEnd);
        long expected = made.calls() - made.errors();
        long stopMillis = server.stop();
        Instant stopped = Instant.now();
        Instant lastEnd = firstEnd.plus(options.expiryWindow());
        long wait = Duration.between(Instant.now(), lastEnd).toMillis() + 1000;
        if (wait > 0) {
            LedgerServer.sleep(wait);
        }
        server.start();
        Instant ready = server.readyAt();
        long expired = awaitExpired(tenant, expected, Instant.now().plus(PATIENCE));
        List<Double> endedMillis = database.numbers("SELECT extract(epoch FROM ended_at) * 1000 FROM consumer_claims"
                + " WHERE tenant_id = ? AND status = 'expired'", tenant);
        Histogram afterReady = new Histogram(3);
        long beforeStop = 0;
        for (double ended : endedMillis) {
            if (ended < stopped.toEpochMilli()) {
                beforeStop++;
            } else {
                afterReady.recordValue(Math.max(1, (long) ((ended - ready.toEpochMilli()) * 1000)));
            }
        }
        return new Downtime(expected, beforeStop, stopMillis / 1000.0,
                Duration.between(stopped, server.startedAt()).toMillis() / 1000.0,
                Duration.between(server.startedAt(), ready).toMillis() / 1000.0, expired, afterReady);
    }

    /**
     * How far ahead the first lease should end for all claims to be made before it: twice the time they take at the
     * rate this server makes claims now, 5 s more, at least 15 s. The rate is measured with a few claims of long
     * leases in a tenant of their own, after as many again that are not timed: on a freshly started server the first
     * claims are several times slower than the rest, and would put the leases' ends needlessly far ahead.
     */
    private Duration lead(String tenant) {
        int probes = Math.max(1, Math.min(200, options.expiryClaims() / 10));
        LedgerClient ledger = server.client();
        long ttl = Duration.ofHours(3).toMillis();
        ledger.claimAll(options.clients(), tenant + "-rate", "warm-up-", 0, probes, index -> ttl);
        Load.Result probe = ledger.claimAll(options.clients(), tenant + "-rate", "probe-", 0, probes, index -> ttl);
        double perSecond = probes / Math.max(0.001, probe.elapsed().toNanos() / 1e9);
        double seconds = 2 * options.expiryClaims() / perSecond;
        return Duration.ofMillis(Math.max(15_000, (long) (seconds * 1000) + 5_000));
    }

    /**
     * Claims whose leases end from {@code firstEnd} on, spread evenly over nine tenths of the window: the ledger adds
     * the TTL to its own clock when it decides, a few milliseconds after the TTL was computed here.
     */
    private Load.Result makeEnding(String tenant, Instant firstEnd) {
        int count = options.expiryClaims();
        long window = options.expiryWindow().toMillis() * 9 / 10;
        return server.client().claimAll(options.clients(), tenant, "expiring-", 0, count, index -> Math.max(1000,
                Duration.between(Instant.now(), firstEnd.plusMillis(window * index / count)).toMillis()));
    }

    /** Waits until the read model shows {@code expected} expired claims of the tenant; answers how many it shows. */
    private long awaitExpired(String tenant, long expected, Instant giveUp) throws SQLException {
        long expired = 0;
        while (Instant.now().isBefore(giveUp)) {
            expired = database.number("SELECT count(*) FROM consumer_claims"
                    + " WHERE tenant_id = ? AND status = 'expired'", tenant);
            if (expired >= expected) {
                break;
            }
            LedgerServer.sleep(500);
        }
        return expired;
    }
}
