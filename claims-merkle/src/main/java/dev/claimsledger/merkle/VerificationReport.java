package dev.claimsledger.merkle;

import java.util.List;

/**
 * What {@link LogVerification} found: intact when there is no finding.
 *
 * @param checkpoint        the saved checkpoint the ledger was verified against
 * @param treeSize          the stored log's size
 * @param leavesChecked     how many leaves were recomputed from their events
 * @param extendsCheckpoint whether the stored log was proven (by an RFC 9162 consistency proof) to extend the
 *                          checkpoint
 * @param findings          what is wrong, each saying which leaves or positions
 * @param eventsNotYetInLog stored events newer than the log (its writer has not appended them yet)
 */
public record VerificationReport(Checkpoint checkpoint, long treeSize, long leavesChecked, boolean extendsCheckpoint,
                                 List<Finding> findings, long eventsNotYetInLog) {

    /** One thing wrong, and where. */
    public record Finding(String where, String what) {

        @Override
        public String toString() {
            return where + ": " + what;
        }
    }

    public VerificationReport {
        findings = List.copyOf(findings);
    }

    public boolean intact() {
        return findings.isEmpty();
    }
}
