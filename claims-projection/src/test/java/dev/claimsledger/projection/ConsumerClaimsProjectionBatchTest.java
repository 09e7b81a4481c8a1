package dev.claimsledger.projection;

import static org.assertj.core.api.Assertions.assertThat;

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
        List<ClaimEvents.Sequenced> history = ClaimEvents.interleavedHistory();
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

        ClaimEvents.deliver(projection, ClaimEvents.interleavedHistory());
        batch.rollback();

        assertThat(batched.findRow("acme", "c-1", 1)).isEmpty();
    }
}
