package dev.claimsledger.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claimsledger.compaction.HeartbeatSegment.Heartbeat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The hb1 segment gives back every heartbeat exactly, whatever the positions, ledger times and reported times, and
 * refuses bytes that are not a segment instead of misreading them.
 */
class HeartbeatSegmentProperties {

    @Property(tries = 300)
    void everyHeartbeatComesBackExactly(@ForAll("runs") List<Heartbeat> run) {
        assertThat(HeartbeatSegment.decode(HeartbeatSegment.encode(run))).isEqualTo(run);
    }

    @Property(tries = 100)
    void aSegmentCutShortIsRefused(@ForAll("runs") List<Heartbeat> run, @ForAll @IntRange(min = 1, max = 50) int cut) {
        byte[] segment = HeartbeatSegment.encode(run);
        byte[] shorter = Arrays.copyOf(segment, Math.max(0, segment.length - cut));
        assertThatThrownBy(() -> HeartbeatSegment.decode(shorter)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHeartbeatEveryTenSecondsCostsAboutFiveBytes() {
        List<Heartbeat> run = new ArrayList<>();
        Instant at = Instant.parse("2026-12-02T10:00:00.000001Z");
        for (int i = 0; i < 1_000; i++) {
            run.add(new Heartbeat(1_000_000L + i * 10_007L, at.plusMillis(i * 10_000L + (i * 7919 % 40)), null));
        }
        byte[] segment = HeartbeatSegment.encode(run);
        assertThat(segment.length / 1_000.0).as("bytes per heartbeat").isLessThan(6.0);
        assertThat(HeartbeatSegment.decode(segment)).isEqualTo(run);
    }

    @Test
    void aLedgerTimeFinerThanAMicrosecondIsNotEncodable() {
        List<Heartbeat> run = List.of(new Heartbeat(1, Instant.parse("2026-12-02T10:00:00.000000001Z"), null));
        assertThat(HeartbeatSegment.encodable(run)).isFalse();
    }

    @Test
    void positionsThatDoNotGrowAreNotEncodable() {
        Instant at = Instant.parse("2026-12-02T10:00:00Z");
        assertThat(HeartbeatSegment.encodable(List.of(new Heartbeat(5, at, null), new Heartbeat(5, at, null))))
                .isFalse();
    }

    @Provide
    Arbitrary<List<Heartbeat>> runs() {
        Arbitrary<Long> steps = Arbitraries.longs().between(1, 5_000_000);
        Arbitrary<Long> gapsMicros = Arbitraries.longs().between(0, 600_000_000L);
        Arbitrary<Long> reportedNanos = Arbitraries.longs().between(-86_400_000_000_000L, 86_400_000_000_000L)
                .injectNull(0.4);
        Arbitrary<long[]> each = Combinators.combine(steps, gapsMicros, reportedNanos)
                .as((step, gap, reported) -> new long[] {step, gap, reported == null ? Long.MIN_VALUE : reported});
        return Combinators.combine(Arbitraries.longs().between(0, 1L << 40),
                        Arbitraries.longs().between(0, 4_000_000_000_000_000L), each.list().ofMinSize(1).ofMaxSize(300))
                .as((firstPosition, firstMicros, steps1) -> {
                    List<Heartbeat> run = new ArrayList<>();
                    long position = firstPosition;
                    long micros = firstMicros;
                    for (long[] step : steps1) {
                        if (!run.isEmpty()) {
                            position += step[0];
                            micros += step[1];
                        }
                        Instant received = Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1_000);
                        run.add(new Heartbeat(position, received,
                                step[2] == Long.MIN_VALUE ? null : received.plusNanos(step[2])));
                    }
                    return run;
                });
    }
}
