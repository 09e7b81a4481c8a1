package dev.claimsledger.client;

/**
 * The ledger refused a request, with one of its stable error codes ({@code stale_epoch}, {@code conflict},
 * {@code validation_failed}, {@code forbidden}...; README, "The HTTP API"). Match on {@link #code()}, never on the
 * message.
 *
 * <p>Two codes can also come from the client itself: {@code unavailable} when no answer came (the ledger was
 * unreachable, or kept answering 503, until retrying no longer made sense; {@link #status()} is then that of the last
 * answer, or 0 when there was none), and {@code claim_not_active} when a repeated claim names an epoch that has already
 * ended (the ledger answers such a repeat with the ended claim).
 */
public class ClaimRejectedException extends RuntimeException {

    private final String code;
    private final int status;

    public ClaimRejectedException(String code, int status, String detail) {
        super(code + " (HTTP " + status + "): " + detail);
        this.code = code;
        this.status = status;
    }

    /** The ledger's stable error code, such as {@code stale_epoch}. */
    public String code() {
        return code;
    }

    /** The HTTP status of the answer, or 0 when none came. */
    public int status() {
        return status;
    }
}
