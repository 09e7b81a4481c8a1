package dev.claimsledger.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ledger's mapper reads every instant exactly as Jackson's own deserializer does, the canonical form faster. */
class CanonicalInstantDeserializerTest {

    private static final ObjectMapper LEDGER = LedgerObjectMapper.create();
    private static final ObjectMapper JACKSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    @Test
    void instantsWrittenByTheLedgerAreReadBackExactlyAndWithoutTheFormatter() throws Exception {
        Random random = new Random(20261203);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            String written = LEDGER.writeValueAsString(instant);

            assertThat(CanonicalInstants.parse(written.substring(1, written.length() - 1)))
                    .as(written).isEqualTo(instant);
            assertThat(LEDGER.readValue(written, Instant.class)).as(written).isEqualTo(instant);
        }
    }

    @Test
    void theLedgersMapperReadsInstantsWithIt() throws Exception {
        DefaultDeserializationContext context = ((DefaultDeserializationContext) LEDGER.getDeserializationContext())
                .createInstance(LEDGER.getDeserializationConfig(), null, null);

        assertThat(context.findRootValueDeserializer(LEDGER.constructType(Instant.class)))
                .isInstanceOf(CanonicalInstantDeserializer.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-03T07:03:18Z", "2026-12-03T07:03:18.1Z", "2026-12-03T07:03:18.12Z",
            "2026-12-03T07:03:18.123456789Z", "1969-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z",
            "2024-02-29T12:00:00Z"})
    void theCanonicalFormIsReadAsJacksonReadsIt(String text) throws Exception {
        assertThat(CanonicalInstants.parse(text)).isNotNull()
                .isEqualTo(JACKSON.readValue('"' + text + '"', Instant.class))
                .isEqualTo(DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from));
    }

    /** Forms the fast parser leaves to Jackson: the answer, value or error, is Jackson's own. */
    @ParameterizedTest
    @ValueSource(strings = {"\"2026-12-03t07:03:18z\"", "\"2026-12-03T07:03:60Z\"", "\"2026-12-03T24:00:00Z\"",
            "\"2026-02-30T00:00:00Z\"", "\"2026-12-03T07:03:18.Z\"", "\"2026-12-03T07:03:18.1234567891Z\"",
            "\"+10000-01-01T00:00:00Z\"", "\"2026-12-03T07:03:18+01:00\"", "\" 2026-12-03T07:03:18Z\"",
            "\"2026-1a-03T07:03:18Z\"", "\"\"", "1700000000", "1700000000.5", "null", "\"yesterday\""})
    void everyOtherFormIsReadAsJacksonReadsIt(String json) {
        if (json.startsWith("\"")) {
            assertThat(CanonicalInstants.parse(json.substring(1, json.length() - 1))).as(json).isNull();
        }
        assertThat(outcome(LEDGER, json)).as(json).isEqualTo(outcome(JACKSON, json));
    }

    private static List<Object> outcome(ObjectMapper mapper, String json) {
        List<Object> outcome = new ArrayList<>();
        try {
            outcome.add(mapper.readValue(json, Instant.class));
        } catch (Exception e) {
            outcome.add(e.getClass());
        }
        return outcome;
    }
}
