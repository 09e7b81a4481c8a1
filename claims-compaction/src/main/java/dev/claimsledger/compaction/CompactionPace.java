package dev.claimsledger.compaction;

/**
 * How fast a compaction goes: at most {@code maxRate} heartbeats a second, and in its transactions at most
 * {@code dutyCycle} of the time. After each transaction it pauses long enough to keep to both. The duty cycle slows it
 * down where the database is busy: there its transactions take longer, so its pauses do too, as PostgreSQL's autovacuum
 * sleeps in proportion to the work it has done; on a quiet database the rate is what limits it.
 *
 * @param maxRate   the most heartbeats a second; 0 for no limit
 * @param dutyCycle the largest share of time spent in transactions, more than 0 and at most 1 (1: no limit)
 */
public record CompactionPace(long maxRate, double dutyCycle) {

    public static final CompactionPace UNLIMITED = new CompactionPace(0, 1);

    public CompactionPace {
        if (maxRate < 0) {
            throw new IllegalArgumentException("the compaction's rate limit must not be negative, was " + maxRate);
        }
        if (!(dutyCycle > 0 && dutyCycle <= 1)) {
            throw new IllegalArgumentException("the compaction's duty cycle must be more than 0 and at most 1, was "
                    + dutyCycle);
        }
    }

    /** The pace of one compaction that starts at {@code now} ({@link System#nanoTime()}). */
    public Run start(long now) {
        return new Run(now);
    }

    /** One compaction's way through its pace: when it started, and when its last pause ended. */
    public final class Run {

        private final long started;
        private long resumed;

        private Run(long started) {
            this.started = started;
            this.resumed = started;
        }

        /**
         * Until when to pause ({@link System#nanoTime()}), at {@code now}, right after a transaction that brought the
         * heartbeats compacted to {@code processed}: the transaction took the time since the last pause ended.
         */
        public long pauseUntil(long processed, long now) {
            long forRate = maxRate == 0 ? now : started + (long) (processed * 1e9 / maxRate);
            long forDutyCycle = dutyCycle == 1 ? now : now + (long) ((now - resumed) * (1 - dutyCycle) / dutyCycle);
            return Math.max(now, Math.max(forRate, forDutyCycle));
        }

        /** The pause ended at {@code now}: the next transaction starts. */
        public void resumed(long now) {
            resumed = now;
        }
    }
}
