package dev.claimsledger.compaction;

/**
 * The events every event processor has handled, named by stream and global position. Compaction rewrites only those,
 * so no processor ever meets a row that changed under it.
 */
public interface PassedPositions {

    /** A position no processor has passed: every event passed is below it. */
    long below();

    /** Whether every processor has handled the event of {@code streamId} at {@code position}. */
    boolean passed(String streamId, long position);

}
