package dev.claimsledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.core.ClaimRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Numbers in paths and query strings take every value a JSON body takes, and nothing else.
 */
class PathNumbersTest {

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE})
    void everyEpochABodyTakesIsTakenInAPath(long epoch) {
        assertThat(PathNumbers.epoch(Long.toString(epoch))).isEqualTo(epoch);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "9999999999999999999", "10000000000000000000", "-1", "01", "+1",
            "1e3", "0x10", "１", ""})
    void anEpochThatIsNotADecimalFrom0To2To63Minus1IsValidationFailed(String text) {
        assertThatThrownBy(() -> PathNumbers.epoch(text))
                .isInstanceOfSatisfying(ClaimRejectedException.class, rejection ->
                        assertThat(rejection.code()).isEqualTo(ClaimErrorCode.VALIDATION_FAILED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "9223372036854775807", "501"})
    void aPageSizeOverTheMaximumIsValidationFailedHoweverLarge(String text) {
        assertThatThrownBy(() -> PathNumbers.limit(text, 50, 500))
                .isInstanceOfSatisfying(ClaimRejectedException.class, rejection ->
                        assertThat(rejection.code()).isEqualTo(ClaimErrorCode.VALIDATION_FAILED));
    }

    @Test
    void afterSequenceTakesMinusOneAndEveryNonNegativeLong() {
        assertThat(PathNumbers.afterSequence("-1")).isEqualTo(-1);
        assertThat(PathNumbers.afterSequence(Long.toString(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> PathNumbers.afterSequence("9223372036854775808"))
                .isInstanceOf(ClaimRejectedException.class);
    }
}
