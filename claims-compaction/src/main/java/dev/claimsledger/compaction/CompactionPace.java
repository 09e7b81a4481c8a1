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

    /**
     * How long to pause, in nanoseconds, having compacted {@code processed} heartbeats since {@code started}, the last
     * pause having ended at {@code resumed}; all three times from {@link System#nanoTime()}.
     */
    public long pauseNanos(long processed, long started, long resumed, long now) {
        long forRate = maxRate == 0 ? 0 : started + (long) (processed * 1e9 / maxRate) - now;
        long forDutyCycle = dutyCycle == 1 ? 0 : (long) ((now - resumed) * (1 - dutyCycle) / dutyCycle);
        return Math.max(0, Math.max(forRate, forDutyCycle));
    }
}
