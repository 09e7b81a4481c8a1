package dev.claimsledger.projection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The read model's times as PostgreSQL reads them in its arrays of changes: the instant the JDBC driver would store,
 * its nanoseconds rounded half up to microseconds, written with exactly six digits of fraction.
 */
class MicrosecondTextTest {

    private static final long FIRST_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long END_SECOND = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

    @Test
    void randomInstantsAreWrittenAsTheDriverRoundsThem() {
        SplittableRandom random = new SplittableRandom(20261205);
        for (int i = 0; i < 200_000; i++) {
            long second = random.nextLong(FIRST_SECOND, END_SECOND);
            int nano = i % 4 == 0 ? 999_999_000 + random.nextInt(1_000) : random.nextInt(1_000_000_000);
            assertWrittenAsRounded(second, nano);
        }
    }

    @Test
    void theEdgesOfTheCalendarAndOfRoundingAreWrittenAsTheDriverRoundsThem() {
        long[] seconds = {FIRST_SECOND, END_SECOND - 1, -1, 0, Instant.parse("2024-02-29T23:59:59Z").getEpochSecond(),
                Instant.parse("2026-12-31T23:59:59Z").getEpochSecond()};
        int[] nanos = {0, 499, 500, 999_499, 999_500, 999_999_499, 999_999_500, 999_999_999};
        for (long second : seconds) {
            for (int nano : nanos) {
                assertWrittenAsRounded(second, nano);
            }
        }
        assertThat(ConsumerClaimsProjection.RowChanges.microsecondText(
                Instant.parse("2026-12-31T23:59:59Z").getEpochSecond(), 999_999_500))
                .isEqualTo("2027-01-01T00:00:00.000000Z");
    }

    @Test
    void yearsBeyondFourDigitsAreLeftToJavaTime() {
        long second = END_SECOND + 86_400;
        assertThat(ConsumerClaimsProjection.RowChanges.microsecondText(second, 1_500))
                .isEqualTo(Instant.ofEpochSecond(second, 2_000).toString());
    }

    private static void assertWrittenAsRounded(long second, int nano) {
        Instant rounded = Instant.ofEpochSecond(second, nano).plusNanos(500).truncatedTo(ChronoUnit.MICROS);
        String text = ConsumerClaimsProjection.RowChanges.microsecondText(second, nano);

        if (rounded.getEpochSecond() >= END_SECOND) {
            assertThat(text).isEqualTo(rounded.toString());
        } else {
            assertThat(text).hasSize(27).endsWith("Z");
            assertThat(OffsetDateTime.parse(text).toInstant()).as("%d s %d ns", second, nano).isEqualTo(rounded);
        }
    }
}
