package dev.claimsledger.core;

import dev.claimsledger.api.ClaimError;
import dev.claimsledger.api.ClaimErrorCode;
import dev.claimsledger.api.MaterializeClaim;
import dev.claimsledger.api.RecordHeartbeat;
import dev.claimsledger.api.ReleaseClaim;
import java.util.Objects;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;

/**
 * The claim commands' entry on the command bus. It checks each command's shape before any aggregate is loaded, so a
 * malformed command is {@code validation_failed} whether or not its claim exists, and it turns every rejection into a
 * {@link CommandExecutionException} whose details are a {@link ClaimError}, so the code survives the trip to callers on
 * other nodes.
 */
public class ClaimCommandInterceptor implements MessageHandlerInterceptor<CommandMessage<?>> {

    private final LeaseLimits leaseLimits;

    public ClaimCommandInterceptor(LeaseLimits leaseLimits) {
        this.leaseLimits = Objects.requireNonNull(leaseLimits, "leaseLimits");
    }

    @Override
    public Object handle(UnitOfWork<? extends CommandMessage<?>> unitOfWork, InterceptorChain chain) throws Exception {
        try {
            validate(unitOfWork.getMessage().getPayload());
            return chain.proceed();
        } catch (ClaimRejectedException e) {
            throw rejection(e.toError(), e);
        } catch (AggregateNotFoundException e) {
            throw rejection(new ClaimError(ClaimErrorCode.CLAIM_NOT_FOUND, "no claim exists for this consumer"), e);
        } catch (ConcurrencyException e) {
            throw rejection(new ClaimError(ClaimErrorCode.CONFLICT, "a concurrent change to this consumer won"), e);
        }
    }

    private void validate(Object payload) {
        if (payload instanceof MaterializeClaim materialize) {
            ClaimCommandValidation.check(materialize, leaseLimits);
        } else if (payload instanceof RecordHeartbeat heartbeat) {
            ClaimCommandValidation.check(heartbeat);
        } else if (payload instanceof ReleaseClaim release) {
            ClaimCommandValidation.check(release);
        }
    }

    private static CommandExecutionException rejection(ClaimError error, Throwable cause) {
        return new CommandExecutionException(error.message(), cause, error);
    }
}
