package dev.claimsledger.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The ledger clock in aggregate tests: it reads the test fixture's simulated time, so it moves with
 * {@code whenTimeElapses} / {@code whenTimeAdvancesTo} and deadlines fire at the same instants the aggregate sees.
 *
 * <p>The fixture cannot move its time once a deadline is scheduled, so a test that needs "a claim made some time
 * ago, with its watchdog armed" makes that claim through {@link #backdatedBy(Duration, Supplier)}: the command runs
 * with the ledger clock that far behind the fixture, and the clock follows the fixture again afterwards.
 */
final class FixtureClock extends Clock {

    private final Supplier<Instant> fixtureTime;
    private Duration lag = Duration.ZERO;

    FixtureClock(Supplier<Instant> fixtureTime) {
        this.fixtureTime = Objects.requireNonNull(fixtureTime, "fixtureTime");
    }

    /** Runs {@code given} with the clock {@code lag} behind the fixture's time, then follows the fixture again. */
    <T> T backdatedBy(Duration lag, Supplier<T> given) {
        this.lag = Objects.requireNonNull(lag, "lag");
        try {
            return given.get();
        } finally {
            this.lag = Duration.ZERO;
        }
    }

    @Override
    public Instant instant() {
        return fixtureTime.get().minus(lag);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the ledger clock is always UTC");
    }
}
