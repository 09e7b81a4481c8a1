package dev.claimsledger.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CompactionPaceTest {

    private static final long STARTED = 1_000_000_000L;

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void onAQuietDatabaseTheRateLimitsIt() {
        CompactionPace pace = new CompactionPace(2_000, 0.1);
        // 1,000 heartbeats in a transaction of 20 ms: the duty cycle asks 180 ms, the rate 480 ms more
        long now = STARTED + ms(20);
        assertThat(pace.start(STARTED).pauseUntil(1_000, now) - now).isEqualTo(ms(480));
    }

    @Test
    void whereItsTransactionsTakeLongerItPausesForLonger() {
        CompactionPace pace = new CompactionPace(2_000, 0.1);
        // the same 1,000 heartbeats in 150 ms on a busy database: 9 times as long again, 1,350 ms
        long now = STARTED + ms(150);
        assertThat(pace.start(STARTED).pauseUntil(1_000, now) - now).isEqualTo(ms(1_350));
    }

    @Test
    void theDutyCycleCountsOnlyTheTimeSinceTheLastPause() {
        CompactionPace pace = new CompactionPace(0, 0.25);
        // resumed 10 s after the start, 40 ms in the transaction since: three times 40 ms
        CompactionPace.Run run = pace.start(STARTED);
        long resumed = STARTED + ms(10_000);
        run.resumed(resumed);
        long now = resumed + ms(40);
        assertThat(run.pauseUntil(50_000, now) - now).isEqualTo(ms(120));
    }

    @Test
    void withoutLimitsItNeverPauses() {
        long now = STARTED + ms(5_000);
        assertThat(CompactionPace.UNLIMITED.start(STARTED).pauseUntil(1_000_000, now)).isEqualTo(now);
    }

    @Test
    void aRateAlreadyBehindAsksNoPause() {
        CompactionPace pace = new CompactionPace(1_000, 1);
        long now = STARTED + ms(1_500);
        assertThat(pace.start(STARTED).pauseUntil(1_000, now)).isEqualTo(now);
    }

    @Test
    void limitsOutsideTheirRangeAreRefused() {
        assertThatThrownBy(() -> new CompactionPace(-1, 0.5)).isInstanceOf(IllegalArgumentException.class);
        for (double dutyCycle : new double[] {0, -0.1, 1.01, Double.NaN}) {
            assertThatThrownBy(() -> new CompactionPace(100, dutyCycle)).as("duty cycle %s", dutyCycle)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duty cycle");
        }
    }
}
