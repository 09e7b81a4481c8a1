package dev.claimsledger.server.readmodel;

import dev.claimsledger.projection.ConsumerClaimsProjection;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * How far the read model's processor has come, as committed in {@code token_entry}: for each segment, which streams
 * it handles and the token up to which it has applied their events. The processor stores a segment's token in the
 * same transaction as the rows of that batch, so a position read in the same transaction as the rows says exactly
 * which events the rows hold.
 *
 * <p>A stream belongs to the segment that matches its aggregate identifier: Axon's default sequencing policy, one
 * sequence per aggregate, which the {@code consumer-claims} processing group keeps (ReadModelOnFourSegmentsTest checks
 * the running configuration, ReadModelPositionTest the assignment against Axon's own).
 */
public final class ReadModelPosition {

    private static final String TOKENS = "SELECT segment, token, token_type FROM token_entry"
            + " WHERE processor_name = ? ORDER BY segment";

    private final List<SegmentPosition> segments;

    private ReadModelPosition(List<SegmentPosition> segments) {
        this.segments = List.copyOf(segments);
    }

    /** The position committed for {@code consumer-claims}, read in the caller's transaction. */
    public static ReadModelPosition read(JdbcTemplate jdbc, Serializer serializer) {
        return read(jdbc, serializer, ConsumerClaimsProjection.PROCESSING_GROUP);
    }

    /** The position committed for the tracking processor {@code processor}, read in the caller's transaction. */
    public static ReadModelPosition read(JdbcTemplate jdbc, Serializer serializer, String processor) {
        return query(jdbc, serializer, TOKENS, processor);
    }

    /**
     * Reads the position and locks its rows until the caller's transaction ends: the processor stores a segment's
     * token first in every batch's transaction, so meanwhile no batch of it commits, and one that was running has
     * committed before this returns.
     */
    public static ReadModelPosition lock(JdbcTemplate jdbc, Serializer serializer) {
        return query(jdbc, serializer, TOKENS + " FOR UPDATE", ConsumerClaimsProjection.PROCESSING_GROUP);
    }

    private static ReadModelPosition query(JdbcTemplate jdbc, Serializer serializer, String sql, String processor) {
        List<Integer> ids = new ArrayList<>();
        List<TrackingToken> tokens = new ArrayList<>();
        jdbc.query(sql, row -> {
            ids.add(row.getInt("segment"));
            byte[] token = row.getBytes("token");
            String type = row.getString("token_type");
            tokens.add(token == null || type == null ? null
                    : serializer.deserialize(new SimpleSerializedObject<>(token, byte[].class, type, null)));
        }, processor);
        int[] allIds = ids.stream().mapToInt(Integer::intValue).toArray();
        List<SegmentPosition> segments = new ArrayList<>();
        for (int i = 0; i < allIds.length; i++) {
            segments.add(new SegmentPosition(Segment.computeSegment(allIds[i], allIds), tokens.get(i)));
        }
        return new ReadModelPosition(segments);
    }

    /**
     * Whether the processor has applied the event at {@code position} (global index) of {@code streamId}. During a
     * reset or a merge of segments a token spans a range; the lower end counts.
     */
    public boolean hasPassed(String streamId, long position) {
        for (SegmentPosition segment : segments) {
            if (segment.segment().matches(streamId)) {
                return WrappedToken.unwrapLowerBound(segment.token()) instanceof GapAwareTrackingToken token
                        && position <= token.getIndex() && !token.getGaps().contains(position);
            }
        }
        return false;
    }

    /** A position the processor has not passed in any segment: every event it has applied is below it. */
    public long below() {
        long below = 0;
        for (SegmentPosition segment : segments) {
            if (WrappedToken.unwrapLowerBound(segment.token()) instanceof GapAwareTrackingToken token) {
                below = Math.max(below, token.getIndex() + 1);
            }
        }
        return below;
    }

    @Override
    public String toString() {
        return segments.toString();
    }

    private record SegmentPosition(Segment segment, TrackingToken token) {
    }
}
