package dev.claimsledger.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.compaction.Compactions;
import dev.claimsledger.server.ClaimsProperties;
import dev.claimsledger.server.support.Ledger;
import dev.claimsledger.server.support.LedgerHttp;
import dev.claimsledger.server.support.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** A compaction keeps to {@code claims.compaction.max-rate} heartbeats a second, pausing between transactions. */
class CompactionRateLimitTest {

    private static final String TENANT = "paced";
    private static final int HEARTBEATS = 120;
    private static final int MAX_RATE = 60;

    @Test
    void aCompactionTakesAtLeastAsLongAsItsHeartbeatsAtTheMaxRate(@TempDir Path dataDir) throws Exception {
        try (ConfigurableApplicationContext ledger = Ledger.startWithHttp(TestDatabase.freshH2(dataDir), Map.of(
                "claims.compaction.enabled", "false", "claims.compaction.hot-window", "0s",
                "claims.compaction.max-rate", String.valueOf(MAX_RATE)))) {
            LedgerHttp http = new LedgerHttp(Ledger.baseUrl(ledger));
            for (String consumer : List.of("worker-1", "worker-2")) {
                http.claimWithHeartbeats(TENANT, consumer, HEARTBEATS / 2);
            }
            Compactions compactions = ledger.getBean(Compactions.class);
            List<String> runs = new ArrayList<>();
            long compacted = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (compacted < HEARTBEATS && System.nanoTime() < deadline) {
                long started = System.nanoTime();
                long heartbeats = compactions.runNow().result().heartbeatsCompacted();
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                runs.add(heartbeats + " heartbeats in " + took.toMillis() + " ms");
                assertThat(took).as("a compaction of %d heartbeats at %d a second", heartbeats, MAX_RATE)
                        .isGreaterThanOrEqualTo(Duration.ofMillis(heartbeats * 1000 / MAX_RATE - 50));
                compacted += heartbeats;
            }
            assertThat(compacted).as("heartbeats compacted, by run: %s", runs).isEqualTo(HEARTBEATS);
        }
    }

    @Test
    void aNegativeMaxRateIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new ClaimsProperties.Compaction(true, Duration.ofMinutes(5), Duration.ofMinutes(1),
                -1, 0.1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claims.compaction.max-rate");
    }

    @Test
    void aDutyCycleOfNothingOrMoreThanAllTheTimeIsRefusedAtStartUp() {
        for (double dutyCycle : new double[] {0, -0.5, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> new ClaimsProperties.Compaction(true, Duration.ofMinutes(5),
                    Duration.ofMinutes(1), 2000, dutyCycle)).as("duty cycle %s", dutyCycle)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claims.compaction.duty-cycle");
        }
    }
}
