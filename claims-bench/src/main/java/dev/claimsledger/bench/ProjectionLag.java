package dev.claimsledger.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The read model's lag behind the ledger while a load runs beside it: every 50 ms one probe heartbeat of a random
 * claim, then the time from its 2xx until the claim's {@code consumer_claims} row shows that heartbeat (its count),
 * polled every millisecond. The probes add about 20 requests per second to the load.
 */
final class ProjectionLag implements AutoCloseable {

    private final Histogram lagMicros = new Histogram(3);
    private final ExecutorService sampler = Executors.newSingleThreadExecutor();

    private ProjectionLag(LedgerClient ledger, Database database, String tenant, int claims) {
        sampler.submit(() -> sample(ledger, database, tenant, claims));
    }

    static ProjectionLag start(LedgerClient ledger, Database database, String tenant, int claims) {
        return new ProjectionLag(ledger, database, tenant, claims);
    }

    /** Stops sampling and answers what was measured. */
    Histogram stop() {
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lagMicros) {
            return lagMicros.copy();
        }
    }

    @Override
    public void close() {
        stop();
    }

    static String describe(Histogram lag) {
        return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)",
                lag.getValueAtPercentile(50) / 1000.0, lag.getValueAtPercentile(99) / 1000.0,
                lag.getMaxValue() / 1000.0, lag.getTotalCount());
    }

    private void sample(LedgerClient ledger, Database database, String tenant, int claims) {
        try (Connection connection = database.connect(); PreparedStatement read = connection.prepareStatement(
                "SELECT heartbeat_count FROM consumer_claims WHERE tenant_id = ? AND consumer_id = ? AND epoch = 1")) {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(50);
                String consumer = ClaimsBench.consumer(ThreadLocalRandom.current().nextInt(claims));
                LedgerClient.Answer answer = ledger.heartbeat(tenant, consumer);
                long acknowledged = System.nanoTime();
                if (!answer.ok()) {
                    continue;
                }
                long count = answer.body().path("heartbeat_count").asLong();
                read.setString(1, tenant);
                read.setString(2, consumer);
                // a row that never shows the heartbeat is recorded with the time given up after, not dropped
                long deadline = acknowledged + TimeUnit.SECONDS.toNanos(30);
                boolean shown = false;
                while (!shown && System.nanoTime() < deadline) {
                    try (ResultSet row = read.executeQuery()) {
                        shown = row.next() && row.getLong(1) >= count;
                    }
                    if (!shown) {
                        Thread.sleep(1);
                    }
                }
                synchronized (lagMicros) {
                    lagMicros.recordValue(Math.max(1, (System.nanoTime() - acknowledged) / 1000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            Report.say("projection lag sampling stopped: %s", e.getMessage());
        }
    }
}
