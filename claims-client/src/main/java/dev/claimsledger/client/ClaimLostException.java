package dev.claimsledger.client;

/** Thrown by {@link HeldClaim#checkHeld()} and {@link HeldClaim#release} once the claim is lost. */
public class ClaimLostException extends RuntimeException {

    private final transient ClaimLoss loss;

    public ClaimLostException(ClaimLoss loss) {
        super("claim " + loss.tenant() + "/" + loss.consumerId() + " epoch " + loss.epoch() + " was lost: "
                + loss.reason() + " (" + loss.detail() + ")");
        this.loss = loss;
    }

    public ClaimLoss loss() {
        return loss;
    }
}
