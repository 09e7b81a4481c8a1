package dev.claimsledger.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What PostgreSQL's autovacuum worked on in the bench's database while a phase ran, sampled every 200 ms from
 * {@code pg_stat_activity}: a vacuum of a large table beside a phase competes with the ledger for the two cores and
 * the disk, which a phase's figures alone do not show.
 */
final class AutovacuumWatch implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 200;

    private final Connection connection;
    private final PreparedStatement workers;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "autovacuum-watch");
        thread.setDaemon(true);
        return thread;
    });
    /** Each autovacuum worker's statement seen, with how many samples saw it. */
    private final Map<String, Integer> seen = new LinkedHashMap<>();

    AutovacuumWatch(Database database) throws SQLException {
        connection = database.connect();
        workers = connection.prepareStatement("SELECT query FROM pg_stat_activity"
                + " WHERE backend_type = 'autovacuum worker' AND datname = current_database()");
        sampler.scheduleAtFixedRate(this::sample, 0, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try (ResultSet rows = workers.executeQuery()) {
            while (rows.next()) {
                String query = rows.getString(1);
                synchronized (seen) {
                    seen.merge(query == null || query.isBlank() ? "an autovacuum worker" : query, 1, Integer::sum);
                }
            }
        } catch (SQLException e) {
            synchronized (seen) {
                seen.merge("sampling failed: " + e.getMessage(), 1, Integer::sum);
            }
        }
    }

    /** What was seen so far, each for about how long, or "none". */
    @Override
    public String toString() {
        synchronized (seen) {
            if (seen.isEmpty()) {
                return "none";
            }
            StringBuilder said = new StringBuilder();
            seen.forEach((query, samples) -> said.append(said.isEmpty() ? "" : "; ").append(query)
                    .append(String.format(" (about %.1f s)", samples * SAMPLE_MILLIS / 1000.0)));
            return said.toString();
        }
    }

    @Override
    public void close() throws SQLException {
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }
}
