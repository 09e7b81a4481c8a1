package dev.claimsledger.client;

import java.time.Duration;

/** Claim requests for the tests: one consumer each, epoch 1 unless said otherwise. */
final class Claims {

    static final String TENANT = "acme";

    private Claims() {
    }

    static ClaimRequest request(String consumer, Duration ttl) {
        return request(consumer, 1, ttl);
    }

    static ClaimRequest request(String consumer, long epoch, Duration ttl) {
        return ClaimRequest.builder(consumer, epoch, "https://example.test/entities/" + consumer,
                "/streams/" + consumer).leaseTtl(ttl).build();
    }
}
