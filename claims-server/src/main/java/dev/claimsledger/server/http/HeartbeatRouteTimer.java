package dev.claimsledger.server.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationPredicate;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Times the single-heartbeat route ({@link DirectHeartbeatFilter#URI_TEMPLATE}) in place of Spring's HTTP observation,
 * which cost about a twelfth of the ledger's CPU per heartbeat (its context, its handlers, a long-task timer and two
 * meter lookups per request; BENCHMARKS.md). As an {@link ObservationPredicate} it turns that observation off for the
 * route; as a filter right after Spring's observation filter it records the same timer, {@code http.server.requests}
 * (or the name configured for it) with the same tags: {@code error}, {@code exception}, {@code method},
 * {@code outcome}, {@code status} and {@code uri}, whoever answers the request (the direct route, the API-key check,
 * the body-size limit or Spring MVC).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class HeartbeatRouteTimer extends OncePerRequestFilter implements ObservationPredicate {

    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final String name;
    private final Map<Outcome, Timer> timers = new ConcurrentHashMap<>();

    HeartbeatRouteTimer(MeterRegistry registry, ObservationProperties observations) {
        this.registry = registry;
        this.name = observations.getHttp().getServer().getRequests().getName();
    }

    /** Spring's HTTP observation of every request but a single heartbeat's. */
    @Override
    public boolean test(String observationName, Observation.Context context) {
        return !(context instanceof ServerRequestObservationContext server && isTimed(server.getCarrier()));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !isTimed(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long started = System.nanoTime();
        Throwable failure = null;
        try {
            chain.doFilter(request, response);
        } catch (ServletException | IOException | RuntimeException | Error e) {
            failure = e instanceof ServletException servlet && servlet.getRootCause() != null ? servlet.getRootCause() : e;
            // as Spring's observation filter counts a request whose handling failed
            response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            throw e;
        } finally {
            if (failure == null && request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable handled) {
                failure = handled;
            }
            String error = failure == null ? NONE : failure.getClass().getSimpleName();
            timers.computeIfAbsent(new Outcome(response.getStatus(), error), this::timer)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private static boolean isTimed(HttpServletRequest request) {
        return DirectHeartbeatFilter.route(request) != null;
    }

    private Timer timer(Outcome outcome) {
        return Timer.builder(name)
                .tags(Tags.of("error", outcome.error(), "exception", outcome.error(), "method", "POST",
                        "outcome", outcome(outcome.status()), "status", Integer.toString(outcome.status()),
                        "uri", DirectHeartbeatFilter.URI_TEMPLATE))
                .register(registry);
    }

    /** As Spring names a status's class in the {@code outcome} tag. */
    private static String outcome(int status) {
        return switch (status / 100) {
            case 1 -> "INFORMATIONAL";
            case 2 -> "SUCCESS";
            case 3 -> "REDIRECTION";
            case 4 -> "CLIENT_ERROR";
            case 5 -> "SERVER_ERROR";
            default -> "UNKNOWN";
        };
    }

    private record Outcome(int status, String error) {
    }
}
