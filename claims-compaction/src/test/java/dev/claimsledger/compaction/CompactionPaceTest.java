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
        assertThat(pace.pauseNanos(1_000, STARTED, STARTED, now)).isEqualTo(ms(480));
    }

    @Test
    void whereItsTransactionsTakeLongerItPausesForLonger() {
        CompactionPace pace = new CompactionPace(2_000, 0.1);
        // the same 1,000 heartbeats in 150 ms on a busy database: 9 times as long again, 1,350 ms
        long now = STARTED + ms(150);
        assertThat(pace.pauseNanos(1_000, STARTED, STARTED, now)).isEqualTo(ms(1_350));
    }

    @Test
    void theDutyCycleCountsOnlyTheTimeSinceTheLastPause() {
        CompactionPace pace = new CompactionPace(0, 0.25);
        // resumed 10 s after the start, 40 ms in the transaction since: three times 40 ms
        long resumed = STARTED + ms(10_000);
        assertThat(pace.pauseNanos(50_000, STARTED, resumed, resumed + ms(40))).isEqualTo(ms(120));
    }

    @Test
    void withoutLimitsItNeverPauses() {
        assertThat(CompactionPace.UNLIMITED.pauseNanos(1_000_000, STARTED, STARTED, STARTED + ms(5_000))).isZero();
    }

    @Test
    void aRateAlreadyBehindAsksNoPause() {
        CompactionPace pace = new CompactionPace(1_000, 1);
        assertThat(pace.pauseNanos(1_000, STARTED, STARTED, STARTED + ms(1_500))).isZero();
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
