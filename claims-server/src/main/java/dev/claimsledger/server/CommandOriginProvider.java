package dev.claimsledger.server;

import java.util.Map;
import org.axonframework.deadline.DeadlineMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.springframework.stereotype.Component;

/**
 * Axon's {@link MessageOriginProvider}, so that an event's {@code correlationId} and {@code traceId} name the command
 * or deadline it was decided on, but nothing for the events that event processors handle. Axon asks for correlation
 * data whenever a message is made inside a unit of work: a processor makes a result message for every event it
 * handles, and each answer read the event's metadata, two fifths of the read model's allocation (BENCHMARKS.md). The
 * ledger's event handlers (the read model, the Merkle log) send nothing on, so that data was never used. A handler
 * that sends commands would have to bring it back.
 */
@Component
class CommandOriginProvider implements CorrelationDataProvider {

    private final MessageOriginProvider origin = new MessageOriginProvider();

    @Override
    public Map<String, ?> correlationDataFor(Message<?> message) {
        if (message instanceof EventMessage<?> && !(message instanceof DeadlineMessage<?>)) {
            return Map.of();
        }
        return origin.correlationDataFor(message);
    }
}
