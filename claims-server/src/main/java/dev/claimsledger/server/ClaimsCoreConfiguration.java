package dev.claimsledger.server;

import dev.claimsledger.core.EventChain;
import dev.claimsledger.core.LeaseLimits;
import java.time.Clock;
import java.time.Duration;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The resources the Claim aggregate's handlers take: the ledger clock, the lease limits and the event chain.
 */
@Configuration(proxyBeanMethods = false)
class ClaimsCoreConfiguration {

    /** Ticks in microseconds, the precision PostgreSQL keeps, so a time reads the same from events and rows. */
    @Bean
    Clock ledgerClock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
    }

    /** Hashes with the event serializer, so the chain covers exactly the bytes stored. */
    @Bean
    EventChain eventChain(@Qualifier("eventSerializer") Serializer eventSerializer) {
        return new EventChain(eventSerializer);
    }

    @Bean
    LeaseLimits leaseLimits(ClaimsProperties properties) {
        return new LeaseLimits(properties.lease().minTtl(), properties.lease().maxTtl());
    }
}
