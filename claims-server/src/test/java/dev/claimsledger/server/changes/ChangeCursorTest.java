package dev.claimsledger.server.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The order rule of the change streams: positions are handed on strictly in order, a missing position holds back the
 * ones after it until it appears or the wait has passed, so that the last event id a client saw is a safe place to
 * resume from.
 */
class ChangeCursorTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void contiguousPositionsAreAllPassedInOrderAndOnlyTheTenantsChangesAreReturned() {
        // given
        ChangeCursor cursor = new ChangeCursor(10);

        // when
        List<ClaimChangeJson> changes = cursor.advance(positions(11, 12, 13, 14), T0);

        // then positions 11 and 13 are this tenant's changes, 12 and 14 are not
        assertThat(changes).extracting(ClaimChangeJson::position).containsExactly(11L, 13L);
        assertThat(cursor.position()).isEqualTo(14);
    }

    @Test
    void aMissingPositionHoldsBackTheOnesAfterIt() {
        // given
        ChangeCursor cursor = new ChangeCursor(10);

        // when position 12 is not committed yet
        List<ClaimChangeJson> changes = cursor.advance(positions(11, 13, 15), T0.plusMillis(1_900));

        // then
        assertThat(changes).extracting(ClaimChangeJson::position).containsExactly(11L);
        assertThat(cursor.position()).isEqualTo(11);
    }

    @Test
    void aPositionThatAppearsLaterIsPassedInItsPlace() {
        // given
        ChangeCursor cursor = new ChangeCursor(10);
        cursor.advance(positions(11, 13), T0);

        // when position 12 commits
        List<ClaimChangeJson> changes = cursor.advance(positions(12, 13, 15), T0.plusMillis(500));

        // then 15 waits for 14
        assertThat(changes).extracting(ClaimChangeJson::position).containsExactly(13L);
        assertThat(cursor.position()).isEqualTo(13);
    }

    @Test
    void aPositionStillMissingAfterTheWaitIsPassedOver() {
        // given position 12 was seen missing at T0 (a rolled-back append never fills it)
        ChangeCursor cursor = new ChangeCursor(11);
        cursor.advance(positions(13), T0);

        // when
        List<ClaimChangeJson> justBefore = cursor.advance(positions(13), T0.plus(ChangeCursor.GAP_WAIT).minusMillis(1));
        List<ClaimChangeJson> after = cursor.advance(positions(13, 14), T0.plus(ChangeCursor.GAP_WAIT));

        // then
        assertThat(justBefore).isEmpty();
        assertThat(after).extracting(ClaimChangeJson::position).containsExactly(13L);
        assertThat(cursor.position()).isEqualTo(14);
    }

    @Test
    void eachGapGetsItsOwnWait() {
        // given the first gap was waited out
        ChangeCursor cursor = new ChangeCursor(10);
        cursor.advance(positions(12, 14), T0);
        cursor.advance(positions(12, 14), T0.plus(ChangeCursor.GAP_WAIT));
        assertThat(cursor.position()).isEqualTo(12);

        // when the second gap is new
        List<ClaimChangeJson> changes = cursor.advance(positions(14), T0.plus(ChangeCursor.GAP_WAIT).plusMillis(10));

        // then
        assertThat(changes).isEmpty();
        assertThat(cursor.position()).isEqualTo(12);
    }

    @Test
    void aGapBeforeAnEventStoredLongAgoIsSettledAndPassedAtOnce() {
        // given positions 12 to 14 were compacted away (or rolled back) long before the stream reads past them
        ChangeCursor cursor = new ChangeCursor(11);
        Instant now = T0.plus(ChangeCursor.SETTLED_AFTER).plusSeconds(1);

        // when
        List<ClaimChangeJson> changes = cursor.advance(List.of(position(15, T0), position(17, T0)), now);

        // then no gap waits
        assertThat(changes).extracting(ClaimChangeJson::position).containsExactly(15L, 17L);
        assertThat(cursor.position()).isEqualTo(17);
    }

    @Test
    void positionsAtOrBeforeTheCursorAreIgnored() {
        // given
        ChangeCursor cursor = new ChangeCursor(10);

        // when
        List<ClaimChangeJson> changes = cursor.advance(positions(9, 10, 11), T0);

        // then
        assertThat(changes).extracting(ClaimChangeJson::position).containsExactly(11L);
        assertThat(cursor.position()).isEqualTo(11);
    }

    /**
     * Positions stored just now; the odd ones carry a change of the tenant's claims, the even ones another tenant's
     * event.
     */
    private static List<ClaimChangeLog.Position> positions(long... positions) {
        return LongStream.of(positions).mapToObj(position -> position(position, null)).toList();
    }

    private static ClaimChangeLog.Position position(long position, Instant storedAt) {
        return new ClaimChangeLog.Position(position, storedAt, position % 2 == 1
                ? new ClaimChangeJson(position, "claimed", "acme", "worker-" + position, 1, T0, T0, null, null, null,
                null)
                : null);
    }
}
