package dev.claimsledger.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The page cursor: whatever {@link ClaimCursor#encode()} gives out decodes to the same position, and any other text
 * is refused.
 */
class ClaimCursorTest {

    static Stream<Arguments> positions() {
        return Stream.of(
                Arguments.of("invoice-indexer", 1L),
                Arguments.of("ids:with:colons", 42L),
                Arguments.of("10:looks-like-an-epoch", 7L),
                Arguments.of("ünïcødé/päth?&=#", 0L),
                Arguments.of("", 3L),
                Arguments.of("x".repeat(512), Long.MAX_VALUE));
    }

    @ParameterizedTest(name = "{0} #{1}")
    @MethodSource("positions")
    void anEncodedCursorDecodesToTheSamePosition(String consumerId, long epoch) {
        // given
        ClaimCursor cursor = new ClaimCursor(consumerId, epoch);

        // when
        String encoded = cursor.encode();

        // then
        assertThat(encoded).matches("[A-Za-z0-9_-]*");
        assertThat(ClaimCursor.decode(encoded)).isEqualTo(cursor);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "not a cursor", "%%%", "a+b/c==", "====", "Zm9v!"})
    void decodingTextThatIsNotBase64UrlOrHasNoPositionIsRefused(String garbage) {
        assertThatThrownBy(() -> ClaimCursor.decode(garbage)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"no-colon-at-all", ":worker-1", "one:worker-1", "1.5:worker-1",
            "99999999999999999999:worker-1"})
    void decodingBase64OfSomethingThatIsNotEpochColonConsumerIsRefused(String raw) {
        // given
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));

        // when / then
        assertThatThrownBy(() -> ClaimCursor.decode(encoded)).isInstanceOf(IllegalArgumentException.class);
    }
}
