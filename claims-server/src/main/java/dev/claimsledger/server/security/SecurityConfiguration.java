package dev.claimsledger.server.security;

import dev.claimsledger.server.ClaimsProperties;
import dev.claimsledger.server.http.ProblemWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * API keys for the HTTP API. Without a keys file the service runs open, which it allows only while bound to a
 * loopback address and outside the {@code postgres} profile, and says so; anywhere else it refuses to start.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(ClaimsProperties properties, Environment environment,
                                                      ProblemWriter problems) {
        ApiKeys keys = null;
        if (properties.security().apiKeysFile() == null) {
            requireOpenModeAllowed(environment);
            log.warn("No API keys file (claims.security.api-keys-file): the HTTP API is open to every caller on "
                    + "this machine. This is allowed only on a loopback address; configure keys before exposing it.");
        } else {
            keys = ApiKeys.load(properties.security().apiKeysFile());
            log.info("{} API keys loaded from {}", keys.size(), properties.security().apiKeysFile());
        }
        FilterRegistrationBean<ApiKeyFilter> registration = new FilterRegistrationBean<>(new ApiKeyFilter(keys, problems));
        registration.addUrlPatterns("/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return registration;
    }

    private static void requireOpenModeAllowed(Environment environment) {
        if (Arrays.asList(environment.getActiveProfiles()).contains("postgres")) {
            throw new IllegalStateException("The postgres profile requires API keys: set "
                    + "claims.security.api-keys-file (see README, Security).");
        }
        String address = environment.getProperty("server.address");
        if (!isLoopback(address)) {
            throw new IllegalStateException("Bound to " + (address == null ? "every address" : address)
                    + " without API keys: set claims.security.api-keys-file (see README, Security), or bind to "
                    + "127.0.0.1.");
        }
    }

    private static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
