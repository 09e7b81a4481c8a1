package dev.claimsledger.merkle;

/**
 * A proof that cannot be given for what was asked: sizes out of range, or a position that is not in the log.
 */
public class ProofRequestException extends RuntimeException {

    /** Why. */
    public enum Problem {
        /** the sizes or positions asked for do not fit the log */
        INVALID,
        /** no leaf of the log holds that position */
        NOT_FOUND
    }

    private final Problem problem;

    public ProofRequestException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
