package dev.claimsledger.merkle;

import java.util.Optional;

/**
 * Signs the log's tree head as a C2SP checkpoint whenever the log has grown, and keeps it. The head comes from this
 * node's writer once it has committed a batch, so a checkpoint never signs leaves that are not durable; until then
 * (a node that does not hold the writer, or one just started) it is read from the stored log, so a ledger with no
 * new events still has a checkpoint.
 */
public final class CheckpointSigner {

    private final NoteSigner signer;
    private final MerkleLogWriter writer;
    private final MerkleLog log;
    private final Checkpoints checkpoints;
    private TreeHead lastSigned;

    /** @param signer signs under the log's origin, which is also the key's name */
    public CheckpointSigner(NoteSigner signer, MerkleLogWriter writer, MerkleLog log, Checkpoints checkpoints) {
        this.signer = signer;
        this.writer = writer;
        this.log = log;
        this.checkpoints = checkpoints;
    }

    /** Signs and keeps a checkpoint of the head if it is larger than the last one this node signed. */
    public synchronized Optional<String> signIfGrown() {
        TreeHead head = writer.committedHead().orElseGet(() -> lastSigned == null ? log.head() : null);
        if (head == null || lastSigned != null && head.size() <= lastSigned.size()) {
            return Optional.empty();
        }
        String note = signer.sign(Checkpoint.of(signer.name(), head).text());
        checkpoints.save(head, note);
        lastSigned = head;
        return Optional.of(note);
    }

    /** The verifier key of the checkpoints' signatures. */
    public String verifierKey() {
        return signer.verifierKey();
    }

    public String origin() {
        return signer.name();
    }
}
