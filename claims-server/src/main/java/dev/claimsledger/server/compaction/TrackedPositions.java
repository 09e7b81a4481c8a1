package dev.claimsledger.server.compaction;

import dev.claimsledger.compaction.PassedPositions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The events every event processor of the ledger has handled, on any node: read from their tokens in
 * {@code token_entry}. A processor split into segments handles each stream in one of them (its events go to the
 * segment that matches the hash of the stream's id, as Axon's per-aggregate sequencing does), so an event is passed
 * once that segment's token is past it; a position in a token's gaps is one the processor skipped while nothing was
 * stored there, so an event found there later is new to it.
 */
final class TrackedPositions {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;

    TrackedPositions(JdbcTemplate jdbc, Serializer serializer) {
        this.jdbc = jdbc;
        this.serializer = serializer;
    }

    /** What one segment of a processor has passed. */
    private record SegmentPosition(Segment segment, long below, Set<Long> gaps) {

        boolean passed(long position) {
            return position < below && !gaps.contains(position);
        }
    }

    /** A processor's segments and how far each has come. */
    private record Processor(List<SegmentPosition> segments) {

        boolean passed(String streamId, long position) {
            int hash = Objects.hashCode(streamId);
            for (SegmentPosition segment : segments) {
                if (segment.segment().matches(hash)) {
                    return segment.passed(position);
                }
            }
            return false;
        }

        long below() {
            return segments.stream().mapToLong(SegmentPosition::below).max().orElse(0);
        }
    }

    /** The events every processor has handled, as the tokens stand now. */
    PassedPositions passed() {
        long head = jdbc.queryForObject("SELECT COALESCE(MAX(global_index), 0) FROM domain_event_entry", Long.class);
        Map<String, Map<Integer, TrackingToken>> tokens = new LinkedHashMap<>();
        jdbc.query("SELECT processor_name, segment, token, token_type FROM token_entry", row -> {
            TrackingToken token = row.getBytes(3) == null ? null : serializer.deserialize(new SimpleSerializedObject<>(
                    row.getBytes(3), byte[].class, new SimpleSerializedType(row.getString(4), null)));
            tokens.computeIfAbsent(row.getString(1), name -> new LinkedHashMap<>()).put(row.getInt(2), token);
        });
        List<Processor> processors = new ArrayList<>();
        tokens.values().forEach(segments -> {
            int[] ids = segments.keySet().stream().mapToInt(Integer::intValue).toArray();
            List<SegmentPosition> positions = new ArrayList<>();
            segments.forEach((id, token) -> positions.add(position(Segment.computeSegment(id, ids), token)));
            processors.add(new Processor(positions));
        });
        long below = processors.stream().mapToLong(Processor::below).min().orElse(head + 1);
        return new PassedPositions() {
            @Override
            public long below() {
                return below;
            }

            @Override
            public boolean passed(String streamId, long position) {
                return position < below && processors.stream().allMatch(p -> p.passed(streamId, position));
            }
        };
    }

    /** The positions a segment's token has passed: up to its index but its gaps; none without a token. */
    private static SegmentPosition position(Segment segment, TrackingToken token) {
        TrackingToken lower = WrappedToken.unwrapLowerBound(token);
        if (lower instanceof GapAwareTrackingToken gapAware) {
            return new SegmentPosition(segment, gapAware.getIndex() + 1, Set.copyOf(gapAware.getGaps()));
        }
        return new SegmentPosition(segment, lower == null ? 0 : lower.position().orElse(-1) + 1, Set.of());
    }
}
