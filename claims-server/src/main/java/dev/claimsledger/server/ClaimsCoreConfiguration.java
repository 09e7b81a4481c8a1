package dev.claimsledger.server;

import dev.claimsledger.core.LeaseLimits;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The resources the Claim aggregate's handlers take: the ledger clock and the lease limits.
 */
@Configuration(proxyBeanMethods = false)
class ClaimsCoreConfiguration {

    @Bean
    Clock ledgerClock() {
        return Clock.systemUTC();
    }

    @Bean
    LeaseLimits leaseLimits(ClaimsProperties properties) {
        return new LeaseLimits(properties.lease().minTtl(), properties.lease().maxTtl());
    }
}
