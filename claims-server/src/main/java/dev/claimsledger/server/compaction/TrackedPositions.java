package dev.claimsledger.server.compaction;

import dev.claimsledger.compaction.PassedPositions;
import dev.claimsledger.merkle.MerkleLogWriter;
import dev.claimsledger.server.readmodel.ReadModelPosition;
import org.axonframework.serialization.Serializer;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The events compaction may rewrite: those every tracking processor has handled in the segment their stream belongs
 * to ({@link ReadModelPosition}): the read model's, and the Merkle log's writer, which makes each event a leaf; and,
 * while a rebuild runs, only those below where it has come. The rebuild reads ahead of that point, so it never meets
 * a run compacted after it read past it.
 */
final class TrackedPositions {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;

    TrackedPositions(JdbcTemplate jdbc, Serializer serializer) {
        this.jdbc = jdbc;
        this.serializer = serializer;
    }

    /** The events every reader of the event table has passed, as they stand now. */
    PassedPositions passed() {
        ReadModelPosition readModel = ReadModelPosition.read(jdbc, serializer);
        ReadModelPosition merkleLog = ReadModelPosition.read(jdbc, serializer, MerkleLogWriter.PROCESSING_GROUP);
        Long rebuilt = jdbc.queryForObject("SELECT MIN(processed) FROM read_model_rebuild WHERE state = 'running'",
                Long.class);
        long processed = Math.min(readModel.below(), merkleLog.below());
        long below = rebuilt == null ? processed : Math.min(processed, rebuilt + 1);
        return new PassedPositions() {
            @Override
            public long below() {
                return below;
            }

            @Override
            public boolean passed(String streamId, long position) {
                return position < below && readModel.hasPassed(streamId, position)
                        && merkleLog.hasPassed(streamId, position);
            }
        };
    }
}
