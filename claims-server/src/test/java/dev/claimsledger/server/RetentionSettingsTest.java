package dev.claimsledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code claims.retention.*}: off unless set, a positive age only, and its exports under the data directory by default. */
class RetentionSettingsTest {

    private static final Path DATA = Path.of("data");

    @Test
    void unsetRetentionKeepsEveryHeartbeatsDetail() {
        assertThat(new ClaimsProperties.Retention(null, null).enabled()).isFalse();
    }

    @Test
    void aSetRetentionExportsUnderTheDataDirectoryUnlessTold() {
        ClaimsProperties.Retention byDefault = new ClaimsProperties.Retention(Duration.ofDays(30), null);
        ClaimsProperties.Retention told = new ClaimsProperties.Retention(Duration.ofDays(30), Path.of("/archive"));

        assertThat(byDefault.enabled()).isTrue();
        assertThat(byDefault.exportDirectory(DATA)).isEqualTo(DATA.resolve("retention-exports"));
        assertThat(told.exportDirectory(DATA)).isEqualTo(Path.of("/archive"));
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0})
    void aRetentionThatIsNotPositiveIsRefused(long millis) {
        assertThatThrownBy(() -> new ClaimsProperties.Retention(Duration.ofMillis(millis), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claims.retention.heartbeat-detail");
    }
}
