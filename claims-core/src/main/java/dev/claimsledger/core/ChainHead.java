package dev.claimsledger.core;

/**
 * The last event of a consumer's stream as the chain knows it: its sequence number and its chain hash.
 */
record ChainHead(long sequence, String hash) {

    static final ChainHead EMPTY = new ChainHead(-1, null);

    long nextSequence() {
        return sequence + 1;
    }
}
