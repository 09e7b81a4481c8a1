package dev.claimsledger.bench;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * How long a release takes while many lease deadlines wait: claims with long leases are made until the scheduler
 * holds the wanted number of pending deadlines, then sample claims are made and released one at a time, each
 * release timed (its claim is not), so the number of pending deadlines stays where it was. Sampling stops after
 * {@code --release-samples} releases or {@code --release-time-limit}, whichever comes first. Making the claims stops
 * after {@code --release-fill-limit}, and the figures then say how many deadlines were pending. Before the samples,
 * 20 s of claims made and released from every client warm the server up, keeping the number of pending deadlines.
 */
final class Releases {

    static final String TENANT = "bench-release";
    private static final long LONG_TTL_MS = Duration.ofHours(3).toMillis();
    private static final Duration WARM_UP = Duration.ofSeconds(20);

    record Figures(long pendingDeadlines, Histogram micros, long failed) {

        double medianMs() {
            return micros.getValueAtPercentile(50) / 1000.0;
        }

        double p99Ms() {
            return micros.getValueAtPercentile(99) / 1000.0;
        }

        String brief() {
            return String.format("median %.1f ms, p99 %.1f ms (%d releases) with %,d pending deadlines", medianMs(),
                    p99Ms(), micros.getTotalCount(), pendingDeadlines);
        }

        @Override
        public String toString() {
            return String.format("with %,d pending deadlines: median %.1f ms, p99 %.1f ms, max %.1f ms (%d releases, "
                            + "%d failed)", pendingDeadlines, medianMs(), p99Ms(), micros.getMaxValue() / 1000.0,
                    micros.getTotalCount(), failed);
        }
    }

    private final Options options;
    private final LedgerServer server;
    private final Database database;
    private long holders;
    private long samples;
    private final AtomicLong warmUps = new AtomicLong();

    Releases(Options options, LedgerServer server, Database database) {
        this.options = options;
        this.server = server;
        this.database = database;
    }

    Figures measure(int pendingDeadlines) throws SQLException {
        LedgerClient ledger = server.client();
        long missing = pendingDeadlines - database.pendingDeadlines();
        if (missing > 0) {
            Load.Result made = ledger.claimAll(options.clients(), TENANT, "held-", holders, missing,
                    index -> LONG_TTL_MS, options.releaseFillLimit());
            holders += made.calls();
            Report.say("release: made %,d claims with 3 h leases in %.1f s (%d errors)%s", made.calls(),
                    made.elapsed().toMillis() / 1000.0, made.errors(), made.calls() < missing
                            ? ", stopped by --release-fill-limit " + Report.human(options.releaseFillLimit()) : "");
        }
        warmUp(ledger);
        long pending = database.pendingDeadlines();
        Histogram micros = new Histogram(3);
        long failed = 0;
        long end = System.nanoTime() + options.releaseTimeLimit().toNanos();
        for (int n = 0; n < options.releaseSamples() && System.nanoTime() < end; n++) {
            String consumer = "released-" + samples++;
            if (ledger.claim(TENANT, consumer, LONG_TTL_MS).status() != 201) {
                failed++;
                continue;
            }
            long started = System.nanoTime();
            boolean released = ledger.release(TENANT, consumer).ok();
            micros.recordValue(Math.max(1, (System.nanoTime() - started) / 1000));
            if (!released) {
                failed++;
            }
        }
        return new Figures(pending, micros, failed);
    }

    /** Claims made and released from every client for a while, not counted: the JIT compiles the release path. */
    private void warmUp(LedgerClient ledger) {
        Load.Result run = Load.run(options.clients(), WARM_UP, 0, (client, iteration) -> {
            String consumer = "warm-up-" + client + "-" + warmUps.incrementAndGet();
            return ledger.claim(TENANT, consumer, LONG_TTL_MS).status() == 201
                    && ledger.release(TENANT, consumer).ok();
        });
        Report.say("release: warm-up, %s of claims and releases from %d clients, %.0f pairs per second (not counted)",
                Report.human(WARM_UP), options.clients(), run.perSecond());
    }
}
