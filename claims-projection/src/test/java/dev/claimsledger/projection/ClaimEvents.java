package dev.claimsledger.projection;

import dev.claimsledger.api.AckedStream;
import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
import dev.claimsledger.api.HeartbeatsCompacted;
import dev.claimsledger.api.LeasePolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds events to the projection as the Axon processor does: each event with the sequence number it has in its
 * consumer's stream.
 */
final class ClaimEvents {

    /** One event of a consumer's stream and its sequence number in that stream. */
    record Sequenced(long sequence, Object event) {

        @Override
        public String toString() {
            return "#" + sequence + " " + event.getClass().getSimpleName();
        }
    }

    private ClaimEvents() {
    }

    static Sequenced seq(long sequence, Object event) {
        return new Sequenced(sequence, event);
    }

    static void deliver(ConsumerClaimsProjection projection, Sequenced... events) {
        deliver(projection, List.of(events));
    }

    static void deliver(ConsumerClaimsProjection projection, List<Sequenced> events) {
        for (Sequenced sequenced : events) {
            Object event = sequenced.event();
            long sequence = sequenced.sequence();
            if (event instanceof ClaimMaterialized materialized) {
                projection.on(materialized, sequence);
            } else if (event instanceof HeartbeatReceived heartbeat) {
                projection.on(heartbeat, sequence);
            } else if (event instanceof HeartbeatsCompacted run) {
                projection.on(run, sequence);
            } else if (event instanceof ClaimReleased released) {
                projection.on(released, sequence);
            } else if (event instanceof ClaimLeaseExpired expired) {
                projection.on(expired, sequence);
            } else if (event instanceof ClaimSuperseded superseded) {
                projection.on(superseded, sequence);
            } else {
                throw new IllegalArgumentException("not a claim event: " + event);
            }
        }
    }

    /** Three consumers, interleaved as a processor sees them: claims, heartbeats, a release, a second epoch. */
    static List<Sequenced> interleavedHistory() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00.123456Z");
        List<Sequenced> events = new ArrayList<>();
        for (int c = 1; c <= 3; c++) {
            events.add(seq(0, materialized("c-" + c, 1, t0)));
        }
        for (int beat = 1; beat <= 3; beat++) {
            for (int c = 1; c <= 3; c++) {
                Instant at = t0.plusSeconds(beat);
                events.add(seq(beat, new HeartbeatReceived("acme", "c-" + c, 1, at, null, at.plusSeconds(30))));
            }
        }
        events.add(seq(4, new ClaimReleased("acme", "c-1", 1, t0.plusSeconds(5),
                List.of(new AckedStream("/s/c-1", "42")), t0.plusSeconds(33))));
        events.add(seq(5, materialized("c-1", 2, t0.plusSeconds(6))));
        events.add(seq(6, new HeartbeatReceived("acme", "c-1", 2, t0.plusSeconds(7), null, t0.plusSeconds(37))));
        return events;
    }

    private static ClaimMaterialized materialized(String consumer, long epoch, Instant at) {
        return new ClaimMaterialized("acme", consumer, epoch, "https://x.example/" + consumer, "/s/" + consumer, null,
                "runner-1", 30_000, LeasePolicy.RENEW_ON_HEARTBEAT, at, at.plusSeconds(30));
    }
}
