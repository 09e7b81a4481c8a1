package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code claims.event-store.gap-timeout} is refused at start-up unless Axon's engine can take it: 1 ms to 2^31-1 ms. */
class EventStoreSettingsTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 600_000, Integer.MAX_VALUE})
    void aGapTimeoutTheEngineTakesIsAccepted(long millis) {
        assertThat(new ClaimsProperties.EventStore(1000, Duration.ofMillis(millis), Duration.ZERO, Duration.ZERO, 10000)
                .gapTimeout()).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0, Integer.MAX_VALUE + 1L})
    void aGapTimeoutTheEngineCannotTakeIsRefused(long millis) {
        assertThatThrownBy(() -> new ClaimsProperties.EventStore(1000, Duration.ofMillis(millis), Duration.ZERO,
                Duration.ZERO, 10000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claims.event-store.gap-timeout");
    }
}
