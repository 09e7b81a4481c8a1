package dev.claimsledger.projection;

import dev.claimsledger.api.ClaimLeaseExpired;
import dev.claimsledger.api.ClaimMaterialized;
import dev.claimsledger.api.ClaimReleased;
import dev.claimsledger.api.ClaimSuperseded;
import dev.claimsledger.api.HeartbeatReceived;
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
}
