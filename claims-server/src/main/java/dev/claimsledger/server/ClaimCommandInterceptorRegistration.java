package dev.claimsledger.server;

import dev.claimsledger.core.ClaimCommandInterceptor;
import dev.claimsledger.core.LeaseLimits;
import org.axonframework.commandhandling.CommandBus;
import org.springframework.stereotype.Component;

/**
 * Puts {@link ClaimCommandInterceptor} on the command bus, so every claim command is shape-checked and every rejection
 * carries its error code, whoever sent it.
 */
@Component
class ClaimCommandInterceptorRegistration {

    ClaimCommandInterceptorRegistration(CommandBus commandBus, LeaseLimits leaseLimits) {
        commandBus.registerHandlerInterceptor(new ClaimCommandInterceptor(leaseLimits));
    }
}
