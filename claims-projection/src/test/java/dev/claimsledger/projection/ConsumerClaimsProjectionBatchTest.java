package dev.claimsledger.projection;

import static dev.claimsledger.projection.ClaimEvents.seq;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.LeasePolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Inside a processor's batch (a unit of work) the projection writes its rows when the batch commits, and the rows
 * are the same as when each event is written on its own.
 */
class ConsumerClaimsProjectionBatchTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456Z");

    private ProjectionDatabase batched;
    private ProjectionDatabase oneByOne;

    @BeforeEach
    void setUp() {
        batched = ProjectionDatabase.migrated();
        oneByOne = ProjectionDatabase.migrated();
    }

    @AfterEach
    void tearDown() {
        batched.close();
        oneByOne.close();
    }

    @Test
    void aBatchWritesNothingBeforeItCommitsAndTheSameRowsAsEventByEventAfterwards() {
        List<ClaimEvents.Sequenced> history = history();
        ConsumerClaimsProjection projection = new ConsumerClaimsProjection(batched.jdbcTemplate());
        UnitOfWork<?> batch = DefaultUnitOfWork.startAndGet(GenericEventMessage.asEventMessage("batch"));

        ClaimEvents.deliver(projection, history);
        assertThat(batched.findRow("acme", "c-1", 1)).as("before the batch commits").isEmpty();
        batch.commit();

        ClaimEvents.deliver(new ConsumerClaimsProjection(oneByOne.jdbcTemplate()), history);
        for (String consumer : List.of("c-1", "c-2", "c-3")) {
            for (long epoch = 1; epoch <= 2; epoch++) {
                assertThat(batched.findRow("acme", consumer, epoch)).as(consumer + " epoch " + epoch)
                        .isEqualTo(oneByOne.findRow("acme", consumer, epoch));
            }
        }
        assertThat(batched.row("acme", "c-1", 1)).containsEntry("heartbeat_count", 3L).containsEntry("status", "released");
    }

    @Test
    void aBatchThatRollsBackWritesNothing() {
        ConsumerClaimsProjection projection = new ConsumerClaimsProjection(batched.jdbcTemplate());
        UnitOfWork<?> batch = DefaultUnitOfWork.startAndGet(GenericEventMessage.asEventMessage("batch"));

        ClaimEvents.deliver(projection, history());
        batch.rollback();

        assertThat(batched.findRow("acme", "c-1", 1)).isEmpty();
    }

    /** Three consumers, interleaved as a processor sees them: claims, heartbeats, a release, a second epoch. */
    private static List<ClaimEvents.Sequenced> history() {
        List<ClaimEvents.Sequenced> events = new ArrayList<>();
        for (int c = 1; c <= 3; c++) {
            events.add(seq(0, materialized("c-" + c, 1, T0)));
        }
        for (int beat = 1; beat <= 3; beat++) {
            for (int c = 1; c <= 3; c++) {
                Instant at = T0.plusSeconds(beat);
                events.add(seq(beat, new HeartbeatReceived("acme", "c-" + c, 1, at, null, at.plusSeconds(30))));
            }
        }
        events.add(seq(4, new ClaimReleased("acme", "c-1", 1, T0.plusSeconds(5),
                List.of(new AckedStream("/s/c-1", "42")), T0.plusSeconds(33))));
        events.add(seq(5, materialized("c-1", 2, T0.plusSeconds(6))));
        events.add(seq(6, new HeartbeatReceived("acme", "c-1", 2, T0.plusSeconds(7), null, T0.plusSeconds(37))));
        return events;
    }

    private static ClaimMaterialized materialized(String consumer, long epoch, Instant at) {
        return new ClaimMaterialized("acme", consumer, epoch, "https://x.example/" + consumer, "/s/" + consumer, null,
                "runner-1", 30_000, LeasePolicy.RENEW_ON_HEARTBEAT, at, at.plusSeconds(30));
    }
}
