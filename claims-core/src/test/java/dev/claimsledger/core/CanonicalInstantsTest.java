package dev.claimsledger.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.axonframework.common.DateTimeUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ledger writes every instant exactly as the formatters it replaces do, byte for byte. */
class CanonicalInstantsTest {

    private static final ObjectMapper LEDGER = LedgerObjectMapper.create();
    private static final ObjectMapper JACKSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    private static final long YEAR_0000 = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

    @Test
    void everyInstantOfTheYears0000To9999IsWrittenAsJavaTimeAndAxonWriteIt() throws Exception {
        Random random = new Random(20261204);
        for (int i = 0; i < 200_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(YEAR_0000, YEAR_10000), nanos(random, i));

            assertThat(CanonicalInstants.iso(instant)).as("%s", instant).isEqualTo(instant.toString());
            assertThat(CanonicalInstants.millis(instant)).as("%s", instant)
                    .isEqualTo(DateTimeUtils.formatInstant(instant));
            assertThat(CanonicalInstants.parse(CanonicalInstants.iso(instant))).isEqualTo(instant);
            assertThat(CanonicalInstants.parse(CanonicalInstants.millis(instant)))
                    .isEqualTo(instant.truncatedTo(ChronoUnit.MILLIS));
            if (i % 20 == 0) {
                assertThat(LEDGER.writeValueAsString(instant)).isEqualTo(JACKSON.writeValueAsString(instant));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z",
            "1970-01-01T00:00:00.001Z", "2000-02-29T23:59:59.000001Z", "2024-02-29T12:00:00Z", "2100-03-01T00:00:00Z",
            "2026-12-04T22:52:33.770Z", "2026-12-04T22:52:00Z", "9999-12-31T23:59:59.999999999Z",
            "-0001-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "-100000-01-01T00:00:00Z",
            "+100000-12-31T23:59:59.999999999Z"})
    void theEdgesOfTheCalendarAndTheYearsBeyondItAreWrittenAsJavaTimeAndAxonWriteThem(String text) {
        Instant instant = Instant.parse(text);

        assertThat(CanonicalInstants.iso(instant)).isEqualTo(instant.toString()).isEqualTo(text);
        assertThat(CanonicalInstants.millis(instant)).isEqualTo(DateTimeUtils.formatInstant(instant));
    }

    @Test
    void theLedgersMapperWritesInstantsWithIt() throws Exception {
        assertThat(LEDGER.getSerializerProviderInstance().findValueSerializer(Instant.class))
                .isInstanceOf(CanonicalInstantSerializer.class);
    }

    private static int nanos(Random random, int i) {
        return switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
    }
}
