package dev.claimsledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/** Answers write instants with the ledger's formatter, in exactly the text Jackson's own serializer writes. */
class InstantJsonConfigurationTest {

    private static final JsonMapper JACKSON = JsonMapper.builder().build();
    private static final JsonMapper LEDGER = JsonMapper.builder().addModule(InstantJsonConfiguration.module()).build();

    @Test
    void instantsAreWrittenAsJacksonWritesThem() {
        Random random = new Random(20261204);
        for (int i = 0; i < 50_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L),
                    i % 3 == 0 ? 0 : random.nextInt(1_000_000_000) / (int) Math.pow(1_000, i % 3) * 1_000);
            Map<String, Object> answer = Map.of("at", instant, "times", List.of(instant, instant.plusNanos(1)));

            assertThat(LEDGER.writeValueAsString(answer)).as("%s", instant).isEqualTo(JACKSON.writeValueAsString(answer));
        }
        assertThat(LEDGER._serializationContext().findValueSerializer(Instant.class))
                .isInstanceOf(InstantJsonConfiguration.IsoText.class);
    }

    @Test
    void theApplicationsMapperWritesInstantsWithIt(@TempDir Path dataDir) {
        try (ConfigurableApplicationContext ledger = Ledger.start(TestDatabase.freshH2(dataDir))) {
            JsonMapper json = ledger.getBean(JsonMapper.class);

            assertThat(json._serializationContext().findValueSerializer(Instant.class))
                    .isInstanceOf(InstantJsonConfiguration.IsoText.class);
        }
    }
}
