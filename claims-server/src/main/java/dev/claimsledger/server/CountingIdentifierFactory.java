package dev.claimsledger.server;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.axonframework.common.IdentifierFactory;

/**
 * The identifiers of Axon's messages in the ledger's process (commands, deadlines, the events the aggregate decides,
 * and the result message Axon makes for every event a processor handles): UUIDs of version 8 whose first half is
 * drawn at random once per process and whose second half counts. Axon's default draws every identifier from the one
 * {@link SecureRandom} of {@link UUID#randomUUID()}, behind a lock every thread shares, mostly for result messages
 * nobody reads. Two processes share a first half with a chance of one in 2<sup>60</sup>; within one, the counter does
 * not repeat. Axon finds this factory through {@code META-INF/services}.
 */
public final class CountingIdentifierFactory extends IdentifierFactory {

    /** Version 8 (RFC 9562's custom layout) in the first half, the variant {@code 10} in the second. */
    private static final long VERSION_MASK = 0xFFFF_FFFF_FFFF_0FFFL;
    private static final long VERSION_8 = 0x0000_0000_0000_8000L;
    private static final long VARIANT_MASK = 0x3FFF_FFFF_FFFF_FFFFL;
    private static final long VARIANT = 0x8000_0000_0000_0000L;

    private final long processBits = new SecureRandom().nextLong() & VERSION_MASK | VERSION_8;
    private final AtomicLong counter = new AtomicLong();

    @Override
    public String generateIdentifier() {
        return new UUID(processBits, counter.getAndIncrement() & VARIANT_MASK | VARIANT).toString();
    }
}
