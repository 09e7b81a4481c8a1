package dev.claimsledger.server.http;

import dev.claimsledger.api.ClaimCommandResult;
import dev.claimsledger.api.ClaimError;
import dev.claimsledger.core.ClaimRejectedException;
import dev.claimsledger.server.ClaimsProperties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseType;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.stereotype.Component;

/**
 * Sends the HTTP layer's commands and queries and waits for them, within {@code claims.http.request-timeout}. A
 * command's answer arrives only after its events are committed, so a 2xx always means stored.
 */
@Component
class LedgerGateway {

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final long timeoutMillis;

    LedgerGateway(CommandGateway commands, QueryGateway queries, ClaimsProperties properties) {
        this.commands = commands;
        this.queries = queries;
        this.timeoutMillis = properties.http().requestTimeout().toMillis();
    }

    ClaimCommandResult send(Object command) {
        return await(commands.send(command));
    }

    <R> R query(Object query, ResponseType<R> responseType) {
        return await(queries.query(query, responseType));
    }

    private <R> R await(CompletableFuture<R> pending) {
        try {
            return pending.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(false);
            throw new LedgerUnavailableException("the ledger did not answer within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted while waiting for the ledger", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    private static RuntimeException translate(Throwable failure) {
        if (failure instanceof CommandExecutionException execution) {
            ClaimError error = execution.getDetails().filter(ClaimError.class::isInstance).map(ClaimError.class::cast)
                    .orElse(null);
            if (error != null) {
                return new ClaimRejectedException(error.code(), error.message());
            }
        }
        if (failure instanceof ClaimRejectedException rejected) {
            return rejected;
        }
        return failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
    }
}
